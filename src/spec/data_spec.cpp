#include "znn/data_spec.hpp"
