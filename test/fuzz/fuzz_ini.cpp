// libFuzzer target: INI text -> parse_ini (the reader under .spec and .cfg) and its property tree.
#include "fuzz_common.hpp"

#include "znn/ini.hpp"

#include <boost/property_tree/ptree.hpp>

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    znn::fuzz::expect_clean([&] { (void)znn::parse_ini(in, "fuzz.ini").to_ptree(); });
    return 0;
}
