// Stack conversions: format to format (bit-exact or cast), segmentation to affinity, outputs to 8-bit views.
#include "znn/convert.hpp"

#include "znn/error.hpp"
#include "znn/image_io.hpp"
#include "znn/labels.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace znn {

namespace {

bool is_tif(const std::string& path) { return parse_stack_path(path).format == stack_format::tif; }

void require_fits_in(const std::string& out, std::int64_t channels)
{
    if (channels != 1 && is_tif(out))
        throw input_error(out, 0, "a tif holds one channel, the stack has " + std::to_string(channels) +
                                      " (write it to an .h5 file)");
}

}  // namespace

void convert_stack(const std::string& in, const std::string& out, std::optional<dtype> to)
{
    parse_stack_path(out);  // an unknown output extension is an error before any reading
    const stack_summary info = stack_info(in);
    require_fits_in(out, info.channels);
    raw_stack s = read_stack(in);
    if (to) s = cast_stack(s, *to, in);
    write_stack(out, s);
}

raw_stack affinity_stack(const raw_stack& segmentation, const std::string& source)
{
    require_one_channel(source, segmentation);
    // Ids as read_labels reads them: float ids (numpy files) are whole numbers, anything <= 0 is no cell.
    volume<std::uint64_t> ids(segmentation.shape);
    visit_dtype(segmentation.type, [&](auto tag) {
        using T = decltype(tag);
        const T* v = segmentation.as<T>();
        for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = v[i] > T(0) ? static_cast<std::uint64_t>(v[i]) : 0;
    });
    return to_stack(make_labels<float>(ids, label_transform::affinity));
}

void convert_affinity(const std::string& in, const std::string& out)
{
    require_fits_in(out, 3);
    write_stack(out, affinity_stack(read_stack(in), in));
}

raw_stack view_channel(const raw_stack& s, std::int64_t channel)
{
    const volume<double> v = to_volume<double>(s, channel);
    raw_stack out(dtype::uint8, 1, s.shape);
    std::uint8_t* dst = out.as<std::uint8_t>();
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double x = v[i];
        // !(x > 0) also catches NaN.
        dst[i] = !(x > 0) ? 0 : x >= 1 ? 255 : static_cast<std::uint8_t>(std::lround(x * 255));
    }
    return out;
}

std::vector<std::string> view_paths(const std::string& out, std::int64_t channels)
{
    if (channels == 1 || !is_tif(out)) return {out};
    const std::filesystem::path p(out);
    const std::string stem = (p.parent_path() / p.stem()).string();
    std::vector<std::string> paths;
    for (std::int64_t c = 0; c < channels; ++c) paths.push_back(stem + "_" + std::to_string(c) + p.extension().string());
    return paths;
}

std::vector<std::string> convert_view(const std::string& in, const std::string& out)
{
    parse_stack_path(out);
    const raw_stack s = read_stack(in);
    const std::vector<std::string> paths = view_paths(out, s.channels);
    if (paths.size() == 1 && s.channels > 1) {  // one h5 with every channel
        raw_stack all(dtype::uint8, s.channels, s.shape);
        const std::size_t n = s.voxels_per_channel();
        for (std::int64_t c = 0; c < s.channels; ++c) {
            const raw_stack one = view_channel(s, c);
            std::copy(one.bytes.begin(), one.bytes.end(), all.bytes.begin() + static_cast<std::ptrdiff_t>(c * n));
        }
        write_stack(out, all);
        return paths;
    }
    for (std::size_t c = 0; c < paths.size(); ++c) write_stack(paths[c], view_channel(s, static_cast<std::int64_t>(c)));
    return paths;
}

}  // namespace znn
