#include "suggest.hpp"

#include "spec_text.hpp"

#include <algorithm>

namespace znn {

int edit_distance(std::string_view a_in, std::string_view b_in)
{
    const std::string a = spec_text::lower(a_in), b = spec_text::lower(b_in);
    const std::size_t n = a.size(), m = b.size();
    // d[i][j]: distance between the first i letters of a and the first j letters of b.
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates)
{
    const int limit = word.size() <= 4 ? 1 : (word.size() <= 8 ? 2 : 3);
    std::optional<std::string> best;
    int best_distance = limit + 1;
    for (const auto& candidate : candidates) {
        // The distance is at least the difference in length: skip the (n*m) table when that already
        // exceeds the limit, so a word of a million letters costs nothing.
        const std::size_t shorter = std::min(word.size(), candidate.size());
        if (std::max(word.size(), candidate.size()) - shorter > static_cast<std::size_t>(limit)) continue;
        const int distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates)
{
    auto match = closest_match(word, candidates);
    return match ? " (did you mean '" + *match + "'?)" : "";
}

}  // namespace znn

namespace znn {

std::string suggestion_or_choices(std::string_view word, const std::vector<std::string>& choices)
{
    std::string hint = did_you_mean(word, choices);
    return hint.empty() ? " (expected " + spec_text::one_of(choices) + ")" : hint;
}

}  // namespace znn
