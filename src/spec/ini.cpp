#include "znn/ini.hpp"

#include "spec_text.hpp"
#include "znn/error.hpp"

#include <boost/property_tree/ptree.hpp>

#include <cctype>
#include <istream>
#include <sstream>
#include <unordered_map>

namespace znn {

using spec_text::lower;
using spec_text::trim;

const ini_entry* ini_section::find(std::string_view key) const
{
    const std::string wanted = lower(key);
    for (const auto& entry : entries)
        if (entry.key == wanted) return &entry;
    return nullptr;
}

const ini_section* ini_file::find(std::string_view section) const
{
    for (const auto& s : sections)
        if (s.name == section) return &s;
    return nullptr;
}

boost::property_tree::ptree ini_file::to_ptree() const
{
    using boost::property_tree::ptree;
    ptree tree;
    for (const auto& section : sections) {
        ptree child;
        // push_back, not put: a key holding '.' must not become a nested path.
        for (const auto& entry : section.entries) child.push_back({entry.key, ptree(entry.value)});
        tree.push_back({section.name, child});
    }
    return tree;
}

namespace {

bool starts_with_space(std::string_view line)
{
    return !line.empty() && std::isspace(static_cast<unsigned char>(line.front()));
}

// Python 2's ConfigParser drops an inline comment that starts with ';' after whitespace
// ("eta = 0.01 ; fast"); old cfg files may rely on it. '#' is not an inline comment there.
std::string_view strip_inline_comment(std::string_view value)
{
    const auto pos = value.find(';');
    if (pos != std::string_view::npos && pos > 0 && std::isspace(static_cast<unsigned char>(value[pos - 1])))
        return trim(value.substr(0, pos));
    return value;
}

class ini_reader {
public:
    explicit ini_reader(const std::string& path) { file_.path = path; }

    void read_line(std::string_view line, int number)
    {
        const std::string_view stripped = trim(line);
        if (stripped.empty() || stripped.front() == '#' || stripped.front() == ';') return;
        if (file_.sections.empty() && line.front() != '[')
            fail(number, "'" + std::string(stripped) + "' comes before any [section] header");
        if (starts_with_space(line)) return continue_value(stripped, number);
        if (line.front() == '[') return start_section(line, number);
        add_entry(line, number);
    }

    ini_file finish()
    {
        for (auto& section : file_.sections)
            for (auto& entry : section.entries) entry.value = std::string(trim(entry.value));
        return std::move(file_);
    }

private:
    [[noreturn]] void fail(int line, const std::string& message) const { throw input_error(file_.path, line, message); }

    void continue_value(std::string_view stripped, int number)
    {
        auto& entries = file_.sections.back().entries;
        if (entries.empty())
            fail(number, "indented line '" + std::string(stripped) + "' does not continue a key (keys start in the first column)");
        entries.back().value += '\n';
        entries.back().value += stripped;
    }

    void start_section(std::string_view line, int number)
    {
        const auto close = line.find(']');
        if (close == std::string_view::npos)
            fail(number, "section header '" + std::string(trim(line)) + "' lacks its closing ']'");
        const std::string name(trim(line.substr(1, close - 1)));
        if (name.empty()) fail(number, "empty section name '[]'");
        const std::string_view rest = trim(line.substr(close + 1));
        if (!rest.empty() && rest.front() != '#' && rest.front() != ';')
            fail(number, "unexpected '" + std::string(rest) + "' after section header [" + name + "]");
        // Maps, not ini_file::find: a linear search per header or key is quadratic in large files.
        if (const auto first = section_lines_.find(name); first != section_lines_.end())
            fail(number, "duplicate section [" + name + "] (first on line " + std::to_string(first->second) + ")");
        section_lines_.emplace(name, number);
        key_lines_.clear();  // keys come only under the newest section: a repeated section is an error
        file_.sections.push_back({name, number, {}});
    }

    void add_entry(std::string_view line, int number)
    {
        // As ConfigParser: the key ends at the first '=' or ':'.
        const auto separator = line.find_first_of("=:");
        if (separator == std::string_view::npos)
            fail(number, "expected 'key = value' or 'key: value', got '" + std::string(trim(line)) + "'");
        const std::string key = lower(trim(line.substr(0, separator)));
        if (key.empty()) fail(number, "missing key before '" + std::string(1, line[separator]) + "'");
        std::string value(strip_inline_comment(trim(line.substr(separator + 1))));
        if (value == "\"\"") value.clear();  // ConfigParser reads `key = ""` as empty
        ini_section& section = file_.sections.back();
        if (const auto first = key_lines_.find(key); first != key_lines_.end())
            fail(number, "duplicate key '" + key + "' in [" + section.name + "] (first on line " +
                             std::to_string(first->second) + ")");
        key_lines_.emplace(key, number);
        section.entries.push_back({key, value, number});
    }

    ini_file file_;
    std::unordered_map<std::string, int> section_lines_;  // name -> line of its header
    std::unordered_map<std::string, int> key_lines_;      // keys of the newest section -> line
};

}  // namespace

ini_file parse_ini(std::istream& in, const std::string& path)
{
    ini_reader reader(path);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
        if (!line.empty() && line.back() == '\r') line.pop_back();
        reader.read_line(line, number);
    }
    return reader.finish();
}

ini_file load_ini(const std::string& path)
{
    std::istringstream in(spec_text::read_file(path));
    return parse_ini(in, path);
}

}  // namespace znn
