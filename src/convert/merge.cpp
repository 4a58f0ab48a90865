// `znn convert merge`: find how many blocks the forward pass was split into, then merge them.
#include "znn/convert.hpp"

#include "znn/error.hpp"

#include <cctype>
#include <filesystem>
#include <map>
#include <set>

namespace znn {

namespace {

namespace fs = std::filesystem;

// Reads a run of decimal digits at `pos`; false when there is none (or it overflows int).
bool read_number(const std::string& text, std::size_t& pos, int& value)
{
    const std::size_t start = pos;
    long long v = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        v = v * 10 + (text[pos] - '0');
        if (v > 1'000'000'000) return false;
        ++pos;
    }
    value = static_cast<int>(v);
    return pos > start;
}

bool read_word(const std::string& text, std::size_t& pos, const std::string& word)
{
    if (text.compare(pos, word.size(), word) != 0) return false;
    pos += word.size();
    return true;
}

struct block_name {
    int sample = 0, block = 0, blocks = 0;
};

// "<prefix>_sample<S>_block<K>of<N>.h5" -> S, K, N (forward_block_path's pattern).
bool parse_block_name(const std::string& name, const std::string& prefix, block_name& b)
{
    std::size_t pos = 0;
    return read_word(name, pos, prefix + "_sample") && read_number(name, pos, b.sample) &&
           read_word(name, pos, "_block") && read_number(name, pos, b.block) && read_word(name, pos, "of") &&
           read_number(name, pos, b.blocks) && read_word(name, pos, ".h5") && pos == name.size() && b.blocks > 0 &&
           b.block < b.blocks;
}

}  // namespace

int detect_block_count(const config& cfg)
{
    if (cfg.output_prefix.empty()) throw input_error(cfg.path, 0, "output_prefix is not set: name where the outputs go");
    if (cfg.forward_range.empty()) throw input_error(cfg.path, 0, "forward_range is empty: name the samples to merge");
    const fs::path prefix(cfg.output_prefix);
    const fs::path folder = prefix.parent_path().empty() ? fs::path(".") : prefix.parent_path();
    const std::string name_prefix = prefix.filename().string();
    const std::set<int> samples(cfg.forward_range.begin(), cfg.forward_range.end());

    std::map<int, std::set<int>> counts;  // N -> samples with blocks "of N"
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        block_name b;
        if (parse_block_name(it->path().filename().string(), name_prefix, b) && samples.count(b.sample))
            counts[b.blocks].insert(b.sample);
    }
    const std::string pattern = cfg.output_prefix + "_sample<S>_block<K>of<N>.h5";
    if (counts.empty())
        throw input_error(cfg.path, 0, "no block files " + pattern + " for forward_range " +
                                           format_range(cfg.forward_range) +
                                           " (run `znn forward --block K/N` first, or check output_prefix)");
    if (counts.size() > 1) {
        std::string found;
        for (const auto& [n, with] : counts)
            found += (found.empty() ? "" : "; ") + std::string("of") + std::to_string(n) + " for sample(s) " +
                     format_range(std::vector<int>(with.begin(), with.end()));
        throw input_error(cfg.path, 0, "block files " + pattern + " of different splits: " + found +
                                           " (remove the stale ones)");
    }
    return counts.begin()->first;
}

forward_result merge_forward_blocks(const config& cfg, std::ostream* progress)
{
    return merge_blocks(cfg, detect_block_count(cfg), progress);
}

}  // namespace znn
