#include "h5_handle.hpp"

namespace znn::netfile_detail {

namespace {
H5I_type_t link_type(hid_t parent, const char* name)
{
    if (H5Lexists(parent, name, H5P_DEFAULT) <= 0) return H5I_BADID;
    h5_handle object(H5Oopen(parent, name, H5P_DEFAULT), H5Oclose);
    if (!object.valid()) return H5I_BADID;
    return H5Iget_type(object.get());
}
}  // namespace

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
