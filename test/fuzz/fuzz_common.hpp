// Shared by the libFuzzer targets: the rule every input must keep, and a scratch file for readers that
// take a path. A broken rule aborts, which libFuzzer reports as a crash and saves the input.
#pragma once

#include "znn/error.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace znn::fuzz {

// Runs `read`: it may return or throw input_error / runtime_failure with a message; any other exception
// escapes (libFuzzer reports the uncaught exception), an empty message aborts.
template <class Read>
void expect_clean(Read&& read)
{
    try {
        read();
    } catch (const znn::input_error& e) {
        if (!*e.what()) std::abort();
    } catch (const znn::runtime_failure& e) {
        if (!*e.what()) std::abort();
    }
}

// "<dir>/znn-fuzz-<pid><extension>": one file per fuzzing process (libFuzzer's -jobs/-workers run
// several), rewritten for every input; in /dev/shm when there is one, so the disk is left alone.
inline std::string scratch_path(const std::string& extension)
{
    const char* dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    return std::string(dir) + "/znn-fuzz-" + std::to_string(::getpid()) + extension;
}

inline void write_file(const std::string& path, const std::uint8_t* data, std::size_t size)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace znn::fuzz
