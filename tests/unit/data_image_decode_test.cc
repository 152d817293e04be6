// Image decoding (io::DecodeImage): the hostile inputs fuzzing found, the
// PNM and BMP parsers, channel conversion and libjpeg's work limits. Test
// images are built here byte by byte or written by stb_image_write, with
// pixel values the expectations compute.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/data/image_decode.h"
#include "qforge/limits.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace qforge::io {
namespace {

using Bytes = std::vector<uint8_t>;

Result<DecodedImage> Decode(const std::string& bytes, int channels) {
  return DecodeImage(bytes, "img.x", channels);
}

void ExpectError(const Result<DecodedImage>& r, StatusCode code, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.status().code(), code) << what << ": " << r.status().ToString();
  EXPECT_NE(r.status().message().find("img.x"), std::string::npos) << r.status().message();
}

void ExpectPixels(const Result<DecodedImage>& r, int w, int h, const Bytes& want) {
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->width, w);
  EXPECT_EQ(r->height, h);
  EXPECT_EQ(r->pixels, want);
}

// The reproducers libFuzzer found in stb_image (now regression seeds in
// tests/fuzz/corpus/image/fuzz_stb_*), without the fuzzer's selector byte.
TEST(ImageDecode, FilesThatBrokeStbImageAreInvalid) {
  // DHT segment longer than the file: stb wrote past its Huffman tables.
  ExpectError(Decode(std::string("\xFF\xD8\xFF\xC4\x01\xA2\x00\xFF\xD9", 9), 3), StatusCode::kInvalidArgument,
              "jpeg dht");
  // A 12-digit width: stb overflowed a signed int.
  ExpectError(Decode("P6999999999999\x02", 3), StatusCode::kInvalidArgument, "pnm width");
  // A zero-length IDAT: stb passed null to memcpy.
  const std::string png(
      "\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR\x00\x10\x00\x07\x00\x00\x00\x05\x08\x02\x00\x00"
      "\x00\x06\x00\x91\x8F\x00\x00\x00\x00IDATx\x9C\x91",
      45);
  ExpectError(Decode(png, 3), StatusCode::kInvalidArgument, "png idat");
}

TEST(ImageDecode, PnmSamplesAreScaledFromMaxval) {
  // maxval 15: v * 17; a sample above maxval is clamped.
  ExpectPixels(Decode(std::string("P5 3 1 15\n\x00\x07\xC8", 13), 1), 3, 1, {0, 119, 255});
  // 16-bit big-endian samples, maxval 65535 = 255 * 257: v / 257.
  ExpectPixels(Decode(std::string("P5\n2 1\n65535\n\x80\x80\xFF\xFF", 17), 1), 2, 1, {128, 255});
  // P6 read as RGB, and as gray with ITU-R 601-2 weights (PIL's values).
  const std::string ppm("P6 2 2 255\n\xFF\x00\x00\x00\xFF\x00\x00\x00\xFF\x0A\xC8\x4D", 23);
  ExpectPixels(Decode(ppm, 3), 2, 2, {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 77});
  ExpectPixels(Decode(ppm, 1), 2, 2, {76, 150, 29, 129});
  // Gray to RGB replicates.
  ExpectPixels(Decode(std::string("P5 1 1 255 \x2A", 12), 3), 1, 1, {42, 42, 42});

  ExpectError(Decode("P3 1 1 255\n1 2 3\n", 3), StatusCode::kUnsupported, "ascii ppm");
  ExpectError(Decode("P5 1 1 0\n\x01", 1), StatusCode::kInvalidArgument, "maxval 0");
  ExpectError(Decode("P5 1 1 65536\n\x01\x01", 1), StatusCode::kInvalidArgument, "maxval 65536");
  ExpectError(Decode("P5 1 1 255", 1), StatusCode::kInvalidArgument, "no byte after maxval");
  ExpectError(Decode("P5 1 # w\n", 1), StatusCode::kInvalidArgument, "no height");
  ExpectError(Decode("P5 0 1 255\n", 1), StatusCode::kInvalidArgument, "zero width");
}

