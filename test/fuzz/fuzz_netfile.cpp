// libFuzzer target: network-file bytes -> a scratch .h5 file -> load_net_file and network_text.
#include "fuzz_common.hpp"

#include "znn/net_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string path = znn::fuzz::scratch_path(".h5");
    znn::fuzz::write_file(path, data, size);
    znn::fuzz::expect_clean([&] { (void)znn::network_text(znn::load_net_file(path)); });
    return 0;
}
