// libFuzzer target: .spec bytes -> a scratch file -> load_data_spec (and load_ini on the same file).
#include "fuzz_common.hpp"

#include "znn/data_spec.hpp"
#include "znn/ini.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string path = znn::fuzz::scratch_path(".spec");
    znn::fuzz::write_file(path, data, size);
    znn::fuzz::expect_clean([&] { (void)znn::load_data_spec(path); });
    znn::fuzz::expect_clean([&] { (void)znn::load_ini(path); });
    return 0;
}
