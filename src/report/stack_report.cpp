// describe_stack: the `znn inspect STACK` report.
#include "znn/report.hpp"

#include "znn/image_io.hpp"

#include <iomanip>
#include <ostream>

namespace znn {

void describe_stack(const std::string& path, std::ostream& out)
{
    const stack_path where = parse_stack_path(path);
    const stack_summary s = stack_info(path);
    out << "image stack: " << where.file << "\n";
    if (where.format == stack_format::h5)
        out << "format: hdf5, dataset " << where.dataset << "\n";
    else
        out << "format: tif\n";
    out << "shape (z,y,x): " << s.shape.dims() << "\n";
    out << "channels: " << s.channels << "\n";
    out << "dtype: " << dtype_name(s.type) << "\n";
    const std::int64_t values = s.channels * s.shape.volume();
    if (values == s.nan_count)
        out << "value range: none (no numbers)\n";
    else
        out << "value range: " << std::setprecision(9) << s.min << " .. " << s.max << "\n";
    out << "NaN count: " << s.nan_count << "\n";
}

}  // namespace znn
