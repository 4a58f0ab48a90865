// Running reader cases in forked child processes, so that a crash is caught, attributed and reported
// instead of ending the suite.
//
// Why: libhdf5 1.10 (Debian 12's) is not robust against damaged files — e.g. a damaged global heap
// makes H5HG_read copy from a wild pointer, or copy more bytes than the buffer it was given holds. znn
// therefore reads HDF5 files that may be damaged in a child process of its own (src/core/isolated_call.hpp:
// load_net_file reads there, the stack readers open the dataset there first), and turns a crash into an
// input_error naming the file. The rule here is that the code under test never crashes:
//
//   - Fast pass: the cases of a batch run with ZNN_HDF5_IN_PROCESS=1 (one fork per case would make the
//     suite minutes long), which checks znn's own parsing on every input.
//   - A case that crashes there with libhdf5 involved (one_case::through_hdf5, or the first frame outside
//     the C library lies in libhdf5) is run again the default way, with the variable unset: it must end
//     cleanly (for a crash: an input_error "<file>: the HDF5 library crashed reading this file ..."). It
//     is counted in contained_summary::contained. Any other crash, or a crash of the re-run, fails.
//   - Whether both ways agree on inputs that do not crash is checked on samples
//     (test_isolated_reads.cpp).
//   - A child that stops answering (fast_pass_silence, default_way_silence) is killed: the case it was
//     on fails naming its input, or with libhdf5 involved is re-run the default way as for a crash.
//
// Set ZNN_HDF5_IN_PROCESS=1 for the whole suite (a build against a newer HDF5, a debugger) and the old
// tolerance applies instead: an HDF5 crash is reported (WARN) and counted in hdf5_crashes, not re-run.
// The ASan fuzz targets (test/fuzz) attribute crashes exactly.
#pragma once

#include "robust_support.hpp"

#include "../../src/core/isolated_call.hpp"

#include <dlfcn.h>
#include <execinfo.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
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

// The time a case may take: time_limit, except for a read the default way that libhdf5 looped on until
// the child's CPU limit (isolation::hdf5_cpu_seconds of the file): that limit, twice over for a busy
// machine (it counts CPU time, not wall-clock time), and 5 s for the fork and the reporting.
inline double allowed_seconds(const one_case& c, const verdict& v, double time_limit, bool in_process)
{
    const bool cpu_limited = !in_process && c.through_hdf5 && v.kind == outcome::input_error &&
                             v.message.find(" s of CPU time") != std::string::npos;
    if (!cpu_limited) return time_limit;
    return std::max(time_limit, 2.0 * znn::isolation::hdf5_cpu_seconds(c.input.size()) + 5.0);
}

// Runs cases from `first` on; per case sends "S <index>\n", then "R <index> <kind> <seconds> <n>\n" and
// n bytes of message for a broken case (kind: the outcome number, or 9 for too slow).
// `in_process`: HDF5 read in this process (ZNN_HDF5_IN_PROCESS=1) or the default way (variable unset).
[[noreturn]] inline void child(std::size_t count, const case_maker& make, std::size_t first, int fd, double time_limit,
                               bool in_process)
{
    crash_pipe = fd;
    if (in_process)
        ::setenv("ZNN_HDF5_IN_PROCESS", "1", 1);
    else
        ::unsetenv("ZNN_HDF5_IN_PROCESS");
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
        const bool slow = v.seconds > allowed_seconds(c, v, time_limit, in_process);
        if (v.kind == outcome::accepted && !slow) continue;  // the parent counts the silent cases as accepted
        const int kind = slow ? 9 : static_cast<int>(v.kind);
        const std::string message = slow ? "took " + std::to_string(v.seconds) + " s" : v.message;
        write_all(fd, "R " + std::to_string(i) + " " + std::to_string(kind) + " " + std::to_string(message.size()) + "\n" +
                          message);
    }
    ::_exit(0);
}

// One child's run over cases [first, count): what it sent and how it ended.
struct child_run {
    std::string stream;
    int status = 0;
    bool hung = false;  // silent for longer than the watchdog allowed, and killed
    bool crashed() const { return !(WIFEXITED(status) && WEXITSTATUS(status) == 0); }
};

// How long a child may stay silent (each case starts with a record) before the parent kills it: a case
// that hangs (a read that loops for ever in-process, a lock left held across the fork) then fails
// naming its input instead of running into the test runner's timeout. The default way of reading HDF5
// gives a looping read 10 s of CPU time and more for a bigger file (isolation::hdf5_cpu_seconds) before
// it ends cleanly: its re-run gets more.
inline constexpr double fast_pass_silence = 60.0, default_way_silence = 200.0;  // seconds

inline child_run spawn(std::size_t count, const case_maker& make, std::size_t first, double time_limit, bool in_process)
{
    child_run run;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        child(count, make, first, fds[1], time_limit, in_process);
    }
    ::close(fds[1]);
    char buffer[65536];
    const int silence_ms = static_cast<int>(1000 * (in_process ? fast_pass_silence : default_way_silence));
    for (;;) {
        pollfd ready{fds[0], POLLIN, 0};
        const int polled = ::poll(&ready, 1, silence_ms);
        if (polled < 0 && errno == EINTR) continue;
        if (polled == 0) {
            ::kill(pid, SIGKILL);
            run.hung = true;
            break;
        }
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0) break;
        run.stream.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    ::waitpid(pid, &run.status, 0);
    return run;
}

// A case that did not read cleanly ("R" record).
struct broken_or_rejected {
    std::size_t index = 0;
    int kind = 0;  // an outcome, or 9 for too slow
    std::string message;
    bool clean() const { return kind == int(outcome::input_error) || kind == int(outcome::runtime_failure); }
};

