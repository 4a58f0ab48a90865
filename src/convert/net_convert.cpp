// Network files between znn's layout and the original ZNN's.
#include "znn/convert.hpp"

#include "znn/error.hpp"
#include "znn/net_file.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"

#include <hdf5.h>

#include <cstdio>
#include <filesystem>
#include <random>

namespace znn {

namespace {

namespace fs = std::filesystem;

// The attributes znn adds on "/" (net_file.hpp); the original neither writes nor reads them.
constexpr const char* znn_root_attributes[] = {"znn_text", "cfg_text", "iteration", "random_state", "znn_version"};

// Removes the file at `path` when it goes out of scope, unless released.
class temporary_file {
public:
    explicit temporary_file(std::string path) : path_(std::move(path)) {}
    ~temporary_file()
    {
        if (!path_.empty()) {
            std::error_code ignored;
            fs::remove(path_, ignored);
        }
    }
    temporary_file(const temporary_file&) = delete;
    temporary_file& operator=(const temporary_file&) = delete;
    const std::string& path() const { return path_; }
    void release() { path_.clear(); }

private:
    std::string path_;
};

void strip_znn_attributes(const std::string& file, const std::string& target)
{
    H5E_auto2_t saved_function = nullptr;
    void* saved_data = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &saved_function, &saved_data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    bool ok = false;
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (f >= 0) {
        ok = true;
        for (const char* name : znn_root_attributes)
            if (H5Aexists(f, name) > 0 && H5Adelete(f, name) < 0) ok = false;
        ok = H5Fclose(f) >= 0 && ok;
    }
    H5Eset_auto2(H5E_DEFAULT, saved_function, saved_data);
    if (!ok) throw runtime_failure(target + ": cannot save the network: cannot remove znn's attributes");
}

}  // namespace

void convert_network(const std::string& in, const std::string& out, bool to_original)
{
    net_file net = load_net_file(in);
    const std::string text = network_text(net);
    try {
        net_graph check(parse_net_spec_text(text, in));
    } catch (const input_error& e) {
        throw input_error(in, 0, "its layers do not form a valid network: " + e.message());
    }
    net.version.clear();  // this build wrote the new file

    if (!to_original) {
        net.znn_text = text;
        save_net_file(out, net);
        return;
    }
    // Save under a temporary name, take znn's attributes off, then move it into place.
    std::random_device entropy;
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".part-%08x%08x", entropy(), entropy());
    temporary_file temp(out + suffix);
    save_net_file(temp.path(), net);
    strip_znn_attributes(temp.path(), out);
    std::error_code ec;
    fs::rename(temp.path(), out, ec);
    if (ec) throw runtime_failure(out + ": cannot move the finished file into place: " + ec.message());
    temp.release();
}

}  // namespace znn
