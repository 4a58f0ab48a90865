// The training costs (see include/znn/cost.hpp for the formulas).
#include "znn/cost.hpp"

#include "znn/error.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace znn {

cost_kind parse_cost_kind(const std::string& name)
{
    if (name == "square_loss") return cost_kind::square_loss;
    if (name == "binomial_cross_entropy") return cost_kind::binomial_cross_entropy;
    if (name == "softmax_loss") return cost_kind::softmax_loss;
    if (name == "auto")
        throw input_error("cost_fn auto must be resolved by out_type first (boundary: softmax_loss, "
                          "affinity: binomial_cross_entropy)");
    throw input_error("unknown cost_fn '" + name + "' (auto, square_loss, binomial_cross_entropy or softmax_loss)");
}

const char* cost_kind_name(cost_kind kind) noexcept
{
    switch (kind) {
    case cost_kind::square_loss: return "square_loss";
    case cost_kind::binomial_cross_entropy: return "binomial_cross_entropy";
    case cost_kind::softmax_loss: return "softmax_loss";
    }
    return "square_loss";
}

cost_kind auto_cost_kind(bool affinity_output) noexcept
{
    return affinity_output ? cost_kind::binomial_cross_entropy : cost_kind::softmax_loss;
}

namespace {

template <class T>
void check_same_maps(const maps<T>& a, const maps<T>& b, const char* what)
{
    if (a.size() != b.size())
        throw input_error(std::string("cost: ") + what + " has " + std::to_string(b.size()) + " maps, the prediction " +
                          std::to_string(a.size()));
    for (std::size_t c = 0; c < a.size(); ++c)
        if (a[c].shape() != b[c].shape())
            throw input_error(std::string("cost: ") + what + " map " + std::to_string(c) + " is " +
                              b[c].shape().dims() + ", the prediction " + a[c].shape().dims());
}

template <class T>
void check_inputs(const maps<T>& prediction, const maps<T>& target, const maps<T>* weight)
{
    if (prediction.empty()) throw input_error("cost: the prediction has no maps");
    for (std::size_t c = 1; c < prediction.size(); ++c)
        if (prediction[c].shape() != prediction[0].shape())
            throw input_error("cost: the prediction's maps differ in shape (" + prediction[0].shape().dims() + " and " +
                              prediction[c].shape().dims() + ")");
    check_same_maps(prediction, target, "the target");
    if (weight) check_same_maps(prediction, *weight, "the weight");
}

// ln(p) with p kept away from 0 so that a saturated sigmoid gives a large but finite cost.
inline double safe_log(double p)
{
    constexpr double eps = 1e-12;
    return std::log(std::clamp(p, eps, 1.0 - eps));
}

template <class T>
double square_loss(const maps<T>& p, const maps<T>& y, const maps<T>* w, maps<T>& grad)
{
    double e = 0;
    for (std::size_t c = 0; c < p.size(); ++c)
        for (std::size_t i = 0; i < p[c].size(); ++i) {
            const double wi = w ? static_cast<double>((*w)[c][i]) : 1.0;
            const double d = static_cast<double>(p[c][i]) - static_cast<double>(y[c][i]);
            e += wi * d * d;
            grad[c][i] = static_cast<T>(2.0 * wi * d);
        }
    return e;
}

template <class T>
double binomial_cross_entropy(const maps<T>& p, const maps<T>& y, const maps<T>* w, maps<T>& grad)
{
    double e = 0;
    for (std::size_t c = 0; c < p.size(); ++c)
        for (std::size_t i = 0; i < p[c].size(); ++i) {
            const double wi = w ? static_cast<double>((*w)[c][i]) : 1.0;
            const double pi = p[c][i];
            const double yi = y[c][i];
            grad[c][i] = static_cast<T>(wi * (pi - yi));
            if (wi == 0) continue;
            double term = 0;
            if (yi != 0) term -= yi * safe_log(pi);
            if (yi != 1) term -= (1 - yi) * safe_log(1 - pi);
            e += wi * term;
        }
    return e;
}

template <class T>
double softmax_loss(const maps<T>& prob, const maps<T>& y, const maps<T>* w, maps<T>& grad)
{
    double e = 0;
    for (std::size_t c = 0; c < prob.size(); ++c)
        for (std::size_t i = 0; i < prob[c].size(); ++i) {
            const double wi = w ? static_cast<double>((*w)[c][i]) : 1.0;
            const double pi = prob[c][i];
            const double yi = y[c][i];
            grad[c][i] = static_cast<T>(wi * (pi - yi));
            if (wi != 0 && yi != 0) e -= wi * yi * safe_log(pi);
        }
    return e;
}

}  // namespace

