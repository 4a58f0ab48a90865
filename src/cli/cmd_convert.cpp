#include "cli_common.hpp"

#include "znn/config.hpp"
#include "znn/convert.hpp"
#include "znn/raw_stack.hpp"

#include <iostream>
#include <optional>

namespace znn::cli {

namespace {

const char* const convert_usage =
    "znn convert IN OUT [--dtype T]\n"
    "       znn convert --affinity SEGMENTATION OUT.h5\n"
    "       znn convert --view IN OUT.tif\n"
    "       znn convert --net IN.h5 OUT.h5 [--to-original]\n"
    "       znn convert merge CONFIG.cfg [--set key=value]... [--quiet]";

const char* const convert_about =
    "Image stacks: IN and OUT are .tif/.tiff or .h5/.hdf5 (\"file.h5:/dataset\" names the dataset, default\n"
    "/main); the format comes from the name. Values are copied bit-exactly. --dtype T stores them as T\n"
    "(uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64) without rounding or\n"
    "saturating: integer types take whole numbers in their range only, and the first value that does\n"
    "not fit stops the conversion with its position; float types take every value (rounded to the\n"
    "nearest float) except finite ones beyond float32's range. A tif holds one channel.\n"
    "\n"
    "--affinity: a segmentation (one channel, ids > 0 are cells) to the float32 affinity maps x, y, z\n"
    "(1 where a voxel and its predecessor along the axis have the same id), three channels in an .h5.\n"
    "--view: network outputs to 8-bit images: values 0..1 become 0..255 (clamped); with several channels\n"
    "and a tif OUT, one file OUT_<c>.tif per channel (c from 0).\n"
    "--net: a network file of znn or of the original ZNN to znn's layout (the .znn text stored);\n"
    "with --to-original, to the original's layout (without znn's root attributes).\n"
    "merge: joins the blocks <output_prefix>_sample<S>_block<K>of<N>.h5 written by `znn forward --block`\n"
    "for the samples of forward_range into <output_prefix>_sample<S>_output.h5; N is found from the files.\n"
    "\n"
    "Every output is written under a temporary name and renamed into place when complete.";

int run_merge(const args& argv)
{
    po::options_description desc("options");
    job_options job;
    if (!parse_job(argv, "convert merge", "znn convert merge CONFIG.cfg [--set key=value]... [--quiet]",
                   "Joins the blocks <output_prefix>_sample<S>_block<K>of<N>.h5 written by `znn forward --block K/N`\n"
                   "for the samples of forward_range into <output_prefix>_sample<S>_output.h5. N is found from the\n"
                   "block files; missing blocks are named.",
                   desc, job))
        return 0;
    const config cfg = load_config(job.config_path, job.overrides);
    merge_forward_blocks(cfg, job.quiet ? nullptr : &std::cerr);
    return 0;
}

}  // namespace

int run_convert(const args& argv)
{
    if (!argv.empty() && argv.front() == "merge") return run_merge(args(argv.begin() + 1, argv.end()));

    po::options_description desc("options");
    std::string type_name;
    bool affinity = false, view = false, net = false, to_original = false, quiet = false;
    desc.add_options()
        ("in", po::value<std::string>(), "input file")
        ("out", po::value<std::string>(), "output file")
        ("dtype", po::value<std::string>(&type_name), "store the values as this type (checked cast, see above)")
        ("affinity", po::bool_switch(&affinity), "segmentation to a 3-channel float32 affinity volume")
        ("view", po::bool_switch(&view), "network outputs (0..1) to 8-bit images")
        ("net", po::bool_switch(&net), "network file to znn's layout")
        ("to-original", po::bool_switch(&to_original), "with --net: to the original ZNN's layout")
        ("quiet,q", po::bool_switch(&quiet), "do not list the files written");
    po::variables_map vm;
    if (!parse_command(argv, "convert", convert_usage, convert_about, desc, {"in", "out"}, vm)) return 0;
    if (affinity + view + net > 1) throw usage_error("znn convert: give at most one of --affinity, --view, --net");
    if (to_original && !net) throw usage_error("znn convert: --to-original goes with --net");
    if (!type_name.empty() && (affinity || view || net))
        throw usage_error("znn convert: --dtype is for stack conversions (not with --affinity, --view or --net)");
    if (!vm.count("in") || !vm.count("out")) throw usage_error("znn convert: give the input and the output file (IN OUT)");
    const std::string in = vm["in"].as<std::string>(), out = vm["out"].as<std::string>();

    std::vector<std::string> written{out};
    if (affinity) {
        convert_affinity(in, out);
    } else if (view) {
        written = convert_view(in, out);
    } else if (net) {
        convert_network(in, out, to_original);
    } else {
        std::optional<dtype> type;
        if (!type_name.empty()) type = parse_dtype(type_name);
        convert_stack(in, out, type);
    }
    if (!quiet)
        for (const std::string& f : written) std::cerr << "wrote " << f << "\n";
    return 0;
}

}  // namespace znn::cli
