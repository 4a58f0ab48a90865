// The learning curve as points, as a text table and as CSV.
#include "znn/report.hpp"

#include "znn/progress.hpp"

#include "text_output.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

namespace znn {

namespace {

constexpr double no_time = std::numeric_limits<double>::quiet_NaN();

std::vector<curve_point> points(const std::vector<double>& it, const std::vector<double>& err,
                                const std::vector<double>& cls, const std::vector<double>* elapsed)
{
    const std::size_t n = std::min({it.size(), err.size(), cls.size()});
    std::vector<curve_point> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = {it[i], err[i], cls[i], no_time};
        if (elapsed && i < elapsed->size()) out[i].elapsed = (*elapsed)[i];
    }
    return out;
}

// Shortest text that reads back as the same double; whole iterations without an exponent.
std::string number(double v, bool whole_as_integer = false)
{
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (whole_as_integer && v == std::floor(v) && std::fabs(v) < 1e15)
        return std::to_string(static_cast<long long>(v));
    char text[64];
    const auto r = std::to_chars(text, text + sizeof text, v);
    return std::string(text, r.ptr);
}

std::string table_number(double v)
{
    if (!std::isfinite(v)) return number(v);
    std::ostringstream s;
    s << std::setprecision(6) << v;
    return s.str();
}

void table(const char* phase, const std::vector<curve_point>& pts, std::size_t rows, bool with_time, std::ostream& out)
{
    if (pts.empty()) {
        out << phase << ": no points\n";
        return;
    }
    const std::size_t first = pts.size() > rows ? pts.size() - rows : 0;
    out << phase << " (" << pts.size() << " point" << (pts.size() == 1 ? "" : "s");
    if (first > 0) out << ", the last " << rows;
    out << "):\n";
    out << "  " << std::right << std::setw(12) << "iteration" << std::setw(14) << "cost" << std::setw(14) << "error";
    if (with_time) out << std::setw(10) << "elapsed";
    out << "\n";
    for (std::size_t i = first; i < pts.size(); ++i) {
        const curve_point& p = pts[i];
        out << "  " << std::setw(12) << number(p.iteration, true) << std::setw(14) << table_number(p.cost)
            << std::setw(14) << table_number(p.error);
        if (with_time) out << std::setw(10) << (std::isfinite(p.elapsed) ? format_duration(p.elapsed) : "-");
        out << "\n";
    }
}

}  // namespace

std::vector<curve_point> train_points(const learning_curve& curve)
{
    return points(curve.train_it, curve.train_err, curve.train_cls, &curve.elapsed);
}

std::vector<curve_point> test_points(const learning_curve& curve)
{
    return points(curve.test_it, curve.test_err, curve.test_cls, nullptr);
}

void write_curve_table(const learning_curve& curve, std::ostream& out, std::size_t rows)
{
    out << "learning curve (cost, classification error):\n";
    table("train", train_points(curve), rows, !curve.elapsed.empty(), out);
    table("test", test_points(curve), rows, false, out);
}

void write_curve_csv(const learning_curve& curve, std::ostream& out)
{
    out << "phase,iteration,cost,error,elapsed\n";
    for (const curve_point& p : train_points(curve))
        out << "train," << number(p.iteration, true) << ',' << number(p.cost) << ',' << number(p.error) << ','
            << (std::isnan(p.elapsed) ? std::string() : number(p.elapsed)) << '\n';
    for (const curve_point& p : test_points(curve))
        out << "test," << number(p.iteration, true) << ',' << number(p.cost) << ',' << number(p.error) << ",\n";
}

void save_curve_csv(const std::string& path, const learning_curve& curve)
{
    std::ostringstream text;
    write_curve_csv(curve, text);
    report_detail::write_text_file(path, text.str());
}

}  // namespace znn
