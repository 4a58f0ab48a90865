#include "znn/forward.hpp"

#include "image_source.hpp"

#include "znn/cost.hpp"
#include "znn/data_spec.hpp"
#include "znn/error.hpp"
#include "znn/h5_box.hpp"
#include "znn/image_io.hpp"
#include "znn/net_file.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_params.hpp"
#include "znn/net_spec.hpp"
#include "znn/network.hpp"
#include "znn/progress.hpp"
#include "znn/tiling.hpp"

#include <sys/resource.h>

#include <filesystem>
#include <map>
#include <tuple>
#include <memory>
#include <ostream>

namespace znn {

namespace fs = std::filesystem;

std::string forward_output_path(const config& cfg, int sample)
{
    return cfg.output_prefix + "_sample" + std::to_string(sample) + "_output.h5";
}

std::string forward_block_path(const config& cfg, int sample, int block, int blocks)
{
    return cfg.output_prefix + "_sample" + std::to_string(sample) + "_block" + std::to_string(block) + "of" +
           std::to_string(blocks) + ".h5";
}

namespace {

long peak_memory_kib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

void check_forward_config(const config& cfg)
{
    if (cfg.forward_net.empty()) throw input_error(cfg.path, 0, "forward_net is not set: name the trained network (.h5)");
    if (cfg.output_prefix.empty()) throw input_error(cfg.path, 0, "output_prefix is not set: name where the outputs go");
    if (cfg.forward_range.empty()) throw input_error(cfg.path, 0, "forward_range is empty: name the samples to run");
    fs::path folder = fs::path(cfg.output_prefix).parent_path();
    if (!folder.empty()) {
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec) throw runtime_failure("cannot create the output folder " + folder.string() + ": " + ec.message());
    }
}

const image_spec& input_image(const data_spec& data, int sample, const std::string& node)
{
    auto s = data.samples.find(sample);
    if (s == data.samples.end())
        throw input_error(data.path, 0, "forward_range names sample " + std::to_string(sample) + ", but there is no [sample" +
                                            std::to_string(sample) + "]");
    const sample_binding* b = s->second.find(node);
    if (!b) throw input_error(data.path, s->second.line, "[sample" + std::to_string(sample) + "] binds no image to input node '" + node + "'");
    auto img = data.images.find(b->id);
    if (img == data.images.end())
        throw input_error(data.path, b->line, "[sample" + std::to_string(sample) + "] " + node + " = " + std::to_string(b->id) +
                                                  ": there is no [image" + std::to_string(b->id) + "]");
    return img->second;
}

// The output region of a sample: the input shape with mirroring, else input - fov + 1.
vec3 output_shape(const config& cfg, const net_graph& graph, vec3 input, int sample)
{
    const vec3 fov = graph.field_of_view();
    vec3 out = cfg.is_bd_mirror ? input : input - fov + 1;
    if (!out.all_positive())
        throw input_error("sample " + std::to_string(sample) + " (" + input.dims() + ") is smaller than the field of view " +
                          fov.dims() + " of the network; set is_bd_mirror = yes to run it with mirrored borders");
    return out;
}

template <class T>
class forward_runner {
public:
    forward_runner(const config& cfg, const forward_options& opt)
        : cfg_(cfg), opt_(opt), graph_(load_net_spec(cfg.fnet_spec)), data_(load_data_spec(cfg.fdata_spec)),
          file_(load_net_file(cfg.forward_net)), softmax_(cfg.effective_cost_fn() == "softmax_loss")
    {
    }

    forward_result run()
    {
        forward_result result;
        for (int sample : cfg_.forward_range) {
            if (!run_sample(sample, result)) {
                result.interrupted = true;
                break;
            }
        }
        result.peak_memory_kib = peak_memory_kib();
        return result;
    }

private:
    network<T>& network_for(vec3 tile)
    {
        auto it = nets_.find(tile);
        if (it != nets_.end()) return *it->second;
        engine_options eo;
        eo.conv_mode = cfg_.forward_conv_mode;
        eo.threads = cfg_.num_threads;
        eo.training = false;
        eo.log = opt_.progress;
        eo.fft_wisdom = opt_.fft_wisdom;
        auto net = std::make_unique<network<T>>(graph_, tile, eo, 0);
        load_report r = load_parameters(*net, file_, false);
        if (!r.skipped.empty()) {
            std::string what;
            for (const auto& s : r.skipped) what += "; " + s;
            throw input_error(cfg_.forward_net, 0, "does not match the network " + cfg_.fnet_spec + what.substr(1));
        }
        require_finite(r, cfg_.forward_net);
        return *nets_.emplace(tile, std::move(net)).first->second;
    }

