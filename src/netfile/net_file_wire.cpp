#include "net_file_wire.hpp"

#include "znn/error.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace znn::netfile_detail {

// A tripwire for fields added to net_file / layer_record without a line below (sizes of this layout
// under libstdc++ on 64-bit Linux; other standard libraries skip the check).
#if defined(__GLIBCXX__) && defined(__x86_64__)
static_assert(sizeof(layer_record) == 224, "layer_record changed: update to_wire/from_wire (net_file_wire.cpp)");
static_assert(sizeof(learning_curve) == 168, "learning_curve changed: update to_wire/from_wire (net_file_wire.cpp)");
static_assert(sizeof(net_file) == 336, "net_file changed: update to_wire/from_wire (net_file_wire.cpp)");
#endif

namespace {

class wire_writer {
public:
    template <class T>
    void number(T value)
    {
        static_assert(std::is_arithmetic_v<T>);
        bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    void text(const std::string& s)
    {
        number<std::uint64_t>(s.size());
        bytes_ += s;
    }
    void reals(const std::vector<double>& values)
    {
        number<std::uint64_t>(values.size());
        bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
    }
    void triple(vec3 v)
    {
        number(v.z);
        number(v.y);
        number(v.x);
    }
    std::string take() { return std::move(bytes_); }

private:
    std::string bytes_;
};

class wire_reader {
public:
    explicit wire_reader(const std::string& bytes) : bytes_(bytes) {}

    template <class T>
    T number()
    {
        static_assert(std::is_arithmetic_v<T>);
        T value{};
        std::memcpy(&value, take(sizeof value), sizeof value);
        return value;
    }
    std::string text()
    {
        const auto n = count(1);
        return std::string(take(n), n);
    }
    std::vector<double> reals()
    {
        const auto n = count(sizeof(double));
        std::vector<double> values(n);
        if (n) std::memcpy(values.data(), take(n * sizeof(double)), n * sizeof(double));
        return values;
    }
    vec3 triple()
    {
        vec3 v;
        v.z = number<std::int64_t>();
        v.y = number<std::int64_t>();
        v.x = number<std::int64_t>();
        return v;
    }
    // A count of items of `item_size` bytes each, checked against the bytes left.
    std::size_t count(std::size_t item_size)
    {
        const auto n = number<std::uint64_t>();
        if (n > (bytes_.size() - at_) / item_size) malformed();
        return static_cast<std::size_t>(n);
    }
    bool done() const { return at_ == bytes_.size(); }
    [[noreturn]] static void malformed() { throw runtime_failure("internal error: a malformed network record"); }

private:
    const char* take(std::size_t n)
    {
        if (n > bytes_.size() - at_) malformed();
        const char* p = bytes_.data() + at_;
        at_ += n;
        return p;
    }

    const std::string& bytes_;
    std::size_t at_ = 0;
};

void write_layer(wire_writer& out, const layer_record& layer)
{
    out.text(layer.name);
    out.number<std::uint8_t>(layer.is_edge);
    out.number<std::uint64_t>(layer.strings.size());
    for (const auto& [key, value] : layer.strings) {
        out.text(key);
        out.text(value);
    }
    out.triple(layer.size);
    out.triple(layer.stride);
    out.number(layer.n_in);
    out.number(layer.n_out);
    out.reals(layer.filters);
    out.reals(layer.filter_momentum);
    out.reals(layer.biases);
    out.reals(layer.bias_momentum);
}

layer_record read_layer(wire_reader& in)
{
    layer_record layer;
    layer.name = in.text();
    layer.is_edge = in.number<std::uint8_t>() != 0;
    for (std::size_t n = in.count(2 * sizeof(std::uint64_t)); n > 0; --n) {
        std::string key = in.text();
        layer.strings.emplace_back(std::move(key), in.text());
    }
    layer.size = in.triple();
    layer.stride = in.triple();
    layer.n_in = in.number<std::int64_t>();
    layer.n_out = in.number<std::int64_t>();
    layer.filters = in.reals();
    layer.filter_momentum = in.reals();
    layer.biases = in.reals();
    layer.bias_momentum = in.reals();
    return layer;
}

}  // namespace

std::string to_wire(const net_file& net)
{
    wire_writer out;
    out.number<std::uint64_t>(net.layers.size());
    for (const layer_record& layer : net.layers) write_layer(out, layer);
    const learning_curve& c = net.curve;
    for (const auto* series : {&c.train_it, &c.train_err, &c.train_cls, &c.test_it, &c.test_err, &c.test_cls, &c.elapsed})
        out.reals(*series);
    out.number<std::uint8_t>(net.float64);
    out.text(net.znn_text);
    out.text(net.cfg_text);
    out.number<std::int64_t>(net.iteration);
    out.text(net.random_state);
    out.text(net.version);
    return out.take();
}

net_file from_wire(const std::string& bytes)
{
    wire_reader in(bytes);
    net_file net;
    for (std::size_t n = in.count(1); n > 0; --n) net.layers.push_back(read_layer(in));
    learning_curve& c = net.curve;
    for (auto* series : {&c.train_it, &c.train_err, &c.train_cls, &c.test_it, &c.test_err, &c.test_cls, &c.elapsed})
        *series = in.reals();
    net.float64 = in.number<std::uint8_t>() != 0;
    net.znn_text = in.text();
    net.cfg_text = in.text();
    net.iteration = in.number<std::int64_t>();
    net.random_state = in.text();
    net.version = in.text();
    if (!in.done()) wire_reader::malformed();
    return net;
}

}  // namespace znn::netfile_detail
