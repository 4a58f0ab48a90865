// The text readers under test, each as "take these bytes, read them the way a user's file is read".
#pragma once

#include "robust_support.hpp"

#include "znn/config.hpp"
#include "znn/data_spec.hpp"
#include "znn/ini.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"

#include <sstream>
#include <string>

namespace znn::robust {

// .znn text, then the graph built from it when it parses (as `znn inspect` and training do).
inline void read_net_text(const std::string& text)
{
    net_graph graph(parse_net_spec_text(text, "robust.znn"));
    (void)graph.parameter_count();
}

inline void read_ini_text(const std::string& text)
{
    std::istringstream in(text);
    (void)parse_ini(in, "robust.ini");
}

// Relative paths resolve against the folder of the good job files.
inline void read_config_text(const std::string& text)
{
    (void)parse_config_text(text, good_file("job/robust.cfg"));
}

// load_ini and load_data_spec read files: the text goes to `path` first.
inline void read_ini_file(const std::string& path, const std::string& text)
{
    write_bytes(path, text);
    (void)load_ini(path);
}

inline void read_data_spec_file(const std::string& path, const std::string& text)
{
    write_bytes(path, text);
    (void)load_data_spec(path);
}

}  // namespace znn::robust
