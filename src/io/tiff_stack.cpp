// Multi-page tif stacks through libtiff: one page per z slice.
#include "atomic_file.hpp"
#include "stack_formats.hpp"
#include "value_range.hpp"

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace znn::io_detail {

namespace {

// libtiff reports problems through callbacks; collect them per open file instead of printing them.
struct tif_messages {
    std::string errors;
};

#if TIFFLIB_VERSION >= 20221213  // 4.5.0: per-file handlers
int collect_error(TIFF*, void* user_data, const char* module, const char* fmt, va_list ap)
{
    char text[512];
    std::vsnprintf(text, sizeof text, fmt, ap);
    auto* m = static_cast<tif_messages*>(user_data);
    if (!m->errors.empty()) m->errors += "; ";
    m->errors += (module && *module) ? std::string(module) + ": " + text : std::string(text);
    return 1;
}
int ignore_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }
#endif

struct tif_closer {
    void operator()(TIFF* t) const noexcept { TIFFClose(t); }
};
using tif_ptr = std::unique_ptr<TIFF, tif_closer>;

tif_ptr open_tif(const std::string& file, const char* mode, tif_messages& messages)
{
#if TIFFLIB_VERSION >= 20221213
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options, collect_error, &messages);
    TIFFOpenOptionsSetWarningHandlerExtR(options, ignore_warning, nullptr);
    TIFF* t = TIFFOpenExt(file.c_str(), mode, options);
    TIFFOpenOptionsFree(options);
    return tif_ptr(t);
#else
    (void)messages;
    return tif_ptr(TIFFOpen(file.c_str(), mode));
#endif
}

std::string because(const tif_messages& m) { return m.errors.empty() ? std::string() : " (" + m.errors + ")"; }

// How one page is stored, and the dtype it reads as.
struct page_format {
    std::uint32_t width = 0, height = 0;
    std::uint16_t bits = 0, samples = 1, sample_format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG;
    std::uint16_t photometric = PHOTOMETRIC_MINISBLACK;
    bool tiled = false;
    dtype type = dtype::uint8;
    bool rgb = false;      // 8-bit colour packed into uint32
    bool bilevel = false;  // 1-bit, unpacked to uint8 0/1

    bool same_layout(const page_format& o) const
    {
        return width == o.width && height == o.height && type == o.type && rgb == o.rgb && bilevel == o.bilevel;
    }
    std::string describe() const
    {
        return std::to_string(width) + "x" + std::to_string(height) + " " + dtype_name(type) + (rgb ? " (RGB)" : "");
    }
};

page_format read_page_format(TIFF* t, const std::string& file, int page)
{
    page_format f;
    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &f.width);
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &f.height);
    TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &f.bits);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &f.samples);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &f.sample_format);
    TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &f.planar);
    if (!TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &f.photometric)) f.photometric = PHOTOMETRIC_MINISBLACK;
    f.tiled = TIFFIsTiled(t) != 0;

    auto unsupported = [&](const std::string& what) {
        return input_error(file, 0, "page " + std::to_string(page) + ": unsupported tif sample format: " + what +
                                        " (znn reads 1/8/16/32/64-bit grayscale integers, 32/64-bit floats and "
                                        "8-bit RGB/RGBA)");
    };
    const std::string bits_text = std::to_string(f.bits) + "-bit";
    if (f.photometric == PHOTOMETRIC_YCBCR || f.photometric == PHOTOMETRIC_SEPARATED ||
        f.photometric == PHOTOMETRIC_CIELAB)
        throw unsupported("photometric interpretation " + std::to_string(f.photometric));
    if (f.samples >= 3) {
        if (f.bits != 8 || f.sample_format == SAMPLEFORMAT_IEEEFP)
            throw unsupported(std::to_string(f.samples) + " samples per pixel of " + bits_text);
        f.rgb = true;
        f.type = dtype::uint32;
        return f;
    }
    if (f.samples != 1) throw unsupported(std::to_string(f.samples) + " samples per pixel");
    if (f.bits == 1) {
        if (f.tiled) throw unsupported("tiled 1-bit pages");
        f.bilevel = true;
        f.type = dtype::uint8;
        return f;
    }
    if (f.sample_format == SAMPLEFORMAT_IEEEFP) {
        if (f.bits == 32) f.type = dtype::float32;
        else if (f.bits == 64) f.type = dtype::float64;
        else throw unsupported(bits_text + " floating point");
        return f;
    }
    const bool is_signed = f.sample_format == SAMPLEFORMAT_INT;
    if (f.sample_format != SAMPLEFORMAT_UINT && f.sample_format != SAMPLEFORMAT_INT &&
        f.sample_format != SAMPLEFORMAT_VOID)
        throw unsupported("sample format " + std::to_string(f.sample_format));
    switch (f.bits) {
    case 8: f.type = is_signed ? dtype::int8 : dtype::uint8; break;
    case 16: f.type = is_signed ? dtype::int16 : dtype::uint16; break;
    case 32: f.type = is_signed ? dtype::int32 : dtype::uint32; break;
    case 64: f.type = is_signed ? dtype::int64 : dtype::uint64; break;
    default: throw unsupported(bits_text + " integers");
    }
    return f;
}

