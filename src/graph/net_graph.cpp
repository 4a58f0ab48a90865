#include "znn/net_graph.hpp"

#include "znn/error.hpp"

#include <map>
#include <optional>
#include <queue>

namespace znn {

namespace {

// Size arithmetic that says when a .znn's numbers (each up to 2^63-1) overflow 64 bits, instead of
// wrapping (undefined behaviour) into sizes that are wrong or negative.
std::optional<vec3> checked_product(vec3 a, vec3 b)
{
    vec3 r;
    for (int i = 0; i < 3; ++i)
        if (__builtin_mul_overflow(a[i], b[i], &r[i])) return std::nullopt;
    return r;
}

std::optional<vec3> checked_sum(vec3 a, vec3 b)
{
    vec3 r;
    for (int i = 0; i < 3; ++i)
        if (__builtin_add_overflow(a[i], b[i], &r[i])) return std::nullopt;
    return r;
}

// The element count of a size, when it fits in 64 bits (callers multiply sizes into volumes freely).
std::optional<std::int64_t> checked_volume(vec3 v)
{
    std::int64_t r = 1;
    for (int i = 0; i < 3; ++i)
        if (__builtin_mul_overflow(r, v[i], &r)) return std::nullopt;
    return r;
}

bool one_to_one(const std::string& type)
{
    return type != "conv";
}

// How the edge changes sparsity: conv and max_filter multiply it by their stride.
bool multiplies_sparsity(const std::string& type)
{
    return type == "conv" || type == "max_filter";
}

// Every count parameter_count() adds up must fit in 64 bits: refuses the first conv edge that overflows.
void check_parameter_counts(const net_graph& graph)
{
    std::int64_t total = 0;
    for (const auto& n : graph.nodes()) total += graph.node_parameter_count(n.index);  // < 2^31 each
    for (const auto& e : graph.edges()) {
        if (e.type() != "conv") continue;
        const edge_spec& s = *e.spec;
        const int from = graph.nodes()[e.from].maps(), to = graph.nodes()[e.to].maps();
        std::int64_t count = std::int64_t(from) * to;  // < 2^62
        const std::optional<std::int64_t> taps = checked_volume(s.size);
        if (!taps || __builtin_mul_overflow(count, *taps, &count) || __builtin_add_overflow(total, count, &total)) {
            const auto size_line = s.property_lines.find("size");
            throw input_error(graph.spec().path, size_line != s.property_lines.end() ? size_line->second : s.line,
                              "edges " + s.name + ": " + std::to_string(from) + "x" + std::to_string(to) +
                                  " filters of " + s.size.dims() +
                                  " are more parameters than 64-bit arithmetic can count");
        }
    }
}

}  // namespace

net_graph::net_graph(net_spec spec) : spec_(std::move(spec))
{
    nodes_.resize(spec_.nodes.size());
    for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
        nodes_[i].index = static_cast<int>(i);
        nodes_[i].spec = &spec_.nodes[i];
        node_index_.emplace(spec_.nodes[i].name, static_cast<int>(i));
    }
    edges_.resize(spec_.edges.size());
    for (std::size_t i = 0; i < spec_.edges.size(); ++i) {
        edges_[i].index = static_cast<int>(i);
        edges_[i].spec = &spec_.edges[i];
        edge_index_.emplace(spec_.edges[i].name, static_cast<int>(i));
    }
    if (nodes_.empty()) fail(0, "the network has no nodes");
    link_edges();
    order_nodes();
    assign_sparsity();
    check_parameter_counts(*this);
    sizes_for_output(vec3::one());  // rejects branches whose sizes can never agree
}

void net_graph::fail(int line, const std::string& message) const
{
    throw input_error(spec_.path, line, message);
}

int net_graph::edge_line(const edge_spec& e, const std::string& key) const
{
    auto it = e.property_lines.find(key);
    return it != e.property_lines.end() ? it->second : e.line;
}

