// The one check every command runs before it reads or writes anything: no
// output may be the same file as an input (by device and inode, so hard
// links, symlinks and ./x vs x are caught) or as another output, and no
// output may be anything but a regular file (or a new name). Inputs that are
// folders (image folders) count with every file inside them.
#pragma once

#include <string>
#include <vector>

#include "qforge/status.h"

namespace qforge::cli {

// InvalidArgument (exit 2) naming the output and the input it would destroy.
// Empty paths (flags not given) are skipped.
Status CheckOutputPaths(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs);

}  // namespace qforge::cli
