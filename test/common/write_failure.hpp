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

namespace znn::testing {

// Runs `write` in a forked child whose files may not grow past `room` bytes (RLIMIT_FSIZE binds root
// too; SIGXFSZ is ignored, so a write past it fails with EFBIG: a full disk). Returns the message of
// the runtime_failure `write` threw, else "(no error)", "(another exception: ...)" or "(the child
// died ...)". Why a child: the limit stays out of the test process, and after a failed write libhdf5
// 1.10 keeps the file it could not close and crashes over it in its exit handler; the child ends with
// _exit. `write` must not rely on other threads (only the calling thread is copied).
inline std::string runtime_failure_on_full_disk(rlim_t room, const std::function<void()>& write)
{
    int fds[2];
    if (::pipe(fds) != 0) return "(no pipe)";
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) return "(no fork)";
    if (child == 0) {
        ::close(fds[0]);
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        limit.rlim_cur = room;
        std::string message = "(no error)";
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) message = "(setrlimit failed)";
        else
            try {
                write();
            } catch (const runtime_failure& e) {
                message = e.what();
            } catch (const std::exception& e) {
                message = std::string("(another exception: ") + e.what() + ")";
            }
        (void)!::write(fds[1], message.data(), message.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string message;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status)) return "(the child died, status " + std::to_string(status) + "): " + message;
    return message;
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
