// Version strings, compiled in by CMake (the generated header grokscope_version_info.h, from version_info.h.in).
#include "grokscope/core/version.h"

#include "grokscope_version_info.h"

namespace grokscope {
const char* version() { return GROKSCOPE_VERSION; }
const char* git_describe() { return GROKSCOPE_GIT; }
}  // namespace grokscope
