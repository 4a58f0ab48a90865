// save_net_file: the original ZNN's layout (see layout.hpp), built in memory, written under a temporary
// name in the target's folder, flushed to the disk, then renamed over the target (src/io/atomic_file.hpp).
#include "znn/net_file.hpp"

#include "znn/error.hpp"

#include "../io/atomic_file.hpp"
#include "filter_order.hpp"
#include "h5_handle.hpp"
#include "layout.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#ifndef ZNN_VERSION
#define ZNN_VERSION "unknown"
#endif

namespace znn {

namespace {

using namespace netfile_detail;

// How much the in-memory file grows at a time (HDF5's core driver).
constexpr std::size_t memory_increment = std::size_t(1) << 20;

std::string shape_text(const std::vector<hsize_t>& dims)
{
    std::string text;
    for (hsize_t d : dims) {
        if (!text.empty()) text += 'x';
        text += std::to_string(d);
    }
    return text;
}

class net_writer {
public:
    net_writer(std::string final_path, hid_t file) : path_(std::move(final_path)), file_(file) {}

    void write(const net_file& net)
    {
        {
            h5_handle network = create_groups(network_path);
            std::set<std::string> names;
            for (const layer_record& layer : net.layers) {
                if (!names.insert(layer.name).second) reject("two layers are named '" + layer.name + "'");
                write_layer(network.get(), layer, net.float64);
            }
        }
        write_curve(net.curve);
        write_root_attributes(net);
    }

private:
    [[noreturn]] void h5_fail(const std::string& what) const
    {
        const std::string reason = h5_reason();  // first: the next HDF5 call clears the stack
        throw runtime_failure(path_ + ": cannot save the network: " + what + reason);
    }
    [[noreturn]] void reject(const std::string& what) const
    {
        throw runtime_failure(path_ + ": cannot save the network: " + what);
    }

    template <std::size_t N>
    h5_handle create_groups(const char* const (&path)[N])
    {
        h5_handle group;
        hid_t parent = file_;
        std::string where;
        for (const char* name : path) {
            where += std::string("/") + name;
            h5_handle child = has_group(parent, name) ? h5_handle(H5Gopen2(parent, name, H5P_DEFAULT), H5Gclose)
                                                      : h5_handle(H5Gcreate2(parent, name, H5P_DEFAULT,
                                                                             H5P_DEFAULT, H5P_DEFAULT),
                                                                  H5Gclose);
            if (!child.valid()) h5_fail("cannot create the group " + where);
            group = std::move(child);
            parent = group.get();
        }
        return group;
    }

    h5_handle create_group(hid_t parent, const std::string& name, const std::string& where)
    {
        h5_handle group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (!group.valid()) h5_fail("cannot create the group " + where);
        return group;
    }

    // A variable-length ASCII string, exactly as the original (h5py) stored its strings.
    static h5_handle string_type()
    {
        h5_handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        if (type.valid()) {
            H5Tset_size(type.get(), H5T_VARIABLE);
            H5Tset_strpad(type.get(), H5T_STR_NULLTERM);
            H5Tset_cset(type.get(), H5T_CSET_ASCII);
        }
        return type;
    }

    void check_text(const std::string& value, const std::string& where) const
    {
        if (value.find('\0') != std::string::npos) reject(where + " contains a NUL character");
    }

