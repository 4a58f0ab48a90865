#include "znn/h5_box.hpp"

#include "atomic_file.hpp"
#include "hdf5_util.hpp"

#include <new>

namespace znn {

using io_detail::h5_id;

struct h5_box_reader::impl {
    io_detail::h5_dataset dataset;
};

h5_box_reader::h5_box_reader(const std::string& path)
{
    const stack_path p = parse_stack_path(path);
    if (p.format != stack_format::h5) throw input_error(path, 0, "box access needs an .h5 / .hdf5 file");
    impl_ = std::make_unique<impl>(impl{io_detail::h5_dataset(p.file, p.dataset)});
}

h5_box_reader::~h5_box_reader() = default;
h5_box_reader::h5_box_reader(h5_box_reader&&) noexcept = default;
h5_box_reader& h5_box_reader::operator=(h5_box_reader&&) noexcept = default;

dtype h5_box_reader::type() const { return impl_->dataset.type(); }
std::int64_t h5_box_reader::channels() const { return impl_->dataset.channels(); }
vec3 h5_box_reader::shape() const { return impl_->dataset.shape(); }

raw_stack h5_box_reader::read_box(vec3 offset, vec3 box_shape) const
{
    const auto& ds = impl_->dataset;
    try {  // a box of a huge dataset may not fit in memory
        raw_stack s(ds.type(), ds.channels(), box_shape.all_positive() ? box_shape : vec3{0, 0, 0});
        ds.read(0, ds.channels(), offset, box_shape, s.bytes.data());
        return s;
    } catch (const std::bad_alloc&) {
        throw runtime_failure(ds.file() + ":" + ds.name() + ": not enough memory for a box of " + box_shape.dims());
    }
}

struct h5_box_writer::impl {
    io_detail::atomic_file out;
    std::int64_t channels;
    vec3 shape;
    h5_id file;
    h5_id dataset;
};

h5_box_writer::h5_box_writer(const std::string& path, std::int64_t channels, vec3 shape, const write_options& options)
{
    const stack_path p = parse_stack_path(path);
    if (p.format != stack_format::h5) throw input_error(path, 0, "box output needs an .h5 / .hdf5 file");
    if (channels < 1 || !shape.all_positive())
        throw runtime_failure(path + ": cannot create a " + std::to_string(channels) + "x" + shape.dims() + " dataset");
    impl_ = std::unique_ptr<impl>(new impl{io_detail::atomic_file(p.file), channels, shape, {}, {}});
    io_detail::h5_quiet quiet;
    impl_->file = h5_id(H5Fcreate(impl_->out.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!impl_->file.valid()) throw runtime_failure(p.file + ": cannot create the file" + io_detail::h5_reason());
    impl_->dataset = io_detail::create_h5_dataset(impl_->file.get(), p.file, p.dataset, dtype::float32, 4, channels,
                                                  shape, options.gzip_level,
                                                  io_detail::chunking::tiles);
}

h5_box_writer::~h5_box_writer()
{
    if (impl_) {  // close the ids before atomic_file removes the temporary file
        io_detail::h5_quiet quiet;  // closing after a failed write fails again: no HDF5 report on stderr
        impl_->dataset.close();
        impl_->file.close();
    }
}
h5_box_writer::h5_box_writer(h5_box_writer&&) noexcept = default;
h5_box_writer& h5_box_writer::operator=(h5_box_writer&&) noexcept = default;

std::int64_t h5_box_writer::channels() const { return impl_->channels; }
vec3 h5_box_writer::shape() const { return impl_->shape; }

namespace {
template <class T>
raw_stack checked_box(const std::string& file, std::int64_t channels, vec3 shape, vec3 offset, const maps<T>& box)
{
    const vec3 size = box.empty() ? vec3{0, 0, 0} : box[0].shape();
    const vec3 end = offset + size;
    if (static_cast<std::int64_t>(box.size()) != channels || offset.z < 0 || offset.y < 0 || offset.x < 0 ||
        end.z > shape.z || end.y > shape.y || end.x > shape.x)
        throw runtime_failure(file + ": cannot write " + std::to_string(box.size()) + " maps of " + size.dims() + " at " +
                              offset.str() + " into a " + std::to_string(channels) + "x" + shape.dims() + " dataset");
    maps<float> as_float;
    for (const auto& m : box) {
        volume<float> f(m.shape());
        std::copy(m.begin(), m.end(), f.begin());
        as_float.push_back(std::move(f));
    }
    return to_stack(as_float);  // checks that all maps share one shape
}
}  // namespace

void h5_box_writer::write_box(vec3 offset, const maps<float>& box)
{
    const raw_stack s = checked_box(impl_->out.final_path(), impl_->channels, impl_->shape, offset, box);
    io_detail::write_h5_box(impl_->dataset.get(), impl_->out.final_path(), 4, dtype::float32, impl_->channels, offset,
                            s.shape, s.bytes.data());
}

void h5_box_writer::write_box(vec3 offset, const maps<double>& box)
{
    const raw_stack s = checked_box(impl_->out.final_path(), impl_->channels, impl_->shape, offset, box);
    io_detail::write_h5_box(impl_->dataset.get(), impl_->out.final_path(), 4, dtype::float32, impl_->channels, offset,
                            s.shape, s.bytes.data());
}

void h5_box_writer::commit()
{
    io_detail::h5_quiet quiet;
    if (!impl_->dataset.close() || !impl_->file.close())
        throw runtime_failure(impl_->out.final_path() + ": closing the file failed" + io_detail::h5_reason());
    impl_->out.commit();
}

}  // namespace znn
