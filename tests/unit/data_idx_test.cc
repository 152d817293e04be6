// IDX (MNIST format) images and labels, plain and gzip'd, including the real
// Fashion-MNIST test set checked against an independent inflate-based decode.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/data/dataset.h"

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

const char kFashionImages[] = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const char kFashionLabels[] = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "qforge_idx_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  std::string Write(const std::string& name, const std::string& bytes) const {
    // A fresh file each time: truncating one in place makes ext4 flush it synchronously.
    fs::remove(Path(name));
    std::ofstream(Path(name), std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return Path(name);
  }
  std::string WriteGz(const std::string& name, const std::string& bytes) const {
    // A fresh file each time: truncating one in place makes ext4 flush it synchronously.
    fs::remove(Path(name));
    gzFile f = gzopen(Path(name).c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
    gzclose(f);
    return Path(name);
  }

  std::string dir_;
};

std::string Idx(uint8_t type, const std::vector<uint32_t>& dims, const std::string& data) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((d >> shift) & 0xff);
  }
  return s + data;
}

// Independent gunzip of a whole file with zlib's inflate (not gzread).
std::string Gunzip(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string in((std::istreambuf_iterator<char>(f)), {});
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

uint32_t Be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

const std::string kPixels = {0, 1, 2, 3, 4, 5, 10, 20, 30, static_cast<char>(255), static_cast<char>(128),
                             64};

TEST_F(IdxTest, PlainAndGzipImagesFitTheModelInput) {
  const std::string idx = Idx(0x08, {2, 2, 3}, kPixels);
  for (const std::string& path : {Write("x-idx3-ubyte", idx), WriteGz("x-idx3-ubyte.gz", idx)}) {
    Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = path}, {-1, 1, 2, 3}, DataType::kFloat32);
    ASSERT_TRUE(ds.ok()) << path << ": " << ds.status().ToString();
    EXPECT_EQ((*ds)->size(), 2);
    EXPECT_EQ((*ds)->sample_dims(), (std::vector<int64_t>{1, 2, 3}));
    Result<Tensor> t = (*ds)->Read(1, 1);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->dims(), (std::vector<int64_t>{1, 1, 2, 3}));
    for (int i = 0; i < 6; ++i) {
      EXPECT_FLOAT_EQ(t->data<float>()[i], static_cast<uint8_t>(kPixels[6 + i]) / 255.0f) << i;
    }
  }
  // A uint8 model input gets the bytes unscaled; a flat [N, 6] input gets rows.
  Result<std::unique_ptr<Dataset>> raw =
      OpenDataset({.path = Path("x-idx3-ubyte")}, {1, 6}, DataType::kUInt8);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ((*raw)->sample_dims(), (std::vector<int64_t>{6}));
  Result<Tensor> r = (*raw)->Read(0, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(static_cast<const char*>(r->raw_data()), 12), kPixels);
  // A custom scale.
  DataSpec scaled{.path = Path("x-idx3-ubyte"), .idx_scale = 0.5f};
  Result<std::unique_ptr<Dataset>> s = OpenDataset(scaled, {}, DataType::kUndefined);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->dtype(), DataType::kFloat32);
  EXPECT_EQ((*s)->Read(1, 1)->data<float>()[3], 127.5f);
}