    void write_string(hid_t group, const std::string& name, const std::string& value, const std::string& where)
    {
        check_text(value, where);
        h5_handle type = string_type();
        h5_handle space(H5Screate(H5S_SCALAR), H5Sclose);
        if (!type.valid() || !space.valid()) h5_fail("cannot describe " + where);
        h5_handle dataset(H5Dcreate2(group, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT),
                          H5Dclose);
        if (!dataset.valid()) h5_fail("cannot create " + where);
        const char* text = value.c_str();
        if (H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
            h5_fail("cannot write " + where);
    }

    void write_array(hid_t group, const std::string& name, const std::vector<hsize_t>& dims, hid_t file_type,
                     hid_t memory_type, const void* data, const std::string& where)
    {
        h5_handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
        if (!space.valid()) h5_fail("cannot describe " + where + " (" + shape_text(dims) + ")");
        h5_handle dataset(H5Dcreate2(group, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT),
                          H5Dclose);
        if (!dataset.valid()) h5_fail("cannot create " + where);
        hsize_t count = 1;
        for (hsize_t d : dims) count *= d;
        if (count > 0 && H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
            h5_fail("cannot write " + where);
    }

    void write_int64s(hid_t group, const std::string& name, const std::vector<std::int64_t>& values,
                      const std::string& where)
    {
        write_array(group, name, {values.size()}, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), where);
    }

    // Parameters: float32 or float64 in the file; HDF5 rounds the doubles to the nearest float.
    void write_reals(hid_t group, const std::string& name, const std::vector<hsize_t>& dims, const double* data,
                     bool float64, const std::string& where)
    {
        write_array(group, name, dims, float64 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE, H5T_NATIVE_DOUBLE, data, where);
    }

    void write_layer(hid_t network, const layer_record& layer, bool float64)
    {
        if (layer.name.empty() || layer.name.find('/') != std::string::npos || layer.name == ".")
            reject("a layer name must be non-empty and hold no '/': '" + layer.name + "'");
        const std::string where = "layer " + layer.name;
        h5_handle group = create_group(network, layer.name, where);
        write_string(group.get(), layer_name_name, layer.name, where + ": name");

        const bool has_size = layer.is_edge ? layer.size != vec3{0, 0, 0} : layer.size.x != 0;
        const bool has_stride = layer.is_edge && layer.stride != vec3{0, 0, 0};
        std::set<std::string> keys;
        for (const auto& [key, value] : layer.strings) {
            if (key == layer_name_name || key == group_type_name) continue;  // written from the record
            // size/stride are int64 datasets taken from the record; a string copy of them is redundant.
            if ((key == size_name && has_size) || (key == stride_name && has_stride)) continue;
            if (key == size_name || key == stride_name || is_parameter_dataset(key))
                reject(where + ": '" + key + "' cannot be a string (set layer_record::" +
                       (is_parameter_dataset(key) ? std::string("filters/biases") : key) + ")");
            if (key.empty() || key.find('/') != std::string::npos || key == ".")
                reject(where + ": bad key '" + key + "'");
            if (!keys.insert(key).second) reject(where + ": the key '" + key + "' appears twice");
            write_string(group.get(), key, value, where + ": " + key);
        }

        if (has_size) {
            if (layer.is_edge) {
                if (!layer.size.all_positive()) reject(where + ": bad size " + layer.size.str());
                write_int64s(group.get(), size_name, {layer.size.z, layer.size.y, layer.size.x}, where + ": size");
            } else {
                if (layer.size.x < 0) reject(where + ": bad size " + std::to_string(layer.size.x));
                write_int64s(group.get(), size_name, {layer.size.x}, where + ": size");
            }
        }
        if (has_stride) {
            if (!layer.stride.all_positive()) reject(where + ": bad stride " + layer.stride.str());
            write_int64s(group.get(), stride_name, {layer.stride.z, layer.stride.y, layer.stride.x},
                         where + ": stride");
        }
        if (!layer.filters.empty()) write_filters(group.get(), layer, float64, where);
        if (!layer.biases.empty()) write_biases(group.get(), layer, float64, where);
        write_string(group.get(), group_type_name, layer.is_edge ? "edge" : "node", where + ": group_type");
    }

    void write_filters(hid_t group, const layer_record& layer, bool float64, const std::string& where)
    {
        if (!layer.is_edge) reject(where + ": a node has no filters");
        if (layer.n_in <= 0 || layer.n_out <= 0 || !layer.size.all_positive())
            reject(where + ": filters need n_in, n_out and a size (have " + std::to_string(layer.n_in) + ", " +
                   std::to_string(layer.n_out) + ", " + layer.size.str() + ")");
        const std::int64_t count = layer.n_in * layer.n_out;
        const std::size_t expected = static_cast<std::size_t>(count * layer.size.volume());
        if (layer.filters.size() != expected)
            reject(where + ": " + std::to_string(layer.filters.size()) + " filter values, expected " +
                   std::to_string(expected) + " (" + std::to_string(layer.n_in) + " x " +
                   std::to_string(layer.n_out) + " filters of " + layer.size.dims() + ")");
        if (!layer.filter_momentum.empty() && layer.filter_momentum.size() != expected)
            reject(where + ": " + std::to_string(layer.filter_momentum.size()) + " momentum values, expected " +
                   std::to_string(expected));

        const std::vector<hsize_t> dims{static_cast<hsize_t>(layer.n_in), static_cast<hsize_t>(layer.n_out),
                                        static_cast<hsize_t>(layer.size.z), static_cast<hsize_t>(layer.size.y),
                                        static_cast<hsize_t>(layer.size.x)};
        std::vector<double> file_order(expected, 0.0);
        filters_to_file_order(layer.filters.data(), file_order.data(), layer.size, count);
        write_reals(group, filters_name, dims, file_order.data(), float64, where + ": filters");
        if (layer.filter_momentum.empty())
            std::fill(file_order.begin(), file_order.end(), 0.0);
        else
            filters_to_file_order(layer.filter_momentum.data(), file_order.data(), layer.size, count);
        write_reals(group, momentum_name, dims, file_order.data(), float64, where + ": momentum_vol");
    }

    void write_biases(hid_t group, const layer_record& layer, bool float64, const std::string& where)
    {
        if (layer.is_edge) reject(where + ": an edge has no biases");
        const std::size_t n = layer.biases.size();
        if (layer.size.x != 0 && static_cast<std::size_t>(layer.size.x) != n)
            reject(where + ": " + std::to_string(n) + " biases for " + std::to_string(layer.size.x) + " maps");
        if (!layer.bias_momentum.empty() && layer.bias_momentum.size() != n)
            reject(where + ": " + std::to_string(layer.bias_momentum.size()) + " bias momentum values for " +
                   std::to_string(n) + " biases");
        write_reals(group, biases_name, {n}, layer.biases.data(), float64, where + ": biases");
        const std::vector<double> zeros(layer.bias_momentum.empty() ? n : 0, 0.0);
        write_reals(group, momentum_name, {n}, layer.bias_momentum.empty() ? zeros.data() : layer.bias_momentum.data(),
                    float64, where + ": momentum_vol");
    }

    void write_series(hid_t group, const char* name, const std::vector<double>& values, const std::string& where)
    {
        write_reals(group, name, {values.size()}, values.data(), true, where + "/" + name);
    }

    void write_curve(const learning_curve& curve)
    {
        const bool empty = curve.train_it.empty() && curve.train_err.empty() && curve.train_cls.empty() &&
                           curve.test_it.empty() && curve.test_err.empty() && curve.test_cls.empty() &&
                           curve.elapsed.empty();
        if (empty) return;
        h5_handle statistics = create_groups(statistics_path);
        const std::string where = "statistics";
        {
            h5_handle train = create_group(statistics.get(), "train", where + "/train");
            write_series(train.get(), "it", curve.train_it, where + "/train");
            write_series(train.get(), "err", curve.train_err, where + "/train");
            write_series(train.get(), "cls", curve.train_cls, where + "/train");
        }
        {
            h5_handle test = create_group(statistics.get(), "test", where + "/test");
            write_series(test.get(), "it", curve.test_it, where + "/test");
            write_series(test.get(), "err", curve.test_err, where + "/test");
            write_series(test.get(), "cls", curve.test_cls, where + "/test");
        }
        if (!curve.elapsed.empty()) write_series(statistics.get(), elapsed_name, curve.elapsed, where);
    }

    void write_string_attribute(hid_t object, const char* name, const std::string& value)
    {
        const std::string where = std::string("the attribute ") + name;
        check_text(value, where);
        h5_handle type = string_type();
        h5_handle space(H5Screate(H5S_SCALAR), H5Sclose);
        if (!type.valid() || !space.valid()) h5_fail("cannot describe " + where);
        h5_handle attribute(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (!attribute.valid()) h5_fail("cannot create " + where);
        const char* text = value.c_str();
        if (H5Awrite(attribute.get(), type.get(), &text) < 0) h5_fail("cannot write " + where);
    }

    void write_int64_attribute(hid_t object, const char* name, std::int64_t value)
    {
        const std::string where = std::string("the attribute ") + name;
        h5_handle space(H5Screate(H5S_SCALAR), H5Sclose);
        if (!space.valid()) h5_fail("cannot describe " + where);
        h5_handle attribute(H5Acreate2(object, name, H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                            H5Aclose);
        if (!attribute.valid()) h5_fail("cannot create " + where);
        if (H5Awrite(attribute.get(), H5T_NATIVE_INT64, &value) < 0) h5_fail("cannot write " + where);
    }

    void write_root_attributes(const net_file& net)
    {
        h5_handle root(H5Gopen2(file_, "/", H5P_DEFAULT), H5Gclose);
        if (!root.valid()) h5_fail("cannot open the root group");
        write_string_attribute(root.get(), znn_text_attr, net.znn_text);
        write_string_attribute(root.get(), cfg_text_attr, net.cfg_text);
        write_int64_attribute(root.get(), iteration_attr, net.iteration);
        write_string_attribute(root.get(), random_state_attr, net.random_state);
        write_string_attribute(root.get(), version_attr, net.version.empty() ? std::string(ZNN_VERSION) : net.version);
    }

    std::string path_;
    hid_t file_;
};

// The finished file as bytes: flushed, copied out of HDF5's memory, and the in-memory file closed.
std::vector<unsigned char> file_image(const std::string& path, h5_handle& file)
{
    auto fail = [&](const std::string& what) {
        const std::string reason = h5_reason();
        throw runtime_failure(path + ": cannot save the network: " + what + reason);
    };
    if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) fail("cannot finish the file in memory");
    const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
    if (size <= 0) fail("cannot measure the file in memory");
    std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
    if (H5Fget_file_image(file.get(), bytes.data(), bytes.size()) != size) fail("cannot copy the file out of memory");
    if (!file.close()) fail("cannot close the file in memory");
    return bytes;
}

// Writes `bytes` to a new file at `temp` (never one that someone else made under that name).
void write_bytes(const std::string& path, const std::string& temp, const std::vector<unsigned char>& bytes)
{
    auto fail = [&](int error) {
        throw runtime_failure(path + ": cannot save the network: writing " + temp + " failed: " +
                              std::strerror(error));
    };
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) fail(errno);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            fail(error);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) fail(errno);  // NFS and the like report a failed write only here
}

}  // namespace

// The whole file is built in memory (HDF5's core driver without a backing store) and written with
// plain writes afterwards. Why: when libhdf5 fails to write a file of its own (a full disk) it cannot
// close it either, keeps it open and crashes over it at process exit (H5F__close_cb, libhdf5 1.10);
// a file in memory always closes. A network file is a few MB, so holding it in memory costs nothing.
void save_net_file(const std::string& path, const net_file& net)
{
    const h5_quiet quiet;
    io_detail::atomic_file target(path);  // removes the temporary file unless committed
    std::vector<unsigned char> bytes;
    {
        h5_handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
        if (!access.valid() || H5Pset_fapl_core(access.get(), memory_increment, 0) < 0) {
            const std::string reason = h5_reason();
            throw runtime_failure(path + ": cannot save the network: cannot set up a file in memory" + reason);
        }
        // Named after the unique temporary path: no other file open in this process has that name.
        h5_handle file(H5Fcreate(target.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose);
        if (!file.valid()) {
            const std::string reason = h5_reason();
            throw runtime_failure(path + ": cannot save the network: cannot create the file in memory" + reason);
        }
        net_writer(path, file.get()).write(net);
        bytes = file_image(path, file);
    }
    write_bytes(path, target.temp_path(), bytes);
    target.commit();
}

}  // namespace znn