    // Returns false when stopped.
    bool run_sample(int sample, forward_result& result)
    {
        std::vector<image_source<T>> inputs;
        for (int n : graph_.inputs()) {
            const graph_node& node = graph_.nodes()[n];
            inputs.emplace_back(data_, input_image(data_, sample, node.name()));
            if (inputs.back().channels() != node.maps())
                throw input_error(data_.path, 0, "sample " + std::to_string(sample) + ": input node '" + node.name() + "' has " +
                                                     std::to_string(node.maps()) + " maps but its image has " +
                                                     std::to_string(inputs.back().channels()) + " channels");
        }
        const vec3 in_shape = inputs.front().shape();
        const vec3 out_shape = output_shape(cfg_, graph_, in_shape, sample);
        const vec3 tile = min(cfg_.forward_outsz, out_shape);

        box region{{0, 0, 0}, out_shape};
        std::string path = forward_output_path(cfg_, sample);
        if (opt_.blocks > 0) {
            region = split_blocks(out_shape, tile, opt_.blocks).at(opt_.block);
            path = forward_block_path(cfg_, sample, opt_.block, opt_.blocks);
            if (fs::exists(path)) {
                result.skipped.push_back(path);
                if (opt_.progress) *opt_.progress << "sample " << sample << ": " << path << " is complete, skipped\n";
                return true;
            }
        }

        network<T>& net = network_for(tile);
        const std::vector<vec3> sizes = graph_.sizes_for_output(tile);
        int channels = 0;
        for (int o : graph_.outputs()) channels += graph_.nodes()[o].maps();
        h5_box_writer writer(path, channels, region.shape);

        const std::vector<box> tiles = tiles_of(region, tile);
        if (opt_.progress)
            *opt_.progress << "sample " << sample << ": input " << in_shape.dims() << ", output " << region.shape.dims()
                           << " at " << region.offset.dims() << ", " << tiles.size() << " tiles of " << tile.dims() << "\n";
        stopwatch clock, since_report;
        for (std::size_t t = 0; t < tiles.size(); ++t) {
            if (opt_.stop && opt_.stop->load()) return false;
            const box& b = tiles[t];
            std::vector<maps<T>> in;
            for (std::size_t k = 0; k < inputs.size(); ++k) {
                const vec3 insz = sizes[graph_.inputs()[k]];
                // Without mirroring output voxel v reads input [v, v + fov); with it, the input is
                // extended by (insz - tile) / 2 below, so the output covers the input voxel for voxel.
                vec3 start = cfg_.is_bd_mirror ? b.offset - (insz - tile) / vec3{2, 2, 2} : b.offset;
                in.push_back(inputs[k].read(start, insz));
            }
            net.forward(in);
            maps<T> out;
            for (std::size_t o = 0; o < graph_.outputs().size(); ++o) {
                maps<T> m = softmax_ ? softmax(net.output(o)) : net.output(o);
                for (auto& v : m) out.push_back(std::move(v));
            }
            writer.write_box(b.offset - region.offset, out);
            if (opt_.progress && (since_report.seconds() > 2 || t + 1 == tiles.size())) {
                double done = double(t + 1), secs = clock.seconds();
                double voxels = done * double(tile.volume());
                *opt_.progress << "  tile " << (t + 1) << "/" << tiles.size() << "  " << format_count(voxels / secs)
                               << " vox/s  elapsed " << format_duration(secs) << "  ETA "
                               << format_duration(secs / done * double(tiles.size() - t - 1)) << "\n";
                since_report.restart();
            }
        }
        writer.commit();
        result.written.push_back(path);
        if (opt_.tif && opt_.blocks == 0) write_tifs(sample, path, result);
        return true;
    }

