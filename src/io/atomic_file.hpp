// Writing a file under a temporary name in its own folder and renaming it into place on success, so a
// crash, a full disk or an exception never leaves a half-written file at the final path and never
// damages the file that was there before. The one mechanism for every writer of the library: image
// stacks (src/io) and network files (src/netfile). Internal.
//
// Use: construct, write the file at temp_path() (any library: libtiff, HDF5's H5Fcreate, a stream),
// close it, then commit(). Without commit() (an error, an exception) the destructor removes the
// temporary file; close the file first, so declare the atomic_file before the file's handle.
#pragma once

#include <string>

namespace znn::io_detail {

class atomic_file {
public:
    // Throws runtime_failure when the final path's folder does not exist or the final path is a folder.
    explicit atomic_file(std::string final_path);
    ~atomic_file();  // removes the temporary file unless commit() ran
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;

    // "<final>.part-<16 hex digits>", random: no other writer (thread or process) picks the same name,
    // and being in the final file's folder, the rename never crosses file systems.
    const std::string& temp_path() const noexcept { return temp_; }
    const std::string& final_path() const noexcept { return final_; }
    // The temporary file, finished and closed, is flushed to the disk and renamed over the final path,
    // then the folder is flushed too (best effort) so the rename survives a crash. Throws
    // runtime_failure when the flush or the rename fails; the temporary file is then removed by the
    // destructor and the previous file stays as it was.
    void commit();

private:
    std::string final_;
    std::string temp_;
    bool committed_ = false;
};

}  // namespace znn::io_detail