int net_graph::find_node(const std::string& name) const
{
    auto it = node_index_.find(name);
    return it == node_index_.end() ? -1 : it->second;
}

int net_graph::find_edge(const std::string& name) const
{
    auto it = edge_index_.find(name);
    return it == edge_index_.end() ? -1 : it->second;
}

void net_graph::link_edges()
{
    for (auto& e : edges_) {
        const edge_spec& s = *e.spec;
        e.from = find_node(s.input);
        if (e.from < 0) fail(edge_line(s, "input"), "edges " + s.name + ": input node '" + s.input + "' is not defined");
        e.to = find_node(s.output);
        if (e.to < 0) fail(edge_line(s, "output"), "edges " + s.name + ": output node '" + s.output + "' is not defined");
        if (e.from == e.to) fail(s.line, "edges " + s.name + " connects node '" + s.input + "' to itself");

        const graph_node& from = nodes_[e.from];
        const graph_node& to = nodes_[e.to];
        if (to.spec->type == "input")
            fail(edge_line(s, "output"), "edges " + s.name + " leads into input node '" + to.name() + "'");
        if (one_to_one(s.type) && from.maps() != to.maps())
            fail(s.line, "edges " + s.name + " (" + s.type + ") maps each input map to one output map, but node '" +
                             from.name() + "' has " + std::to_string(from.maps()) + " maps and node '" + to.name() +
                             "' has " + std::to_string(to.maps()));
        if ((s.type == "maxout") != (to.spec->type == "maxout"))
            fail(s.line, "edges " + s.name + ": maxout edges must lead into maxout nodes, and only they may");
        nodes_[e.from].out_edges.push_back(e.index);
        nodes_[e.to].in_edges.push_back(e.index);
    }
    for (const auto& n : nodes_) {
        if (n.spec->type == "input") {
            inputs_.push_back(n.index);
        } else if (n.in_edges.empty()) {
            fail(n.spec->line, "nodes " + n.name() + " (" + n.spec->type + ") has no incoming edge");
        }
        if (n.out_edges.empty()) outputs_.push_back(n.index);
    }
    if (inputs_.empty()) fail(0, "the network has no node of type input");
    for (int o : outputs_)
        if (nodes_[o].spec->type == "input")
            fail(nodes_[o].spec->line, "input node '" + nodes_[o].name() + "' is not read by any edge");
}

void net_graph::order_nodes()
{
    // Kahn's algorithm; a min-heap keeps file order among ready nodes so the order is reproducible.
    std::vector<int> pending(nodes_.size());
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (const auto& n : nodes_) {
        pending[n.index] = static_cast<int>(n.in_edges.size());
        if (pending[n.index] == 0) ready.push(n.index);
    }
    while (!ready.empty()) {
        int n = ready.top();
        ready.pop();
        order_.push_back(n);
        for (int e : nodes_[n].out_edges)
            if (--pending[edges_[e].to] == 0) ready.push(edges_[e].to);
    }
    if (order_.size() != nodes_.size()) {
        for (const auto& n : nodes_)
            if (pending[n.index] > 0) fail(n.spec->line, "the network has a cycle through node '" + n.name() + "'");
    }
}

void net_graph::assign_sparsity()
{
    std::vector<bool> known(nodes_.size(), false);
    for (int n : order_) {
        graph_node& node = nodes_[n];
        if (node.spec->type == "input") {
            node.sparsity = vec3::one();
            known[n] = true;
        }
        for (int ei : node.in_edges) {
            const graph_edge& e = edges_[ei];
            const edge_spec& s = *e.spec;
            vec3 from = nodes_[e.from].sparsity;
            if (s.type == "max_pool")
                for (int a = 0; a < 3; ++a)
                    if (s.size[a] > 1 && from[a] > 1)
                        fail(s.line, "edges " + s.name + ": max_pool needs a dense input, but node '" +
                                         nodes_[e.from].name() + "' has sparsity " + from.dims() +
                                         " (use max_filter for dense output)");
            const std::optional<vec3> product = multiplies_sparsity(s.type) ? checked_product(from, s.stride) : from;
            if (!product)
                fail(edge_line(s, "stride"), "edges " + s.name + ": the sparsity of node '" + node.name() + "' (" +
                                                 from.dims() + " times stride " + s.stride.dims() +
                                                 ") overflows 64-bit arithmetic");
            const vec3 s_to = *product;
            if (!known[n]) {
                node.sparsity = s_to;
                known[n] = true;
            } else if (node.sparsity != s_to) {
                fail(s.line, "edges " + s.name + " gives node '" + node.name() + "' sparsity " + s_to.dims() +
                                 " but another edge into it gives " + node.sparsity.dims());
            }
        }
        if (node.spec->dense) node.sparsity = vec3::one();
    }
}

