// The learning curve as an SVG plot, written as text: two panels (cost, classification error against
// iteration), train and test lines, axes with ticks, labels and a legend.
#include "znn/report.hpp"

#include "text_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <tuple>

namespace znn {

namespace {

// Layout in SVG user units (pixels).
constexpr double canvas_width = 960, canvas_height = 420;
constexpr double panel_width = canvas_width / 2;
constexpr double plot_left = 78, plot_right = 450;  // within a panel
constexpr double plot_top = 66, plot_bottom = 336;
constexpr int target_ticks = 5;
const char* const train_colour = "#1f77b4";
const char* const test_colour = "#e6550d";

std::string escape_xml(const std::string& text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            // Control characters are not allowed in XML 1.0.
            if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
        }
    }
    return out;
}

std::string px(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    return text;
}

// A range with round ends and ticks at multiples of 1, 2 or 5 times a power of ten.
struct axis {
    double lo = 0, hi = 1, step = 1;
    std::vector<double> ticks;
};

axis nice_axis(double lo, double hi)
{
    if (!(hi > lo)) {  // one value (or none): widen around it
        const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    const double raw = (hi - lo) / target_ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
    axis a;
    a.step = step;
    const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
    a.lo = first * step;
    a.hi = last * step;
    for (double k = first; k <= last + 0.5; ++k) a.ticks.push_back(k * step);
    return a;
}

// Tick text: iterations as 250k / 1.5M, other values with up to 4 significant digits.
std::string tick_label(double v, double step, bool iterations)
{
    if (std::fabs(v) < step * 1e-6) v = 0;  // no "-0" or 1e-17
    std::ostringstream s;
    if (iterations && std::fabs(v) >= 1e6 && step >= 1e5) {
        s << std::setprecision(4) << v / 1e6 << "M";
    } else if (iterations && std::fabs(v) >= 1e3 && step >= 100) {
        s << std::setprecision(4) << v / 1e3 << "k";
    } else {
        s << std::setprecision(4) << v;
    }
    return s.str();
}

struct series {
    const char* name;
    const char* colour;
    std::vector<std::pair<double, double>> points;  // (iteration, value), non-finite ones included
};

void value_range(const std::vector<series>& all, bool x, double& lo, double& hi, bool& any)
{
    for (const series& s : all)
        for (const auto& [it, v] : s.points) {
            if (!std::isfinite(it) || !std::isfinite(v)) continue;
            const double value = x ? it : v;
            lo = any ? std::min(lo, value) : value;
            hi = any ? std::max(hi, value) : value;
            any = true;
        }
}

void draw_panel(std::ostream& out, double offset, const std::string& title, const std::string& y_label,
                const std::vector<series>& all, const axis& xa)
{
    double lo = 0, hi = 1;
    bool any = false;
    value_range(all, false, lo, hi, any);
    const axis ya = any ? nice_axis(lo, hi) : nice_axis(0, 1);
    const double left = offset + plot_left, right = offset + plot_right;
    const auto to_x = [&](double v) { return left + (v - xa.lo) / (xa.hi - xa.lo) * (right - left); };
    const auto to_y = [&](double v) { return plot_bottom - (v - ya.lo) / (ya.hi - ya.lo) * (plot_bottom - plot_top); };

    out << "<g class=\"panel\">\n";
    out << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << px(plot_top - 10)
        << "\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" << escape_xml(title) << "</text>\n";
    // Grid and ticks.
    for (double t : ya.ticks) {
        const double y = to_y(t);
        out << "<line x1=\"" << px(left) << "\" y1=\"" << px(y) << "\" x2=\"" << px(right) << "\" y2=\"" << px(y)
            << "\" stroke=\"#e0e0e0\" stroke-width=\"1\"/>\n";
        out << "<line x1=\"" << px(left - 5) << "\" y1=\"" << px(y) << "\" x2=\"" << px(left) << "\" y2=\"" << px(y)
            << "\" stroke=\"black\" stroke-width=\"1\"/>\n";
        out << "<text x=\"" << px(left - 8) << "\" y=\"" << px(y + 4) << "\" text-anchor=\"end\" font-size=\"11\">"
            << tick_label(t, ya.step, false) << "</text>\n";
    }
    for (double t : xa.ticks) {
        const double x = to_x(t);
        out << "<line x1=\"" << px(x) << "\" y1=\"" << px(plot_bottom) << "\" x2=\"" << px(x) << "\" y2=\""
            << px(plot_bottom + 5) << "\" stroke=\"black\" stroke-width=\"1\"/>\n";
        out << "<text x=\"" << px(x) << "\" y=\"" << px(plot_bottom + 19) << "\" text-anchor=\"middle\" font-size=\"11\">"
            << tick_label(t, xa.step, true) << "</text>\n";
    }
    // Axes and their labels.
    out << "<rect x=\"" << px(left) << "\" y=\"" << px(plot_top) << "\" width=\"" << px(right - left) << "\" height=\""
        << px(plot_bottom - plot_top) << "\" fill=\"none\" stroke=\"black\" stroke-width=\"1\"/>\n";
    out << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << px(plot_bottom + 40)
        << "\" text-anchor=\"middle\" font-size=\"12\">iteration</text>\n";
    const double label_x = offset + 20, label_y = (plot_top + plot_bottom) / 2;
    out << "<text x=\"" << px(label_x) << "\" y=\"" << px(label_y) << "\" text-anchor=\"middle\" font-size=\"12\" "
        << "transform=\"rotate(-90 " << px(label_x) << " " << px(label_y) << ")\">" << escape_xml(y_label) << "</text>\n";
    if (!any)
        out << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << px(label_y)
            << "\" text-anchor=\"middle\" font-size=\"13\" fill=\"#808080\">no data</text>\n";

    // The lines, broken where a value is not finite; a lone point is a dot.
    for (const series& s : all) {
        std::vector<std::pair<double, double>> run;
        const auto flush = [&] {
            if (run.size() == 1) {
                out << "<circle cx=\"" << px(run[0].first) << "\" cy=\"" << px(run[0].second)
                    << "\" r=\"3\" fill=\"" << s.colour << "\"/>\n";
            } else if (run.size() > 1) {
                out << "<polyline class=\"" << s.name << "\" fill=\"none\" stroke=\"" << s.colour
                    << "\" stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"";
                for (std::size_t i = 0; i < run.size(); ++i)
                    out << (i ? " " : "") << px(run[i].first) << "," << px(run[i].second);
                out << "\"/>\n";
            }
            run.clear();
        };
        for (const auto& [it, v] : s.points) {
            if (std::isfinite(it) && std::isfinite(v))
                run.emplace_back(to_x(it), to_y(v));
            else
                flush();
        }
        flush();
    }
    out << "</g>\n";
}

}  // namespace

