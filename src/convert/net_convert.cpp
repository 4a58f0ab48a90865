// Network files between znn's layout and the original ZNN's.
#include "znn/convert.hpp"

#include "znn/error.hpp"
#include "znn/net_file.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"

#include "../io/atomic_file.hpp"

#include <hdf5.h>

namespace znn {

namespace {

// The attributes znn adds on "/" (net_file.hpp); the original neither writes nor reads them.
constexpr const char* znn_root_attributes[] = {"znn_text", "cfg_text", "iteration", "random_state", "znn_version"};

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

// save_net_file's errors name the file it writes, here the temporary one: name the output instead.
std::string naming_output(const std::string& message, const io_detail::atomic_file& target)
{
    const std::string& temp = target.temp_path();
    if (message.compare(0, temp.size(), temp) != 0) return target.final_path() + ": " + message;
    return target.final_path() + message.substr(temp.size());
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
    // Save under a temporary name, take znn's attributes off, then move it into place. save_net_file
    // itself writes atomically onto the temporary name; `target` removes that file when anything fails.
    io_detail::atomic_file target(out);
    try {
        save_net_file(target.temp_path(), net);
    } catch (const runtime_failure& e) {
        throw runtime_failure(naming_output(e.what(), target));
    }
    strip_znn_attributes(target.temp_path(), out);
    target.commit();
}

}  // namespace znn
