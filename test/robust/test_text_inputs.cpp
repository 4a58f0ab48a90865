// Truncated, mutated and random inputs to the .znn, .cfg, .spec and INI readers: every case must be
// read or rejected with input_error / runtime_failure (see robust_support.hpp).
#include "robust_support.hpp"
#include "text_readers.hpp"

using namespace znn::robust;

namespace {

const std::vector<std::string> net_files{"net_all.znn", "net_crlf.znn", "net_legacy.znn"};
const std::vector<std::string> cfg_files{"job/full.cfg", "job/legacy.cfg", "job/minimal.cfg"};
const std::string spec_file = "data/sample.spec";

}  // namespace

TEST_CASE("robust: the harness tells a clean rejection from a wrong exception", "[robust]")
{
    CHECK(run_case([] {}).kind == outcome::accepted);
    CHECK(run_case([] { throw znn::input_error("f", 3, "bad"); }).kind == outcome::input_error);
    CHECK(run_case([] { throw znn::runtime_failure("disk full"); }).kind == outcome::runtime_failure);
    CHECK(run_case([] { throw znn::runtime_failure(""); }).kind == outcome::empty_message);
    CHECK(run_case([] { (void)std::string("abc").substr(9); }).kind == outcome::wrong_exception);
    CHECK(run_case([] { throw 42; }).kind == outcome::unknown_exception);
    CHECK_FALSE(run_case([] { throw std::bad_alloc(); }).clean());
}

TEST_CASE("robust: every prefix of the good .znn files", "[robust][text]")
{
    case_log log("parse_net_spec_text + net_graph");
    for (const auto& name : net_files) {
        const std::string text = read_bytes(good_file(name));
        for (std::size_t n = 0; n <= text.size(); ++n) {
            const std::string prefix = text.substr(0, n);
            log.run(name + " cut to " + std::to_string(n) + " bytes", prefix, [&] { read_net_text(prefix); });
        }
        // The whole file parses (some of these parser-test files are no runnable graph).
        CHECK_NOTHROW(znn::parse_net_spec_text(text, name));
    }
    CHECK(log.accepted() > 0);
    CHECK(log.rejected() > 0);  // most prefixes end mid-network
}

TEST_CASE("robust: every prefix of the good .cfg files", "[robust][text]")
{
    case_log config("parse_config_text"), ini("parse_ini");
    for (const auto& name : cfg_files) {
        const std::string text = read_bytes(good_file(name));
        for (std::size_t n = 0; n <= text.size(); ++n) {
            const std::string prefix = text.substr(0, n);
            const std::string label = name + " cut to " + std::to_string(n) + " bytes";
            const verdict v = config.run(label, prefix, [&] { read_config_text(prefix); });
            if (n == text.size()) CHECK(v.kind == outcome::accepted);
            ini.run(label, prefix, [&] { read_ini_text(prefix); });
        }
    }
    CHECK(config.rejected() > 0);
    CHECK(ini.accepted() > 0);
}

TEST_CASE("robust: every prefix of the good .spec file, read from disk", "[robust][text]")
{
    scratch_folder folder;
    const std::string path = folder.file("sample.spec");
    case_log spec("load_data_spec"), ini("load_ini");
    const std::string text = read_bytes(good_file(spec_file));
    for (std::size_t n = 0; n <= text.size(); ++n) {
        const std::string prefix = text.substr(0, n);
        const std::string label = spec_file + " cut to " + std::to_string(n) + " bytes";
        const verdict v = spec.run(label, prefix, [&] { read_data_spec_file(path, prefix); });
        if (n == text.size()) CHECK(v.kind == outcome::accepted);
        ini.run(label, prefix, [&] { read_ini_file(path, prefix); });
    }
    CHECK(spec.rejected() > 0);
    // A missing file and a folder are input errors too.
    CHECK(run_case([&] { (void)znn::load_data_spec(folder.file("absent.spec")); }).kind == outcome::input_error);
    CHECK(run_case([&] { (void)znn::load_ini(folder.path().string()); }).kind == outcome::input_error);
}

TEST_CASE("robust: random mutations of the good text files", "[robust][text]")
{
    mutator mutate(0x5eed0001);
    scratch_folder folder;
    const std::string path = folder.file("mutated.spec");
    std::vector<std::string> nets, cfgs;
    for (const auto& name : net_files) nets.push_back(read_bytes(good_file(name)));
    for (const auto& name : cfg_files) cfgs.push_back(read_bytes(good_file(name)));
    const std::string spec = read_bytes(good_file(spec_file));

    case_log net("parse_net_spec_text + net_graph"), config("parse_config_text"), ini("parse_ini"),
        data("load_data_spec");
    const std::size_t cases_per_reader = scaled(1500);
    for (std::size_t i = 0; i < cases_per_reader; ++i) {
        const std::string label = "mutation " + std::to_string(i);
        const std::string n = mutate.mutate_text(nets[i % nets.size()]);
        net.run(label + " of " + net_files[i % nets.size()], n, [&] { read_net_text(n); });
        const std::string c = mutate.mutate_text(cfgs[i % cfgs.size()]);
        config.run(label + " of " + cfg_files[i % cfgs.size()], c, [&] { read_config_text(c); });
        ini.run(label + " of " + cfg_files[i % cfgs.size()], c, [&] { read_ini_text(c); });
        const std::string s = mutate.mutate_text(spec);
        data.run(label + " of " + spec_file, s, [&] { read_data_spec_file(path, s); });
    }
    // The mutations are small: some still read, most do not (with the full count of cases; a sanitizer
    // build runs a tenth of them, too few to be sure of an accepted one).
    for (const case_log* log : {&net, &config, &data}) {
        if (sanitizer_divisor == 1) CHECK(log->accepted() > 0);
        CHECK(log->rejected() > 0);
    }
}

TEST_CASE("robust: binary garbage to every text reader", "[robust][text]")
{
    mutator noise(0x5eed0002);
    scratch_folder folder;
    const std::string path = folder.file("garbage.spec");
    case_log net("parse_net_spec_text + net_graph"), config("parse_config_text"), ini("parse_ini"),
        data("load_data_spec");
    for (std::size_t i = 0; i < scaled(300); ++i) {
        const std::string bytes = noise.garbage(noise.pick(4096));
        const std::string label = "garbage " + std::to_string(i);
        net.run(label, bytes, [&] { read_net_text(bytes); });
        config.run(label, bytes, [&] { read_config_text(bytes); });
        ini.run(label, bytes, [&] { read_ini_text(bytes); });
        data.run(label, bytes, [&] { read_data_spec_file(path, bytes); });
    }
    CHECK(net.rejected() > 0);
}
