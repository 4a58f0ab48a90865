// Small, valid image-stack files for the robustness suite: tif written by write_stack and, for the
// layouts write_stack never makes (tiles, RGB, planar RGB, 1-bit, LZW), by libtiff directly; h5 written
// by write_stack. Each is returned as its bytes, to be cut and mutated.
#pragma once

#include "robust_support.hpp"

#include "znn/image_io.hpp"

#include <tiffio.h>

#include <functional>
#include <string>
#include <vector>

namespace znn::robust {

struct sample_file {
    std::string name;   // with the extension the reader dispatches on
    std::string bytes;
};

inline raw_stack counting_stack(dtype t, std::int64_t channels, vec3 shape)
{
    raw_stack s(t, channels, shape);
    for (std::size_t i = 0; i < s.bytes.size(); ++i) s.bytes[i] = static_cast<std::byte>((i * 37 + 11) & 0xFF);
    return s;
}

// A tif written page by page through libtiff; `fill` sets the fields and writes the data of one page.
inline void write_tif_with_libtiff(const std::string& path, int pages, const std::function<void(TIFF*, int)>& fill)
{
    TIFF* t = TIFFOpen(path.c_str(), "w");
    if (!t) throw std::runtime_error("test setup: libtiff cannot create " + path);
    for (int p = 0; p < pages; ++p) {
        fill(t, p);
        TIFFWriteDirectory(t);
    }
    TIFFClose(t);
}

inline void set_page_fields(TIFF* t, std::uint32_t width, std::uint32_t height, std::uint16_t bits,
                            std::uint16_t samples, std::uint16_t photometric, std::uint16_t planar)
{
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bits);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, samples);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photometric);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, planar);
}

inline std::vector<sample_file> sample_tifs(const scratch_folder& folder)
{
    std::vector<sample_file> files;
    auto keep = [&](const std::string& name) { files.push_back({name, read_bytes(folder.file(name))}); };

    write_stack(folder.file("u8.tif"), counting_stack(dtype::uint8, 1, {2, 5, 7}));
    keep("u8.tif");
    write_options deflate;
    deflate.tif_deflate = true;
    write_stack(folder.file("f32_deflate.tif"), counting_stack(dtype::float32, 1, {3, 4, 6}), deflate);
    keep("f32_deflate.tif");
    write_stack(folder.file("i64.tif"), counting_stack(dtype::int64, 1, {1, 3, 3}));
    keep("i64.tif");

    write_tif_with_libtiff(folder.file("tiled_u16.tif"), 1, [](TIFF* t, int) {
        set_page_fields(t, 20, 18, 16, 1, PHOTOMETRIC_MINISBLACK, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
        TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
        std::vector<std::uint16_t> tile(16 * 16);
        for (std::size_t i = 0; i < tile.size(); ++i) tile[i] = static_cast<std::uint16_t>(i * 7);
        for (std::uint32_t y = 0; y < 18; y += 16)
            for (std::uint32_t x = 0; x < 20; x += 16)
                TIFFWriteTile(t, tile.data(), x, y, 0, 0);
    });
    keep("tiled_u16.tif");

    write_tif_with_libtiff(folder.file("rgb.tif"), 2, [](TIFF* t, int) {
        set_page_fields(t, 5, 4, 8, 3, PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 2);
        std::vector<std::uint8_t> rows(5 * 3 * 2);
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<std::uint8_t>(i * 13);
        TIFFWriteEncodedStrip(t, 0, rows.data(), static_cast<tmsize_t>(rows.size()));
        TIFFWriteEncodedStrip(t, 1, rows.data(), static_cast<tmsize_t>(rows.size()));
    });
    keep("rgb.tif");

    write_tif_with_libtiff(folder.file("rgba_planar.tif"), 1, [](TIFF* t, int) {
        set_page_fields(t, 6, 3, 8, 4, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE);
        const std::uint16_t extra = EXTRASAMPLE_UNASSALPHA;
        TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 3);
        std::vector<std::uint8_t> plane(6 * 3);
        for (std::uint32_t s = 0; s < 4; ++s) {
            for (std::size_t i = 0; i < plane.size(); ++i) plane[i] = static_cast<std::uint8_t>(i + 40 * s);
            TIFFWriteEncodedStrip(t, s, plane.data(), static_cast<tmsize_t>(plane.size()));
        }
    });
    keep("rgba_planar.tif");

    write_tif_with_libtiff(folder.file("bilevel.tif"), 2, [](TIFF* t, int page) {
        set_page_fields(t, 9, 3, 1, 1, page == 0 ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_MINISWHITE, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 3);
        const std::uint8_t rows[6] = {0xA5, 0x80, 0x5A, 0x00, 0xFF, 0x80};  // 2 bytes per 9-pixel row
        TIFFWriteEncodedStrip(t, 0, const_cast<std::uint8_t*>(rows), 6);
    });
    keep("bilevel.tif");
    return files;
}

inline std::vector<sample_file> sample_h5s(const scratch_folder& folder)
{
    std::vector<sample_file> files;
    write_stack(folder.file("u8.h5"), counting_stack(dtype::uint8, 1, {2, 3, 4}));
    files.push_back({"u8.h5", read_bytes(folder.file("u8.h5"))});
    write_options plain;
    plain.gzip_level = 0;
    write_stack(folder.file("f64_4d.h5"), counting_stack(dtype::float64, 2, {2, 3, 4}), plain);
    files.push_back({"f64_4d.h5", read_bytes(folder.file("f64_4d.h5"))});
    return files;
}

}  // namespace znn::robust