// A damaged or crafted page may claim any size: refuse one whose decoded bytes (or the stack's) cannot
// be counted in 64 bits, before the size arithmetic below wraps around (128-bit products cannot overflow).
void check_page_size(const page_format& f, std::int64_t pages, const std::string& file, int page)
{
    using wide = unsigned __int128;
    const wide row_bits = wide(f.width) * f.samples * f.bits;
    const wide decoded = (row_bits + 7) / 8 * f.height;
    const wide stack = wide(f.width) * f.height * dtype_size(f.type) * wide(std::max<std::int64_t>(pages, 1));
    if (decoded > wide(INT64_MAX) || stack > wide(INT64_MAX))
        throw input_error(file, 0, "page " + std::to_string(page) + " claims " + std::to_string(f.width) + "x" +
                                       std::to_string(f.height) + " pixels of " + std::to_string(f.samples) + "x" +
                                       std::to_string(f.bits) + " bits, too large to address");
}

// Decodes the current page as stored: `planes` planes (samples for PLANARCONFIG_SEPARATE, else 1) of
// `height` rows of `row_bytes` bytes.
struct decoded_page {
    std::vector<std::byte> bytes;
    std::size_t row_bytes = 0;
    std::size_t plane_bytes = 0;
};

decoded_page decode_page(TIFF* t, const page_format& f, const std::string& file, int page, const tif_messages& msg)
{
    const bool separate = f.planar == PLANARCONFIG_SEPARATE && f.samples > 1;
    const std::size_t planes = separate ? f.samples : 1;
    const std::size_t samples_per_row_pixel = separate ? 1 : f.samples;
    decoded_page d;
    d.row_bytes = (static_cast<std::size_t>(f.width) * samples_per_row_pixel * f.bits + 7) / 8;
    d.plane_bytes = d.row_bytes * f.height;
    d.bytes.resize(d.plane_bytes * planes);
    auto failed = [&] {
        return input_error(file, 0, "page " + std::to_string(page) + ": cannot decode the image data" + because(msg));
    };

    if (!f.tiled) {
        std::uint32_t rows_per_strip = f.height;
        TIFFGetFieldDefaulted(t, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
        rows_per_strip = std::clamp<std::uint32_t>(rows_per_strip, 1, std::max<std::uint32_t>(f.height, 1));
        const std::uint32_t strips_per_plane = (f.height + rows_per_strip - 1) / rows_per_strip;
        for (std::size_t p = 0; p < planes; ++p)
            for (std::uint32_t s = 0; s < strips_per_plane; ++s) {
                const std::uint32_t rows = std::min(rows_per_strip, f.height - s * rows_per_strip);
                std::byte* dst = d.bytes.data() + p * d.plane_bytes + std::size_t(s) * rows_per_strip * d.row_bytes;
                const tmsize_t want = static_cast<tmsize_t>(rows * d.row_bytes);
                if (TIFFReadEncodedStrip(t, static_cast<std::uint32_t>(p * strips_per_plane + s), dst, want) < want)
                    throw failed();
            }
        return d;
    }

    std::uint32_t tile_w = 0, tile_h = 0;
    TIFFGetField(t, TIFFTAG_TILEWIDTH, &tile_w);
    TIFFGetField(t, TIFFTAG_TILELENGTH, &tile_h);
    if (tile_w == 0 || tile_h == 0) throw failed();
    const std::size_t pixel_bytes = samples_per_row_pixel * f.bits / 8;
    std::vector<std::byte> tile(static_cast<std::size_t>(TIFFTileSize64(t)));
    for (std::size_t p = 0; p < planes; ++p)
        for (std::uint32_t y0 = 0; y0 < f.height; y0 += tile_h)
            for (std::uint32_t x0 = 0; x0 < f.width; x0 += tile_w) {
                const auto index = TIFFComputeTile(t, x0, y0, 0, static_cast<std::uint16_t>(p));
                if (TIFFReadEncodedTile(t, index, tile.data(), static_cast<tmsize_t>(tile.size())) < 0) throw failed();
                const std::size_t copy_bytes = std::min(tile_w, f.width - x0) * pixel_bytes;
                const std::uint32_t rows = std::min(tile_h, f.height - y0);
                for (std::uint32_t r = 0; r < rows; ++r)
                    std::memcpy(d.bytes.data() + p * d.plane_bytes + (y0 + r) * d.row_bytes + x0 * pixel_bytes,
                                tile.data() + r * tile_w * pixel_bytes, copy_bytes);
            }
    return d;
}

// Turns a decoded page into one z plane of the output (width*height elements of f.type).
void store_page(const decoded_page& d, const page_format& f, std::byte* out)
{
    const std::size_t w = f.width, h = f.height;
    if (f.rgb) {
        auto* dst = reinterpret_cast<std::uint32_t*>(out);
        const bool separate = f.planar == PLANARCONFIG_SEPARATE;
        const auto* b = reinterpret_cast<const std::uint8_t*>(d.bytes.data());
        for (std::size_t y = 0; y < h; ++y)
            for (std::size_t x = 0; x < w; ++x) {
                std::uint32_t r, g, bl;
                if (separate) {
                    const std::size_t i = y * d.row_bytes + x;
                    r = b[i], g = b[d.plane_bytes + i], bl = b[2 * d.plane_bytes + i];
                } else {
                    const std::size_t i = y * d.row_bytes + x * f.samples;
                    r = b[i], g = b[i + 1], bl = b[i + 2];
                }
                dst[y * w + x] = (r << 16) | (g << 8) | bl;
            }
        return;
    }
    if (f.bilevel) {
        // Bit 1 is white unless the page says min-is-white; masks read "white is on".
        const std::uint8_t flip = f.photometric == PHOTOMETRIC_MINISWHITE ? 1 : 0;
        auto* dst = reinterpret_cast<std::uint8_t*>(out);
        const auto* b = reinterpret_cast<const std::uint8_t*>(d.bytes.data());
        for (std::size_t y = 0; y < h; ++y)
            for (std::size_t x = 0; x < w; ++x)
                dst[y * w + x] = static_cast<std::uint8_t>(((b[y * d.row_bytes + x / 8] >> (7 - x % 8)) & 1) ^ flip);
        return;
    }
    std::memcpy(out, d.bytes.data(), w * h * dtype_size(f.type));
}

// Walks the pages of a tif in order; every page must match the first one.
class page_walker {
public:
    explicit page_walker(const std::string& file) : file_(file), tif_(open_tif(file, "r", messages_))
    {
        if (!tif_) throw input_error(file, 0, "cannot open as a tif file" + because(messages_));
        pages_ = TIFFNumberOfDirectories(tif_.get());
        if (pages_ == 0) throw input_error(file, 0, "the tif file has no pages");
        first_ = read_page_format(tif_.get(), file_, 0);
        check_page_size(first_, pages_, file_, 0);
    }

    const page_format& format() const { return first_; }
    std::int64_t pages() const { return pages_; }
    std::size_t plane_bytes() const { return std::size_t(first_.width) * first_.height * dtype_size(first_.type); }

    // Decodes page `page` (called with 0, 1, 2, ... in order) into `out`.
    void read(int page, std::byte* out)
    {
        if (page > 0 && !TIFFReadDirectory(tif_.get()))
            throw input_error(file_, 0, "cannot read page " + std::to_string(page) + because(messages_));
        const page_format f = page == 0 ? first_ : read_page_format(tif_.get(), file_, page);
        check_page_size(f, 1, file_, page);
        if (!f.same_layout(first_))
            throw input_error(file_, 0, "page " + std::to_string(page) + " is " + f.describe() + ", page 0 is " +
                                            first_.describe() + " (all pages of a stack must match)");
        store_page(decode_page(tif_.get(), f, file_, page, messages_), f, out);
    }

private:
    std::string file_;
    tif_messages messages_;
    tif_ptr tif_;
    std::int64_t pages_ = 0;
    page_format first_;
};

std::uint16_t tif_sample_format(dtype t)
{
    if (dtype_is_float(t)) return SAMPLEFORMAT_IEEEFP;
    return dtype_is_signed(t) ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT;
}

}  // namespace