std::vector<vec3> net_graph::sizes_for_output(vec3 outsz) const
{
    if (!outsz.all_positive()) throw input_error("output size " + outsz.str() + " must be positive on every axis");
    if (!checked_volume(outsz)) throw input_error("output size " + outsz.str() + " is beyond 64-bit arithmetic");
    std::vector<vec3> size(nodes_.size(), vec3{0, 0, 0});
    std::vector<int> decided_by(nodes_.size(), -1);  // edge that fixed the size, for messages
    for (int o : outputs_) size[o] = outsz;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
        const graph_node& node = nodes_[*it];
        for (int ei : node.out_edges) {
            const edge_spec& s = *edges_[ei].spec;
            const vec3 out = size[edges_[ei].to];
            std::optional<vec3> needed = out;
            if (s.type == "conv" || s.type == "max_filter") {
                const std::optional<vec3> reach = checked_product(s.size - 1, node.sparsity);
                needed = reach ? checked_sum(out, *reach) : std::nullopt;
            } else if (s.type == "max_pool") {
                needed = checked_product(out, s.size);
            } else if (s.type == "crop") {
                const std::optional<vec3> both_sides = checked_product(s.offset, vec3{2, 2, 2});
                needed = both_sides ? checked_sum(out, *both_sides) : std::nullopt;
            }
            if (!needed || !checked_volume(*needed))
                fail(s.line, "edges " + s.name + ": for an output of " + outsz.dims() + ", node '" + node.name() +
                                 "' would need a size beyond 64-bit arithmetic (from size " + out.dims() + " of node '" +
                                 nodes_[edges_[ei].to].name() + "')");
            const vec3 in = *needed;
            if (decided_by[node.index] < 0) {
                size[node.index] = in;
                decided_by[node.index] = ei;
            } else if (size[node.index] != in) {
                fail(s.line, "edges " + s.name + " needs node '" + node.name() + "' of size " + in.dims() +
                                 " but edges " + edges_[decided_by[node.index]].name() + " needs " +
                                 size[node.index].dims() + " (branches that meet must agree)");
            }
        }
    }
    // A max_pool's output must come from whole windows: its input is out*size by construction, but the
    // node it feeds may be read by other edges at a size that is not a multiple; that was caught above.
    return size;
}

vec3 net_graph::input_size_for_output(vec3 outsz) const
{
    return sizes_for_output(outsz)[inputs_.front()];
}

vec3 net_graph::field_of_view() const
{
    return input_size_for_output(vec3::one());
}

std::int64_t net_graph::edge_parameter_count(int edge) const
{
    const graph_edge& e = edges_[edge];
    if (e.type() != "conv") return 0;
    return static_cast<std::int64_t>(nodes_[e.from].maps()) * nodes_[e.to].maps() * e.spec->size.volume();
}

std::int64_t net_graph::node_parameter_count(int node) const
{
    const graph_node& n = nodes_[node];
    return n.spec->type == "transfer" ? n.maps() : 0;
}

std::int64_t net_graph::parameter_count() const
{
    std::int64_t total = 0;
    for (const auto& e : edges_) total += edge_parameter_count(e.index);
    for (const auto& n : nodes_) total += node_parameter_count(n.index);
    return total;
}

}  // namespace znn
