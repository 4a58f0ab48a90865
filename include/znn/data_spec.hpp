// The .spec sample file (INI): [imageN], [labelN], [sampleN] (see ../shared/znn-manual.md §3).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace znn {

struct image_spec {
    int id = 0;
    int line = 0;
    std::vector<std::string> fnames;  // resolved against the .spec file's folder; "file.h5:/dataset" kept
    std::string pp_types = "none";    // none | standard2D | standard3D | symetric_rescale
    bool is_auto_crop = false;
};

struct label_spec {
    int id = 0;
    int line = 0;
    std::vector<std::string> fnames;
    // none | one_class | binary_class | affinity | auto. "auto" (used by files of the original) means
    // binary_class for out_type boundary and affinity for out_type affinity: the loader resolves it.
    std::string pp_types = "none";
    std::vector<std::string> fmasks;  // empty, or one mask per file of fnames (checked)
    bool is_auto_crop = false;
};

struct sample_binding {
    std::string node;  // a node name of the network, e.g. "input"; lower-cased, as ConfigParser keys are
    int id = 0;        // [imageN] for input nodes, [labelN] for output nodes
    int line = 0;
};

struct sample_spec {
    int id = 0;
    int line = 0;
    std::vector<sample_binding> bindings;  // in file order
    // Case-insensitive, as the original's ConfigParser lookup: node "inputA" finds the key "inputa".
    const sample_binding* find(const std::string& node) const;
};

struct data_spec {
    std::string path;
    std::map<int, image_spec> images;
    std::map<int, label_spec> labels;
    std::map<int, sample_spec> samples;
};

// Checks keys and values, resolves relative paths, and checks that every binding's id names an existing
// [imageN] or [labelN]. Which of the two it must be (input node -> image, output node -> label) is
// checked when the spec meets a network (the data loader), since only the network knows its nodes.
// Throws input_error("path:line: ...") for unknown sections or keys (with a did-you-mean), bad values,
// a section without fnames, a file without any [sampleN], and the INI reader's errors.
data_spec load_data_spec(const std::string& path);

}  // namespace znn
