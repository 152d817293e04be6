// .npy and .npz reading/writing. Files come from hand-written bytes (no
// python needed) and from numpy itself (an independent writer and reader).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "data_test_util.h"
#include "io/data/dataset.h"

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

using NpyTest = DataFileTest;

// A v1.0 npy header, hand-assembled: magic, version, LE length, dict padded to 64.
std::string NpyV1(const std::string& dict) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header;
}

template <typename T>
std::string Bytes(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}

TEST_F(NpyTest, ReadsHandWrittenFloat32) {
  WriteBytes("a.npy", NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") +
                          Bytes<float>({1.5f, -2.0f, 0.25f, 3.0f, 4.0f, -0.5f}));
  Result<Tensor> t = ReadNpy(Path("a.npy"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dtype(), DataType::kFloat32);
  EXPECT_EQ(t->dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t->data<float>()[0], 1.5f);
  EXPECT_EQ(t->data<float>()[5], -0.5f);
}

TEST_F(NpyTest, HandWrittenInt64AsDatasetForInt32Model) {
  WriteBytes("i.npy", NpyV1("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }") +
                          Bytes<int64_t>({1, -2, 3, 70000, 5, 6}));
  Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path("i.npy")}, {-1, 2}, DataType::kInt32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ((*ds)->size(), 3);
  EXPECT_EQ((*ds)->dtype(), DataType::kInt32);
  Result<Tensor> t = (*ds)->Read(1, 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t->data<int32_t>()[0], 3);
  EXPECT_EQ(t->data<int32_t>()[1], 70000);
  EXPECT_EQ(t->data<int32_t>()[3], 6);
  // 70000 does not fit int16: a range error naming sample 1.
  Result<std::unique_ptr<Dataset>> narrow = OpenDataset({.path = Path("i.npy")}, {-1, 2}, DataType::kInt16);
  ASSERT_TRUE(narrow.ok());
  Result<Tensor> bad = (*narrow)->Read(0, 3);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("sample 1"), std::string::npos) << bad.status().message();
}

TEST_F(NpyTest, ReadsEveryDtypeAndVersionNumpyWrites) {
  ASSERT_EQ(Python(R"(
v = np.array([[0, 1, 2], [3, 4, 5]])
for d in ['<f4', '<f8', '|u1', '|i1', '<i4', '<i8']:
    np.save(d[1:] + '.npy', (v * 2 - 3).astype(d) if d[1] == 'i' else (v * 2).astype(d))
np.save('b1.npy', v % 2 == 1)
for ver in [(2, 0), (3, 0)]:
    with open('v%d.npy' % ver[0], 'wb') as f:
        np.lib.format.write_array(f, (v * 0.5).astype('<f4'), version=ver)
)"),
            0);
  struct Case {
    const char* file;
    DataType dtype;
    double scale, offset;  // value i is i * scale + offset
  };
  for (const Case& c :
       {Case{"f4.npy", DataType::kFloat32, 2, 0}, Case{"f8.npy", DataType::kFloat64, 2, 0},
        Case{"u1.npy", DataType::kUInt8, 2, 0}, Case{"i1.npy", DataType::kInt8, 2, -3},
        Case{"i4.npy", DataType::kInt32, 2, -3}, Case{"i8.npy", DataType::kInt64, 2, -3},
        Case{"v2.npy", DataType::kFloat32, 0.5, 0}, Case{"v3.npy", DataType::kFloat32, 0.5, 0}}) {
    Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path(c.file)}, {}, DataType::kUndefined);
    ASSERT_TRUE(ds.ok()) << c.file << ": " << ds.status().ToString();
    EXPECT_EQ((*ds)->dtype(), c.dtype) << c.file;
    EXPECT_EQ((*ds)->size(), 2) << c.file;
    EXPECT_EQ((*ds)->sample_dims(), (std::vector<int64_t>{3})) << c.file;
    Result<Tensor> t = (*ds)->Read(0, 2);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    for (int i = 0; i < 6; ++i) {
      const double want = i * c.scale + c.offset;
      double got = 0;
      switch (c.dtype) {
        case DataType::kFloat32:
          got = t->data<float>()[i];
          break;
        case DataType::kFloat64:
          got = t->data<double>()[i];
          break;
        case DataType::kUInt8:
          got = t->data<uint8_t>()[i];
          break;
        case DataType::kInt8:
          got = t->data<int8_t>()[i];
          break;
        case DataType::kInt32:
          got = t->data<int32_t>()[i];
          break;
        default:
          got = static_cast<double>(t->data<int64_t>()[i]);
          break;
      }
      EXPECT_EQ(got, want) << c.file << " element " << i;
    }
  }
  Result<Tensor> b = ReadNpy(Path("b1.npy"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->dtype(), DataType::kBool);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(b->data<uint8_t>()[i], i % 2) << i;
}