// A BMP: 14-byte file header, 40-byte info header, `palette`, then `rows`.
std::string Bmp(int32_t w, int32_t h, int bpp, uint32_t compression, const Bytes& palette, const Bytes& rows,
                uint32_t colors_used = 0) {
  Bytes b(54, 0);
  const auto put = [&](size_t at, uint32_t v, int n) {
    for (int i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  b[0] = 'B';
  b[1] = 'M';
  put(2, static_cast<uint32_t>(54 + palette.size() + rows.size()), 4);
  put(10, static_cast<uint32_t>(54 + palette.size()), 4);
  put(14, 40, 4);
  put(18, static_cast<uint32_t>(w), 4);
  put(22, static_cast<uint32_t>(h), 4);
  put(26, 1, 2);
  put(28, static_cast<uint32_t>(bpp), 2);
  put(30, compression, 4);
  put(46, colors_used, 4);
  b.insert(b.end(), palette.begin(), palette.end());
  b.insert(b.end(), rows.begin(), rows.end());
  return std::string(b.begin(), b.end());
}

TEST(ImageDecode, BmpVariants) {
  // 8-bit, 2 colors, bottom-up 2x2: rows padded to 4 bytes, the last row's padding absent.
  const Bytes palette = {30, 20, 10, 0, 3, 2, 1, 0};  // BGRx
  ExpectPixels(Decode(Bmp(2, 2, 8, 0, palette, {0, 1, 0, 0, 1, 1}, 2), 3), 2, 2,
               {1, 2, 3, 1, 2, 3, 10, 20, 30, 1, 2, 3});
  // 32-bit BGRx, top-down (negative height).
  ExpectPixels(Decode(Bmp(1, -2, 32, 0, {}, {1, 2, 3, 9, 4, 5, 6, 9}), 3), 1, 2, {3, 2, 1, 6, 5, 4});
  // 24-bit, read as gray.
  ExpectPixels(Decode(Bmp(1, 1, 24, 0, {}, {0, 0, 255}), 1), 1, 1, {76});

  ExpectError(Decode(Bmp(2, 2, 8, 0, palette, {0, 1, 0, 0, 1, 2}, 2), 3), StatusCode::kInvalidArgument,
              "color index past the palette");
  ExpectError(Decode(Bmp(2, 2, 8, 0, palette, {0, 1, 0, 0, 1, 1}, 257), 3), StatusCode::kInvalidArgument,
              "257 colors");
  ExpectError(Decode(Bmp(1, 1, 8, 0, {}, {0}), 3), StatusCode::kInvalidArgument, "palette past the end");
  ExpectError(Decode(Bmp(2, 2, 24, 0, {}, Bytes(13)), 3), StatusCode::kInvalidArgument, "truncated rows");
  ExpectError(Decode(Bmp(1, INT32_MIN, 24, 0, {}, Bytes(4)), 3), StatusCode::kInvalidArgument,
              "height -2^31");
  ExpectError(Decode(Bmp(2, 2, 8, 1, palette, Bytes(8), 2), 3), StatusCode::kUnsupported, "RLE");
  ExpectError(Decode(Bmp(2, 2, 16, 0, {}, Bytes(8)), 3), StatusCode::kUnsupported, "16-bit");
  ExpectError(Decode(Bmp(2, 2, 24, 0, {}, {}).substr(0, 40), 3), StatusCode::kInvalidArgument,
              "short header");
}

TEST(ImageDecode, PngAlphaIsDroppedAndGrayReplicated) {
  const auto png = [](int w, int h, int channels, const Bytes& px) {
    int len = 0;
    unsigned char* mem = stbi_write_png_to_mem(px.data(), w * channels, w, h, channels, &len);
    std::string s(reinterpret_cast<char*>(mem), static_cast<size_t>(len));
    STBIW_FREE(mem);
    return s;
  };
  ExpectPixels(Decode(png(2, 1, 4, {10, 20, 30, 0, 40, 50, 60, 255}), 3), 2, 1, {10, 20, 30, 40, 50, 60});
  ExpectPixels(Decode(png(1, 1, 2, {7, 0}), 3), 1, 1, {7, 7, 7});
  ExpectPixels(Decode(png(1, 1, 3, {10, 200, 77}), 1), 1, 1, {129});
  ExpectError(Decode(png(1, 1, 3, {1, 2, 3}).substr(0, 40), 3), StatusCode::kInvalidArgument, "cut png");
}

std::string ReadHostile(const std::string& name) {
  std::ifstream in(std::string(QFORGE_SOURCE_DIR) + "/tests/data/hostile/images/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A progressive JPEG whose last scan is repeated 600 times: each scan is a
// pass over the whole image, so a large one would take minutes.
TEST(ImageDecode, JpegScanCountIsLimited) {
  const std::string jpeg = ReadHostile("progressive_600_scans.jpg");
  ASSERT_GT(jpeg.size(), 1000u);
  const Result<DecodedImage> r = Decode(jpeg, 3);
  ExpectError(r, StatusCode::kInvalidArgument, "600 scans");
  EXPECT_NE(r.status().message().find("more than 500 scans"), std::string::npos) << r.status().message();
}

// libjpeg's own buffers count against the memory budget: a 1024x1024
// progressive 4:4:4 JPEG keeps 6 MiB of coefficients, more than the 4 MiB of
// gray float pixels the size check sees.
TEST(ImageDecode, JpegDecoderMemoryIsWithinTheBudget) {
  const std::string jpeg = ReadHostile("progressive_444_1024x1024.jpg");
  ASSERT_GT(jpeg.size(), 1000u);
  ASSERT_TRUE(Decode(jpeg, 1).ok());
  SetMemoryLimit(uint64_t{5} << 20);
  const Result<DecodedImage> r = Decode(jpeg, 1);
  SetMemoryLimit(kDefaultMemoryLimitBytes);
  ExpectError(r, StatusCode::kResourceExhausted, "coefficients over the budget");
}

TEST(ImageDecode, UnknownFormatIsUnsupported) {
  ExpectError(Decode("GIF89a", 3), StatusCode::kUnsupported, "gif");
  ExpectError(Decode("", 3), StatusCode::kUnsupported, "empty");
}

}  // namespace
}  // namespace qforge::io
