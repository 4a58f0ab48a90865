#include "znn/net_spec.hpp"
