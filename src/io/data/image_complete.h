// Whether an image file holds all the pixel data its header promises.
// Internal to image decoding.
//
// Why: stb_image fills what a truncated file lacks instead of failing: a
// PNM's missing pixels are left as uninitialized heap bytes, a BMP's and a
// JPEG's as zeros or gray. PNG needs no check here (stb fails on a short
// zlib stream or a missing chunk).
#pragma once

#include <string>
#include <string_view>

#include "qforge/status.h"

namespace qforge::io {

// InvalidArgument naming `name` when `bytes` (a PNM, BMP or JPEG, told by its
// magic) is shorter than its header says: a binary PNM or an uncompressed
// BMP must hold every row (a BMP's last row may lack its padding); a JPEG
// must have an end-of-image marker after its first scan. Other content is
// left to the decoder.
Status CheckImageComplete(std::string_view bytes, const std::string& name);

}  // namespace qforge::io
