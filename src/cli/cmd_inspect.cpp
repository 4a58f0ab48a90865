#include "cli_common.hpp"

#include "znn/report.hpp"

#include <iostream>
#include <sstream>

namespace znn::cli {

namespace {

vec3 parse_outsz(const std::string& text)
{
    vec3 v;
    char c1 = 0, c2 = 0;
    std::istringstream in(text);
    if (!(in >> v.z >> c1 >> v.y >> c2 >> v.x) || c1 != ',' || c2 != ',' || !in.eof() || !v.all_positive())
        throw usage_error("znn inspect: --outsz takes z,y,x with positive integers, got '" + text + "'");
    return v;
}

}  // namespace

int run_inspect(const args& argv)
{
    po::options_description desc("options");
    inspect_options options;
    desc.add_options()
        ("file", po::value<std::string>(), "the file to describe")
        ("outsz", po::value<std::string>(), "networks: also show every layer's size for this output patch (z,y,x)")
        ("curve", po::value<std::string>(&options.curve_csv),
         "network .h5: write the learning curve as CSV (phase,iteration,cost,error,elapsed)")
        ("plot", po::value<std::string>(&options.curve_svg), "network .h5: plot the learning curve as SVG");
    po::variables_map vm;
    if (!parse_command(argv, "inspect", "znn inspect FILE [--outsz z,y,x] [--curve out.csv] [--plot out.svg]",
                       "Describes a file, told by its name:\n"
                       "  NET.znn             layers, parameter count, field of view (and sizes with --outsz)\n"
                       "  NET.h5              a saved network (znn's or the original ZNN's): the same, plus the\n"
                       "                      iteration, dtype, training cfg and the learning curve's last points\n"
                       "  STACK.tif, STACK.h5[:/dataset]\n"
                       "                      an image stack: shape, channels, dtype, value range, NaN count\n"
                       "An .h5 file is a network when it holds /processing/znn/train/network.",
                       desc, {"file"}, vm))
        return 0;
    if (!vm.count("file")) throw usage_error("znn inspect: missing FILE");
    if (vm.count("outsz")) options.outsz = parse_outsz(vm["outsz"].as<std::string>());
    inspect_file(vm["file"].as<std::string>(), options, std::cout);
    return 0;
}

}  // namespace znn::cli
