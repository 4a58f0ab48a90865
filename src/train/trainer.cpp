// The training loop of `znn train` (see train.hpp).
#include "znn/train.hpp"

#include "znn/cost.hpp"
#include "znn/data_spec.hpp"
#include "znn/error.hpp"
#include "znn/malis.hpp"
#include "znn/net_file.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_params.hpp"
#include "znn/net_spec.hpp"
#include "znn/network.hpp"
#include "znn/progress.hpp"
#include "znn/training_data.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <streambuf>
#include <iomanip>
#include <ostream>
#include <random>
#include <sstream>

namespace znn {

namespace fs = std::filesystem;

std::string network_file_path(const config& cfg, long long iteration)
{
    std::string suffix = iteration < 0 ? "current" : std::to_string(iteration);
    if (!cfg.train_net_prefix.empty()) return cfg.train_net_prefix + "_" + suffix + ".h5";
    std::string folder = cfg.train_net.empty() ? std::string("train_net") : cfg.train_net;
    return (fs::path(folder) / ("net_" + suffix + ".h5")).string();
}

namespace {

// Writes everything to two stream buffers (either may be null): the progress stream and the log file.
class tee_buffer : public std::streambuf {
public:
    tee_buffer(std::streambuf* a, std::streambuf* b) : a_(a), b_(b) {}

protected:
    int overflow(int c) override
    {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        if (a_) a_->sputc(static_cast<char>(c));
        if (b_) b_->sputc(static_cast<char>(c));
        return c;
    }
    int sync() override
    {
        if (a_) a_->pubsync();
        if (b_) b_->pubsync();
        return 0;
    }

private:
    std::streambuf *a_, *b_;
};

// The job's progress stream: the caller's (may be null) and, with `logging yes`, train.log beside the
// network files, which also gets the effective cfg at the start of every run.
class progress_log {
public:
    progress_log(const config& cfg, std::ostream* user)
    {
        if (cfg.logging) {
            fs::path log = fs::path(network_file_path(cfg, -1)).parent_path() / "train.log";
            if (!log.parent_path().empty()) fs::create_directories(log.parent_path());
            file_.open(log, std::ios::app);
            if (!file_) throw runtime_failure("cannot write the log " + log.string());
            file_ << "# znn train, effective configuration:\n" << cfg.text << "\n";
        }
        if (!user && !file_.is_open()) return;
        buffer_ = std::make_unique<tee_buffer>(user ? user->rdbuf() : nullptr, file_.is_open() ? file_.rdbuf() : nullptr);
        stream_ = std::make_unique<std::ostream>(buffer_.get());
    }
    std::ostream* stream() { return stream_.get(); }

private:
    std::ofstream file_;
    std::unique_ptr<tee_buffer> buffer_;
    std::unique_ptr<std::ostream> stream_;
};

struct window_stats {
    double cost = 0;
    std::int64_t wrong = 0, counted = 0, voxels = 0;
    int iterations = 0;
    void reset() { *this = window_stats{}; }
};

template <class T>
class trainer {
public:
    trainer(const config& cfg, const train_options& opt, const net_graph& graph, const data_spec& data)
        : cfg_(cfg), opt_(opt), graph_(graph), data_(data), log_(cfg, opt.progress), out_(log_.stream())
    {
        cost_ = parse_cost_kind(cfg.effective_cost_fn());
        engine_options eo;
        eo.conv_mode = cfg.train_conv_mode;
        eo.threads = cfg.num_threads;
        eo.training = true;
        eo.log = out_;
        eo.fft_wisdom = opt.fft_wisdom;
        net_ = std::make_unique<network<T>>(graph, cfg.train_outsz, eo, opt.seed);
        rng_.seed(opt.seed ^ 0x9e3779b97f4a7c15ull);

        data_options d;
        d.mirror = cfg.is_bd_mirror;
        d.augment = cfg.is_data_aug;
        d.rebalance = parse_rebalance_mode(cfg.rebalance_mode);
        d.affinity = cfg.out_type == "affinity";
        if (cfg.train_range.empty()) throw input_error(cfg.path, 0, "train_range is empty: name the samples to train on");
        train_ = std::make_unique<patch_sampler<T>>(graph, cfg.train_outsz,
                                                    load_samples<T>(data, graph, cfg.train_range, cfg.train_outsz, d), d);
        if (!cfg.test_range.empty()) {
            data_options t = d;
            t.augment = false;
            test_ = std::make_unique<patch_sampler<T>>(graph, cfg.train_outsz,
                                                       load_samples<T>(data, graph, cfg.test_range, cfg.train_outsz, t), t);
        }
        for (int o : graph.outputs())
            if (cost_ == cost_kind::binomial_cross_entropy && graph.nodes()[o].spec->function != "forward_logistics" && out_)
                *out_ << "warning: binomial_cross_entropy expects output node '" << graph.nodes()[o].name()
                      << "' to be forward_logistics (its gradient is p - y); it is "
                      << graph.nodes()[o].spec->function << "\n";
    }

