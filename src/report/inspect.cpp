// inspect_file: tell the kind of file by its name (and, for .h5, by whether it holds a network), then
// print the matching report.
#include "znn/report.hpp"

#include "znn/describe.hpp"
#include "znn/error.hpp"
#include "znn/image_io.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <ostream>

namespace znn {

namespace {

namespace fs = std::filesystem;

std::string lowercase_extension(const std::string& path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

void require_existing_file(const std::string& file)
{
    std::error_code ec;
    if (!fs::exists(file, ec)) throw input_error(file, 0, "no such file");
    if (fs::is_directory(file, ec)) throw input_error(file, 0, "is a folder, not a file");
}

}  // namespace

inspect_kind detect_inspect_kind(const std::string& path)
{
    if (lowercase_extension(path) == ".znn") {
        require_existing_file(path);
        return inspect_kind::net_spec;
    }
    stack_path p;
    try {
        p = parse_stack_path(path);
    } catch (const input_error&) {
        throw input_error(path, 0, "unknown kind of file '" + fs::path(path).extension().string() +
                                       "' (inspect reads .znn networks, .h5/.hdf5 networks and stacks, .tif/.tiff stacks)");
    }
    require_existing_file(p.file);
    const bool names_dataset = p.format == stack_format::h5 && p.file != path;
    if (p.format == stack_format::h5 && !names_dataset && holds_network(p.file)) return inspect_kind::net_file;
    return inspect_kind::stack;
}

void inspect_file(const std::string& path, const inspect_options& options, std::ostream& out)
{
    const inspect_kind kind = detect_inspect_kind(path);
    const bool wants_curve = !options.curve_csv.empty() || !options.curve_svg.empty();
    if (wants_curve && kind != inspect_kind::net_file)
        throw input_error(path, 0, "holds no learning curve: --curve and --plot need a network .h5 file");
    if (options.outsz && kind == inspect_kind::stack)
        throw input_error(path, 0, "is an image stack: --outsz applies to networks (.znn or network .h5)");

    switch (kind) {
    case inspect_kind::net_spec: {
        net_graph graph(load_net_spec(path));
        describe_network(graph, options.outsz, out);
        return;
    }
    case inspect_kind::stack:
        describe_stack(path, out);
        return;
    case inspect_kind::net_file:
        break;
    }
    const net_file net = load_net_file(path);
    describe_net_file(net, path, options.outsz, out);
    if (!options.curve_csv.empty()) {
        save_curve_csv(options.curve_csv, net.curve);
        out << "\nwrote " << options.curve_csv << "\n";
    }
    if (!options.curve_svg.empty()) {
        save_curve_svg(options.curve_svg, net.curve,
                       fs::path(path).filename().string() + " (iteration " + std::to_string(net.iteration) + ")");
        out << (options.curve_csv.empty() ? "\n" : "") << "wrote " << options.curve_svg << "\n";
    }
}

}  // namespace znn
