#include "znn/raw_stack.hpp"

namespace znn {

std::size_t dtype_size(dtype t) noexcept
{
    return visit_dtype(t, [](auto tag) { return sizeof(tag); });
}

bool dtype_is_float(dtype t) noexcept { return t == dtype::float32 || t == dtype::float64; }

bool dtype_is_signed(dtype t) noexcept
{
    return visit_dtype(t, [](auto tag) { return std::is_signed_v<decltype(tag)>; });
}

const char* dtype_name(dtype t) noexcept
{
    switch (t) {
    case dtype::uint8: return "uint8";
    case dtype::int8: return "int8";
    case dtype::uint16: return "uint16";
    case dtype::int16: return "int16";
    case dtype::uint32: return "uint32";
    case dtype::int32: return "int32";
    case dtype::uint64: return "uint64";
    case dtype::int64: return "int64";
    case dtype::float32: return "float32";
    case dtype::float64: return "float64";
    }
    return "?";
}

dtype parse_dtype(const std::string& name)
{
    for (dtype t : {dtype::uint8, dtype::int8, dtype::uint16, dtype::int16, dtype::uint32, dtype::int32, dtype::uint64,
                    dtype::int64, dtype::float32, dtype::float64})
        if (name == dtype_name(t)) return t;
    throw input_error("unknown data type '" + name + "' (uint8, int8, uint16, int16, uint32, int32, uint64, int64, "
                      "float32 or float64)");
}

}  // namespace znn
