#include "znn/config.hpp"