    void resume(const std::string& seed_path)
    {
        std::string from = seed_path;
        bool seeding = !seed_path.empty();
        if (!seeding && fs::exists(network_file_path(cfg_, -1))) from = network_file_path(cfg_, -1);
        if (from.empty()) return;
        net_file file = load_net_file(from);
        load_report r = load_parameters(*net_, file, seeding);
        require_finite(r, from);
        if (seeding && !r.skipped.empty() && out_) {
            *out_ << "seeding from " << from << ": " << r.loaded.size() << " layers copied; not copied:\n";
            for (const auto& s : r.skipped) *out_ << "  " << s << "\n";
        } else if (!r.skipped.empty()) {
            std::string what;
            for (const auto& s : r.skipped) what += "\n  " + s;
            throw input_error(from, 0, "does not match the network " + graph_.spec().path + ":" + what);
        } else if (out_) {
            *out_ << (seeding ? "loaded " : "resuming from ") << from << " at iteration " << file.iteration << "\n";
        }
        iteration_ = file.iteration;
        curve_ = file.curve;
        if (!curve_.elapsed.empty()) elapsed_before_ = curve_.elapsed.back();
        if (!file.random_state.empty()) {
            std::istringstream in(file.random_state);
            in >> rng_;
        }
    }

    train_result run()
    {
        train_result result;
        const double patch_voxels = static_cast<double>(cfg_.train_outsz.volume());
        window_stats window;
        stopwatch since_show, total;
        const long long first = iteration_;
        if (out_ && iteration_ < cfg_.max_iter)
            *out_ << "training " << graph_.spec().path << " from iteration " << iteration_ << " to " << cfg_.max_iter
                  << " on " << net_->threads() << " threads (" << (std::is_same_v<T, float> ? "float32" : "float64")
                  << ", output patch " << cfg_.train_outsz.dims() << ", input patch " << net_->input_size().dims() << ")\n";

        while (iteration_ < cfg_.max_iter) {
            if (opt_.stop && opt_.stop->load()) {
                result.interrupted = true;
                break;
            }
            ++iteration_;
            const double eta =
                cfg_.eta * std::pow(cfg_.anneal_factor, static_cast<double>(iteration_ / std::max(1, cfg_.num_iter_per_annealing)));
            training_patch<T> patch = train_->next(rng_);
            net_->forward(patch.inputs);
            std::vector<maps<T>> grads;
            for (std::size_t o = 0; o < patch.targets.size(); ++o) {
                maps<T> weights = patch.weights[o];
                if (cfg_.is_malis) apply_malis(o, patch, weights);
                cost_result<T> c = evaluate_cost(cost_, net_->output(o), patch.targets[o], &weights);
                if (!std::isfinite(c.cost))
                    throw runtime_failure("the cost became " + std::to_string(c.cost) + " at iteration " +
                                          std::to_string(iteration_) + " (lower eta?); the last saved network is " +
                                          (result.saved.empty() ? std::string("none") : result.saved));
                window.cost += c.cost;
                window.wrong += c.misclassified;
                window.counted += c.counted;
                grads.push_back(std::move(c.gradient));
            }
            window.voxels += static_cast<std::int64_t>(patch_voxels);
            ++window.iterations;
            net_->backward(grads);
            net_->update(eta, cfg_.momentum, cfg_.weight_decay, patch_voxels);

            if (iteration_ % std::max(1, cfg_.num_iter_per_show) == 0 || iteration_ == cfg_.max_iter) {
                double cost = window.cost / std::max<std::int64_t>(1, window.counted);
                double cls = window.counted ? double(window.wrong) / double(window.counted) : 0.0;
                curve_.train_it.push_back(double(iteration_));
                curve_.train_err.push_back(cost);
                curve_.train_cls.push_back(cls);
                curve_.elapsed.push_back(elapsed_before_ + total.seconds());
                if (out_) {
                    double secs = since_show.seconds();
                    double rate = window.voxels / std::max(secs, 1e-9);
                    double per_iter = total.seconds() / double(iteration_ - first);
                    *out_ << "iter " << iteration_ << "/" << cfg_.max_iter << "  cost " << std::setprecision(4) << cost
                          << "  err " << cls << "  " << format_count(rate) << " vox/s  lr " << std::setprecision(3) << eta
                          << "  elapsed " << format_duration(total.seconds()) << "  ETA "
                          << format_duration(per_iter * double(cfg_.max_iter - iteration_)) << "\n"
                          << std::defaultfloat;
                }
                window.reset();
                since_show.restart();
            }
            if (test_ && iteration_ % std::max(1, cfg_.num_iter_per_test) == 0) validate();
            if (iteration_ % std::max(1, cfg_.num_iter_per_save) == 0) result.saved = save(true);
        }
        elapsed_before_ += total.seconds();
        if (result.interrupted || iteration_ % std::max(1, cfg_.num_iter_per_save) != 0 || result.saved.empty())
            result.saved = save(!result.interrupted && iteration_ > first);
        result.iteration = iteration_;
        if (out_ && result.interrupted) *out_ << "interrupted: saved " << result.saved << " at iteration " << iteration_ << "\n";
        return result;
    }

private:
    // MALIS needs the true partition of the patch: its segmentation ids, or, for stored true affinities
    // (label transform none: no ids), the original's segmentation of those affinities (malis.hpp).
    void apply_malis(std::size_t o, const training_patch<T>& patch, maps<T>& weights)
    {
        if (net_->output(o).size() != 3) return;
        const malis_norm norm = parse_malis_norm(cfg_.malis_norm_type);
        const malis_weights<T> m =
            patch.segmentation[o].empty()
                ? compute_malis(net_->output(o), segment_affinities(patch.targets[o]), norm)
                : compute_malis(net_->output(o), patch.segmentation[o], norm);
        multiply_weights(weights, m.weight);
    }