TEST_F(NpyTest, Float64ConvertsForFloat32ModelButNotForInt8) {
  ASSERT_EQ(Python("np.save('d.npy', np.array([[0.1, 0.2], [1e-3, 3.5]]))"), 0);
  Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path("d.npy")}, {-1, 2}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  Result<Tensor> t = (*ds)->Read(0, 2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->dtype(), DataType::kFloat32);
  EXPECT_EQ(t->data<float>()[1], 0.2f);
  EXPECT_EQ(t->data<float>()[2], 1e-3f);
  Result<std::unique_ptr<Dataset>> bad = OpenDataset({.path = Path("d.npy")}, {-1, 2}, DataType::kInt8);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("float64"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("d.npy"), std::string::npos);
}

TEST_F(NpyTest, WriteNpyIsReadableByNumpy) {
  Tensor t(DataType::kFloat32, {2, 2});
  const float values[] = {1.0f, -2.5f, 3.25f, 1e-7f};
  std::memcpy(t.raw_data(), values, sizeof values);
  ASSERT_TRUE(WriteNpy(Path("w.npy"), t).ok());
  Tensor s(DataType::kInt64, {3});
  s.data<int64_t>()[2] = -9;
  ASSERT_TRUE(WriteNpy(Path("s.npy"), s).ok());
  EXPECT_EQ(Python(R"(
a = np.load('w.npy'); s = np.load('s.npy')
assert a.dtype == np.float32 and a.shape == (2, 2), (a.dtype, a.shape)
assert (a == np.array([[1, -2.5], [3.25, 1e-7]], dtype=np.float32)).all(), a
assert s.dtype == np.int64 and s.shape == (3,) and list(s) == [0, 0, -9], s
)"),
            0);
  Result<Tensor> back = ReadNpy(Path("w.npy"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::memcmp(back->raw_data(), values, sizeof values), 0);
}

TEST_F(NpyTest, RejectsFortranOrderBigEndianAndBadHeaders) {
  WriteBytes("f.npy",
             NpyV1("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }") + Bytes<float>({1, 2}));
  EXPECT_EQ(ReadNpy(Path("f.npy")).status().code(), StatusCode::kUnsupported);
  WriteBytes("be.npy",
             NpyV1("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }") + Bytes<float>({1, 2}));
  Result<Tensor> be = ReadNpy(Path("be.npy"));
  EXPECT_EQ(be.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(be.status().message().find(">f4"), std::string::npos);
  WriteBytes("magic.npy", "NUMPY not really");
  EXPECT_EQ(ReadNpy(Path("magic.npy")).status().code(), StatusCode::kInvalidArgument);
  WriteBytes("dict.npy",
             NpyV1("{'descr': '<f4', 'shape': (2,) 'fortran_order': False}") + Bytes<float>({1, 2}));
  EXPECT_EQ(ReadNpy(Path("dict.npy")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(NpyTest, HostileShapesAndTruncationAreErrorsNotCrashes) {
  // Element count overflows int64.
  WriteBytes("huge.npy",
             NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"));
  EXPECT_EQ(ReadNpy(Path("huge.npy")).status().code(), StatusCode::kInvalidArgument);
  // A single dim beyond int64.
  WriteBytes("big.npy",
             NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"));
  EXPECT_EQ(ReadNpy(Path("big.npy")).status().code(), StatusCode::kInvalidArgument);
  // Large but representable: must be refused by the size check, not allocated.
  WriteBytes("claims.npy", NpyV1("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000), }"));
  Result<std::unique_ptr<Dataset>> claims =
      OpenDataset({.path = Path("claims.npy")}, {}, DataType::kUndefined);
  EXPECT_EQ(claims.status().code(), StatusCode::kInvalidArgument);
  // Header length beyond the file.
  std::string cut = NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }");
  WriteBytes("hdr.npy", cut.substr(0, 30));
  EXPECT_EQ(ReadNpy(Path("hdr.npy")).status().code(), StatusCode::kInvalidArgument);
  // Data shorter than the shape says: both sizes in the message.
  const std::string short_header = NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }");
  WriteBytes("short.npy", short_header + Bytes<float>({1, 2}));
  const std::string need = std::to_string(short_header.size() + 16) + " bytes";
  const std::string have = std::to_string(short_header.size() + 8);
  for (bool as_dataset : {false, true}) {
    Status s = as_dataset ? OpenDataset({.path = Path("short.npy")}, {}, DataType::kUndefined).status()
                          : ReadNpy(Path("short.npy")).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("short.npy"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(need), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(have), std::string::npos) << s.message();
  }
  // A zero-sample array is an empty data set.
  WriteBytes("empty.npy", NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }"));
  EXPECT_EQ(OpenDataset({.path = Path("empty.npy")}, {}, DataType::kUndefined).status().code(),
            StatusCode::kInvalidArgument);
}

// Every single-byte corruption of a small .npy must give a Status, never a
// crash or a huge allocation.
TEST_F(NpyTest, ByteFlipsNeverCrash) {
  const std::string good = NpyV1("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }") +
                           Bytes<int32_t>({1, 2, 3, 4, 5, 6});
  for (size_t at = 0; at < good.size(); ++at) {
    for (int flip : {0x01, 0x08, 0x20, 0x80}) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ flip);
      WriteBytes("m.npy", bad);
      Result<Tensor> t = ReadNpy(Path("m.npy"));
      // Only flips that keep the header meaning (data bytes, padding) parse.
      if (t.ok()) EXPECT_EQ(t->byte_size() + (good.size() - 24), bad.size());
      Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path("m.npy")}, {}, DataType::kUndefined);
      if (ds.ok()) (void)(*ds)->Read(0, (*ds)->size());
    }
  }
}

TEST_F(NpyTest, NanInFloatDataNamesFileAndSample) {
  WriteBytes("nan.npy", NpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }") +
                            Bytes<float>({0, 1, 2, 3, 4, std::numeric_limits<float>::quiet_NaN()}));
  Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path("nan.npy")}, {-1, 2}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok());
  EXPECT_TRUE((*ds)->Read(0, 2).ok());
  Result<Tensor> t = (*ds)->Read(1, 2);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("nan.npy"), std::string::npos);
  EXPECT_NE(t.status().message().find("sample 2"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("NaN"), std::string::npos);
}

