// libFuzzer target: image-stack bytes -> a scratch .tif or .h5 file -> read_stack, stack_info and (h5)
// h5_box_reader. The first byte picks the format (even: tif, odd: h5); the rest is the file.
#include "fuzz_common.hpp"

#include "znn/h5_box.hpp"
#include "znn/image_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    static const std::string tif = znn::fuzz::scratch_path(".tif"), h5 = znn::fuzz::scratch_path(".h5");
    const bool is_h5 = data[0] & 1;
    const std::string& path = is_h5 ? h5 : tif;
    znn::fuzz::write_file(path, data + 1, size - 1);
    znn::fuzz::expect_clean([&] { (void)znn::read_stack(path); });
    znn::fuzz::expect_clean([&] { (void)znn::stack_info(path); });
    if (is_h5)
        znn::fuzz::expect_clean([&] {
            znn::h5_box_reader reader(path);
            (void)reader.read_box({0, 0, 0}, reader.shape());
        });
    return 0;
}