struct parsed_run {
    std::size_t last_started = 0;
    std::vector<broken_or_rejected> records;
    int crash_signal = 0;
    std::string crash_where;  // library of the first frame outside the C library
};

inline parsed_run parse(const std::string& stream, std::size_t first)
{
    parsed_run p;
    p.last_started = first;
    std::size_t at = 0;
    while (at < stream.size()) {
        const std::size_t end = stream.find('\n', at);
        if (end == std::string::npos) break;
        std::istringstream line(stream.substr(at, end - at));
        at = end + 1;
        char tag = 0;
        line >> tag;
        if (tag == 'S') {
            line >> p.last_started;
        } else if (tag == 'R') {
            broken_or_rejected r;
            std::size_t length = 0;
            line >> r.index >> r.kind >> length;
            r.message = stream.substr(at, length);
            at += length;
            p.records.push_back(std::move(r));
        } else if (tag == 'X') {
            line >> p.crash_signal;
            std::getline(line >> std::ws, p.crash_where);
        }
    }
    return p;
}

}  // namespace contained_detail

// The outcome of a batch of contained cases (failures are reported through Catch2 as they are found).
struct contained_summary {
    std::size_t cases = 0, accepted = 0, rejected = 0, broken = 0;
    // Cases that crashed libhdf5 with ZNN_HDF5_IN_PROCESS=1 and ended cleanly the default way (labels).
    std::vector<std::string> contained;
    // Cases that crashed libhdf5 while ZNN_HDF5_IN_PROCESS=1 was set for the whole suite (tolerated).
    std::vector<std::string> hdf5_crashes;
    std::size_t rejected_or_crashed() const { return rejected + contained.size() + hdf5_crashes.size(); }
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

// True when the suite runs with ZNN_HDF5_IN_PROCESS set (to anything but "" or "0"), as znn reads it.
inline bool hdf5_in_process_requested()
{
    const char* value = std::getenv("ZNN_HDF5_IN_PROCESS");
    return value && *value && std::string(value) != "0";
}

// Runs every case in forked children (one child for as many cases as run without a crash); see above.
inline contained_summary run_contained(const std::string& reader, std::size_t count, const case_maker& make,
                                       double time_limit = case_time_limit)
{
    using namespace contained_detail;
    contained_summary summary;
    summary.cases = count;
    const bool tolerant = hdf5_in_process_requested();
    auto report_unclean = [&](const broken_or_rejected& r) {
        ++summary.broken;
        const one_case c = make(r.index);
        FAIL_CHECK(reader << " on " << c.label << ": "
                          << (r.kind == 9 ? r.message + " (limit " + std::to_string(time_limit) + " s)"
                                          : "threw " + r.message)
                          << "\n  input: " << excerpt(c.input));
    };
    std::size_t next = 0;
    while (next < count) {
        const child_run run = spawn(count, make, next, time_limit, true);
        const parsed_run p = parse(run.stream, next);
        for (const broken_or_rejected& r : p.records) {
            if (r.clean())
                ++summary.rejected;
            else
                report_unclean(r);
        }
        if (!run.crashed()) break;
        const one_case c = make(p.last_started);
        save_crashed_input(c);
        const bool in_hdf5 = c.through_hdf5 || p.crash_where.find("libhdf5") != std::string::npos;
        if (in_hdf5 && tolerant) {
            summary.hdf5_crashes.push_back(c.label);
            WARN(reader << " on " << c.label << ": signal " << p.crash_signal << " in " << p.crash_where
                        << " while libhdf5 read a damaged file in-process (ZNN_HDF5_IN_PROCESS is set)\n  input: "
                        << excerpt(c.input, 120));
        } else if (in_hdf5) {
            // Again, the way znn reads by default: it must end cleanly.
            const child_run again = spawn(p.last_started + 1, make, p.last_started, time_limit, false);
            const parsed_run q = parse(again.stream, p.last_started);
            if (again.hung) {
                ++summary.broken;
                FAIL_CHECK(reader << " on " << c.label << ": no answer for " << default_way_silence
                                  << " s when read the default way (killed)\n  input: " << excerpt(c.input));
            } else if (again.crashed()) {
                ++summary.broken;
                FAIL_CHECK(reader << " on " << c.label << ": crashed (signal " << q.crash_signal << ", in "
                                  << (q.crash_where.empty() ? std::string("an unknown place") : q.crash_where)
                                  << ") although znn reads HDF5 in a child process by default\n  input: "
                                  << excerpt(c.input));
            } else if (!q.records.empty() && !q.records.front().clean()) {
                report_unclean(q.records.front());
            } else {
                summary.contained.push_back(c.label);
            }
        } else if (run.hung) {
            ++summary.broken;
            FAIL_CHECK(reader << " on " << c.label << ": no answer for " << fast_pass_silence
                              << " s (killed)\n  input: " << excerpt(c.input));
        } else {
            ++summary.broken;
            FAIL_CHECK(reader << " on " << c.label << ": crashed (signal " << p.crash_signal << ", in "
                              << (p.crash_where.empty() ? std::string("an unknown place") : p.crash_where)
                              << ", exit status " << run.status << ")\n  input: " << excerpt(c.input));
        }
        next = p.last_started + 1;
    }
    // Accepted cases send nothing: they are what is left.
    summary.accepted = summary.cases - summary.rejected - summary.broken - summary.contained.size() -
                       summary.hdf5_crashes.size();
    return summary;
}

}  // namespace znn::robust
