// libFuzzer target: .cfg text -> parse_config_text (paths resolve against /fuzz; nothing is opened).
#include "fuzz_common.hpp"

#include "znn/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    znn::fuzz::expect_clean([&] {
        const znn::config c = znn::parse_config_text(text, "/fuzz/job.cfg");
        (void)c.effective_cost_fn();
        (void)znn::parse_config_text(c.text, "/fuzz/again.cfg");  // the effective text reads back
    });
    return 0;
}
