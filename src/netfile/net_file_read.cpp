// load_net_file: files written by znn and by the original ZNN (its "stdio" layout under
// /processing/znn/train/network, and its older layout with the layer groups at the root).
//
// The file is read in a forked child process (src/core/isolated_call.hpp) and the record comes back over
// a pipe (net_file_wire.hpp): libhdf5 1.10 can crash or corrupt its heap on damaged files (variable-length
// strings whose global-heap references are broken), and then only the child is lost, while the parent
// never parses the damaged file at all. ZNN_HDF5_IN_PROCESS=1 reads in this process (fuzzing, debugging).
// Cost, measured on the development VM (medians of 15): the 112 KB boundary example's network 43 ms
// instead of 15 ms in-process, the 245 KB srini2d network 60 ms instead of 15 ms; from a process with
// 2 GiB resident, 276 ms instead of 46 ms (fork costs there: src/core/isolated_call.hpp).
#include "znn/net_file.hpp"

#include "znn/error.hpp"

#include "../core/isolated_call.hpp"
#include "filter_order.hpp"
#include "h5_handle.hpp"
#include "layout.hpp"
#include "net_file_wire.hpp"

#include <charconv>
#include <filesystem>
#include <new>
#include <optional>

namespace znn {

namespace {

using namespace netfile_detail;

// At most this many values of an unknown numeric dataset become a "a,b,c" string key.
constexpr hsize_t max_numeric_key_values = 16;

std::string join_dims(const std::vector<hsize_t>& dims)
{
    std::string text = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i) text += ", ";
        text += std::to_string(dims[i]);
    }
    return text + "]";
}

std::string number_text(double value)
{
    char text[64];
    const auto result = std::to_chars(text, text + sizeof text, value);
    return std::string(text, result.ptr);
}

template <std::size_t N>
h5_handle open_groups(hid_t file, const char* const (&path)[N])
{
    h5_handle group;
    hid_t parent = file;
    for (const char* name : path) {
        if (!has_group(parent, name)) return {};
        group = h5_handle(H5Gopen2(parent, name, H5P_DEFAULT), H5Gclose);
        if (!group.valid()) return {};
        parent = group.get();
    }
    return group;
}

class net_reader {
public:
    explicit net_reader(std::string path) : path_(std::move(path)) {}

