#include "h5_handle.hpp"

namespace znn::h5_detail {

h5_quiet::h5_quiet()
{
    H5Eget_auto2(H5E_DEFAULT, &saved_function_, &saved_data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

h5_quiet::~h5_quiet() { H5Eset_auto2(H5E_DEFAULT, saved_function_, saved_data_); }

namespace {
herr_t keep_innermost(unsigned n, const H5E_error2_t* err, void* client)
{
    // Walking upward, entry 0 is the innermost error: the most specific description.
    if (n == 0 && err && err->desc) *static_cast<std::string*>(client) = err->desc;
    return 0;
}
}  // namespace

std::string h5_reason()
{
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &text);
    // Error messages are one line: libhdf5's write errors embed a ctime() date with its newline.
    std::string line;
    for (char c : text) {
        if (c == '\n' || c == '\r') {
            if (!line.empty() && line.back() != ' ') line += ' ';
        } else {
            line += c;
        }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line.empty() ? line : " (" + line + ")";
}

}  // namespace znn::h5_detail
