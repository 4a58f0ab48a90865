// "Did you mean ...?" for misspelt keys and values (private to src/spec).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace znn {

// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours
// each cost 1 (so "strdie" is one step from "stride"). Case-insensitive.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo
// (at most 1 edit for words up to 4 letters, 2 up to 8, 3 beyond). Ties go to the earlier candidate.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace znn

namespace znn {

// " (did you mean 'x'?)" when a choice is close, else " (expected a, b or c)".
std::string suggestion_or_choices(std::string_view word, const std::vector<std::string>& choices);

}  // namespace znn
