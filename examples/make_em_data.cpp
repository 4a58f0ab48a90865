// make-em-data: writes a synthetic EM-like image stack and its segmentation, for trying znn without
// real data. See include/znn/synthetic.hpp for what the data looks like.
#include "znn/image_io.hpp"
#include "znn/synthetic.hpp"

#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

constexpr const char* usage_text =
    "usage: make-em-data OUTDIR [--shape Z,Y,X] [--seed N] [--cells N]\n"
    "\n"
    "Writes OUTDIR/image.tif (uint8 EM-like image) and OUTDIR/label.tif (uint32 segmentation,\n"
    "0 = membrane, cells 1..N), creating OUTDIR if needed.\n"
    "\n"
    "  --shape Z,Y,X  stack size (default 8,256,256)\n"
    "  --seed N       random seed (default 1); the same seed gives the same data\n"
    "  --cells N      number of cells (default: about one per 24x24 pixels of a slice)\n"
    "  --help         show this text\n";

struct usage_error {
    std::string message;
};

template <class T>
T parse_number(std::string_view text, const char* what)
{
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw usage_error{std::string(what) + " expects a whole number, got '" + std::string(text) + "'"};
    return value;
}

znn::vec3 parse_shape(std::string_view text)
{
    znn::vec3 shape;
    for (int axis = 0; axis < 3; ++axis) {
        const std::size_t comma = text.find(',');
        if ((axis < 2) != (comma != std::string_view::npos))
            throw usage_error{"--shape expects Z,Y,X, e.g. 8,256,256"};
        shape[axis] = parse_number<std::int64_t>(text.substr(0, comma), "--shape");
        if (shape[axis] <= 0) throw usage_error{"--shape sizes must be positive"};
        text = axis < 2 ? text.substr(comma + 1) : std::string_view();
    }
    return shape;
}

struct arguments {
    std::string outdir;
    znn::synthetic_options options;
    bool help = false;
};

arguments parse_arguments(int argc, char** argv)
{
    arguments a;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::string_view value;
        bool inline_value = false;
        if (arg.starts_with("--") && arg.find('=') != std::string_view::npos) {
            value = arg.substr(arg.find('=') + 1);
            arg = arg.substr(0, arg.find('='));
            inline_value = true;
        }
        auto take_value = [&]() -> std::string_view {
            if (inline_value) return value;
            if (i + 1 >= argc) throw usage_error{std::string(arg) + " needs a value"};
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            a.help = true;
        } else if (arg == "--shape") {
            a.options.shape = parse_shape(take_value());
        } else if (arg == "--seed") {
            a.options.seed = parse_number<std::uint64_t>(take_value(), "--seed");
        } else if (arg == "--cells") {
            a.options.cells = parse_number<int>(take_value(), "--cells");
            if (a.options.cells <= 0) throw usage_error{"--cells must be positive"};
        } else if (arg.starts_with("-") && arg.size() > 1) {
            throw usage_error{"unknown option '" + std::string(arg) + "'"};
        } else if (a.outdir.empty()) {
            a.outdir = std::string(arg);
        } else {
            throw usage_error{"one output folder only (got '" + a.outdir + "' and '" + std::string(arg) + "')"};
        }
    }
    if (!a.help && a.outdir.empty()) throw usage_error{"missing OUTDIR"};
    return a;
}

}  // namespace

int main(int argc, char** argv)
{
    arguments args;
    try {
        args = parse_arguments(argc, argv);
    } catch (const usage_error& e) {
        std::fprintf(stderr, "make-em-data: %s\n%s", e.message.c_str(), usage_text);
        return 2;
    }
    if (args.help) {
        std::fputs(usage_text, stdout);
        return 0;
    }
    try {
        namespace fs = std::filesystem;
        fs::create_directories(args.outdir);
        const znn::synthetic_em data = znn::make_synthetic_em(args.options);
        const std::string image_path = (fs::path(args.outdir) / "image.tif").string();
        const std::string label_path = (fs::path(args.outdir) / "label.tif").string();
        znn::write_image(image_path, data.image);
        znn::write_image(label_path, data.label);

        std::size_t membrane = 0;
        for (std::uint32_t id : data.label) membrane += id == 0;
        const std::string shape = args.options.shape.dims();
        std::printf("wrote %s (uint8 image, %s)\n", image_path.c_str(), shape.c_str());
        std::printf("wrote %s (uint32 segmentation, %s, %d cells, %.1f%% membrane)\n", label_path.c_str(),
                    shape.c_str(), data.cells, 100.0 * double(membrane) / double(data.label.size()));
        return 0;
    } catch (const znn::input_error& e) {
        std::fprintf(stderr, "make-em-data: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make-em-data: %s\n", e.what());
        return 1;
    }
}
