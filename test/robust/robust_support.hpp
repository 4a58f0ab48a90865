// Shared by the robustness suite: running one input through a reader and judging how it ended, a
// scratch folder, the files of the shipped test data, and byte-level mutations from a fixed seed.
//
// The rule every case must keep: the reader returns, or throws znn::input_error / znn::runtime_failure
// with a non-empty message, within case_time_limit. Anything else (another exception type, an empty
// message, a case that takes too long) fails the test; a crash or a hang ends the test executable.
#pragma once

#include "../common/scratch_folder.hpp"

#include "znn/error.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZNN_ROBUST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ZNN_ROBUST_SANITIZED 1
#endif
#endif

namespace znn::robust {

namespace fs = std::filesystem;

#ifdef ZNN_ROBUST_SANITIZED
// Under a sanitizer every case runs 10-50 times slower: a tenth of the random cases, every 16th prefix
// of a binary file, and a longer time limit keep the suite within its timeout there.
inline constexpr std::size_t sanitizer_divisor = 10, prefix_step = 16;
inline constexpr double case_time_limit = 20.0;  // seconds, for any single case
#else
inline constexpr std::size_t sanitizer_divisor = 1, prefix_step = 1;
inline constexpr double case_time_limit = 2.0;  // seconds, for any single case
#endif

// `n` random cases, fewer under a sanitizer.
constexpr std::size_t scaled(std::size_t n)
{
    return n / sanitizer_divisor;
}

enum class outcome { accepted, input_error, runtime_failure, wrong_exception, unknown_exception, empty_message };

struct verdict {
    outcome kind = outcome::accepted;
    std::string message;  // what(), or the exception's type for wrong_exception
    double seconds = 0;

    bool clean() const
    {
        return kind == outcome::accepted || kind == outcome::input_error || kind == outcome::runtime_failure;
    }
};

// Runs `action` once and classifies how it ended (never lets an exception out).
template <class Action>
verdict run_case(Action&& action)
{
    verdict v;
    const auto start = std::chrono::steady_clock::now();
    try {
        action();
    } catch (const znn::input_error& e) {
        v.kind = outcome::input_error;
        v.message = e.what();
    } catch (const znn::runtime_failure& e) {
        v.kind = outcome::runtime_failure;
        v.message = e.what();
    } catch (const std::exception& e) {
        v.kind = outcome::wrong_exception;
        v.message = std::string(typeid(e).name()) + ": " + e.what();
    } catch (...) {
        v.kind = outcome::unknown_exception;
        v.message = "an exception that is not a std::exception";
    }
    v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if ((v.kind == outcome::input_error || v.kind == outcome::runtime_failure) && v.message.empty())
        v.kind = outcome::empty_message;
    return v;
}

// At most `limit` characters of `bytes`, with control and non-ASCII bytes escaped, for failure reports.
inline std::string excerpt(std::string_view bytes, std::size_t limit = 240)
{
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c >= 32 && c < 127 && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    if (bytes.size() > limit) out += "... (" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

// Counts the cases of one reader and reports each broken rule as a Catch2 failure (a passing case adds
// no assertion, so thousands of cases stay cheap).
class case_log {
public:
    explicit case_log(std::string reader, double time_limit = case_time_limit)
        : reader_(std::move(reader)), time_limit_(time_limit)
    {
    }

    // `label` says which input this is; `input` (optional) is shown, shortened, when the case fails.
    template <class Action>
    verdict run(const std::string& label, std::string_view input, Action&& action)
    {
        const verdict v = run_case(std::forward<Action>(action));
        ++cases_;
        if (v.kind == outcome::accepted) ++accepted_;
        if (!v.clean() || v.seconds > time_limit_) {
            ++broken_;
            std::ostringstream report;
            report << reader_ << " on " << label << ": ";
            if (!v.clean())
                report << (v.kind == outcome::empty_message ? "an input_error/runtime_failure with an empty message"
                                                            : "threw " + v.message);
            else
                report << "took " << v.seconds << " s (limit " << time_limit_ << " s)";
            if (!input.empty()) report << "\n  input: " << excerpt(input);
            FAIL_CHECK(report.str());
        }
        return v;
    }
    template <class Action>
    verdict run(const std::string& label, Action&& action)
    {
        return run(label, std::string_view(), std::forward<Action>(action));
    }

    std::size_t cases() const { return cases_; }
    std::size_t accepted() const { return accepted_; }
    std::size_t rejected() const { return cases_ - accepted_ - broken_; }
    std::size_t broken() const { return broken_; }

private:
    std::string reader_;
    double time_limit_;
    std::size_t cases_ = 0, accepted_ = 0, broken_ = 0;
};

using znn::testing::scratch_folder;  // test/common/scratch_folder.hpp

inline std::string read_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("test setup: cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline void write_bytes(const std::string& path, std::string_view bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("test setup: cannot write " + path);
}

// $ZNN_SOURCE_ROOT/test/data/spec/good/<relative> (set by meson test).
inline std::string good_file(const std::string& relative)
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    if (!root) throw std::runtime_error("ZNN_SOURCE_ROOT is not set (run through `meson test`)");
    return std::string(root) + "/test/data/spec/good/" + relative;
}

// Random edits of a byte string, reproducible from the seed. Text mode favours the characters and
// words the parsers give meaning to; binary mode favours the integers that break size arithmetic.
class mutator {
public:
    explicit mutator(std::uint64_t seed) : random_(seed) {}

