// Version strings, compiled in by CMake.
#include "grokscope/core/version.h"

namespace grokscope {
const char* version() { return GROKSCOPE_VERSION; }
const char* git_describe() { return GROKSCOPE_GIT; }
}  // namespace grokscope
