#include "h5_handle.hpp"

namespace znn::netfile_detail {

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

H5I_type_t link_type(hid_t parent, const char* name)
{
    if (H5Lexists(parent, name, H5P_DEFAULT) <= 0) return H5I_BADID;
    h5_handle object(H5Oopen(parent, name, H5P_DEFAULT), H5Oclose);
    if (!object.valid()) return H5I_BADID;
    return H5Iget_type(object.get());
}
}  // namespace

std::string h5_reason()
{
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &text);
    return text.empty() ? text : " (" + text + ")";
}

bool has_group(hid_t parent, const char* name) { return link_type(parent, name) == H5I_GROUP; }

bool has_dataset(hid_t parent, const char* name) { return link_type(parent, name) == H5I_DATASET; }

std::vector<std::string> link_names(hid_t group)
{
    std::vector<std::string> names;
    H5G_info_t info{};
    if (H5Gget_info(group, &info) < 0) return names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t length =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (length < 0) continue;
        std::string name(static_cast<std::size_t>(length) + 1, '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(length));
        names.push_back(std::move(name));
    }
    return names;
}

}  // namespace znn::netfile_detail