    net_file read()
    {
        std::error_code ec;
        if (!std::filesystem::exists(path_, ec)) bad("no such file");
        if (std::filesystem::is_directory(path_, ec)) bad("is a folder, not a network file");
        const htri_t is_hdf5 = H5Fis_hdf5(path_.c_str());
        if (is_hdf5 < 0) h5_bad("cannot read the file");
        if (is_hdf5 == 0) bad("not an HDF5 file (a network file is HDF5)");
        h5_handle file(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        if (!file.valid()) h5_bad("cannot open the HDF5 file");

        net_file net;
        read_layers(file.get(), net);
        read_curve(file.get(), net.curve);
        read_root_attributes(file.get(), net);
        return net;
    }

private:
    [[noreturn]] void bad(const std::string& message) const { throw input_error(path_, 0, message); }
    [[noreturn]] void h5_bad(const std::string& message) const
    {
        const std::string reason = h5_reason();  // first: the next HDF5 call clears the stack
        throw input_error(path_, 0, message + reason);
    }

    // ---- layers ----

    void read_layers(hid_t file, net_file& net)
    {
        h5_handle network = open_groups(file, network_path);
        // Without the stdio groups, the original's older layout: layer groups (with group_type) at "/".
        const bool at_root = !network.valid();
        if (at_root) network = h5_handle(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
        if (!network.valid()) h5_bad("cannot open the root group");

        for (const std::string& name : link_names(network.get())) {
            if (!has_group(network.get(), name.c_str())) continue;
            h5_handle group(H5Gopen2(network.get(), name.c_str(), H5P_DEFAULT), H5Gclose);
            if (!group.valid()) h5_bad("cannot open the layer group " + name);
            if (at_root && !has_dataset(group.get(), group_type_name)) continue;
            net.layers.push_back(read_layer(group.get(), name, net));
        }
        if (net.layers.empty()) {
            if (at_root) bad("no network in this file (expected the group /processing/znn/train/network)");
            bad("the group /processing/znn/train/network holds no layers");
        }
    }

    layer_record read_layer(hid_t group, const std::string& name, net_file& net)
    {
        layer_record layer;
        layer.name = name;
        const std::string where = "layer " + name;
        std::optional<std::string> group_type;
        std::vector<hsize_t> filter_dims;
        bool size_given = false;

        for (const std::string& key : link_names(group)) {
            if (!has_dataset(group, key.c_str())) continue;
            h5_handle dataset(H5Dopen2(group, key.c_str(), H5P_DEFAULT), H5Dclose);
            if (!dataset.valid()) h5_bad(where + ": cannot open " + key);
            const std::string item = where + ": " + key;
            h5_handle type(H5Dget_type(dataset.get()), H5Tclose);
            if (!type.valid()) h5_bad(item + ": cannot read its type");
            const H5T_class_t type_class = H5Tget_class(type.get());

            if (key == filters_name || key == biases_name) {
                note_dtype(type.get(), net);
                continue;  // read below, once the group type and size are known
            }
            if (key == momentum_name) continue;
            if (key == size_name || key == stride_name) {
                const std::vector<std::int64_t> values = read_int64s(dataset.get(), item);
                vec3 v;
                if (values.size() == 1)
                    v = {0, 0, values[0]};
                else if (values.size() == 3)
                    v = {values[0], values[1], values[2]};
                else
                    bad(item + ": " + std::to_string(values.size()) + " values, expected 1 or 3");
                (key == size_name ? layer.size : layer.stride) = v;
                size_given = size_given || key == size_name;
                continue;
            }
            if (type_class == H5T_STRING) {
                std::string value = read_string(dataset.get(), type.get(), item);
                if (key == group_type_name)
                    group_type = std::move(value);
                else if (key != layer_name_name)  // the group's own name is the layer's name
                    layer.strings.emplace_back(key, std::move(value));
                continue;
            }
            if (type_class == H5T_INTEGER || type_class == H5T_FLOAT) {
                // A key the original stored as numbers: keep it as the .znn would write it ("a,b,c").
                if (element_count(dataset.get(), item) > max_numeric_key_values) continue;
                std::string value;
                for (double x : read_reals(dataset.get(), item)) {
                    if (!value.empty()) value += ',';
                    value += number_text(x);
                }
                layer.strings.emplace_back(key, std::move(value));
            }
        }

        if (group_type)
            layer.is_edge = *group_type == "edge";
        else  // no bookkeeping: an edge names its input and output
            layer.is_edge = layer.find_string("input") && layer.find_string("output");
        if (!layer.is_edge) layer.stride = {0, 0, 0};

        if (has_dataset(group, filters_name)) read_filters(group, layer, size_given, where);
        if (has_dataset(group, biases_name)) read_biases(group, layer, where);
        return layer;
    }

    void note_dtype(hid_t type, net_file& net)
    {
        if (dtype_known_) return;
        dtype_known_ = true;
        net.float64 = H5Tget_class(type) == H5T_FLOAT && H5Tget_size(type) == 8;
    }

    void read_filters(hid_t group, layer_record& layer, bool size_given, const std::string& where)
    {
        h5_handle dataset(H5Dopen2(group, filters_name, H5P_DEFAULT), H5Dclose);
        if (!dataset.valid()) h5_bad(where + ": cannot open filters");
        const std::vector<hsize_t> dims = dataset_dims(dataset.get(), where + ": filters");
        if (dims.size() != 5)
            bad(where + ": filters is " + join_dims(dims) + ", expected [n_in, n_out, z, y, x]");
        const vec3 shape{static_cast<std::int64_t>(dims[2]), static_cast<std::int64_t>(dims[3]),
                         static_cast<std::int64_t>(dims[4])};
        if (size_given && shape != layer.size)
            bad(where + ": filters is " + join_dims(dims) + " but size is " + layer.size.str());
        layer.size = shape;
        layer.n_in = static_cast<std::int64_t>(dims[0]);
        layer.n_out = static_cast<std::int64_t>(dims[1]);
        const std::int64_t count = layer.n_in * layer.n_out;

        const std::vector<double> filters = read_reals(dataset.get(), where + ": filters");
        layer.filters.assign(filters.size(), 0.0);
        filters_from_file_order(filters.data(), layer.filters.data(), shape, count);

        layer.filter_momentum.assign(filters.size(), 0.0);  // none stored: momentum starts at zero
        if (!has_dataset(group, momentum_name)) return;
        h5_handle momentum(H5Dopen2(group, momentum_name, H5P_DEFAULT), H5Dclose);
        if (!momentum.valid()) h5_bad(where + ": cannot open momentum_vol");
        const std::vector<hsize_t> momentum_dims = dataset_dims(momentum.get(), where + ": momentum_vol");
        if (momentum_dims != dims)
            bad(where + ": momentum_vol is " + join_dims(momentum_dims) + " but filters is " + join_dims(dims));
        const std::vector<double> values = read_reals(momentum.get(), where + ": momentum_vol");
        filters_from_file_order(values.data(), layer.filter_momentum.data(), shape, count);
    }

    void read_biases(hid_t group, layer_record& layer, const std::string& where)
    {
        h5_handle dataset(H5Dopen2(group, biases_name, H5P_DEFAULT), H5Dclose);
        if (!dataset.valid()) h5_bad(where + ": cannot open biases");
        layer.biases = read_reals(dataset.get(), where + ": biases");
        const auto n = static_cast<std::int64_t>(layer.biases.size());
        if (layer.size.x != 0 && layer.size.x != n)
            bad(where + ": " + std::to_string(n) + " biases but size is " + std::to_string(layer.size.x));
        layer.size = {0, 0, n};

        layer.bias_momentum.assign(layer.biases.size(), 0.0);
        if (!has_dataset(group, momentum_name)) return;
        h5_handle momentum(H5Dopen2(group, momentum_name, H5P_DEFAULT), H5Dclose);
        if (!momentum.valid()) h5_bad(where + ": cannot open momentum_vol");
        std::vector<double> values = read_reals(momentum.get(), where + ": momentum_vol");
        if (values.size() != layer.biases.size())
            bad(where + ": " + std::to_string(values.size()) + " momentum values for " + std::to_string(n) +
                " biases");
        layer.bias_momentum = std::move(values);
    }

    // ---- learning curve ----

    void read_curve(hid_t file, learning_curve& curve)
    {
        h5_handle statistics = open_groups(file, statistics_path);
        if (!statistics.valid()) return;  // the original's srini2d file has none
        read_series_group(statistics.get(), "train", curve.train_it, curve.train_err, curve.train_cls);
        read_series_group(statistics.get(), "test", curve.test_it, curve.test_err, curve.test_cls);
        curve.elapsed = read_series(statistics.get(), elapsed_name, std::string("statistics/") + elapsed_name);
    }

    void read_series_group(hid_t statistics, const char* name, std::vector<double>& it, std::vector<double>& err,
                           std::vector<double>& cls)
    {
        if (!has_group(statistics, name)) return;
        h5_handle group(H5Gopen2(statistics, name, H5P_DEFAULT), H5Gclose);
        if (!group.valid()) h5_bad(std::string("cannot open statistics/") + name);
        const std::string where = std::string("statistics/") + name + "/";
        it = read_series(group.get(), "it", where + "it");
        err = read_series(group.get(), "err", where + "err");
        cls = read_series(group.get(), "cls", where + "cls");
    }

    std::vector<double> read_series(hid_t group, const char* name, const std::string& where)
    {
        if (!has_dataset(group, name)) return {};
        h5_handle dataset(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
        if (!dataset.valid()) h5_bad("cannot open " + where);
        return read_reals(dataset.get(), where);
    }

    // ---- root attributes ----

    void read_root_attributes(hid_t file, net_file& net)
    {
        h5_handle root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
        if (!root.valid()) h5_bad("cannot open the root group");
        net.znn_text = string_attribute(root.get(), znn_text_attr);
        net.cfg_text = string_attribute(root.get(), cfg_text_attr);
        net.random_state = string_attribute(root.get(), random_state_attr);
        net.version = string_attribute(root.get(), version_attr);
        if (H5Aexists(root.get(), iteration_attr) > 0)
            net.iteration = integer_attribute(root.get(), iteration_attr);
        else if (!net.curve.train_it.empty())
            net.iteration = static_cast<long long>(net.curve.train_it.back());
    }

    std::string string_attribute(hid_t object, const char* name)
    {
        if (H5Aexists(object, name) <= 0) return {};
        const std::string where = std::string("the attribute ") + name;
        h5_handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
        if (!attribute.valid()) h5_bad("cannot open " + where);
        h5_handle type(H5Aget_type(attribute.get()), H5Tclose);
        h5_handle space(H5Aget_space(attribute.get()), H5Sclose);
        if (!type.valid() || !space.valid()) h5_bad("cannot read " + where);
        if (H5Tget_class(type.get()) != H5T_STRING) bad(where + " is not a string");
        if (H5Sget_simple_extent_npoints(space.get()) != 1) bad(where + " is not a single string");
        return read_text(type.get(), where, [&](hid_t memory_type, void* buffer) {
            return H5Aread(attribute.get(), memory_type, buffer);
        });
    }

    long long integer_attribute(hid_t object, const char* name)
    {
        const std::string where = std::string("the attribute ") + name;
        h5_handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
        if (!attribute.valid()) h5_bad("cannot open " + where);
        h5_handle type(H5Aget_type(attribute.get()), H5Tclose);
        h5_handle space(H5Aget_space(attribute.get()), H5Sclose);
        if (!type.valid() || !space.valid()) h5_bad("cannot read " + where);
        const H5T_class_t type_class = H5Tget_class(type.get());
        if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) bad(where + " is not a number");
        if (H5Sget_simple_extent_npoints(space.get()) != 1) bad(where + " is not a single number");
        std::int64_t value = 0;
        if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0) h5_bad("cannot read " + where);
        return value;
    }

    // ---- datasets ----

    std::vector<hsize_t> dataset_dims(hid_t dataset, const std::string& where)
    {
        h5_handle space(H5Dget_space(dataset), H5Sclose);
        if (!space.valid()) h5_bad(where + ": cannot read its shape");
        const int rank = H5Sget_simple_extent_ndims(space.get());
        if (rank < 0) h5_bad(where + ": cannot read its shape");
        std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
        if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
        return dims;
    }

    hsize_t element_count(hid_t dataset, const std::string& where)
    {
        const std::vector<hsize_t> dims = dataset_dims(dataset, where);
        hsize_t count = 1;
        for (hsize_t d : dims)
            if (__builtin_mul_overflow(count, d, &count)) bad(where + " is " + join_dims(dims) + ": too many values");
        return count;
    }

    // A damaged file may claim far more values than it stores (a chunked dataset whose chunks were never
    // written reads as fill values): refuse to allocate memory for values that are not there. Networks
    // written by znn and by the original store every value, and deflate stores at most ~1000 per byte.
    void check_stored(hid_t dataset, hsize_t count, const std::string& where)
    {
        constexpr hsize_t always_readable = hsize_t(1) << 20;
        if (count <= always_readable) return;
        const hsize_t stored = H5Dget_storage_size(dataset);
        if (count / 1024 > stored)
            bad(where + " claims " + std::to_string(count) + " values but the file holds only " + std::to_string(stored) +
                " bytes of them");
    }

    // Any integer or float dataset, every element, converted by HDF5.
    template <class T>
    std::vector<T> read_numbers(hid_t dataset, hid_t memory_type, const std::string& where)
    {
        h5_handle type(H5Dget_type(dataset), H5Tclose);
        if (!type.valid()) h5_bad(where + ": cannot read its type");
        const H5T_class_t type_class = H5Tget_class(type.get());
        if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) bad(where + " does not hold numbers");
        const hsize_t count = element_count(dataset, where);
        check_stored(dataset, count, where);
        std::vector<T> values(count);
        if (!values.empty() && H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
            h5_bad("cannot read " + where);
        return values;
    }
    std::vector<double> read_reals(hid_t dataset, const std::string& where)
    {
        return read_numbers<double>(dataset, H5T_NATIVE_DOUBLE, where);
    }
    std::vector<std::int64_t> read_int64s(hid_t dataset, const std::string& where)
    {
        return read_numbers<std::int64_t>(dataset, H5T_NATIVE_INT64, where);
    }

    std::string read_string(hid_t dataset, hid_t type, const std::string& where)
    {
        if (element_count(dataset, where) != 1) bad(where + " is not a single string");
        return read_text(type, where, [&](hid_t memory_type, void* buffer) {
            return H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
        });
    }

    // One string stored variable-length (h5py's str) or fixed-length (numpy's bytes, NUL- or
    // space-padded); `read(memory_type, buffer)` reads it from the dataset or attribute.
    template <class Read>
    std::string read_text(hid_t file_type, const std::string& where, Read read)
    {
        h5_handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
        if (!memory_type.valid()) h5_bad("cannot read " + where);
        H5Tset_cset(memory_type.get(), H5Tget_cset(file_type));
        const htri_t variable = H5Tis_variable_str(file_type);
        if (variable < 0) h5_bad("cannot read " + where);
        if (variable > 0) {
            H5Tset_size(memory_type.get(), H5T_VARIABLE);
            char* text = nullptr;
            if (read(memory_type.get(), &text) < 0) h5_bad("cannot read " + where);
            std::string value = text ? text : "";
            H5free_memory(text);
            return value;
        }
        const std::size_t size = H5Tget_size(file_type);
        // One more byte than stored, NUL-terminated: a fully used NUL-padded string keeps its last character.
        H5Tset_size(memory_type.get(), size + 1);
        H5Tset_strpad(memory_type.get(), H5T_STR_NULLTERM);
        std::string buffer(size + 1, '\0');
        if (read(memory_type.get(), buffer.data()) < 0) h5_bad("cannot read " + where);
        std::string value(buffer.c_str());
        if (H5Tget_strpad(file_type) == H5T_STR_SPACEPAD)
            value.erase(value.find_last_not_of(' ') + 1);
        return value;
    }

    std::string path_;
    bool dtype_known_ = false;
};

}  // namespace

net_file load_net_file(const std::string& path)
{
    const auto read_here = [&] {
        const h5_quiet quiet;
        return net_reader(path).read();
    };
    try {
        if (isolation::hdf5_in_process()) return read_here();
        return from_wire(isolation::isolated_hdf5_read(path, [&] { return to_wire(read_here()); }));
    } catch (const std::bad_alloc&) {  // a file may still claim more than memory holds
        throw runtime_failure(path + ": not enough memory to load the network");
    }
}

}  // namespace znn