void write_curve_svg(const learning_curve& curve, const std::string& title, std::ostream& out)
{
    const std::vector<curve_point> train = train_points(curve), test = test_points(curve);
    const auto make = [&](bool cost) {
        std::vector<series> all;
        for (const auto& [name, colour, pts] :
             {std::tuple{"train", train_colour, &train}, std::tuple{"test", test_colour, &test}}) {
            if (pts->empty()) continue;
            series s{name, colour, {}};
            for (const curve_point& p : *pts) s.points.emplace_back(p.iteration, cost ? p.cost : p.error);
            all.push_back(std::move(s));
        }
        return all;
    };
    const std::vector<series> cost = make(true), error = make(false);

    // One iteration axis for both panels, from 0 when every iteration is >= 0.
    double lo = 0, hi = 1;
    bool any = false;
    value_range(cost, true, lo, hi, any);
    value_range(error, true, lo, hi, any);
    const axis xa = any ? nice_axis(std::min(lo, 0.0), hi) : nice_axis(0, 1);

    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << canvas_width << "\" height=\"" << canvas_height
        << "\" viewBox=\"0 0 " << canvas_width << " " << canvas_height
        << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
    out << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    out << "<text x=\"" << px(canvas_width / 2) << "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">"
        << escape_xml(title.empty() ? std::string("learning curve") : "learning curve: " + title) << "</text>\n";
    draw_panel(out, 0, "cost", "cost", cost, xa);
    draw_panel(out, panel_width, "classification error", "classification error", error, xa);

    // Legend, centred under the panels.
    const std::vector<series>& shown = cost;
    double x = canvas_width / 2 - 70.0 * static_cast<double>(shown.size()) / 2;
    const double y = canvas_height - 14;
    out << "<g class=\"legend\">\n";
    if (shown.empty())
        out << "<text x=\"" << px(canvas_width / 2) << "\" y=\"" << px(y + 4)
            << "\" text-anchor=\"middle\" font-size=\"12\">no learning curve stored</text>\n";
    for (const series& s : shown) {
        out << "<line x1=\"" << px(x) << "\" y1=\"" << px(y) << "\" x2=\"" << px(x + 22) << "\" y2=\"" << px(y)
            << "\" stroke=\"" << s.colour << "\" stroke-width=\"2.5\"/>\n";
        out << "<text x=\"" << px(x + 28) << "\" y=\"" << px(y + 4) << "\" font-size=\"12\">" << s.name << "</text>\n";
        x += 70;
    }
    out << "</g>\n</svg>\n";
}

void save_curve_svg(const std::string& path, const learning_curve& curve, const std::string& title)
{
    std::ostringstream text;
    write_curve_svg(curve, title, text);
    report_detail::write_text_file(path, text.str());
}

}  // namespace znn
