// Version of the grokscope library (set by CMake from the project version and `git describe`).
#pragma once

namespace grokscope {
const char* version();       // "0.1.0"
const char* git_describe();  // commit, with -dirty for a modified tree; "unknown" outside git
}  // namespace grokscope