TEST_F(IdxTest, ShapeMismatchNamesFileAndBothShapes) {
  Write("x-idx3-ubyte", Idx(0x08, {2, 2, 3}, kPixels));
  Result<std::unique_ptr<Dataset>> ds =
      OpenDataset({.path = Path("x-idx3-ubyte")}, {-1, 3, 2}, DataType::kFloat32);
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = ds.status().message();
  EXPECT_NE(m.find("x-idx3-ubyte"), std::string::npos) << m;
  EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
  EXPECT_NE(m.find("[3, 2]"), std::string::npos) << m;
  // uint8 images cannot feed an int8 input.
  EXPECT_EQ(OpenDataset({.path = Path("x-idx3-ubyte")}, {-1, 2, 3}, DataType::kInt8).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(IdxTest, HostileAndTruncatedFilesAreErrors) {
  // Dims claim 2^96 bytes: over the memory budget (ResourceExhausted, exit 7).
  Write("huge-idx3-ubyte", Idx(0x08, {0xffffffffu, 0xffffffffu, 0xffffffffu}, "abc"));
  EXPECT_EQ(OpenDataset({.path = Path("huge-idx3-ubyte")}, {}, DataType::kUndefined).status().code(),
            StatusCode::kResourceExhausted);
  // Under the limit but far beyond the (compressed) file: no huge allocation, an error.
  WriteGz("big-idx3-ubyte.gz", Idx(0x08, {1000000, 1000, 1}, "abc"));
  Status big = OpenDataset({.path = Path("big-idx3-ubyte.gz")}, {}, DataType::kUndefined).status();
  EXPECT_EQ(big.code(), StatusCode::kInvalidArgument);
  // Truncated data: expected and actual sizes in the message.
  Write("cut-idx3-ubyte", Idx(0x08, {2, 2, 3}, kPixels.substr(0, 7)));
  Status cut = OpenDataset({.path = Path("cut-idx3-ubyte")}, {}, DataType::kUndefined).status();
  EXPECT_EQ(cut.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cut.message().find("cut-idx3-ubyte"), std::string::npos) << cut.message();
  EXPECT_NE(cut.message().find("12"), std::string::npos) << cut.message();
  EXPECT_NE(cut.message().find(" 7"), std::string::npos) << cut.message();
  Write("magic-idx3-ubyte", "\x01\x02\x08\x03garbage");
  EXPECT_EQ(OpenDataset({.path = Path("magic-idx3-ubyte")}, {}, DataType::kUndefined).status().code(),
            StatusCode::kInvalidArgument);
  // A gzip stream cut in the middle.
  const std::string gz_path =
      WriteGz("full-idx3-ubyte.gz", Idx(0x08, {40, 50, 50}, std::string(100000, 'x')));
  std::ifstream f(gz_path, std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(f)), {});
  Write("half-idx3-ubyte.gz", gz.substr(0, gz.size() / 2));
  EXPECT_FALSE(OpenDataset({.path = Path("half-idx3-ubyte.gz")}, {}, DataType::kUndefined).ok());
  // Zero images: empty data set.
  Write("none-idx3-ubyte", Idx(0x08, {0, 28, 28}, ""));
  EXPECT_EQ(OpenDataset({.path = Path("none-idx3-ubyte")}, {}, DataType::kUndefined).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(IdxTest, LabelsFromIdxAndNpy) {
  Write("l-idx1-ubyte", Idx(0x08, {4}, std::string{3, 0, 9, 1}));
  Result<std::vector<int64_t>> l = LoadLabels(Path("l-idx1-ubyte"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(*l, (std::vector<int64_t>{3, 0, 9, 1}));
  WriteGz("l-idx1-ubyte.gz", Idx(0x08, {4}, std::string{3, 0, 9, 1}));
  EXPECT_EQ(LoadLabels(Path("l-idx1-ubyte.gz")).value(), (std::vector<int64_t>{3, 0, 9, 1}));
  // An int32 [N, 1] .npy, hand-written.
  std::string header = "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 1), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string npy = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  for (int32_t v : {5, 2, 7}) npy.append(reinterpret_cast<const char*>(&v), 4);
  Write("l.npy", npy);
  Result<std::vector<int64_t>> n = LoadLabels(Path("l.npy"));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, (std::vector<int64_t>{5, 2, 7}));
  // Float "labels" are refused.
  Write("f-idx1-ubyte", Idx(0x0D, {1}, std::string(4, '\0')));
  EXPECT_EQ(LoadLabels(Path("f-idx1-ubyte")).status().code(), StatusCode::kInvalidArgument);
}

// Every single-byte corruption of the header (and some of the data) of a
// small IDX file must give a Status, never a crash or a huge allocation.
TEST_F(IdxTest, ByteFlipsInHeadersNeverCrash) {
  const std::string idx = Idx(0x08, {2, 2, 3}, kPixels);
  for (size_t at = 0; at < idx.size(); ++at) {
    for (int flip : {0x01, 0x80, 0xff}) {
      std::string bad = idx;
      bad[at] = static_cast<char>(bad[at] ^ flip);
      for (bool gz : {false, true}) {
        const std::string path = gz ? WriteGz("m-idx3-ubyte.gz", bad) : Write("m-idx3-ubyte", bad);
        Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = path}, {-1, 1, 2, 3}, DataType::kFloat32);
        if (ds.ok()) {
          Result<Tensor> t = (*ds)->Read(0, (*ds)->size());
          EXPECT_TRUE(t.ok()) << t.status().ToString();  // uint8 pixels are always finite
        }
        (void)LoadLabels(path);
      }
    }
  }
}

TEST(FashionMnist, FirstTestImageAndLabelMatchAnIndependentDecode) {
  const std::string images = Gunzip(kFashionImages);
  ASSERT_GE(images.size(), 16u);
  ASSERT_EQ(Be32(images, 0), 0x0803u);
  const uint32_t count = Be32(images, 4), rows = Be32(images, 8), cols = Be32(images, 12);
  ASSERT_EQ(rows, 28u);
  ASSERT_EQ(cols, 28u);
  ASSERT_EQ(images.size(), 16u + size_t{count} * rows * cols);

  Result<std::unique_ptr<Dataset>> ds =
      OpenDataset({.path = kFashionImages}, {-1, 1, 28, 28}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ((*ds)->size(), count);
  EXPECT_EQ((*ds)->sample_dims(), (std::vector<int64_t>{1, 28, 28}));
  for (int64_t sample : {int64_t{0}, int64_t{count} - 1}) {
    Result<Tensor> t = (*ds)->Read(sample, 1);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const size_t base = 16 + static_cast<size_t>(sample) * 784;
    for (size_t i = 0; i < 784; ++i) {
      ASSERT_FLOAT_EQ(t->data<float>()[i], static_cast<uint8_t>(images[base + i]) / 255.0f)
          << sample << ":" << i;
    }
  }

  const std::string labels = Gunzip(kFashionLabels);
  ASSERT_EQ(Be32(labels, 0), 0x0801u);
  Result<std::vector<int64_t>> l = LoadLabels(kFashionLabels);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->size(), count);
  EXPECT_EQ((*l)[0], 9);  // the first Fashion-MNIST test item is an ankle boot
  for (size_t i = 0; i < l->size(); ++i) ASSERT_EQ((*l)[i], static_cast<uint8_t>(labels[8 + i])) << i;
}

}  // namespace
}  // namespace qforge::io