    void write_tifs(int sample, const std::string& h5, forward_result& result)
    {
        h5_box_reader reader(h5);
        for (std::int64_t c = 0; c < reader.channels(); ++c) {
            raw_stack all = reader.read_box({0, 0, 0}, reader.shape());
            volume<float> v = to_volume<float>(all, c);
            std::string path = cfg_.output_prefix + "_sample" + std::to_string(sample) + "_output_" + std::to_string(c) + ".tif";
            write_image(path, v);
            result.written.push_back(path);
        }
    }

    const config& cfg_;
    const forward_options& opt_;
    net_graph graph_;
    data_spec data_;
    net_file file_;
    bool softmax_;
    struct vec3_less {
        bool operator()(vec3 a, vec3 b) const { return std::tie(a.z, a.y, a.x) < std::tie(b.z, b.y, b.x); }
    };
    std::map<vec3, std::unique_ptr<network<T>>, vec3_less> nets_;
};

}  // namespace

forward_result run_forward(const config& cfg, const forward_options& options)
{
    check_forward_config(cfg);
    if (options.blocks > 0 && (options.block < 0 || options.block >= options.blocks))
        throw input_error("--block " + std::to_string(options.block) + "/" + std::to_string(options.blocks) +
                          ": K must be in 0.." + std::to_string(options.blocks - 1));
    if (cfg.dtype == "float64") return forward_runner<double>(cfg, options).run();
    return forward_runner<float>(cfg, options).run();
}

forward_result merge_blocks(const config& cfg, int blocks, std::ostream* progress)
{
    check_forward_config(cfg);
    if (blocks < 1) throw input_error("merge needs the number of blocks (--blocks N)");
    net_graph graph(load_net_spec(cfg.fnet_spec));
    data_spec data = load_data_spec(cfg.fdata_spec);
    forward_result result;
    for (int sample : cfg.forward_range) {
        const image_spec& image = input_image(data, sample, graph.nodes()[graph.inputs().front()].name());
        const vec3 out_shape = output_shape(cfg, graph, stack_info(image.fnames.at(0)).shape, sample);
        const vec3 tile = min(cfg.forward_outsz, out_shape);
        std::vector<box> parts = split_blocks(out_shape, tile, blocks);
        std::string missing;
        for (int k = 0; k < blocks; ++k)
            if (!fs::exists(forward_block_path(cfg, sample, k, blocks))) missing.append(" ").append(std::to_string(k));
        if (!missing.empty())
            throw input_error("sample " + std::to_string(sample) + ": blocks" + missing + " of " + std::to_string(blocks) +
                              " are missing (run `znn forward --block K/" + std::to_string(blocks) + "` for them)");
        std::string path = forward_output_path(cfg, sample);
        std::unique_ptr<h5_box_writer> writer;
        for (int k = 0; k < blocks; ++k) {
            h5_box_reader reader(forward_block_path(cfg, sample, k, blocks));
            if (reader.shape() != parts[k].shape)
                throw input_error(forward_block_path(cfg, sample, k, blocks), 0,
                                  "is " + reader.shape().dims() + " but block " + std::to_string(k) + " of this job is " +
                                      parts[k].shape.dims() + " (was it made with another cfg?)");
            if (!writer) writer = std::make_unique<h5_box_writer>(path, reader.channels(), out_shape);
            // Copy slab by slab along z so that memory stays bounded by one slab of the block.
            for (std::int64_t z = 0; z < parts[k].shape.z; z += tile.z) {
                vec3 slab{std::min(tile.z, parts[k].shape.z - z), parts[k].shape.y, parts[k].shape.x};
                writer->write_box(parts[k].offset + vec3{z, 0, 0}, reader.read_maps<float>({z, 0, 0}, slab));
            }
        }
        writer->commit();
        result.written.push_back(path);
        if (progress) *progress << "sample " << sample << ": merged " << blocks << " blocks into " << path << "\n";
    }
    result.peak_memory_kib = peak_memory_kib();
    return result;
}

}  // namespace znn
