#include "isolated_call.hpp"

#include "znn/error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <utility>

namespace znn::isolation {

namespace {

// The child's answer: its length (uint64, so that a cut answer is never taken for a whole one), one tag
// byte, then the fields of that kind; the last field runs to the end.
//   'R' result                              the work returned
//   'I' line(int64) file-length(uint64) file message   input_error
//   'F' what                                runtime_failure
//   'A'                                     std::bad_alloc
//   'E' what                                any other exception
constexpr char returned = 'R', input_failed = 'I', run_failed = 'F', out_of_memory = 'A', other_failure = 'E';

template <class T>
void append_raw(std::string& out, T value)
{
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
bool take_raw(const std::string& in, std::size_t& at, T& value)
{
    if (in.size() - at < sizeof value) return false;
    std::memcpy(&value, in.data() + at, sizeof value);
    at += sizeof value;
    return true;
}

bool write_all(int fd, const std::string& bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// The signals a crash ends a process with (SIGABRT: glibc's heap checks, failed assertions).
constexpr int crash_signals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS};

bool is_crash_signal(int signal_number)
{
    for (int s : crash_signals)
        if (signal_number == s) return true;
    return false;
}

// The child: runs the work, sends the answer, ends without running anything of the parent's (_exit).
[[noreturn]] void run_child(int fd, int cpu_seconds, const std::function<std::string()>& work)
{
    // A crash must end the child with its signal, whatever handler the parent installed (a test harness,
    // a crash reporter), and leave no core file behind.
    for (int s : crash_signals) ::signal(s, SIG_DFL);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (cpu_seconds > 0) {  // SIGXCPU at the soft limit; SIGKILL a little later should it be caught
        rlimit cpu{};
        ::getrlimit(RLIMIT_CPU, &cpu);
        rlimit limited{rlim_t(cpu_seconds), rlim_t(cpu_seconds) + 5};
        if (cpu.rlim_max != RLIM_INFINITY) {  // the limit may only be lowered
            limited.rlim_max = std::min<rlim_t>(limited.rlim_max, cpu.rlim_max);
            limited.rlim_cur = std::min<rlim_t>(limited.rlim_cur, limited.rlim_max);
        }
        ::setrlimit(RLIMIT_CPU, &limited);
        ::signal(SIGXCPU, SIG_DFL);
    }
#ifdef __linux__
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a parent killed while waiting takes the child with it
#endif
    int status = 0;
    try {
        char tag = returned;
        std::string fields;  // after the tag
        try {
            fields = work();
        } catch (const input_error& e) {
            tag = input_failed;
            append_raw(fields, static_cast<std::int64_t>(e.line()));
            append_raw(fields, static_cast<std::uint64_t>(e.file().size()));
            fields += e.file();
            fields += e.message();
        } catch (const runtime_failure& e) {
            tag = run_failed;
            fields = e.what();
        } catch (const std::bad_alloc&) {
            tag = out_of_memory;
            fields.clear();
        } catch (const std::exception& e) {
            tag = other_failure;
            fields = e.what();
        } catch (...) {
            tag = other_failure;
            fields = "an exception that is not a std::exception";
        }
        std::string head;
        append_raw(head, static_cast<std::uint64_t>(fields.size() + 1));
        head += tag;
        if (!write_all(fd, head) || !write_all(fd, fields)) status = 1;
    } catch (...) {  // no memory left even for the answer
        status = 2;
    }
    ::_exit(status);
}

// Reaps the child however the parent leaves (an exception while reading the answer kills it first).
class child_process {
public:
    explicit child_process(pid_t pid) : pid_(pid) {}
    ~child_process()
    {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        wait();
    }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    // The wait status; -1 when it cannot be had (SIGCHLD ignored: the kernel reaped the child).
    int wait()
    {
        int status = 0;
        pid_t done;
        do {
            done = ::wait4(pid_, &status, 0, &usage_);
        } while (done < 0 && errno == EINTR);
        pid_ = -1;
        return done < 0 ? -1 : status;
    }
    // User and system CPU time of the child, once waited for.
    double cpu_seconds_used() const
    {
        const auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
        return seconds(usage_.ru_utime) + seconds(usage_.ru_stime);
    }

private:
    pid_t pid_;
    rusage usage_{};
};

class pipe_ends {
public:
    pipe_ends()
    {
        if (::pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
    }
    ~pipe_ends()
    {
        close_read();
        close_write();
    }
    pipe_ends(const pipe_ends&) = delete;
    pipe_ends& operator=(const pipe_ends&) = delete;

    bool valid() const { return fds_[0] >= 0; }
    int read_end() const { return fds_[0]; }
    int write_end() const { return fds_[1]; }
    void close_read() { close_end(0); }
    void close_write() { close_end(1); }

private:
    void close_end(int i)
    {
        if (fds_[i] >= 0) ::close(fds_[i]);
        fds_[i] = -1;
    }
    int fds_[2] = {-1, -1};
};

std::string read_to_end(int fd)
{
    std::string bytes;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        bytes.append(buffer, static_cast<std::size_t>(n));
    }
    return bytes;
}

// Turns the child's message (length, tag, fields) back into a return value or the exception it stands for.
std::string decode(const std::string& file, std::string message)
{
    std::size_t at = 0;
    std::uint64_t length = 0;
    if (!take_raw(message, at, length) || length == 0 || message.size() - at != length)
        throw runtime_failure(file + ": the process reading this file ended without a complete answer");
    const char tag = message[at++];
    switch (tag) {
    case returned: return message.erase(0, at);
    case input_failed: {
        std::int64_t line = 0;
        std::uint64_t file_length = 0;
        if (!take_raw(message, at, line) || !take_raw(message, at, file_length) || message.size() - at < file_length)
            break;
        throw input_error(message.substr(at, file_length), static_cast<int>(line), message.substr(at + file_length));
    }
    case run_failed: throw runtime_failure(message.substr(at));
    case out_of_memory: throw std::bad_alloc();
    case other_failure: throw std::runtime_error(message.substr(at));
    default: break;
    }
    throw runtime_failure(file + ": the process reading this file sent a malformed answer");
}

}  // namespace

std::string isolated_call(const std::string& file, const isolation_terms& terms,
                          const std::function<std::string()>& work)
{
    pipe_ends channel;
    if (!channel.valid())
        throw runtime_failure(file + ": cannot start a process to read the file (pipe: " + std::strerror(errno) + ")");
    const pid_t pid = ::fork();
    if (pid < 0)
        throw runtime_failure(file + ": cannot start a process to read the file (fork: " + std::strerror(errno) + ")");
    if (pid == 0) {
        channel.close_read();
        run_child(channel.write_end(), terms.cpu_seconds, work);
    }
    child_process child(pid);
    channel.close_write();
    std::string answer = read_to_end(channel.read_end());
    channel.close_read();
    const int status = child.wait();

    if (status != -1 && WIFSIGNALED(status)) {
        const int signal_number = WTERMSIG(status);
        const std::string signal_text = "(signal " + std::to_string(signal_number) + ")";
        if (is_crash_signal(signal_number))
            throw input_error(file, 0, terms.who + " crashed reading this file " + signal_text + ": " + terms.cause);
        // SIGXCPU comes at the soft limit; SIGKILL at the hard one, should SIGXCPU have been caught.
        if (terms.cpu_seconds > 0 &&
            (signal_number == SIGXCPU || (signal_number == SIGKILL && child.cpu_seconds_used() >= terms.cpu_seconds)))
            throw input_error(file, 0, terms.who + " did not finish reading this file in " +
                                           std::to_string(terms.cpu_seconds) + " s of CPU time: " + terms.cause);
        throw runtime_failure(file + ": the process reading this file was killed " + signal_text +
                              (signal_number == SIGKILL ? ", perhaps for want of memory" : ""));
    }
    if (status != -1 && WEXITSTATUS(status) != 0)
        throw runtime_failure(file + ": the process reading this file failed (exit status " +
                              std::to_string(WEXITSTATUS(status)) + ")");
    return decode(file, std::move(answer));
}

bool hdf5_in_process()
{
    const char* value = std::getenv("ZNN_HDF5_IN_PROCESS");
    return value && *value && std::strcmp(value, "0") != 0;
}

int hdf5_cpu_seconds(std::uintmax_t file_bytes)
{
    constexpr std::uintmax_t bytes_per_second = 8u << 20;
    const std::uintmax_t seconds = 10 + file_bytes / bytes_per_second;
    return static_cast<int>(std::min<std::uintmax_t>(seconds, 24 * 3600));
}

namespace {
isolation_terms hdf5_terms(const std::string& file)
{
    std::error_code error;  // a file that cannot be sized (missing, a folder) is the work's to report
    const std::uintmax_t size = std::filesystem::file_size(file, error);
    return {"the HDF5 library", "the file is damaged or not a valid HDF5 file", hdf5_cpu_seconds(error ? 0 : size)};
}
}  // namespace

std::string isolated_hdf5_read(const std::string& file, const std::function<std::string()>& work)
{
    if (hdf5_in_process()) return work();
    return isolated_call(file, hdf5_terms(file), work);
}

void probe_hdf5_read(const std::string& file, const std::function<void()>& work)
{
    if (hdf5_in_process()) return;
    isolated_call(file, hdf5_terms(file), [&] {
        work();
        return std::string();
    });
}

}  // namespace znn::isolation