template <class T>
maps<T> softmax(const maps<T>& values)
{
    maps<T> out;
    if (values.empty()) return out;
    const vec3 shape = values[0].shape();
    for (const auto& v : values)
        if (v.shape() != shape)
            throw input_error("softmax: the maps differ in shape (" + shape.dims() + " and " + v.shape().dims() + ")");
    out.reserve(values.size());
    for (std::size_t c = 0; c < values.size(); ++c) out.emplace_back(shape);
    const std::size_t n = values[0].size();
    for (std::size_t i = 0; i < n; ++i) {
        double top = values[0][i];
        for (std::size_t c = 1; c < values.size(); ++c) top = std::max(top, static_cast<double>(values[c][i]));
        double sum = 0;
        for (std::size_t c = 0; c < values.size(); ++c) sum += std::exp(static_cast<double>(values[c][i]) - top);
        for (std::size_t c = 0; c < values.size(); ++c)
            out[c][i] = static_cast<T>(std::exp(static_cast<double>(values[c][i]) - top) / sum);
    }
    return out;
}

template <class T>
std::pair<std::int64_t, std::int64_t> count_misclassified(const maps<T>& probability, const maps<T>& target,
                                                          const maps<T>* weight)
{
    check_inputs(probability, target, weight);
    std::int64_t wrong = 0, counted = 0;
    for (std::size_t c = 0; c < probability.size(); ++c)
        for (std::size_t i = 0; i < probability[c].size(); ++i) {
            if (weight && !((*weight)[c][i] > T(0))) continue;
            ++counted;
            if ((probability[c][i] > T(0.5)) != (target[c][i] > T(0.5))) ++wrong;
        }
    return {wrong, counted};
}

template <class T>
cost_result<T> evaluate_cost(cost_kind kind, const maps<T>& prediction, const maps<T>& target, const maps<T>* weight)
{
    check_inputs(prediction, target, weight);
    cost_result<T> r;
    r.gradient.reserve(prediction.size());
    for (const auto& m : prediction) r.gradient.emplace_back(m.shape());

    switch (kind) {
    case cost_kind::square_loss: r.cost = square_loss(prediction, target, weight, r.gradient); break;
    case cost_kind::binomial_cross_entropy:
        r.cost = binomial_cross_entropy(prediction, target, weight, r.gradient);
        break;
    case cost_kind::softmax_loss:
        r.probability = softmax(prediction);
        r.cost = softmax_loss(r.probability, target, weight, r.gradient);
        break;
    }
    const auto [wrong, counted] =
        count_misclassified(kind == cost_kind::softmax_loss ? r.probability : prediction, target, weight);
    r.misclassified = wrong;
    r.counted = counted;
    return r;
}

template <class T>
void multiply_weights(maps<T>& weight, const maps<T>& factor)
{
    check_same_maps(weight, factor, "the factor");
    for (std::size_t c = 0; c < weight.size(); ++c)
        for (std::size_t i = 0; i < weight[c].size(); ++i) weight[c][i] *= factor[c][i];
}

#define ZNN_INSTANTIATE_COST(T)                                                                                 \
    template cost_result<T> evaluate_cost<T>(cost_kind, const maps<T>&, const maps<T>&, const maps<T>*);      \
    template maps<T> softmax<T>(const maps<T>&);                                                               \
    template std::pair<std::int64_t, std::int64_t> count_misclassified<T>(const maps<T>&, const maps<T>&,     \
                                                                          const maps<T>*);                     \
    template void multiply_weights<T>(maps<T>&, const maps<T>&);

ZNN_INSTANTIATE_COST(float)
ZNN_INSTANTIATE_COST(double)

#undef ZNN_INSTANTIATE_COST

}  // namespace znn
