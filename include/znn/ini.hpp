// A reader for the INI dialect of Python's ConfigParser, which the original ZNN used for .spec and .cfg:
//   [section]            key = value   or   key: value
//   lines indented under a key continue its value (joined with '\n'), '#' and ';' start comments,
//   keys are case-insensitive (stored lower-cased), a repeated section or key is an error.
// Boost.PropertyTree's ini_parser rejects ':' separators and continuation lines, both of which real
// .spec files use, so this reader parses and keeps the line of every key for error messages; callers
// that want a property tree get one from to_ptree().
#pragma once

#include <boost/property_tree/ptree_fwd.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace znn {

struct ini_entry {
    std::string key;    // lower-cased
    std::string value;  // trimmed; continuation lines joined with '\n'
    int line = 0;       // line of the key
};

struct ini_section {
    std::string name;  // as written, e.g. "image1", "parameters"
    int line = 0;
    std::vector<ini_entry> entries;

    const ini_entry* find(std::string_view key) const;  // case-insensitive
};

struct ini_file {
    std::string path;
    std::vector<ini_section> sections;

    const ini_section* find(std::string_view section) const;  // case-sensitive, as ConfigParser
    // section.key -> value, e.g. tree.get<std::string>("parameters.eta").
    boost::property_tree::ptree to_ptree() const;
};

// Throws input_error("path:line: ...") on malformed text.
ini_file parse_ini(std::istream& in, const std::string& path);
// Throws input_error("path: cannot open ...") when the file cannot be read.
ini_file load_ini(const std::string& path);

}  // namespace znn
