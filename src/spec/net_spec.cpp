// Reads a .znn file into blocks (`nodes NAME` / `edges NAME` followed by `key value` lines) and hands
// each finished block to net_block_check.cpp. Node and edge names share one namespace: a network
// file stores one HDF5 group per name, so a node and an edge of the same name would collide there.
#include "znn/net_spec.hpp"

#include "net_block.hpp"
#include "spec_text.hpp"
#include "znn/error.hpp"

#include <istream>
#include <map>
#include <optional>
#include <sstream>

namespace znn {

const node_spec* net_spec::find_node(const std::string& name) const
{
    for (const auto& n : nodes)
        if (n.name == name) return &n;
    return nullptr;
}

const edge_spec* net_spec::find_edge(const std::string& name) const
{
    for (const auto& e : edges)
        if (e.name == name) return &e;
    return nullptr;
}

namespace {

struct declared_name {
    bool is_node = true;
    int line = 0;
};

class net_reader {
public:
    explicit net_reader(net_spec& spec) : spec_(spec) {}

    void read_line(std::string_view line, int number)
    {
        std::vector<std::string> words = spec_text::tokens(line);
        // '#' starts a comment where a word begins with it (znn's addition; the original had none).
        for (std::size_t i = 0; i < words.size(); ++i)
            if (words[i].front() == '#') {
                words.resize(i);
                break;
            }
        if (words.empty()) return;
        if (words[0] == "nodes" || words[0] == "edges") return start_block(words, number);
        add_property(words, number);
    }

    void finish()
    {
        if (!current_) return;
        if (current_->is_node)
            spec_.nodes.push_back(check_node_block(*current_, spec_.path));
        else
            spec_.edges.push_back(check_edge_block(*current_, spec_.path));
        current_.reset();
    }

private:
    [[noreturn]] void fail(int line, const std::string& message) const { throw input_error(spec_.path, line, message); }

    static std::string joined(const std::vector<std::string>& words, std::size_t count)
    {
        std::string out;
        for (std::size_t i = 0; i < count && i < words.size(); ++i) out += (i ? " " : "") + words[i];
        return out;
    }

    void start_block(const std::vector<std::string>& words, int number)
    {
        if (words.size() == 1) fail(number, "'" + words[0] + "' needs a name");
        if (words.size() > 2)
            fail(number, "unexpected '" + words[2] + "' after '" + joined(words, 2) + "' (a name has no spaces)");
        finish();
        const bool is_node = words[0] == "nodes";
        const std::string& name = words[1];
        if (name.find('/') != std::string::npos)
            fail(number, "bad name '" + name + "' in '" + joined(words, 2) + "': names must not contain '/'");
        if (auto it = names_.find(name); it != names_.end()) {
            const std::string first = std::to_string(it->second.line);
            if (it->second.is_node == is_node)
                fail(number, "duplicate " + words[0] + " name '" + name + "' (first defined on line " + first + ")");
            fail(number, "name '" + name + "' is already used by " + (is_node ? "edges " : "nodes ") + name +
                             " on line " + first + " (nodes and edges share one namespace)");
        }
        names_[name] = {is_node, number};
        current_ = raw_block{is_node, name, number, {}};
    }

    void add_property(const std::vector<std::string>& words, int number)
    {
        if (!current_) fail(number, "'" + joined(words, 2) + "' comes before any 'nodes NAME' or 'edges NAME' line");
        const std::string& key = words[0];
        if (words.size() == 1) fail(number, "key '" + key + "' has no value in " + current_->title());
        if (words.size() > 2)
            fail(number, "unexpected '" + words[2] + "' after '" + joined(words, 2) + "' in " + current_->title() +
                             " (a line holds one key and one value)");
        current_->properties.push_back({key, words[1], number});
    }

    net_spec& spec_;
    std::optional<raw_block> current_;
    std::map<std::string, declared_name> names_;
};

}  // namespace

net_spec parse_net_spec_text(const std::string& text, const std::string& path)
{
    net_spec spec;
    spec.path = path;
    spec.text = text;
    net_reader reader(spec);
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
        reader.read_line(line, number);
    }
    reader.finish();
    return spec;
}

net_spec parse_net_spec(std::istream& in, const std::string& path)
{
    std::ostringstream text;
    text << in.rdbuf();
    return parse_net_spec_text(text.str(), path);
}

net_spec load_net_spec(const std::string& path)
{
    return parse_net_spec_text(spec_text::read_file(path), path);
}

}  // namespace znn
