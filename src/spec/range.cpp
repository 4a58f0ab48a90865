// Sample ranges of the .cfg ("1-3,6"), read as the original's parseIntSet did: a set of numbers, so
// order and repeats do not matter and "3-1" is 1,2,3. Unlike the original, a malformed item is an
// error instead of being silently dropped. Empty items ("1,2,") are skipped.
#include "spec_text.hpp"
#include "znn/config.hpp"
#include "znn/error.hpp"

#include <set>
#include <utility>

namespace znn {

std::vector<int> parse_range(const std::string& text, const std::string& file, int line, const std::string& key)
{
    auto bad = [&](const std::string& why) {
        throw input_error(file, line, "bad value '" + text + "' for '" + key + "': " + why);
    };
    constexpr long long largest = 1000000;  // sample numbers; keeps "1-999999999" from eating memory
    std::set<int> numbers;
    for (const auto& piece : spec_text::split(text, ',')) {
        const std::string_view item = spec_text::trim(piece);
        if (item.empty()) continue;
        const auto dash = item.find('-', 1);
        auto first = spec_text::parse_integer(item.substr(0, dash));
        auto last = dash == std::string_view::npos ? first : spec_text::parse_integer(item.substr(dash + 1));
        if (!first || !last || *first <= 0 || *last <= 0)
            bad("expected positive sample numbers and ranges such as 1-3,6");
        if (*first > *last) std::swap(first, last);
        if (*last > largest) bad("sample numbers above " + std::to_string(largest) + " are not supported");
        for (long long n = *first; n <= *last; ++n) numbers.insert(static_cast<int>(n));
    }
    return {numbers.begin(), numbers.end()};
}

std::string format_range(const std::vector<int>& numbers)
{
    const std::set<int> sorted(numbers.begin(), numbers.end());
    std::string out;
    for (auto it = sorted.begin(); it != sorted.end();) {
        const int first = *it;
        int last = first;
        while (++it != sorted.end() && *it == last + 1) ++last;
        if (!out.empty()) out += ',';
        out += std::to_string(first);
        if (last > first) {
            out += last == first + 1 ? ',' : '-';
            out += std::to_string(last);
        }
    }
    return out;
}

}  // namespace znn
