// A throw-away job folder for end-to-end tests: synthetic EM data, a small net, a .spec and a .cfg.
#pragma once

#include "znn/config.hpp"
#include "znn/image_io.hpp"
#include "znn/synthetic.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace znn::testing {

class temp_job {
public:
    explicit temp_job(const std::string& name)
    {
        std::random_device rd;
        dir_ = std::filesystem::temp_directory_path() / ("znn-" + name + "-" + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
    }
    ~temp_job()
    {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    temp_job(const temp_job&) = delete;
    temp_job& operator=(const temp_job&) = delete;

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    void write(const std::string& name, const std::string& text) const
    {
        std::ofstream out(path(name));
        out << text;
    }

    // sample<k>: image<k>.tif and label<k>.tif of synthetic EM data.
    void make_em(int k, vec3 shape, std::uint64_t seed) const
    {
        synthetic_options o;
        o.shape = shape;
        o.seed = seed;
        o.cells = static_cast<int>(shape.y * shape.x / 200);
        synthetic_em em = make_synthetic_em(o);
        write_image(path("image" + std::to_string(k) + ".tif"), em.image);
        write_image(path("label" + std::to_string(k) + ".tif"), em.label);
    }

    // A .spec binding image<k>/label<k> for each k in [1, samples].
    void write_spec(int samples, const std::string& label_pp = "binary_class") const
    {
        std::string t;
        for (int k = 1; k <= samples; ++k) {
            std::string n = std::to_string(k);
            t += "[image" + n + "]\nfnames = image" + n + ".tif\npp_types = standard2D\n\n";
            t += "[label" + n + "]\nfnames = label" + n + ".tif\npp_types = " + label_pp + "\n\n";
            t += "[sample" + n + "]\ninput = " + n + "\noutput = " + n + "\n\n";
        }
        write("data.spec", t);
    }

    config load(const std::string& cfg_name, const std::vector<std::string>& overrides = {}) const
    {
        return load_config(path(cfg_name), overrides);
    }

private:
    std::filesystem::path dir_;
};

// A small fast 2D boundary net: field of view 1x8x8, sparsities 1, 2.
inline const char* tiny_boundary_net =
    "nodes input\ntype input\nsize 1\n\n"
    "edges conv1\ntype conv\ninit xavier\nsize 1,3,3\ninput input\noutput nconv1\n\n"
    "nodes nconv1\ntype transfer\nfunction rectify_linear\nsize 6\n\n"
    "edges pool1\ntype max_filter\nsize 1,2,2\nstride 1,2,2\ninput nconv1\noutput npool1\n\n"
    "nodes npool1\ntype sum\nsize 6\n\n"
    "edges conv2\ntype conv\ninit xavier\nsize 1,3,3\ninput npool1\noutput nconv2\n\n"
    "nodes nconv2\ntype transfer\nfunction rectify_linear\nsize 8\n\n"
    "edges conv3\ntype conv\ninit xavier\nsize 1,1,1\ninput nconv2\noutput output\n\n"
    "nodes output\ntype transfer\nfunction linear\nsize 2\n";

}  // namespace znn::testing
