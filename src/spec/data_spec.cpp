// The .spec sample file (../shared/znn-manual.md §3), read with the ConfigParser-style INI reader.
#include "znn/data_spec.hpp"

#include "spec_text.hpp"
#include "suggest.hpp"
#include "znn/error.hpp"
#include "znn/ini.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace znn {

const sample_binding* sample_spec::find(const std::string& node) const
{
    for (const auto& b : bindings)
        if (spec_text::iequals(b.node, node)) return &b;
    return nullptr;
}

namespace {

using strings = std::vector<std::string>;

const strings section_kinds{"image", "label", "sample"};
const strings image_keys{"fnames", "pp_types", "is_auto_crop"};
const strings label_keys{"fnames", "pp_types", "fmasks", "is_auto_crop"};
const strings image_pp_types{"none", "standard2D", "standard3D", "symetric_rescale"};
// "auto" (in files of the original) means binary_class or affinity by the cfg's out_type.
const strings label_pp_types{"none", "one_class", "binary_class", "affinity", "auto"};

bool contains(const strings& list, const std::string& word)
{
    return std::find(list.begin(), list.end(), word) != list.end();
}

class spec_reader {
public:
    spec_reader(data_spec& spec) : spec_(spec), folder_(std::filesystem::path(spec.path).parent_path()) {}

    void read_section(const ini_section& section)
    {
        auto [kind, id] = kind_and_id(section);
        if (kind == "image") {
            spec_.images[id] = read_image(section, id);
        } else if (kind == "label") {
            spec_.labels[id] = read_label(section, id);
        } else {
            spec_.samples[id] = read_sample(section, id);
        }
    }

    void check_bindings() const
    {
        if (spec_.samples.empty()) fail(0, "no [sampleN] section");
        for (const auto& [id, sample] : spec_.samples)
            for (const auto& b : sample.bindings)
                if (!spec_.images.count(b.id) && !spec_.labels.count(b.id))
                    fail(b.line, "[sample" + std::to_string(id) + "] binds '" + b.node + "' to " + std::to_string(b.id) +
                                     ", but there is no [image" + std::to_string(b.id) + "] or [label" +
                                     std::to_string(b.id) + "]");
    }

private:
    [[noreturn]] void fail(int line, const std::string& message) const { throw input_error(spec_.path, line, message); }

    [[noreturn]] void bad_value(const ini_entry& e, const ini_section& s, const std::string& expected) const
    {
        fail(e.line, "bad value '" + e.value + "' for '" + e.key + "' in [" + s.name + "]: " + expected);
    }

