#include "znn/init.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace znn {

initializer make_initializer(const std::string& name, const std::vector<double>& args)
{
    auto require_at_most = [&](std::size_t n) {
        if (args.size() > n)
            throw std::invalid_argument("init " + name + " takes at most " + std::to_string(n) + " arguments, got " +
                                        std::to_string(args.size()));
    };
    initializer init;
    if (name == "zero") {
        require_at_most(0);
        init.kind = init_kind::zero;
    } else if (name == "constant") {
        require_at_most(1);
        init = {init_kind::constant, args.empty() ? 0.0 : args[0], 0};
    } else if (name == "uniform") {
        require_at_most(2);
        if (args.empty())
            init = {init_kind::uniform, -0.1, 0.1};
        else if (args.size() == 1)
            init = {init_kind::uniform, -std::abs(args[0]), std::abs(args[0])};
        else
            init = {init_kind::uniform, args[0], args[1]};
        if (init.p1 < init.p0) throw std::invalid_argument("init uniform: upper bound below lower bound");
    } else if (name == "gaussian") {
        require_at_most(2);
        init = {init_kind::gaussian, args.size() > 0 ? args[0] : 0.0, args.size() > 1 ? args[1] : 0.01};
        if (init.p1 < 0) throw std::invalid_argument("init gaussian: negative standard deviation");
    } else if (name == "bernoulli") {
        require_at_most(1);
        init = {init_kind::bernoulli, args.empty() ? 0.5 : args[0], 0};
        if (!(init.p0 >= 0 && init.p0 <= 1)) throw std::invalid_argument("init bernoulli: p outside [0, 1]");
    } else if (name == "xavier") {
        require_at_most(0);
        init.kind = init_kind::xavier;
    } else if (name == "msra") {
        require_at_most(0);
        init.kind = init_kind::msra;
    } else {
        throw std::invalid_argument("unknown init '" + name + "'");
    }
    return init;
}

std::string init_name(init_kind kind)
{
    switch (kind) {
    case init_kind::zero: return "zero";
    case init_kind::constant: return "constant";
    case init_kind::uniform: return "uniform";
    case init_kind::gaussian: return "gaussian";
    case init_kind::bernoulli: return "bernoulli";
    case init_kind::xavier: return "xavier";
    case init_kind::msra: return "msra";
    }
    return "?";
}

namespace {

// Uniform in [0, 1) from the top 53 bits.
double unit(std::mt19937_64& rng)
{
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

template <class T>
void fill_uniform(std::span<T> values, std::mt19937_64& rng, double lo, double hi)
{
    for (T& v : values) v = static_cast<T>(lo + (hi - lo) * unit(rng));
}

// Box–Muller, both values of each pair used.
template <class T>
void fill_gaussian(std::span<T> values, std::mt19937_64& rng, double mean, double sigma)
{
    for (std::size_t i = 0; i < values.size(); i += 2) {
        const double u1 = 1.0 - unit(rng);  // (0, 1]: log is finite
        const double u2 = unit(rng);
        const double r = std::sqrt(-2.0 * std::log(u1));
        values[i] = static_cast<T>(mean + sigma * r * std::cos(2 * std::numbers::pi * u2));
        if (i + 1 < values.size()) values[i + 1] = static_cast<T>(mean + sigma * r * std::sin(2 * std::numbers::pi * u2));
    }
}

}  // namespace

template <class T>
void initialize(const initializer& init, std::span<T> values, std::mt19937_64& rng, double fan_in, double fan_out)
{
    switch (init.kind) {
    case init_kind::zero:
        for (T& v : values) v = T(0);
        break;
    case init_kind::constant:
        for (T& v : values) v = static_cast<T>(init.p0);
        break;
    case init_kind::uniform: fill_uniform(values, rng, init.p0, init.p1); break;
    case init_kind::gaussian: fill_gaussian(values, rng, init.p0, init.p1); break;
    case init_kind::bernoulli:
        for (T& v : values) v = unit(rng) < init.p0 ? T(1) : T(0);
        break;
    case init_kind::xavier: {
        if (!(fan_in + fan_out > 0)) throw std::invalid_argument("init xavier needs fan_in + fan_out > 0");
        const double r = std::sqrt(6.0 / (fan_in + fan_out));
        fill_uniform(values, rng, -r, r);
        break;
    }
    case init_kind::msra:
        if (!(fan_in > 0)) throw std::invalid_argument("init msra needs fan_in > 0");
        fill_gaussian(values, rng, 0.0, std::sqrt(2.0 / fan_in));
        break;
    }
}

template void initialize<float>(const initializer&, std::span<float>, std::mt19937_64&, double, double);
template void initialize<double>(const initializer&, std::span<double>, std::mt19937_64&, double, double);

}  // namespace znn
