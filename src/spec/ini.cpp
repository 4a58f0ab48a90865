#include "znn/ini.hpp"
