// The rules of .znn blocks (../shared/znn-manual.md §2): which keys each node and edge type takes,
// which are required, what their values may be, and the defaults the original ZNN filled in.
//
// Keys found in files written for the original are accepted even where they do nothing, so those
// files parse unchanged: `function`/`function_args` on sum nodes (the original ignored them),
// `stride` on max_pool edges (the window is the stride), and `load 0`, the old name of `seeding 0`.
#include "net_block.hpp"

#include "spec_text.hpp"
#include "suggest.hpp"
#include "znn/error.hpp"

#include <algorithm>
#include <climits>
#include <optional>
#include <tuple>

namespace znn {

const raw_property* raw_block::find(const std::string& key) const
{
    for (const auto& p : properties)
        if (p.key == key) return &p;
    return nullptr;
}

namespace {

using strings = std::vector<std::string>;

const strings node_types{"input", "sum", "transfer", "maxout"};
const strings edge_types{"conv", "max_filter", "max_pool", "dropout", "crop", "maxout", "dummy"};
const strings functions{"linear", "rectify_linear", "tanh", "soft_sign", "logistics", "forward_logistics"};
const strings filter_inits{"zero", "constant", "uniform", "gaussian", "bernoulli", "xavier", "msra"};
const strings fan_inits{"xavier", "msra"};  // need a filter's fan-in: conv edges only

const strings all_node_keys{"type",  "size", "function",     "function_args", "init",    "init_args",
                            "eta",   "momentum", "weight_decay", "dense",    "seeding", "load"};
const strings all_edge_keys{"type", "input", "output", "size",     "stride",       "init",   "init_args", "fft",
                            "repeat", "ratio", "offset", "eta", "momentum", "weight_decay", "seeding", "load"};

strings operator+(strings a, const strings& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

strings node_keys(const std::string& type)
{
    const strings common{"type", "size", "seeding", "load"};
    if (type == "sum") return common + strings{"function", "function_args", "dense"};
    if (type == "transfer")
        return common + strings{"function", "function_args", "init", "init_args", "eta", "momentum", "weight_decay", "dense"};
    if (type == "maxout") return common + strings{"dense"};
    return common;
}

strings edge_keys(const std::string& type)
{
    const strings common{"type", "input", "output", "seeding", "load"};
    if (type == "conv")
        return common + strings{"size", "stride", "init", "init_args", "fft", "repeat", "eta", "momentum", "weight_decay"};
    if (type == "max_filter" || type == "max_pool") return common + strings{"size", "stride"};
    if (type == "dropout") return common + strings{"ratio"};
    if (type == "crop") return common + strings{"offset"};
    return common;
}

strings node_required(const std::string& type)
{
    if (type == "transfer") return {"size", "function"};
    return {"size"};
}

strings edge_required(const std::string& type)
{
    const strings common{"input", "output"};
    if (type == "conv") return common + strings{"size", "init"};
    if (type == "max_filter") return common + strings{"size", "stride"};
    if (type == "max_pool") return common + strings{"size"};
    if (type == "crop") return common + strings{"offset"};
    return common;
}

bool contains(const strings& list, const std::string& word)
{
    return std::find(list.begin(), list.end(), word) != list.end();
}

class block_checker {
public:
    block_checker(const raw_block& block, const std::string& path) : block_(block), path_(path) {}

    [[noreturn]] void fail(int line, const std::string& message) const { throw input_error(path_, line, message); }

    [[noreturn]] void bad_value(const raw_property& p, const std::string& expected) const
    {
        fail(p.line, "bad value '" + p.value + "' for '" + p.key + "' in " + block_.title() + ": " + expected);
    }

    const raw_property* find(const std::string& key) const { return block_.find(key); }

    // Keys no block of this kind takes, in file order; the suggestion comes from the keys of the
    // block's type when that type is valid.
    void unknown_keys(const strings& types, const strings& all_keys, strings (*keys_of)(const std::string&)) const
    {
        const raw_property* t = find("type");
        const strings candidates = t && contains(types, t->value) ? keys_of(t->value) : all_keys;
        for (const auto& p : block_.properties)
            if (!contains(all_keys, p.key)) unknown_key(p, candidates);
    }

    // Checked after unknown keys: in "node x" written for "nodes x", the next block's keys repeat.
    void duplicate_keys() const
    {
        const auto& ps = block_.properties;
        for (std::size_t i = 1; i < ps.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (ps[i].key == ps[j].key)
                    fail(ps[i].line, "duplicate key '" + ps[i].key + "' in " + block_.title() + " (first given on line " +
                                         std::to_string(ps[j].line) + ")");
    }

    std::string type(const strings& types) const
    {
        const raw_property* p = find("type");
        if (!p) fail(block_.line, "missing required key 'type' in " + block_.title());
        if (!contains(types, p->value))
            fail(p->line, "unknown type '" + p->value + "' in " + block_.title() + suggestion_or_choices(p->value, types));
        return p->value;
    }

    // Keys of other types (unknown keys are already reported), then the type's required keys.
    void keys(const std::string& type, const strings& allowed, const strings& required) const
    {
        for (const auto& p : block_.properties)
            if (!contains(allowed, p.key))
                fail(p.line, "key '" + p.key + "' does not apply to type '" + type + "' in " + block_.title());
        for (const auto& key : required)
            if (!find(key)) fail(block_.line, "missing required key '" + key + "' in " + block_.title());
    }

    int positive_int(const raw_property& p) const
    {
        auto v = spec_text::parse_integer(p.value);
        if (!v || *v <= 0 || *v > INT_MAX) bad_value(p, "expected a positive integer");
        return static_cast<int>(*v);
    }

    vec3 positive_vec3(const raw_property& p) const
    {
        auto v = int_list(p.value, 1);
        if (!v || v->size() != 3) bad_value(p, "expected three positive integers z,y,x");
        return {(*v)[0], (*v)[1], (*v)[2]};
    }

    vec3 offset(const raw_property& p) const
    {
        auto v = int_list(p.value, 0);
        if (v && v->size() == 1) return {(*v)[0], (*v)[0], (*v)[0]};
        if (!v || v->size() != 3) bad_value(p, "expected one or three non-negative integers");
        return {(*v)[0], (*v)[1], (*v)[2]};
    }

    double real(const raw_property& p, double low, double high, bool low_open, const std::string& expected) const
    {
        auto v = spec_text::parse_real(p.value);
        if (!v || *v < low || *v > high || (low_open && *v == low)) bad_value(p, expected);
        return *v;
    }

    bool flag(const raw_property& p) const
    {
        if (p.value == "1") return true;
        if (p.value == "0") return false;
        bad_value(p, "expected 0 or 1");
    }

    learning_overrides learning() const
    {
        learning_overrides l;
        if (auto p = find("eta")) l.eta = real(*p, 0, 1e300, false, "expected a non-negative number");
        if (auto p = find("momentum")) l.momentum = real(*p, 0, 1, false, "expected a number in [0, 1]");
        if (auto p = find("weight_decay")) l.weight_decay = real(*p, 0, 1e300, false, "expected a non-negative number");
        return l;
    }

    bool seeding() const
    {
        const raw_property* seeding = find("seeding");
        const raw_property* load = find("load");
        if (seeding && load)
            fail(std::max(seeding->line, load->line),
                 "give 'seeding' or its old name 'load', not both, in " + block_.title());
        const raw_property* p = seeding ? seeding : load;
        return p ? flag(*p) : true;
    }

    std::string function(const raw_property& p) const
    {
        if (p.value == "forward_logistic") return "forward_logistics";  // the original documentation's spelling
        if (contains(functions, p.value)) return p.value;
        fail(p.line, "unknown function '" + p.value + "' in " + block_.title() + suggestion_or_choices(p.value, functions));
    }

    std::vector<double> function_args(const std::string& function) const
    {
        const raw_property* p = find("function_args");
        if (!p) {
            if (function == "linear") return {1, 0};
            if (function == "tanh") return {1, 1};
            return {};
        }
        auto v = numbers(*p);
        if (function == "linear") {
            if (v.size() == 1) return {v[0], 0};
            if (v.size() != 2) bad_value(*p, "linear takes one or two numbers a[,b]");
        } else if (function == "tanh") {
            if (v.size() != 2) bad_value(*p, "tanh takes two numbers a,b");
        } else {
            bad_value(*p, function + " takes no arguments");
        }
        return v;
    }

    // `init`/`init_args`; nodes (biases) have no fan-in, so xavier and msra are for conv edges only.
    std::pair<std::string, std::vector<double>> init(bool conv_edge) const
    {
        const raw_property* p = find("init");
        const std::string name = p ? p->value : "zero";
        if (p && !contains(filter_inits, name))
            fail(p->line, "unknown init '" + name + "' in " + block_.title() + suggestion_or_choices(name, filter_inits));
        if (p && !conv_edge && contains(fan_inits, name))
            fail(p->line, "init '" + name + "' needs a filter's fan-in: it is valid for conv edges, not in " + block_.title());
        return {name, init_args(name)};
    }

private:
    [[noreturn]] void unknown_key(const raw_property& p, const strings& candidates) const
    {
        // 'nodes'/'edges' are offered too: "node x" in place of "nodes x" reads as a key.
        fail(p.line, "unknown key '" + p.key + "' in " + block_.title() + did_you_mean(p.key, candidates + strings{"nodes", "edges"}));
    }

    static std::optional<std::vector<std::int64_t>> int_list(const std::string& text, std::int64_t minimum)
    {
        std::vector<std::int64_t> values;
        for (const auto& piece : spec_text::split(text, ',')) {
            auto v = spec_text::parse_integer(piece);
            if (!v || *v < minimum) return std::nullopt;
            values.push_back(*v);
        }
        return values;
    }

    std::vector<double> numbers(const raw_property& p) const
    {
        auto v = spec_text::parse_real_list(p.value);
        if (!v) bad_value(p, "expected numbers separated by commas");
        return *v;
    }

    std::vector<double> init_args(const std::string& init) const
    {
        const raw_property* p = find("init_args");
        if (!p) {
            if (init == "constant") return {0};
            if (init == "uniform") return {-0.1, 0.1};
            if (init == "gaussian") return {0, 0.01};
            if (init == "bernoulli") return {0.5};
            return {};
        }
        auto v = numbers(*p);
        if (init == "constant") {
            if (v.size() != 1) bad_value(*p, "constant takes one number c");
        } else if (init == "uniform") {
            if (v.size() == 1) {
                if (v[0] < 0) bad_value(*p, "uniform with one number r needs r >= 0");
                return {-v[0], v[0]};
            }
            if (v.size() != 2) bad_value(*p, "uniform takes one or two numbers r or lo,hi");
            if (v[0] > v[1]) bad_value(*p, "uniform needs lo <= hi");
        } else if (init == "gaussian") {
            if (v.size() != 2) bad_value(*p, "gaussian takes two numbers mean,std");
            if (v[1] < 0) bad_value(*p, "gaussian needs std >= 0");
        } else if (init == "bernoulli") {
            if (v.size() != 1) bad_value(*p, "bernoulli takes one number p");
            if (v[0] < 0 || v[0] > 1) bad_value(*p, "bernoulli needs p in [0, 1]");
        } else {
            bad_value(*p, init + " takes no arguments");
        }
        return v;
    }

    const raw_block& block_;
    const std::string& path_;
};

template <class Spec>
void copy_properties(const raw_block& block, Spec& spec)
{
    spec.name = block.name;
    spec.line = block.line;
    for (const auto& p : block.properties) {
        spec.properties.emplace_back(p.key, p.value);
        spec.property_lines[p.key] = p.line;
    }
}

}  // namespace

node_spec check_node_block(const raw_block& block, const std::string& path)
{
    const block_checker check(block, path);
    node_spec node;
    copy_properties(block, node);
    check.unknown_keys(node_types, all_node_keys, node_keys);
    check.duplicate_keys();
    node.type = check.type(node_types);
    check.keys(node.type, node_keys(node.type), node_required(node.type));
    node.size = check.positive_int(*check.find("size"));
    if (const raw_property* f = check.find("function")) {
        std::string function = check.function(*f);
        std::vector<double> args = check.function_args(function);
        if (node.type == "transfer") {  // a sum node's function is checked but, as in the original, unused
            node.function = std::move(function);
            node.function_args = std::move(args);
        }
    } else if (const raw_property* a = check.find("function_args")) {
        check.fail(a->line, "'function_args' without 'function' in " + block.title());
    }
    if (node.type == "transfer") {
        std::tie(node.init, node.init_args) = check.init(false);
        node.learning = check.learning();
    }
    if (const raw_property* d = check.find("dense")) node.dense = check.flag(*d);
    node.seeding = check.seeding();
    return node;
}

edge_spec check_edge_block(const raw_block& block, const std::string& path)
{
    const block_checker check(block, path);
    edge_spec edge;
    copy_properties(block, edge);
    check.unknown_keys(edge_types, all_edge_keys, edge_keys);
    check.duplicate_keys();
    edge.type = check.type(edge_types);
    check.keys(edge.type, edge_keys(edge.type), edge_required(edge.type));
    edge.input = check.find("input")->value;
    edge.output = check.find("output")->value;
    if (const raw_property* s = check.find("size")) edge.size = check.positive_vec3(*s);
    if (const raw_property* s = check.find("stride")) {
        const vec3 stride = check.positive_vec3(*s);
        if (edge.type != "max_pool") edge.stride = stride;  // max_pool steps by its window
    }
    if (edge.type == "conv") {
        std::tie(edge.init, edge.init_args) = check.init(true);
        if (const raw_property* f = check.find("fft")) edge.fft = check.flag(*f);
        if (const raw_property* r = check.find("repeat")) edge.repeat = check.positive_vec3(*r);
        edge.learning = check.learning();
    }
    if (const raw_property* r = check.find("ratio"))
        edge.ratio = check.real(*r, 0, 1, true, "expected a keep probability in (0, 1]");
    if (const raw_property* o = check.find("offset")) edge.offset = check.offset(*o);
    edge.seeding = check.seeding();
    return edge;
}

}  // namespace znn
