// Small text helpers shared by the .znn, .spec and .cfg parsers (private to src/spec).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace znn::spec_text {

std::string_view trim(std::string_view s);
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// Splits on `separator`; keeps empty pieces (callers decide whether they are an error).
std::vector<std::string> split(std::string_view s, char separator);
// Whitespace-separated tokens.
std::vector<std::string> tokens(std::string_view s);

// Strict parsers: the whole text (after trimming) must be the number, else nullopt.
std::optional<long long> parse_integer(std::string_view s);
std::optional<double> parse_real(std::string_view s);  // finite numbers only
// "a,b,c" -> numbers; nullopt when any piece is not a number (or the list is empty).
std::optional<std::vector<double>> parse_real_list(std::string_view s);
// Python ConfigParser's getboolean: 1/yes/true/on and 0/no/false/off, any case.
std::optional<bool> parse_bool(std::string_view s);

// "a, b or c" (for messages listing the allowed values).
std::string one_of(const std::vector<std::string>& choices, const char* last_joiner = " or ");

// Shortest text that reads back as the same double ("0.01", "1e-05").
std::string format_real(double value);

// Reads a whole file; throws input_error(path, 0, ...) when it cannot.
std::string read_file(const std::string& path);

}  // namespace znn::spec_text
