// For tests of writes that fail half-way: a full disk without filling one, and what such a failure
// must leave behind (the previous file, no temporary ".part-" file).
#pragma once

#include "znn/error.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

namespace znn::testing {

// How a child of run_with_file_size_limit ended.
struct limited_child {
    std::string message;  // what `work` returned
    bool exited = false;  // ended through exit or _exit, not by a signal
    int exit_code = -1;   // when exited
    int signal = 0;       // when killed by a signal
};

// _exit skips every exit handler; std::exit runs them (libhdf5's included: a test that the process
// still ends cleanly after a failed write needs that).
enum class child_ending { quick_exit, exit_handlers };

// Runs `work` in a forked child whose files may not grow past `room` bytes (RLIMIT_FSIZE binds root
// too; SIGXFSZ is ignored, so a write past it fails with EFBIG: a full disk; RLIM_INFINITY: no limit).
// `work` returns the child's exit code and a message, which comes back over a pipe. Why a child: the
// limit stays out of the test process. `work` must not rely on other threads (only the calling thread
// is copied). A child whose limit cannot be set ends with code 90.
inline limited_child run_with_file_size_limit(rlim_t room, const std::function<std::pair<int, std::string>()>& work,
                                              child_ending ending = child_ending::quick_exit)
{
    limited_child result;
    int fds[2];
    if (::pipe(fds) != 0) return {"(no pipe)"};
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) return {"(no fork)"};
    if (child == 0) {
        ::close(fds[0]);
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        limit.rlim_cur = room;
        int code = 90;
        std::string message = "(setrlimit failed)";
        if (::setrlimit(RLIMIT_FSIZE, &limit) == 0) std::tie(code, message) = work();
        (void)!::write(fds[1], message.data(), message.size());
        ::close(fds[1]);
        if (ending == child_ending::exit_handlers) std::exit(code);
        ::_exit(code);
    }
    ::close(fds[1]);
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
        result.message.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    result.exited = WIFEXITED(status);
    if (result.exited) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

// Runs `write` under a file-size limit of `room` bytes (see run_with_file_size_limit). Returns the
// message of the runtime_failure `write` threw, else "(no error)", "(another exception: ...)" or
// "(the child died ...)".
inline std::string runtime_failure_on_full_disk(rlim_t room, const std::function<void()>& write)
{
    const limited_child child = run_with_file_size_limit(room, [&] {
        std::string message = "(no error)";
        try {
            write();
        } catch (const runtime_failure& e) {
            message = e.what();
        } catch (const std::exception& e) {
            message = std::string("(another exception: ") + e.what() + ")";
        }
        return std::pair<int, std::string>{0, message};
    });
    if (!child.exited) return "(the child died, signal " + std::to_string(child.signal) + "): " + child.message;
    return child.message;
}

inline std::string file_contents(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Files in `folder` named like a temporary file of src/io/atomic_file.hpp ("<final>.part-<hex>").
inline int temporary_files_in(const std::string& folder)
{
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        if (entry.path().filename().string().find(".part-") != std::string::npos) ++n;
    return n;
}

}  // namespace znn::testing
