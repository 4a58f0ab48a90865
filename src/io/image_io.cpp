// Format dispatch for image stacks and the typed conveniences over raw stacks.
#include "znn/image_io.hpp"

#include "stack_formats.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <new>
#include <stdexcept>

namespace znn {

namespace {

std::string lowercase(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool has_h5_extension(const std::string& file)
{
    const std::string ext = lowercase(std::filesystem::path(file).extension().string());
    return ext == ".h5" || ext == ".hdf5";
}

stack_path existing(const std::string& path)
{
    stack_path p = parse_stack_path(path);
    std::error_code ec;
    if (!std::filesystem::exists(p.file, ec)) throw input_error(p.file, 0, "no such file");
    if (std::filesystem::is_directory(p.file, ec)) throw input_error(p.file, 0, "is a folder, not an image file");
    return p;
}

// A file may claim more voxels than memory holds (or than a vector can count): reading it is a failure
// to run, reported as such, not an exception of another type.
template <class Read>
auto with_memory_check(const std::string& path, Read read) -> decltype(read())
{
    try {
        return read();
    } catch (const std::bad_alloc&) {
        throw runtime_failure(path + ": not enough memory to read the image stack");
    } catch (const std::length_error&) {
        throw runtime_failure(path + ": the image stack is too large to read into memory");
    }
}

}  // namespace

stack_path parse_stack_path(const std::string& path)
{
    stack_path p;
    p.file = path;
    const std::size_t colon = path.rfind(':');
    if (colon != std::string::npos && has_h5_extension(path.substr(0, colon))) {
        p.file = path.substr(0, colon);
        p.dataset = path.substr(colon + 1);
        if (p.dataset.empty()) throw input_error(path, 0, "empty dataset name after ':'");
        if (p.dataset.front() != '/') p.dataset.insert(p.dataset.begin(), '/');
        p.format = stack_format::h5;
        return p;
    }
    const std::string ext = lowercase(std::filesystem::path(path).extension().string());
    if (ext == ".tif" || ext == ".tiff") {
        p.format = stack_format::tif;
    } else if (ext == ".h5" || ext == ".hdf5") {
        p.format = stack_format::h5;
        p.dataset = "/main";
    } else {
        throw input_error(path, 0,
                          "unknown image file type '" + ext + "' (znn reads and writes .tif, .tiff, .h5 and .hdf5)");
    }
    return p;
}

raw_stack read_stack(const std::string& path)
{
    const stack_path p = existing(path);
    return with_memory_check(path, [&] {
        return p.format == stack_format::tif ? io_detail::read_tif(p.file) : io_detail::read_h5(p.file, p.dataset);
    });
}

void write_stack(const std::string& path, const raw_stack& stack, const write_options& options)
{
    if (stack.bytes.size() != stack.element_count() * dtype_size(stack.type))
        throw runtime_failure(path + ": stack of " + std::to_string(stack.bytes.size()) + " bytes does not match its " +
                              std::to_string(stack.channels) + "x" + stack.shape.dims() + " " + dtype_name(stack.type) +
                              " shape");
    const stack_path p = parse_stack_path(path);
    if (p.format == stack_format::tif) io_detail::write_tif(p.file, stack, options);
    else io_detail::write_h5(p.file, p.dataset, stack, options);
}

stack_summary stack_info(const std::string& path)
{
    const stack_path p = existing(path);
    return with_memory_check(path, [&] {
        return p.format == stack_format::tif ? io_detail::tif_info(p.file) : io_detail::h5_info(p.file, p.dataset);
    });
}

void require_one_channel(const std::string& path, const raw_stack& stack)
{
    if (stack.channels != 1)
        throw input_error(path, 0, "expected a single-channel image stack, the file holds " +
                                       std::to_string(stack.channels) + " channels");
}

volume<std::uint64_t> read_labels(const std::string& path)
{
    raw_stack s = read_stack(path);
    require_one_channel(path, s);
    if (!dtype_is_float(s.type)) return to_volume<std::uint64_t>(s);
    // Float labels (h5 written by numpy): ids are whole numbers; negatives and NaN cannot be ids.
    volume<std::uint64_t> out(s.shape);
    visit_dtype(s.type, [&](auto tag) {
        using T = decltype(tag);
        if constexpr (std::is_floating_point_v<T>) {
            const T* v = s.as<T>();
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = v[i] > T(0) ? static_cast<std::uint64_t>(v[i]) : 0;
        }
    });
    return out;
}

volume<std::uint8_t> read_mask(const std::string& path)
{
    raw_stack s = read_stack(path);
    require_one_channel(path, s);
    volume<std::uint8_t> out(s.shape);
    visit_dtype(s.type, [&](auto tag) {
        using T = decltype(tag);
        const T* v = s.as<T>();
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = v[i] > T(0) ? 1 : 0;
    });
    return out;
}

}  // namespace znn
