// The .cfg job file (../shared/znn-manual.md §4).
//
// Only [parameters] is read. Other sections are accepted and ignored: the original read the cfg with
// ConfigParser, which never objected to them, and its old cfg files carried [imageN]/[sampleN]
// sections beside [parameters]; znn reads samples only from fdata_spec.
//
// Keys of older versions of the original are accepted, so their cfg files run unchanged:
//   train_save_net P.h5   -> train_net_prefix P (also train_net ending in .h5, the original's form);
//   is_train_optimize / is_forward_optimize yes|no -> train/forward_conv_mode optimize|direct;
//   force_fft yes         -> both conv modes fft;      (an explicit *_conv_mode wins over these)
//   is_rebalance yes      -> rebalance_mode global; is_patch_rebalance yes -> patch (rebalance_mode wins);
//   is_visual, train_load_net, train_seed_net -> checked where they have a type, then ignored (the
//   original's last version ignored them too); is_constrained_malis yes -> an error (not supported).
#include "znn/config.hpp"

#include "spec_text.hpp"
#include "suggest.hpp"
#include "znn/error.hpp"
#include "znn/ini.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

namespace znn {

int config::effective_threads() const
{
    if (num_threads > 0) return num_threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

std::string config::effective_cost_fn() const
{
    if (cost_fn != "auto") return cost_fn;
    return out_type == "affinity" ? "binomial_cross_entropy" : "softmax_loss";
}

namespace {

namespace fs = std::filesystem;
using strings = std::vector<std::string>;

// One key's value and where it came from: a cfg line, or `--set key=value` (file "--set key", line 0).
struct field {
    std::string key;  // lower-cased
    std::string value;
    std::string file;
    int line = 0;
    fs::path folder;  // relative paths are resolved against it (the cfg's folder, or the working folder)

    [[noreturn]] void bad(const std::string& expected) const
    {
        throw input_error(file, line, "bad value '" + value + "' for '" + key + "': " + expected);
    }

    long long integer(long long minimum, const std::string& expected) const
    {
        auto v = spec_text::parse_integer(value);
        if (!v || *v < minimum || *v > 2000000000000000000LL) bad(expected);
        return *v;
    }
    int count() const { return static_cast<int>(std::min<long long>(integer(1, "expected a positive integer"), 2000000000)); }

    double real(double low, double high, const std::string& expected) const
    {
        auto v = spec_text::parse_real(value);
        if (!v || *v < low || *v > high) bad(expected);
        return *v;
    }
    double fraction() const { return real(0, 1, "expected a number in [0, 1]"); }

    bool boolean() const
    {
        auto v = spec_text::parse_bool(value);
        if (!v) bad("expected yes/no, true/false, on/off or 1/0");
        return *v;
    }

    vec3 outsz() const
    {
        const auto pieces = spec_text::split(value, ',');
        vec3 v;
        if (pieces.size() != 3) bad("expected three positive integers z,y,x");
        for (int i = 0; i < 3; ++i) {
            auto n = spec_text::parse_integer(pieces[i]);
            if (!n || *n <= 0 || *n > 1000000000) bad("expected three positive integers z,y,x");
            v[i] = *n;
        }
        return v;
    }

    std::string choice(const strings& choices) const
    {
        if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
        throw input_error(file, line, "bad value '" + value + "' for '" + key + "'" + suggestion_or_choices(value, choices));
    }

    std::vector<int> range() const { return parse_range(value, file, line, key); }

    std::string path() const
    {
        if (value.empty()) return {};
        return fs::absolute(folder / fs::path(value)).lexically_normal().string();
    }
};

std::string yes_no(bool b)
{
    return b ? "yes" : "no";
}

// Every key of the manual: its spelling there (keys match case-insensitively), how it is read, and how
// its effective value is written back into `text`.
struct config_key {
    const char* name;
    void (*read)(config&, const field&);
    std::string (*write)(const config&);
};

const config_key config_keys[] = {
    {"fnet_spec", [](config& c, const field& f) { c.fnet_spec = f.path(); }, [](const config& c) { return c.fnet_spec; }},
    {"fdata_spec", [](config& c, const field& f) { c.fdata_spec = f.path(); }, [](const config& c) { return c.fdata_spec; }},
    {"num_threads", [](config& c, const field& f) { c.num_threads = static_cast<int>(f.integer(-1000000, "expected an integer (<= 0: all cores)")); },
     [](const config& c) { return std::to_string(c.num_threads); }},
    {"dtype", [](config& c, const field& f) { c.dtype = f.choice({"float32", "float64"}); }, [](const config& c) { return c.dtype; }},
    {"out_type", [](config& c, const field& f) { c.out_type = f.choice({"boundary", "affinity"}); }, [](const config& c) { return c.out_type; }},
    {"logging", [](config& c, const field& f) { c.logging = f.boolean(); }, [](const config& c) { return yes_no(c.logging); }},
    {"train_outsz", [](config& c, const field& f) { c.train_outsz = f.outsz(); }, [](const config& c) { return c.train_outsz.str(); }},
    {"cost_fn", [](config& c, const field& f) { c.cost_fn = f.choice({"auto", "square_loss", "binomial_cross_entropy", "softmax_loss"}); },
     [](const config& c) { return c.cost_fn; }},
    {"eta", [](config& c, const field& f) { c.eta = f.real(0, 1e300, "expected a non-negative number"); },
     [](const config& c) { return spec_text::format_real(c.eta); }},
    {"anneal_factor", [](config& c, const field& f) { c.anneal_factor = f.fraction(); },
     [](const config& c) { return spec_text::format_real(c.anneal_factor); }},
    {"Num_iter_per_annealing", [](config& c, const field& f) { c.num_iter_per_annealing = f.count(); },
     [](const config& c) { return std::to_string(c.num_iter_per_annealing); }},
    {"momentum", [](config& c, const field& f) { c.momentum = f.fraction(); }, [](const config& c) { return spec_text::format_real(c.momentum); }},
    {"weight_decay", [](config& c, const field& f) { c.weight_decay = f.fraction(); },
     [](const config& c) { return spec_text::format_real(c.weight_decay); }},
    {"train_net", [](config& c, const field& f) { c.train_net = f.path(); }, [](const config& c) { return c.train_net; }},
    {"train_net_prefix", [](config& c, const field& f) { c.train_net_prefix = f.path(); }, [](const config& c) { return c.train_net_prefix; }},
    {"train_range", [](config& c, const field& f) { c.train_range = f.range(); }, [](const config& c) { return format_range(c.train_range); }},
    {"test_range", [](config& c, const field& f) { c.test_range = f.range(); }, [](const config& c) { return format_range(c.test_range); }},
    {"train_conv_mode", [](config& c, const field& f) { c.train_conv_mode = f.choice({"fft", "direct", "winograd", "optimize"}); },
     [](const config& c) { return c.train_conv_mode; }},
    {"forward_conv_mode", [](config& c, const field& f) { c.forward_conv_mode = f.choice({"fft", "direct", "winograd", "optimize"}); },
     [](const config& c) { return c.forward_conv_mode; }},
    {"is_data_aug", [](config& c, const field& f) { c.is_data_aug = f.boolean(); }, [](const config& c) { return yes_no(c.is_data_aug); }},
    {"is_bd_mirror", [](config& c, const field& f) { c.is_bd_mirror = f.boolean(); }, [](const config& c) { return yes_no(c.is_bd_mirror); }},
    {"rebalance_mode", [](config& c, const field& f) { c.rebalance_mode = f.choice({"none", "global", "patch"}); },
     [](const config& c) { return c.rebalance_mode; }},
    {"is_malis", [](config& c, const field& f) { c.is_malis = f.boolean(); }, [](const config& c) { return yes_no(c.is_malis); }},
    {"malis_norm_type", [](config& c, const field& f) { c.malis_norm_type = f.choice({"none", "frac", "num", "pair"}); },
     [](const config& c) { return c.malis_norm_type; }},
    {"Num_iter_per_show", [](config& c, const field& f) { c.num_iter_per_show = f.count(); },
     [](const config& c) { return std::to_string(c.num_iter_per_show); }},
    {"Num_iter_per_test", [](config& c, const field& f) { c.num_iter_per_test = f.count(); },
     [](const config& c) { return std::to_string(c.num_iter_per_test); }},
    {"test_num", [](config& c, const field& f) { c.test_num = f.count(); }, [](const config& c) { return std::to_string(c.test_num); }},
    {"Num_iter_per_save", [](config& c, const field& f) { c.num_iter_per_save = f.count(); },
     [](const config& c) { return std::to_string(c.num_iter_per_save); }},
    {"Max_iter", [](config& c, const field& f) { c.max_iter = f.integer(1, "expected a positive integer"); },
     [](const config& c) { return std::to_string(c.max_iter); }},
    {"forward_range", [](config& c, const field& f) { c.forward_range = f.range(); }, [](const config& c) { return format_range(c.forward_range); }},
    {"forward_net", [](config& c, const field& f) { c.forward_net = f.path(); }, [](const config& c) { return c.forward_net; }},
    {"forward_outsz", [](config& c, const field& f) { c.forward_outsz = f.outsz(); }, [](const config& c) { return c.forward_outsz.str(); }},
    {"output_prefix", [](config& c, const field& f) { c.output_prefix = f.path(); }, [](const config& c) { return c.output_prefix; }},
    {"is_stdio", [](config& c, const field& f) { c.is_stdio = f.boolean(); }, [](const config& c) { return yes_no(c.is_stdio); }},
    {"is_debug", [](config& c, const field& f) { c.is_debug = f.boolean(); }, [](const config& c) { return yes_no(c.is_debug); }},
    {"is_check", [](config& c, const field& f) { c.is_check = f.boolean(); }, [](const config& c) { return yes_no(c.is_check); }},
};

const strings legacy_keys{"train_save_net",     "train_load_net", "train_seed_net", "is_train_optimize",  "is_forward_optimize",
                          "force_fft",          "is_rebalance",   "is_patch_rebalance", "is_visual", "is_constrained_malis"};

strings key_names()
{
    strings names;
    for (const auto& k : config_keys) names.emplace_back(k.name);
    return names;
}

bool known_key(const std::string& lower_key)
{
    for (const auto& k : config_keys)
        if (spec_text::lower(k.name) == lower_key) return true;
    return std::find(legacy_keys.begin(), legacy_keys.end(), lower_key) != legacy_keys.end();
}

using field_map = std::map<std::string, field>;  // lower-cased key -> field

const field* find(const field_map& fields, const std::string& key)
{
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
}

field_map file_fields(const ini_section& section, const std::string& path)
{
    const fs::path folder = fs::path(path).parent_path();
    field_map fields;
    for (const auto& e : section.entries) {
        if (!known_key(e.key))
            throw input_error(path, e.line, "unknown key '" + e.key + "' in [parameters]" + did_you_mean(e.key, key_names()));
        fields[e.key] = field{e.key, e.value, path, e.line, folder};
    }
    return fields;
}

void apply_overrides(field_map& fields, const std::vector<std::string>& overrides)
{
    for (const auto& text : overrides) {
        const auto equals = text.find('=');
        const std::string key = spec_text::lower(spec_text::trim(std::string_view(text).substr(0, equals)));
        if (equals == std::string::npos || key.empty()) throw input_error("--set " + text, 0, "expected key=value");
        const std::string origin = "--set " + key;
        if (!known_key(key)) throw input_error(origin, 0, "unknown key '" + key + "'" + did_you_mean(key, key_names()));
        // Paths given on the command line are relative to the working folder, as everywhere in a shell.
        fields[key] = field{key, std::string(spec_text::trim(std::string_view(text).substr(equals + 1))), origin, 0, fs::path()};
    }
}

// The net is saved as P_<it>.h5 from a prefix P; the original also took P.h5 and dropped the ".h5".
std::string prefix_of(const field& f)
{
    std::string p = f.path();
    if (p.size() > 3 && p.ends_with(".h5")) p.resize(p.size() - 3);
    return p;
}

void apply_legacy_keys(config& c, const field_map& fields)
{
    // Where the net is saved: one of train_net (a folder; P.h5 is the original's prefix form),
    // train_net_prefix, train_save_net.
    const field* given = nullptr;
    for (const char* key : {"train_net", "train_net_prefix", "train_save_net"}) {
        const field* f = find(fields, key);
        if (!f || f->value.empty()) continue;
        if (given)
            throw input_error(f->file, f->line, "'" + f->key + "' and '" + given->key +
                                                    "' both name where the net is saved: give only one");
        given = f;
    }
    if (given && given->key != "train_net_prefix" && (given->key == "train_save_net" || given->value.ends_with(".h5"))) {
        c.train_net.clear();
        c.train_net_prefix = prefix_of(*given);
    }

    if (!find(fields, "train_conv_mode")) {
        if (auto f = find(fields, "is_train_optimize")) c.train_conv_mode = f->boolean() ? "optimize" : "direct";
    }
    if (!find(fields, "forward_conv_mode")) {
        if (auto f = find(fields, "is_forward_optimize")) c.forward_conv_mode = f->boolean() ? "optimize" : "direct";
    }
    if (auto f = find(fields, "force_fft"); f && f->boolean()) {
        if (!find(fields, "train_conv_mode")) c.train_conv_mode = "fft";
        if (!find(fields, "forward_conv_mode")) c.forward_conv_mode = "fft";
    }

    const field* rebalance = find(fields, "is_rebalance");
    const field* patch_rebalance = find(fields, "is_patch_rebalance");
    const bool global_on = rebalance && rebalance->boolean();
    const bool patch_on = patch_rebalance && patch_rebalance->boolean();
    if (!find(fields, "rebalance_mode")) c.rebalance_mode = patch_on ? "patch" : (global_on ? "global" : "none");

    if (auto f = find(fields, "is_visual")) f->boolean();
    if (auto f = find(fields, "is_constrained_malis"); f && f->boolean())
        throw input_error(f->file, f->line, "is_constrained_malis is not supported by znn");
}

std::string effective_text(const config& c)
{
    std::string text = "[parameters]\n";
    for (const auto& k : config_keys) {
        const std::string value = k.write(c);
        text += std::string(k.name) + (value.empty() ? " =" : " = " + value) + "\n";
    }
    return text;
}

}  // namespace

config parse_config_text(const std::string& text, const std::string& path, const std::vector<std::string>& overrides)
{
    std::istringstream in(text);
    const ini_file ini = parse_ini(in, path);
    const ini_section* section = ini.find("parameters");
    if (!section) {
        strings names;
        for (const auto& s : ini.sections) names.push_back("[" + s.name + "]");
        throw input_error(path, 0, "no [parameters] section" + did_you_mean("[parameters]", names));
    }
    field_map fields = file_fields(*section, path);
    apply_overrides(fields, overrides);

    config c;
    c.path = path;
    for (const auto& k : config_keys)
        if (const field* f = find(fields, spec_text::lower(k.name))) k.read(c, *f);
    apply_legacy_keys(c, fields);

    for (const char* key : {"fnet_spec", "fdata_spec"}) {
        const field* f = find(fields, key);
        if (!f) throw input_error(path, section->line, std::string("missing required key '") + key + "' in [parameters]");
        if (f->value.empty()) throw input_error(f->file, f->line, std::string("'") + key + "' needs a file name");
    }
    c.text = effective_text(c);
    return c;
}

config load_config(const std::string& path, const std::vector<std::string>& overrides)
{
    return parse_config_text(spec_text::read_file(path), path, overrides);
}

}  // namespace znn