    std::string mutate_text(std::string s)
    {
        static const std::vector<std::string> words{
            "\n", "\r\n", "\r", " ", "\t", "\n\t", "#", ";", "[", "]", "=", ":", ",", "-", "/", "\"\"", std::string(1, '\0'),
            "\xEF\xBB\xBF", "\xff\xfe", "nodes ", "edges ", "type ", "size ", "input ", "output ", "0", "-1", "1e308",
            "1e-320", "nan", "inf", "-0", "99999999999999999999", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "2147483648", "4294967296", "1,1,1", "0,0,0", "1-1000000", "1000000-1", "[sample1]",
            "[parameters]", "[image1]\nfnames = a.tif\n", "fnames = ", ".h5:", std::string(300, 'a'), "\xc3\xa9"};
        const int edits = 1 + static_cast<int>(pick(4));
        for (int k = 0; k < edits; ++k) {
            switch (pick(7)) {
            case 0: if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256)); break;
            case 1: s.insert(pick(s.size() + 1), words[pick(words.size())]); break;
            case 2: erase_range(s); break;
            case 3: duplicate_range(s); break;
            case 4: swap_lines(s); break;
            case 5: if (!s.empty()) s.resize(pick(s.size())); break;
            default: if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8)); break;
            }
        }
        return s;
    }

    std::string mutate_binary(std::string s)
    {
        static const std::uint64_t numbers[] = {0,          1,          2,          0x7F,       0x80,       0xFF,
                                                0x7FFF,     0x8000,     0xFFFF,     0x10000,    0x7FFFFFFF, 0x80000000,
                                                0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF};
        const int edits = 1 + static_cast<int>(pick(4));
        for (int k = 0; k < edits && !s.empty(); ++k) {
            switch (pick(5)) {
            case 0: s[pick(s.size())] ^= static_cast<char>(1u << pick(8)); break;
            case 1: s[pick(s.size())] = static_cast<char>(pick(256)); break;
            case 2: {  // an integer of 1, 2, 4 or 8 bytes, either byte order
                const std::size_t width = std::size_t(1) << pick(4);
                const std::uint64_t value = numbers[pick(std::size(numbers))];
                const bool big_endian = pick(2) == 1;
                const std::size_t at = pick(s.size());
                for (std::size_t b = 0; b < width && at + b < s.size(); ++b) {
                    const std::size_t shift = 8 * (big_endian ? width - 1 - b : b);
                    s[at + b] = static_cast<char>((value >> shift) & 0xFF);
                }
                break;
            }
            case 3: erase_range(s); break;
            default: duplicate_range(s); break;
            }
        }
        return s;
    }

    // n bytes of noise.
    std::string garbage(std::size_t n)
    {
        std::string s(n, '\0');
        for (char& c : s) c = static_cast<char>(pick(256));
        return s;
    }

    std::size_t pick(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(random_() % n); }

private:
    void erase_range(std::string& s)
    {
        if (s.empty()) return;
        const std::size_t at = pick(s.size());
        s.erase(at, 1 + pick(std::min<std::size_t>(64, s.size() - at)));
    }
    void duplicate_range(std::string& s)
    {
        if (s.empty()) return;
        const std::size_t at = pick(s.size());
        const std::string piece = s.substr(at, 1 + pick(64));
        s.insert(pick(s.size() + 1), piece);
    }
    void swap_lines(std::string& s)
    {
        std::vector<std::string> lines;
        std::istringstream in(s);
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        if (lines.size() < 2) return;
        std::swap(lines[pick(lines.size())], lines[pick(lines.size())]);
        s.clear();
        for (const auto& line : lines) s += line + "\n";
    }

    std::mt19937_64 random_;
};

}  // namespace znn::robust
