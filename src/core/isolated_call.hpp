// Running a read of a possibly damaged file in a forked child process, so that a crash inside a
// third-party library (libhdf5 1.10 crashes on some damaged files: a wild read in H5HG_read, a heap
// overflow, a use-after-free) ends the child, not znn. Internal (src/*).
//
// How a call ends, as seen by the caller:
//   - the work returned: its result string comes back (the work serialises what it read into it);
//   - the work threw znn::input_error / znn::runtime_failure: the same kind is thrown here with the same
//     file, line and message (what() is identical); std::bad_alloc comes back as std::bad_alloc; any
//     other exception as a plain std::runtime_error with its what() (a bug, not a verdict on the file);
//   - the child died of a crash signal (SEGV, BUS, ABRT, FPE, ILL, TRAP, SYS): input_error(file, 0,
//     "<who> crashed reading this file (signal N): <cause>");
//   - the child used up its CPU time (libhdf5 1.10 also loops for ever on some damaged global heaps):
//     input_error(file, 0, "<who> did not finish reading this file in N s of CPU time: <cause>");
//   - the child died of another signal (SIGKILL from the out-of-memory killer, an interrupt):
//     runtime_failure naming the file and the signal.
//
// Fork caveats (why the work must be self-contained):
//   - Only the calling thread exists in the child. A lock another thread held at the fork stays locked
//     there for ever: no HDF5 call (libhdf5 is built thread-safe, with one global lock) may be in flight
//     on another thread while this runs — znn never reads or writes HDF5 from two threads at once
//     (net_file.hpp). glibc's malloc is safe to use in the child; the work should not start threads.
//   - The child is a copy-on-write image of the process: a fork costs page-table copying and, after it,
//     one page fault for each page the parent writes first. Measured on the development VM (2 vCPUs,
//     Firecracker with a paravirtualised MMU, where page faults cost ~30 us; expect far less on bare
//     metal): a bare fork+exit+wait 3 ms from a small process, 176 ms with 2 GiB resident, after which
//     writing one byte per page of those 2 GiB took 15.9 s instead of 15 ms. Hence: call this before a
//     process grows (load networks and stacks first), and keep big buffers out of forks (MADV_DONTFORK).
//   - The child ends with _exit: no atexit handlers, no static destructors, no stdio flush, so nothing the
//     parent holds (an HDF5 file open for writing, buffered output) is flushed or closed twice. Crash
//     signals are reset to their default action and core dumps are off there.
//   - A pipe end that another thread forks at the same moment keeps open delays the end of the call
//     until that other child exits (the pipe is close-on-exec, so exec'd programs do not keep it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace znn::isolation {

// What the child may use, and the words for the error when it crashes or runs out of CPU time.
struct isolation_terms {
    std::string who;        // e.g. "the HDF5 library"
    std::string cause;      // e.g. "the file is damaged or not a valid HDF5 file"
    int cpu_seconds = 0;    // CPU time (not wall-clock time: a slow disk does not count); 0 = no limit
};

// Runs `work` in a forked child and returns the string it returned (see above for errors). `file` is
// named in the errors this function makes itself.
std::string isolated_call(const std::string& file, const isolation_terms& terms,
                          const std::function<std::string()>& work);

// True when the environment variable ZNN_HDF5_IN_PROCESS is set to anything but "" or "0": HDF5 files
// are then read in this process (for fuzzing and debuggers, which must see the crash).
bool hdf5_in_process();

// The CPU seconds a child reading an HDF5 file of `file_bytes` bytes may use: 10 s plus 1 s per 8 MiB.
// Reading a network file takes well under a second per 100 MB and the stack readers' probe reads metadata
// (and at most 1 MiB of data), so this is a bound for a read that loops, not a time a good file needs;
// it scales with the file so that a damaged 3 KB file is given up after seconds, not minutes.
int hdf5_cpu_seconds(std::uintmax_t file_bytes);

// A read of an HDF5 file that may be damaged: isolated_call with HDF5's wording and hdf5_cpu_seconds of
// the file's size, or `work` called directly when hdf5_in_process().
std::string isolated_hdf5_read(const std::string& file, const std::function<std::string()>& work);

// A trial run of the reads the caller is about to make itself: `work` runs in a child (its errors come
// back as above, a crash as input_error); nothing at all when hdf5_in_process().
void probe_hdf5_read(const std::string& file, const std::function<void()>& work);

}  // namespace znn::isolation
