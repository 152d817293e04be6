// Hostile data files: FIFOs where a file is expected, compressed arrays that
// inflate far beyond their size, bad checksums, and batches over the memory
// budget. Each must be an error naming the file (never a hang, a crash or a
// multi-gigabyte allocation).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "data_test_util.h"
#include "io/atomic_file.h"
#include "io/data/dataset.h"
#include "io/mapped_file.h"
#include "qforge/limits.h"
#include "quant/calibration/calibration.h"

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

class DataHostileTest : public DataFileTest {
 protected:
  void TearDown() override {
    SetMemoryLimit(kDefaultMemoryLimitBytes);
    DataFileTest::TearDown();
  }
};

void ExpectError(const Status& s, StatusCode code, const std::string& file, const std::string& why) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
}

// Peak resident memory of this process so far, in MiB.
int64_t PeakRssMiB() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

TEST_F(DataHostileTest, FifosAreRefusedWithoutBlocking) {
  // Without the regular-file check every one of these blocks in open() (no
  // writer) forever; the alarm turns such a hang into a failure.
  alarm(60);
  for (const char* name : {"x.npy", "x.npz", "x-idx3-ubyte.gz", "x.raw", "x.json", "x.onnx", "unknown"}) {
    ASSERT_EQ(mkfifo(Path(name).c_str(), 0600), 0);
  }
  ExpectError(OpenDataset({.path = Path("x.npy")}, {}, DataType::kUndefined).status(),
              StatusCode::kInvalidArgument, Path("x.npy"), "is a FIFO");
  ExpectError(OpenDataset({.path = Path("x.npz")}, {}, DataType::kUndefined).status(),
              StatusCode::kInvalidArgument, Path("x.npz"), "is a FIFO");
  ExpectError(OpenDataset({.path = Path("x-idx3-ubyte.gz")}, {}, DataType::kUndefined).status(),
              StatusCode::kInvalidArgument, Path("x-idx3-ubyte.gz"), "is a FIFO");
  ExpectError(OpenDataset({.path = Path("x.raw"), .shape = {4}}, {}, DataType::kUndefined).status(),
              StatusCode::kInvalidArgument, Path("x.raw"), "is a FIFO");
  ExpectError(OpenDataset({.path = Path("unknown")}, {}, DataType::kUndefined).status(),
              StatusCode::kInvalidArgument, Path("unknown"), "is a FIFO");
  ExpectError(LoadLabels(Path("x.npy")).status(), StatusCode::kInvalidArgument, Path("x.npy"), "is a FIFO");
  ExpectError(quant::CalibrationStats::Load(Path("x.json")).status(), StatusCode::kInvalidArgument,
              Path("x.json"), "is a FIFO");
  std::string bytes;
  ExpectError(ReadFile(Path("x.onnx"), &bytes), StatusCode::kInvalidArgument, Path("x.onnx"), "is a FIFO");
  ExpectError(MappedFile::Open(Path("x.onnx")).status(), StatusCode::kInvalidArgument, Path("x.onnx"),
              "is a FIFO");
  // An image folder holding a FIFO named like an image.
  fs::create_directories(Path("images"));
  ASSERT_EQ(mkfifo(Path("images/a.png").c_str(), 0600), 0);
  Result<std::unique_ptr<Dataset>> images =
      OpenDataset({.path = Path("images"), .image = {.crop_h = 2}}, {}, DataType::kUndefined);
  ASSERT_TRUE(images.ok()) << images.status().ToString();  // a crop size: no image read yet
  ExpectError((*images)->Read(0, 1).status(), StatusCode::kInvalidArgument, Path("images/a.png"),
              "is a FIFO");
  alarm(0);
}

