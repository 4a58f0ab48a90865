// libFuzzer target: .znn text -> parse_net_spec_text, then the graph and its sizes when it parses.
#include "fuzz_common.hpp"

#include "znn/net_graph.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    znn::fuzz::expect_clean([&] {
        znn::net_graph graph(znn::parse_net_spec_text(text, "fuzz.znn"));
        (void)graph.parameter_count();
        (void)graph.field_of_view();
    });
    return 0;
}