raw_stack read_tif(const std::string& file)
{
    page_walker pages(file);
    const page_format& f = pages.format();
    raw_stack s(f.type, 1, vec3{pages.pages(), f.height, f.width});
    for (int z = 0; z < pages.pages(); ++z) pages.read(z, s.bytes.data() + z * pages.plane_bytes());
    return s;
}

stack_summary tif_info(const std::string& file)
{
    page_walker pages(file);
    const page_format& f = pages.format();
    stack_summary info;
    info.type = f.type;
    info.channels = 1;
    info.shape = vec3{pages.pages(), f.height, f.width};
    std::vector<std::byte> plane(pages.plane_bytes());
    value_range range;
    for (int z = 0; z < pages.pages(); ++z) {
        pages.read(z, plane.data());
        range.add(f.type, plane.data(), std::size_t(f.width) * f.height);
    }
    range.store_into(info);
    return info;
}

void write_tif(const std::string& file, const raw_stack& stack, const write_options& options)
{
    if (stack.channels != 1)
        throw runtime_failure(file + ": a tif holds one channel, this stack has " + std::to_string(stack.channels) +
                              " (write one tif per channel, or an h5 file)");
    if (!stack.shape.all_positive()) throw runtime_failure(file + ": cannot write an empty stack (" + stack.shape.dims() + ")");
    if (stack.shape.y > 0xFFFFFFFFLL || stack.shape.x > 0xFFFFFFFFLL)
        throw runtime_failure(file + ": a tif page cannot be " + stack.shape.dims());

    atomic_file out(file);
    {
        // Classic tif addresses 4 GiB; switch to BigTIFF well before that.
        const bool big = stack.bytes.size() > (std::size_t(3) << 30);
        tif_messages messages;
        tif_ptr tif = open_tif(out.temp_path(), big ? "w8" : "w", messages);
        if (!tif) throw runtime_failure(file + ": cannot create the file" + because(messages));
        TIFF* t = tif.get();
        const auto width = static_cast<std::uint32_t>(stack.shape.x);
        const auto height = static_cast<std::uint32_t>(stack.shape.y);
        const std::size_t elem = dtype_size(stack.type);
        const std::size_t row_bytes = std::size_t(width) * elem;
        const std::size_t plane_bytes = row_bytes * height;
        const auto pages = static_cast<std::uint16_t>(std::min<std::int64_t>(stack.shape.z, 0xFFFF));
        for (std::int64_t z = 0; z < stack.shape.z; ++z) {
            TIFFSetField(t, TIFFTAG_SUBFILETYPE, stack.shape.z > 1 ? FILETYPE_PAGE : 0);
            TIFFSetField(t, TIFFTAG_IMAGEWIDTH, width);
            TIFFSetField(t, TIFFTAG_IMAGELENGTH, height);
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(elem * 8));
            TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, std::uint16_t(1));
            TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, tif_sample_format(stack.type));
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
            TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
            TIFFSetField(t, TIFFTAG_COMPRESSION, options.tif_deflate ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE);
            if (stack.shape.z > 1 && stack.shape.z <= 0xFFFF)
                TIFFSetField(t, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(z), pages);
            const std::uint32_t rows_per_strip = TIFFDefaultStripSize(t, 0);
            TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
            const std::byte* plane = stack.bytes.data() + z * plane_bytes;
            // libtiff may encode in place (byte swaps, predictors): hand it a copy, never the caller's data.
            std::vector<std::byte> strip_buffer(std::size_t(rows_per_strip) * row_bytes);
            for (std::uint32_t row = 0, strip = 0; row < height; row += rows_per_strip, ++strip) {
                const std::uint32_t rows = std::min(rows_per_strip, height - row);
                std::memcpy(strip_buffer.data(), plane + row * row_bytes, rows * row_bytes);
                if (TIFFWriteEncodedStrip(t, strip, strip_buffer.data(), static_cast<tmsize_t>(rows * row_bytes)) < 0)
                    throw runtime_failure(file + ": writing page " + std::to_string(z) + " failed" + because(messages));
            }
            if (!TIFFWriteDirectory(t))
                throw runtime_failure(file + ": writing page " + std::to_string(z) + " failed" + because(messages));
        }
        // TIFFClose flushes; its failures reach `messages` but it returns nothing, so check the data landed.
        tif.reset();
        if (!messages.errors.empty()) throw runtime_failure(file + ": writing failed (" + messages.errors + ")");
    }
    out.commit();
}

}  // namespace znn::io_detail
