#include "znn/vec3.hpp"