    // "image12" -> {"image", 12}
    std::pair<std::string, int> kind_and_id(const ini_section& s) const
    {
        const auto digits = std::find_if(s.name.begin(), s.name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        const std::string kind(s.name.begin(), digits), number(digits, s.name.end());
        const bool number_ok = !number.empty() && number.size() <= 9 && number.front() != '0' &&
                               std::all_of(number.begin(), number.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        if (!contains(section_kinds, kind)) {
            auto match = closest_match(kind, section_kinds);
            fail(s.line, "unknown section [" + s.name + "]" +
                             (match ? " (did you mean [" + *match + (number_ok ? number : "N") + "]?)"
                                    : " (expected [imageN], [labelN] or [sampleN])"));
        }
        if (!number_ok)
            fail(s.line, "bad section name [" + s.name + "]: N in [" + kind + "N] must be a positive integer");
        return {kind, std::stoi(number)};
    }

    void check_keys(const ini_section& s, const strings& allowed) const
    {
        for (const auto& e : s.entries) {
            if (contains(allowed, e.key)) continue;
            if (contains(label_keys, e.key)) fail(e.line, "key '" + e.key + "' does not apply to [" + s.name + "]");
            fail(e.line, "unknown key '" + e.key + "' in [" + s.name + "]" + did_you_mean(e.key, allowed));
        }
    }

    // "file.h5:/dataset" keeps its dataset part; the file part is resolved against the .spec's folder.
    std::string resolve(const std::string& name) const
    {
        std::string file = name, dataset;
        if (const auto colon = name.rfind(':'); colon != std::string::npos) {
            const std::string head = spec_text::lower(name.substr(0, colon));
            for (const char* extension : {".h5", ".hdf5", ".hdf"})
                if (head.size() > std::string(extension).size() && head.ends_with(extension)) {
                    file = name.substr(0, colon);
                    dataset = name.substr(colon);
                }
        }
        std::filesystem::path p(file);
        if (p.is_relative()) p = folder_ / p;
        return p.lexically_normal().string() + dataset;
    }

    // Paths separated by commas and/or newlines.
    std::vector<std::string> file_list(const ini_entry& e) const
    {
        std::vector<std::string> files;
        for (const auto& line : spec_text::split(e.value, '\n'))
            for (const auto& piece : spec_text::split(line, ',')) {
                const auto name = spec_text::trim(piece);
                if (!name.empty()) files.push_back(resolve(std::string(name)));
            }
        return files;
    }

    std::vector<std::string> fnames(const ini_section& s) const
    {
        const ini_entry* e = s.find("fnames");
        if (!e) fail(s.line, "missing required key 'fnames' in [" + s.name + "]");
        auto files = file_list(*e);
        if (files.empty()) fail(e->line, "'fnames' in [" + s.name + "] lists no files");
        return files;
    }

    std::string pp_types(const ini_section& s, const strings& choices) const
    {
        const ini_entry* e = s.find("pp_types");
        if (!e) return "none";
        if (e->value == "symmetric_rescale") return "symetric_rescale";  // the original's spelling has one 'm'
        if (!contains(choices, e->value))
            fail(e->line, "unknown pp_types '" + e->value + "' in [" + s.name + "]" + suggestion_or_choices(e->value, choices));
        return e->value;
    }

    bool auto_crop(const ini_section& s) const
    {
        const ini_entry* e = s.find("is_auto_crop");
        if (!e) return false;
        auto v = spec_text::parse_bool(e->value);
        if (!v) bad_value(*e, s, "expected yes/no, true/false, on/off or 1/0");
        return *v;
    }

    image_spec read_image(const ini_section& s, int id) const
    {
        check_keys(s, image_keys);
        image_spec image;
        image.id = id;
        image.line = s.line;
        image.fnames = fnames(s);
        image.pp_types = pp_types(s, image_pp_types);
        image.is_auto_crop = auto_crop(s);
        return image;
    }

    label_spec read_label(const ini_section& s, int id) const
    {
        check_keys(s, label_keys);
        label_spec label;
        label.id = id;
        label.line = s.line;
        label.fnames = fnames(s);
        label.pp_types = pp_types(s, label_pp_types);
        label.is_auto_crop = auto_crop(s);
        if (const ini_entry* e = s.find("fmasks")) {
            label.fmasks = file_list(*e);
            if (!label.fmasks.empty() && label.fmasks.size() != label.fnames.size())
                fail(e->line, "[" + s.name + "] lists " + std::to_string(label.fnames.size()) + " files in 'fnames' but " +
                                  std::to_string(label.fmasks.size()) + " in 'fmasks'");
        }
        return label;
    }

    sample_spec read_sample(const ini_section& s, int id) const
    {
        sample_spec sample;
        sample.id = id;
        sample.line = s.line;
        for (const auto& e : s.entries) {
            auto v = spec_text::parse_integer(e.value);
            if (!v || *v <= 0 || *v > 999999999) bad_value(e, s, "expected the positive number N of an [imageN] or [labelN]");
            sample.bindings.push_back({e.key, static_cast<int>(*v), e.line});
        }
        if (sample.bindings.empty()) fail(s.line, "[" + s.name + "] binds no nodes");
        return sample;
    }

    data_spec& spec_;
    std::filesystem::path folder_;
};

}  // namespace

data_spec load_data_spec(const std::string& path)
{
    const ini_file ini = load_ini(path);
    data_spec spec;
    spec.path = path;
    spec_reader reader(spec);
    for (const auto& section : ini.sections) reader.read_section(section);
    reader.check_bindings();
    return spec;
}

}  // namespace znn
