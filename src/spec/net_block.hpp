// One `nodes NAME` / `edges NAME` block of a .znn file as read, before its properties are checked
// (private to src/spec: net_spec.cpp reads blocks, net_block_check.cpp checks them).
#pragma once

#include "znn/net_spec.hpp"

#include <string>
#include <vector>

namespace znn {

struct raw_property {
    std::string key, value;
    int line = 0;
};

struct raw_block {
    bool is_node = true;
    std::string name;
    int line = 0;
    std::vector<raw_property> properties;  // file order; a repeated key is reported by the check

    std::string title() const { return (is_node ? "nodes " : "edges ") + name; }  // "nodes nl1"
    const raw_property* find(const std::string& key) const;  // the first with this key
};

// Check every key and value of a block and fill in the defaults; throw input_error(path, line, ...).
node_spec check_node_block(const raw_block& block, const std::string& path);
edge_spec check_edge_block(const raw_block& block, const std::string& path);

}  // namespace znn
