#include "spec_text.hpp"

#include "znn/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace znn::spec_text {

namespace {
bool is_space(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}
}  // namespace

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && lower(a) == lower(b);
}

std::vector<std::string> split(std::string_view s, char separator)
{
    std::vector<std::string> pieces;
    std::size_t start = 0;
    while (true) {
        std::size_t end = s.find(separator, start);
        if (end == std::string_view::npos) {
            pieces.emplace_back(s.substr(start));
            return pieces;
        }
        pieces.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
}

std::vector<std::string> tokens(std::string_view s)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) ++i;
        std::size_t start = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

std::optional<long long> parse_integer(std::string_view s)
{
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty() || s.front() == '+') return std::nullopt;
    long long value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

std::optional<double> parse_real(std::string_view s)
{
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty() || s.front() == '+') return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<std::vector<double>> parse_real_list(std::string_view s)
{
    std::vector<double> values;
    for (const auto& piece : split(s, ',')) {
        auto v = parse_real(piece);
        if (!v) return std::nullopt;
        values.push_back(*v);
    }
    return values;
}

std::optional<bool> parse_bool(std::string_view s)
{
    const std::string v = lower(trim(s));
    if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
    if (v == "0" || v == "no" || v == "false" || v == "off") return false;
    return std::nullopt;
}

std::string one_of(const std::vector<std::string>& choices, const char* last_joiner)
{
    std::string out;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) out += (i + 1 == choices.size()) ? last_joiner : ", ";
        out += choices[i];
    }
    return out;
}

std::string format_real(double value)
{
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

std::string read_file(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw input_error(path, 0, "no such file");
    if (fs::is_directory(path, ec)) throw input_error(path, 0, "is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw input_error(path, 0, "cannot open the file for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw input_error(path, 0, "cannot read the file");
    return text.str();
}

}  // namespace znn::spec_text