    void validate()
    {
        double cost = 0;
        std::int64_t wrong = 0, counted = 0;
        std::mt19937_64 rng(0x7e57 + static_cast<std::uint64_t>(iteration_));
        for (int k = 0; k < std::max(1, cfg_.test_num); ++k) {
            training_patch<T> patch = test_->next(rng);
            net_->evaluate(patch.inputs);  // dropout off, as when the network is used
            for (std::size_t o = 0; o < patch.targets.size(); ++o) {
                cost_result<T> c = evaluate_cost(cost_, net_->output(o), patch.targets[o], &patch.weights[o]);
                cost += c.cost;
                wrong += c.misclassified;
                counted += c.counted;
            }
        }
        double mean = cost / std::max<std::int64_t>(1, counted), cls = counted ? double(wrong) / double(counted) : 0.0;
        curve_.test_it.push_back(double(iteration_));
        curve_.test_err.push_back(mean);
        curve_.test_cls.push_back(cls);
        if (out_) *out_ << "test " << iteration_ << "  cost " << std::setprecision(4) << mean << "  err " << cls << "\n" << std::defaultfloat;
    }

    // Writes net_<it>.h5 (when `numbered`) and net_current.h5, each atomically.
    std::string save(bool numbered)
    {
        net_file file;
        file.layers = network_layers(*net_);
        file.curve = curve_;
        file.float64 = std::is_same_v<T, double>;
        file.znn_text = graph_.spec().text;
        file.cfg_text = cfg_.text;
        file.iteration = iteration_;
        std::ostringstream state;
        state << rng_;
        file.random_state = state.str();
        std::string current = network_file_path(cfg_, -1);
        fs::path folder = fs::path(current).parent_path();
        if (!folder.empty()) {
            std::error_code ec;
            fs::create_directories(folder, ec);
            if (ec) throw runtime_failure("cannot create the folder " + folder.string() + ": " + ec.message());
        }
        if (numbered) save_net_file(network_file_path(cfg_, iteration_), file);
        save_net_file(current, file);
        return current;
    }

    const config& cfg_;
    const train_options& opt_;
    const net_graph& graph_;
    const data_spec& data_;
    progress_log log_;
    std::ostream* out_;
    cost_kind cost_;
    std::unique_ptr<network<T>> net_;
    std::unique_ptr<patch_sampler<T>> train_, test_;
    std::mt19937_64 rng_;
    long long iteration_ = 0;
    learning_curve curve_;
    double elapsed_before_ = 0;
};

template <class T>
train_result run_training(const config& cfg, const train_options& opt)
{
    net_graph graph(load_net_spec(cfg.fnet_spec));
    data_spec data = load_data_spec(cfg.fdata_spec);
    trainer<T> t(cfg, opt, graph, data);
    t.resume(opt.seed_path);
    return t.run();
}

}  // namespace

train_result train(const config& cfg, const train_options& options)
{
    if (cfg.dtype == "float64") return run_training<double>(cfg, options);
    return run_training<float>(cfg, options);
}

}  // namespace znn
