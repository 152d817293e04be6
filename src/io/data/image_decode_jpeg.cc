// JPEG through libjpeg-turbo's libjpeg API (the decoder PIL and torchvision
// use, with their defaults: islow IDCT, fancy upsampling).
//
// libjpeg reports errors by calling error_exit, which must not return: it
// longjmps back to the setjmp in ReadHeader or ReadPixels. Those two
// functions hold only trivially destructible locals, and every buffer they
// write is allocated by their caller, so the jump skips no destructor and
// leaves no half-updated C++ object.
#include <algorithm>
#include <climits>
#include <csetjmp>
#include <cstdio>
#include <memory>
// jpeglib.h needs size_t and FILE declared before it.
#include <jerror.h>
#include <jpeglib.h>

#include "io/data/image_decoders.h"
#include "qforge/limits.h"

namespace qforge::io::image_internal {
namespace {

// A hostile progressive JPEG can hold thousands of tiny scans, each a pass
// over the whole image; real ones have about ten. libjpeg-turbo's own
// fuzzers and djpeg -maxscans use the same guard and limit.
constexpr int kMaxScans = 500;

struct JpegError {
  jpeg_error_mgr mgr;  // first: libjpeg sees a jpeg_error_mgr*
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

struct JpegDecoder {
  jpeg_decompress_struct cinfo;
  JpegError error;
  jpeg_progress_mgr progress;
};

[[noreturn]] void OnError(j_common_ptr cinfo) {
  auto* error = reinterpret_cast<JpegError*>(cinfo->err);
  error->mgr.format_message(cinfo, error->message);
  std::longjmp(error->jump, 1);
}

// A truncated file only warns and decodes the missing blocks as gray:
// refuse it, whether the bytes end (JWRN_JPEG_EOF) or a marker such as EOI
// comes before the scan's last block (JWRN_HIT_MARKER). The second matters
// for work, not just fidelity: a 246-byte file declaring 2609x12576 pixels
// otherwise costs a full decode of 33M invented pixels; refused, the work is
// bounded by the bytes the file really holds. Other warnings (corrupt entropy
// data that libjpeg resynchronizes past, extraneous bytes before a marker)
// are tolerated, as PIL does: real photo collections hold such files.
void OnMessage(j_common_ptr cinfo, int level) {
  const int code = cinfo->err->msg_code;
  if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)) OnError(cinfo);
}

void OnProgress(j_common_ptr cinfo) {
  auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (dinfo->input_scan_number > kMaxScans) {
    auto* error = reinterpret_cast<JpegError*>(cinfo->err);
    std::snprintf(error->message, sizeof error->message, "more than %d scans", kMaxScans);
    error->mgr.msg_code = 0;
    std::longjmp(error->jump, 1);
  }
}

// Returns false (the message in d->error.message) on an error.
bool ReadHeader(JpegDecoder* d, std::string_view bytes) {
  if (setjmp(d->error.jump)) return false;
  jpeg_mem_src(&d->cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&d->cinfo, TRUE);
  return true;
}

bool ReadPixels(JpegDecoder* d, unsigned char* out, size_t stride) {
  if (setjmp(d->error.jump)) return false;
  jpeg_start_decompress(&d->cinfo);
  // Holds for the color spaces DecodeJpeg asks for; checked, not assumed.
  if (size_t{d->cinfo.output_width} * static_cast<size_t>(d->cinfo.output_components) != stride) {
    std::snprintf(d->error.message, sizeof d->error.message, "unexpected output row size");
    d->error.mgr.msg_code = 0;
    return false;
  }
  while (d->cinfo.output_scanline < d->cinfo.output_height) {
    unsigned char* row = out + d->cinfo.output_scanline * stride;
    jpeg_read_scanlines(&d->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&d->cinfo);
  return true;
}

// Owns the decoder and destroys it on every path.
struct JpegDecoderDeleter {
  void operator()(JpegDecoder* d) const {
    jpeg_destroy_decompress(&d->cinfo);
    delete d;
  }
};

}  // namespace

Result<DecodedImage> DecodeJpeg(std::string_view bytes, const std::string& name, int channels) {
  std::unique_ptr<JpegDecoder, JpegDecoderDeleter> d(new JpegDecoder{});
  d->cinfo.err = jpeg_std_error(&d->error.mgr);
  d->error.mgr.error_exit = OnError;
  d->error.mgr.emit_message = OnMessage;
  jpeg_create_decompress(&d->cinfo);
  // libjpeg's own buffers (a progressive image's coefficients: 2 bytes per
  // sample) are bounded by the memory budget too: it fails past it.
  d->cinfo.mem->max_memory_to_use = static_cast<long>(std::min<uint64_t>(MemoryLimit(), LONG_MAX));
  d->progress.progress_monitor = OnProgress;
  d->cinfo.progress = &d->progress;
  const auto failed = [&](const char* what) {
    return InvalidArgument(name + ": " + what + " JPEG image: " + d->error.message);
  };
  if (!ReadHeader(d.get(), bytes)) return failed("cannot decode");
  QF_RETURN_IF_ERROR(CheckImageSize(d->cinfo.image_width, d->cinfo.image_height, channels, name));
  DecodedImage img;
  switch (d->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
      d->cinfo.out_color_space = JCS_GRAYSCALE;
      img.channels = 1;
      break;
    case JCS_YCbCr:
    case JCS_RGB:
      d->cinfo.out_color_space = JCS_RGB;
      img.channels = 3;
      break;
    default:
      return Unsupported(name + ": JPEG color space " + std::to_string(d->cinfo.jpeg_color_space) +
                         " (CMYK or YCCK) is not supported; convert the image to RGB");
  }
  img.width = static_cast<int>(d->cinfo.image_width);
  img.height = static_cast<int>(d->cinfo.image_height);
  const size_t stride = static_cast<size_t>(img.width) * static_cast<size_t>(img.channels);
  img.pixels.resize(stride * static_cast<size_t>(img.height));
  if (!ReadPixels(d.get(), img.pixels.data(), stride)) {
    if (d->error.mgr.msg_code == JERR_NO_BACKING_STORE) {
      return ResourceExhausted(name + ": decoding the JPEG image needs more than the memory limit of " +
                               std::to_string(MemoryLimit() >> 20) + " MiB (--memory-limit)");
    }
    const int code = d->error.mgr.msg_code;
    return failed(code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER ? "truncated" : "cannot decode");
  }
  return img;
}

}  // namespace qforge::io::image_internal
