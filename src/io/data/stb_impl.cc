// The one translation unit that compiles stb_image_resize. It only reads
// decoded pixel buffers whose sizes qforge chose, never file bytes; image
// files are decoded by image_decode.h (stb_image is not used: it is not
// hardened against hostile files).
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>