// A deflated .npz member / gzip'd IDX file of 256 MiB of zeros is ~250 KiB;
// reading its first 10 samples must not inflate (let alone hold) the rest.
TEST_F(DataHostileTest, CompressedArraysInflateOnlyTheSamplesRead) {
  ASSERT_EQ(Python("np.savez_compressed('z.npz', x=np.zeros((262144, 1024), np.uint8))"), 0);
  {
    gzFile f = gzopen(Path("z-idx3-ubyte.gz").c_str(), "wb1");
    ASSERT_NE(f, nullptr);
    const std::string header = {0, 0, 8, 2, 0, 4, 0, 0, 0, 0, 4, 0};  // uint8 [262144, 1024]
    ASSERT_EQ(gzwrite(f, header.data(), static_cast<unsigned>(header.size())),
              static_cast<int>(header.size()));
    const std::string row(1 << 20, '\0');
    for (int i = 0; i < 256; ++i)
      ASSERT_EQ(gzwrite(f, row.data(), static_cast<unsigned>(row.size())), 1 << 20);
    gzclose(f);
  }
  const int64_t before = PeakRssMiB();
  for (const char* name : {"z.npz", "z-idx3-ubyte.gz"}) {
    Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path(name)}, {}, DataType::kUndefined);
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    EXPECT_EQ((*ds)->size(), 262144);
    Result<Tensor> t = (*ds)->Read(0, 10);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->dims(), (std::vector<int64_t>{10, 1024}));
    Result<Tensor> later = (*ds)->Read(100, 10);  // forward: skipped, never held
    ASSERT_TRUE(later.ok()) << later.status().ToString();
    Result<Tensor> back = (*ds)->Read(5, 1);  // backward: reopened
    ASSERT_TRUE(back.ok()) << back.status().ToString();
  }
  EXPECT_LT(PeakRssMiB() - before, 64) << "reading 10 samples held the whole inflated array";
}

TEST_F(DataHostileTest, CompressedArraysOverTheBudgetAreRefusedFromTheHeader) {
  ASSERT_EQ(Python("np.savez_compressed('z.npz', x=np.zeros((1024, 1024), np.float32))"), 0);
  SetMemoryLimit(uint64_t{1} << 20);  // 1 MiB: the 4 MiB array is over it
  ExpectError(OpenDataset({.path = Path("z.npz")}, {}, DataType::kUndefined).status(),
              StatusCode::kResourceExhausted, Path("z.npz"), "memory limit");
}

TEST_F(DataHostileTest, NpzMemberWithABadCrcIsAnError) {
  ASSERT_EQ(Python("np.savez('s.npz', x=np.arange(64, dtype=np.int32).reshape(16, 4))"), 0);
  std::string bytes = ReadBytes("s.npz");
  // The stored member's last data byte (just before the central directory).
  const size_t central = bytes.rfind(std::string("PK\x01\x02", 4));
  ASSERT_NE(central, std::string::npos);
  bytes[central - 1] = static_cast<char>(bytes[central - 1] ^ 0x01);
  WriteBytes("crc.npz", bytes);
  Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path("crc.npz")}, {}, DataType::kUndefined);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();  // the header is intact
  ExpectError((*ds)->Read(0, 16).status(), StatusCode::kInvalidArgument, Path("crc.npz"), "CRC");
  ExpectError(LoadLabels(Path("crc.npz")).status(), StatusCode::kInvalidArgument, Path("crc.npz"), "CRC");
}

TEST_F(DataHostileTest, GzipIdxWithDataPastTheHeaderIsAnError) {
  // The trailer matches (the gzip is whole) but holds one byte too many.
  const std::string idx = std::string{0, 0, 8, 1, 0, 0, 0, 3} + "abcd";
  gzFile f = gzopen(Path("extra-idx1-ubyte.gz").c_str(), "wb");
  ASSERT_EQ(gzwrite(f, idx.data(), static_cast<unsigned>(idx.size())), static_cast<int>(idx.size()));
  gzclose(f);
  ExpectError(OpenDataset({.path = Path("extra-idx1-ubyte.gz")}, {}, DataType::kUndefined).status(),
              StatusCode::kInvalidArgument, Path("extra-idx1-ubyte.gz"), "trailer");
}

TEST_F(DataHostileTest, BatchesCountAgainstTheMemoryBudget) {
  ASSERT_EQ(Python("np.save('x.npy', np.ones((64, 1024), np.float32))"), 0);
  Result<std::unique_ptr<Dataset>> ds = OpenDataset({.path = Path("x.npy")}, {}, DataType::kUndefined);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  SetMemoryLimit(uint64_t{1} << 17);  // 128 KiB: 32 samples of 4 KiB fit, 64 do not
  EXPECT_TRUE((*ds)->Read(0, 16).ok());
  ExpectError((*ds)->Read(0, 64).status(), StatusCode::kResourceExhausted, Path("x.npy"), "memory limit");
  ExpectError(LoadLabels(Path("x.npy")).status(), StatusCode::kResourceExhausted, Path("x.npy"),
              "memory limit");
}

}  // namespace
}  // namespace qforge::io
