// network_text: the .znn of a network file, rebuilt from its groups when the file does not carry it
// (files written by the original ZNN), plus the record look-ups.
#include "znn/net_file.hpp"

#include "layout.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <set>

namespace znn {

const std::string* layer_record::find_string(const std::string& key) const
{
    for (const auto& [k, v] : strings)
        if (k == key) return &v;
    return nullptr;
}

const layer_record* net_file::find(const std::string& name) const
{
    for (const layer_record& layer : layers)
        if (layer.name == name) return &layer;
    return nullptr;
}

namespace {

using namespace netfile_detail;

// "conv2" before "conv10": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b)
{
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
        const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
        if (da && db) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
            while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
            const std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
            const std::size_t za = na.find_first_not_of('0'), zb = nb.find_first_not_of('0');
            const std::string ta = za == std::string::npos ? "" : na.substr(za);
            const std::string tb = zb == std::string::npos ? "" : nb.substr(zb);
            if (ta.size() != tb.size()) return ta.size() < tb.size();
            if (ta != tb) return ta < tb;
            i = ie;
            j = je;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j || (a.size() - i == b.size() - j && a < b);
}

// .znn values hold no white space (the parser takes the first two tokens of a line).
std::string without_spaces(const std::string& value)
{
    std::string out;
    for (char c : value)
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    return out;
}

// Keys first in this order (when present), then the others as stored.
const std::vector<std::string> node_key_order{"type", "size", "function", "function_args", "init", "init_args"};
const std::vector<std::string> edge_key_order{"type", "input", "output", "size", "stride", "init", "init_args"};

void append_block(std::string& text, const layer_record& layer)
{
    std::vector<std::pair<std::string, std::string>> lines;
    std::set<std::string> seen;
    auto add = [&](const std::string& key, const std::string& raw) {
        const std::string value = without_spaces(raw);
        if (value.empty() || !seen.insert(key).second) return;
        lines.emplace_back(key, value);
    };
    auto value_of = [&](const std::string& key) -> std::string {
        if (key == size_name) {
            if (layer.is_edge && layer.size.all_positive()) return layer.size.str();
            if (!layer.is_edge && layer.size.x > 0) return std::to_string(layer.size.x);
        }
        if (key == stride_name && layer.is_edge && layer.stride.all_positive()) return layer.stride.str();
        const std::string* value = layer.find_string(key);
        return value ? *value : std::string();
    };

    for (const std::string& key : layer.is_edge ? edge_key_order : node_key_order) add(key, value_of(key));
    for (const auto& [key, value] : layer.strings)
        if (key != layer_name_name && key != group_type_name) add(key, value);

    text += std::string(layer.is_edge ? "edges " : "nodes ") + layer.name + "\n";
    for (const auto& [key, value] : lines) text += key + " " + value + "\n";
}

// Nodes in breadth-first order from the input node(s), each followed by its outgoing edges; a node
// comes once all its incoming edges are out. Whatever the walk misses (cycles, dangling names) follows.
std::vector<const layer_record*> reading_order(const net_file& net)
{
    std::vector<const layer_record*> nodes, edges;
    for (const layer_record& layer : net.layers) (layer.is_edge ? edges : nodes).push_back(&layer);
    auto by_name = [](const layer_record* a, const layer_record* b) { return natural_less(a->name, b->name); };
    std::sort(nodes.begin(), nodes.end(), by_name);
    std::sort(edges.begin(), edges.end(), by_name);

    auto end_of = [](const layer_record* edge, const char* key) {
        const std::string* name = edge->find_string(key);
        return name ? *name : std::string();
    };
    std::map<std::string, const layer_record*> node_named;
    for (const layer_record* node : nodes) node_named[node->name] = node;
    std::map<std::string, int> waiting_inputs;
    std::map<std::string, std::vector<const layer_record*>> outgoing;
    for (const layer_record* edge : edges) {
        const std::string from = end_of(edge, "input"), to = end_of(edge, "output");
        if (node_named.count(from)) outgoing[from].push_back(edge);
        if (node_named.count(from) && node_named.count(to)) ++waiting_inputs[to];
    }

    std::deque<const layer_record*> ready;
    for (const layer_record* node : nodes) {
        const std::string* type = node->find_string("type");
        if (type && *type == "input" && !waiting_inputs[node->name]) ready.push_back(node);
    }
    for (const layer_record* node : nodes) {
        const std::string* type = node->find_string("type");
        if (!(type && *type == "input") && !waiting_inputs[node->name]) ready.push_back(node);
    }

    std::vector<const layer_record*> order;
    std::set<const layer_record*> placed;
    auto place = [&](const layer_record* node) {
        if (!placed.insert(node).second) return;
        order.push_back(node);
        for (const layer_record* edge : outgoing[node->name]) {
            if (!placed.insert(edge).second) continue;
            order.push_back(edge);
            const std::string to = end_of(edge, "output");
            if (node_named.count(to) && --waiting_inputs[to] == 0) ready.push_back(node_named[to]);
        }
    };
    while (!ready.empty()) {
        const layer_record* node = ready.front();
        ready.pop_front();
        place(node);
    }
    for (const layer_record* node : nodes) place(node);
    for (const layer_record* edge : edges)
        if (placed.insert(edge).second) order.push_back(edge);
    return order;
}

}  // namespace

std::string network_text(const net_file& net)
{
    if (!net.znn_text.empty()) return net.znn_text;
    std::string text;
    for (const layer_record* layer : reading_order(net)) {
        if (!text.empty()) text += "\n";
        append_block(text, *layer);
    }
    return text;
}

}  // namespace znn
