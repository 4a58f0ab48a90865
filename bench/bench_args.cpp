#include "bench_args.hpp"

#include <sstream>
#include <stdexcept>

namespace znn::bench {

namespace {

vec3 parse_vec3(const std::string& key, const std::string& text)
{
    vec3 v;
    char c1 = 0, c2 = 0;
    std::istringstream in(text);
    if (!(in >> v.z >> c1 >> v.y >> c2 >> v.x) || c1 != ',' || c2 != ',' || !in.eof() || !v.all_positive())
        throw std::invalid_argument(key + " wants Z,Y,X (positive integers), got '" + text + "'");
    return v;
}

double parse_number(const std::string& key, const std::string& text)
{
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(v >= 0)) throw std::invalid_argument(key + " wants a number >= 0, got '" + text + "'");
    return v;
}

}  // namespace

std::string usage()
{
    return "usage: znn-bench conv    --kernel Z,Y,X --maps IN,OUT --input Z,Y,X [options]\n"
           "       znn-bench forward --net FILE.znn --outsz Z,Y,X [options]\n"
           "       znn-bench train   --net FILE.znn --outsz Z,Y,X [options]\n"
           "options: --mode direct|winograd|fft|optimize (optimize)  --threads N (1)  --budget SECONDS (3)\n"
           "         --max-reps N (10)  --memory-cap GIB (none; exit status 3 when the estimate is larger)\n"
           "         --winograd-tile 0|6|8 (0: optimize times both)  --measure-plans  --verbose\n"
           "         --runs       print every timed run's milliseconds on stderr (the spread within one process)\n"
           "         --describe   print the layer list used by the torch peer of tools/bench, run nothing\n"
           "         --profile    then as many passes again with every task timed: per task label (layer and\n"
           "                      phase) its start, span and CPU time per pass, on stderr\n"
           "Prints one line `result key=value ...` (times in seconds, after one warm-up run).\n";
}

bench_args parse_args(int argc, char** argv)
{
    if (argc < 2) throw std::invalid_argument("no case given");
    bench_args a;
    a.command = argv[1];
    if (a.command != "conv" && a.command != "forward" && a.command != "train")
        throw std::invalid_argument("unknown case '" + a.command + "'");
    for (int i = 2; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "--describe") { a.describe = true; continue; }
        if (key == "--measure-plans") { a.measure_plans = true; continue; }
        if (key == "--verbose") { a.verbose = true; continue; }
        if (key == "--runs") { a.print_runs = true; continue; }
        if (key == "--profile") { a.profile = true; continue; }
        if (i + 1 >= argc) throw std::invalid_argument(key + " needs a value");
        const std::string value = argv[++i];
        if (key == "--net") a.net = value;
        else if (key == "--outsz") a.outsz = parse_vec3(key, value);
        else if (key == "--kernel") a.kernel = parse_vec3(key, value);
        else if (key == "--input") a.input = parse_vec3(key, value);
        else if (key == "--maps") {
            char comma = 0;
            std::istringstream in(value);
            if (!(in >> a.maps_in >> comma >> a.maps_out) || comma != ',' || !in.eof() || a.maps_in < 1 || a.maps_out < 1)
                throw std::invalid_argument("--maps wants IN,OUT, got '" + value + "'");
        } else if (key == "--mode") {
            if (value != "direct" && value != "winograd" && value != "fft" && value != "optimize")
                throw std::invalid_argument("--mode is direct, winograd, fft or optimize, got '" + value + "'");
            a.mode = value;
        } else if (key == "--threads") a.threads = static_cast<int>(parse_number(key, value));
        else if (key == "--budget") a.budget_s = parse_number(key, value);
        else if (key == "--memory-cap") a.memory_cap_gib = parse_number(key, value);
        else if (key == "--winograd-tile") a.winograd_tile = static_cast<int>(parse_number(key, value));
        else if (key == "--max-reps") a.max_reps = std::max(1, static_cast<int>(parse_number(key, value)));
        else throw std::invalid_argument("unknown option '" + key + "'");
    }
    if (a.command != "conv" && a.net.empty()) throw std::invalid_argument(a.command + " needs --net FILE.znn");
    if (a.threads < 1) throw std::invalid_argument("--threads must be at least 1");
    return a;
}

}  // namespace znn::bench
