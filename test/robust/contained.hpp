// Running reader cases in forked child processes, so that a crash is caught, attributed and reported
// instead of ending the suite.
//
// Why: libhdf5 1.10 (Debian 12's) is not robust against damaged files — e.g. a damaged global heap
// makes H5HG_read copy from a wild pointer, or copy more bytes than the buffer it was given holds (a
// heap overflow that may only show later, as an abort in free() called from anywhere). znn cannot check
// such files before HDF5 parses them, so these tests cannot demand that libhdf5 never crashes. A crash
// of a case that feeds a damaged file to libhdf5 (one_case::through_hdf5), or whose first frame outside
// the C library lies in libhdf5, is reported (WARN) with where it happened and counted; any other crash
// fails the test. The ASan fuzz targets (test/fuzz) attribute crashes exactly. Set ZNN_ROBUST_STRICT=1
// to make every crash fail (for a build against a newer HDF5).
#pragma once

#include "robust_support.hpp"

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <functional>

namespace znn::robust {

// The children's address space (unsanitized builds: sanitizer runtimes reserve terabytes of it): a damaged file that claims a huge stack must fail
// cleanly (runtime_failure "not enough memory") rather than make the test machine swap or the kernel
// kill the test.
inline constexpr rlim_t child_address_space = rlim_t(3) << 30;

struct one_case {
    std::string label;
    std::string input;  // shown (shortened) when the case fails; may be empty
    std::function<void()> action;
    bool through_hdf5 = false;  // the input is an HDF5 file (see above)
};
// Case i of a batch; called in the child to run it and in the parent to report it, so it must give the
// same case for the same i (seed per-case random generators from i).
using case_maker = std::function<one_case(std::size_t)>;

namespace contained_detail {

inline int crash_pipe = -1;  // the child's write end, for the signal handler

// The library holding the frame `pc`, "" when unknown.
inline const char* library_of(void* pc)
{
    Dl_info info{};
    return dladdr(pc, &info) && info.dli_fname ? info.dli_fname : "";
}

inline bool is_c_library(const char* name)
{
    return std::strstr(name, "/libc.so") || std::strstr(name, "/libc-") || std::strstr(name, "/libpthread");
}

// In the child: tells the parent where the crash happened, then dies. backtrace() was called once at
// start-up, so it does not load libgcc here.
inline void on_crash(int signal_number)
{
    void* frames[64];
    const int n = backtrace(frames, 64);
    // frames[0] is this handler, frames[1] the kernel's signal trampoline; the crash is at frames[2].
    const char* where = "";
    for (int i = 2; i < n; ++i) {
        where = library_of(frames[i]);
        if (!is_c_library(where)) break;
    }
    char record[512];
    const int length = std::snprintf(record, sizeof record, "X %d %s\n", signal_number, where);
    if (length > 0) (void)!::write(crash_pipe, record, static_cast<std::size_t>(std::min(length, 511)));
    ::_exit(128 + signal_number);
}

inline void write_all(int fd, const std::string& text)
{
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

// Runs cases from `first` on; per case sends "S <index>\n", then "R <index> <kind> <seconds> <n>\n" and
// n bytes of message for a broken case (kind: the outcome number, or 9 for too slow).
[[noreturn]] inline void child(std::size_t count, const case_maker& make, std::size_t first, int fd, double time_limit)
{
    crash_pipe = fd;
    void* warm[4];
    (void)backtrace(warm, 4);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(s, on_crash);
#ifndef ZNN_ROBUST_SANITIZED
    const rlimit memory{child_address_space, child_address_space};
    ::setrlimit(RLIMIT_AS, &memory);
#endif
    for (std::size_t i = first; i < count; ++i) {
        write_all(fd, "S " + std::to_string(i) + "\n");
        const one_case c = make(i);
        const verdict v = run_case(c.action);
        const bool slow = v.seconds > time_limit;
        if (v.kind == outcome::accepted && !slow) continue;  // the parent counts the silent cases as accepted
        const int kind = slow ? 9 : static_cast<int>(v.kind);
        const std::string message = slow ? "took " + std::to_string(v.seconds) + " s" : v.message;
        write_all(fd, "R " + std::to_string(i) + " " + std::to_string(kind) + " " + std::to_string(message.size()) + "\n" +
                          message);
    }
    ::_exit(0);
}

}  // namespace contained_detail

// The outcome of a batch of contained cases (failures are reported through Catch2 as they are found).
struct contained_summary {
    std::size_t cases = 0, accepted = 0, rejected = 0, broken = 0;
    std::vector<std::string> hdf5_crashes;  // labels of HDF5 cases that crashed
    std::size_t rejected_or_crashed() const { return rejected + hdf5_crashes.size(); }
};

// ZNN_ROBUST_SAVE=<folder>: the input of every crashed case is written there, to replay it.
inline void save_crashed_input(const one_case& c)
{
    const char* folder = std::getenv("ZNN_ROBUST_SAVE");
    if (!folder || !*folder || c.input.empty()) return;
    std::string name;
    for (char ch : c.label) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    write_bytes(std::string(folder) + "/" + name, c.input);
}

inline bool strict_about_hdf5()
{
    const char* strict = std::getenv("ZNN_ROBUST_STRICT");
    return strict && *strict && std::string(strict) != "0";
}

// Runs every case in forked children (one child for as many cases as run without a crash).
inline contained_summary run_contained(const std::string& reader, std::size_t count, const case_maker& make,
                                       double time_limit = case_time_limit)
{
    contained_summary summary;
    summary.cases = count;
    std::size_t next = 0, rejected_or_broken = 0, crashes = 0;  // accepted cases send nothing
    while (next < count) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        std::fflush(nullptr);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            contained_detail::child(count, make, next, fds[1], time_limit);
        }
        ::close(fds[1]);
        std::string stream;
        char buffer[65536];
        for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) stream.append(buffer, static_cast<std::size_t>(n));
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);

        std::size_t last_started = next, at = 0;
        std::string crash_where;
        int crash_signal = 0;
        while (at < stream.size()) {
            const std::size_t end = stream.find('\n', at);
            if (end == std::string::npos) break;
            std::istringstream line(stream.substr(at, end - at));
            at = end + 1;
            char tag = 0;
            line >> tag;
            if (tag == 'S') {
                line >> last_started;
            } else if (tag == 'R') {
                std::size_t index = 0, length = 0;
                int kind = 0;
                line >> index >> kind >> length;
                const std::string message = stream.substr(at, length);
                at += length;
                ++rejected_or_broken;
                const bool clean = kind == int(outcome::input_error) || kind == int(outcome::runtime_failure);
                if (clean) {
                    ++summary.rejected;
                } else {
                    ++summary.broken;
                    const one_case c = make(index);
                    FAIL_CHECK(reader << " on " << c.label << ": "
                                      << (kind == 9 ? message + " (limit " + std::to_string(time_limit) + " s)"
                                                    : "threw " + message)
                                      << "\n  input: " << excerpt(c.input));
                }
            } else if (tag == 'X') {
                line >> crash_signal;
                std::getline(line >> std::ws, crash_where);
            }
        }
        const bool crashed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (!crashed) break;
        ++crashes;
        const one_case c = make(last_started);
        save_crashed_input(c);
        const bool in_hdf5 = c.through_hdf5 || crash_where.find("libhdf5") != std::string::npos;
        if (in_hdf5 && !strict_about_hdf5()) {
            summary.hdf5_crashes.push_back(c.label);
            WARN(reader << " on " << c.label << ": signal " << crash_signal << " in " << crash_where
                        << " while libhdf5 read a damaged file (see contained.hpp)\n  input: " << excerpt(c.input, 120));
        } else {
            ++summary.broken;
            FAIL_CHECK(reader << " on " << c.label << ": crashed (signal " << crash_signal << ", in "
                              << (crash_where.empty() ? std::string("an unknown place") : crash_where)
                              << ", exit status " << status << ")\n  input: " << excerpt(c.input));
        }
        next = last_started + 1;
    }
    summary.accepted = summary.cases - rejected_or_broken - crashes;
    return summary;
}

}  // namespace znn::robust