TEST_F(NpyTest, NpzStoredAndDeflatedMembers) {
  ASSERT_EQ(Python(R"(
x = (np.arange(12, dtype=np.float32) - 4).reshape(3, 4)
y = np.array([7, 8, 9], dtype=np.int64)
np.savez('s.npz', x, y)
np.savez_compressed('c.npz', images=x, labels=y)
)"),
            0);
  for (const char* file : {"s.npz", "c.npz"}) {
    Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path(file)}, {-1, 4}, DataType::kFloat32);
    ASSERT_TRUE(ds.ok()) << file << ": " << ds.status().ToString();
    EXPECT_EQ((*ds)->size(), 3);
    Result<Tensor> t = (*ds)->Read(0, 3);
    ASSERT_TRUE(t.ok());
    for (int i = 0; i < 12; ++i) {
      EXPECT_EQ(t->data<float>()[i], static_cast<float>(i - 4)) << file << " " << i;
    }
  }
  DataSpec by_key{.path = Path("c.npz"), .npz_key = "labels"};
  Result<std::unique_ptr<Dataset>> labels = OpenDataset(by_key, {}, DataType::kUndefined);
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ((*labels)->dtype(), DataType::kInt64);
  Result<std::vector<int64_t>> l = LoadLabels(Path("s.npz"), "arr_1");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(*l, (std::vector<int64_t>{7, 8, 9}));
  DataSpec missing{.path = Path("c.npz"), .npz_key = "nope"};
  Result<std::unique_ptr<Dataset>> m = OpenDataset(missing, {}, DataType::kUndefined);
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("images, labels"), std::string::npos) << m.status().message();
}

TEST_F(NpyTest, CorruptNpzIsAnError) {
  ASSERT_EQ(Python("np.savez_compressed('c.npz', x=np.arange(1000, dtype=np.float32))"), 0);
  std::string bytes;
  {
    std::ifstream f(Path("c.npz"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  WriteBytes("trunc.npz", bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(OpenDataset({.path = Path("trunc.npz")}, {}, DataType::kUndefined).ok());
  // Flip bytes inside the deflated data: the CRC or inflate must catch it.
  std::string flipped = bytes;
  for (size_t i = 100; i < 140 && i < flipped.size(); ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
  WriteBytes("flip.npz", flipped);
  // Members are read as samples are asked for: the error may come at open
  // (a damaged header) or when the data is read to its end (the CRC).
  Result<std::unique_ptr<Dataset>> f = OpenDataset({.path = Path("flip.npz")}, {}, DataType::kUndefined);
  EXPECT_FALSE(f.ok() && (*f)->Read(0, (*f)->size()).ok());
  WriteBytes("junk.npz", "PK\x03\x04 this is not a zip");
  EXPECT_FALSE(OpenDataset({.path = Path("junk.npz")}, {}, DataType::kUndefined).ok());
}

TEST_F(NpyTest, ByteFlipsInStoredNpzNeverCrash) {
  ASSERT_EQ(Python("np.savez('s.npz', x=np.arange(6, dtype=np.int32).reshape(3, 2))"), 0);
  std::string bytes;
  {
    std::ifstream f(Path("s.npz"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  for (size_t at = 0; at < bytes.size(); ++at) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x41);
    WriteBytes("m.npz", bad);
    Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path("m.npz")}, {}, DataType::kUndefined);
    if (!ds.ok()) continue;
    // A flip the reader accepts must be one that changes no data (the CRC
    // is checked when the member is read to its end).
    Result<Tensor> t = (*ds)->Read(0, (*ds)->size());
    if (!t.ok()) continue;
    ASSERT_EQ(t->num_elements(), 6) << "flip at " << at;
    for (int i = 0; i < 6; ++i) EXPECT_EQ(t->data<int32_t>()[i], i) << "flip at " << at;
  }
}

}  // namespace
}  // namespace qforge::io
