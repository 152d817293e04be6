// ReadTflite maps the file and uses aligned constant buffers of a page or
// more in place: the bundled CNN, quantized to int8 and written as .tflite,
// loads with its large fully connected weights pointing into the file's
// mapping (found in /proc/self/maps, not through qforge) and computes
// exactly what the copying reader (ReadTfliteFromBytes) computes; in the
// float CNN a weight buffer moved to a misaligned offset still loads, copied.
// Broken files give the errors the in-memory reader gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "io/data/dataset.h"
#include "io/mapped_file.h"
#include "io/onnx/onnx_reader.h"
#include "io/tflite/read/tflite_reader.h"
#include "io/tflite/write/tflite_writer.h"
#include "passes/pipelines.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "runtime/interpreter.h"
#include "test_util.h"
#include "tflite_schema_generated.h"

namespace qforge {
namespace {

namespace fs = std::filesystem;

// A scratch folder per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    path_ = fs::temp_directory_path() / ("qf_mmap_" + std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The bundled float CNN serialized as .tflite.
Result<std::string> FloatCnnTflite() {
  QF_ASSIGN_OR_RETURN(auto g, io::ReadOnnx(testing::SourcePath("models/cnn.onnx")));
  return io::SerializeTflite(*g);
}

// The bundled CNN quantized to int8 (TFLite's arithmetic), serialized as .tflite.
Result<std::string> Int8CnnTflite() {
  QF_ASSIGN_OR_RETURN(auto loaded, io::ReadOnnx(testing::SourcePath("models/cnn.onnx")));
  std::shared_ptr<ir::Graph> g(std::move(loaded));
  QF_RETURN_IF_ERROR(passes::PrepareForQuantization(g.get()));
  quant::QuantizeOptions opt;
  QF_ASSIGN_OR_RETURN(opt.mode, quant::ParseQuantMode("int8"));
  io::DataSpec spec;
  spec.path = testing::SourcePath("models/calib/fashion_train100.npy");
  QF_ASSIGN_OR_RETURN(auto data, io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32));
  quant::CalibrateOptions co;
  co.count = 16;
  QF_ASSIGN_OR_RETURN(auto stats, quant::Calibrate(g, *data, co));
  QF_ASSIGN_OR_RETURN(auto ranges, quant::ComputeRanges(stats, {}));
  for (const auto& [name, r] : ranges) opt.ranges[name] = {r.min, r.max};
  QF_ASSIGN_OR_RETURN(ir::Graph q, quant::QuantizeGraph(*g, opt, nullptr));
  q.requantization = ir::Requantization::kFixedPoint;
  return io::SerializeTflite(q);
}

// The file mapped at `p` in this process ("" when p is in no file mapping).
std::string MappedPathOf(const void* p) {
  std::ifstream maps("/proc/self/maps");
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms, offset, dev, inode, path;
    in >> range >> perms >> offset >> dev >> inode >> path;
    const size_t dash = range.find('-');
    const uintptr_t begin = std::stoull(range.substr(0, dash), nullptr, 16);
    const uintptr_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (addr >= begin && addr < end) return path;
  }
  return "";
}

struct ConstantSplit {
  size_t in_file = 0, copied = 0;  // bytes
  std::vector<std::string> in_file_names, copied_names;
};

// Sorts the graph's constants by whether their data lies in the mapping of `file`.
ConstantSplit SplitConstants(const ir::Graph& g, const std::string& file) {
  const std::string canonical = fs::canonical(file).string();
  ConstantSplit s;
  for (const ir::Value& v : g.values) {
    if (!v.is_constant() || v.constant->byte_size() == 0) continue;
    if (MappedPathOf(v.constant->raw_data()) == canonical) {
      // In place only where aligned for the element type.
      EXPECT_EQ(reinterpret_cast<uintptr_t>(v.constant->raw_data()) % DataTypeSize(v.constant->dtype()), 0u)
          << v.name;
      s.in_file += v.constant->byte_size();
      s.in_file_names.push_back(v.name);
    } else {
      s.copied += v.constant->byte_size();
      s.copied_names.push_back(v.name);
    }
  }
  return s;
}

// Runs both graphs on the same random int8-range input; outputs must be bit-identical.
void ExpectSameOutputs(const ir::Graph& a, const ir::Graph& b) {
  ASSERT_EQ(a.inputs.size(), 1u);
  const ir::TensorType& t = a.value(a.inputs[0]).type;
  std::vector<int64_t> dims = t.dims;
  for (int64_t& d : dims) d = d < 0 ? 3 : d;
  Tensor x(t.dtype, dims);
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  ASSERT_EQ(t.dtype, DataType::kFloat32);
  for (float& v : x.span<float>()) v = unit(rng);
  std::vector<Tensor> in = {x};
  runtime::Interpreter ia(std::make_shared<const ir::Graph>(a)), ib(std::make_shared<const ir::Graph>(b));
  auto ya = ia.Run(in);
  auto yb = ib.Run(in);
  ASSERT_TRUE(ya.ok()) << ya.status().ToString();
  ASSERT_TRUE(yb.ok()) << yb.status().ToString();
  ASSERT_EQ(ya->size(), yb->size());
  for (size_t i = 0; i < ya->size(); ++i) {
    ASSERT_EQ((*ya)[i].dims(), (*yb)[i].dims());
    ASSERT_EQ((*ya)[i].byte_size(), (*yb)[i].byte_size());
    EXPECT_EQ(std::memcmp((*ya)[i].raw_data(), (*yb)[i].raw_data(), (*ya)[i].byte_size()), 0)
        << "output " << i;
  }
}

class TfliteMmapTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto bytes = Int8CnnTflite();
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    bytes_ = new std::string(std::move(*bytes));
    auto float_bytes = FloatCnnTflite();
    ASSERT_TRUE(float_bytes.ok()) << float_bytes.status().ToString();
    float_bytes_ = new std::string(std::move(*float_bytes));
  }
  static void TearDownTestSuite() {
    delete bytes_;
    delete float_bytes_;
    bytes_ = float_bytes_ = nullptr;
  }
  static std::string* bytes_;        // int8 cnn
  static std::string* float_bytes_;  // float cnn
  ScratchDir dir_;
};
std::string* TfliteMmapTest::bytes_ = nullptr;
std::string* TfliteMmapTest::float_bytes_ = nullptr;

TEST_F(TfliteMmapTest, AlignedConstantsPointIntoTheMappedFile) {
  const std::string path = dir_.File("cnn_int8.tflite");
  WriteBytes(path, *bytes_);
  auto mapped = io::ReadTflite(path);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  auto copied = io::ReadTfliteFromBytes(*bytes_, path);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();

  const ConstantSplit s = SplitConstants(**mapped, path);
  // In the file: the first fully connected weights, [64, 1568] int8. Copied:
  // the second conv's [32, 3, 3, 16] weights, permuted to OIHW, and every
  // constant under a page (biases, the small weights, the importer's scalars).
  EXPECT_EQ(s.in_file, 64u * 1568) << ::testing::PrintToString(s.in_file_names);
  EXPECT_NE(std::find(s.copied_names.begin(), s.copied_names.end(), "onnx::Conv_33_quantized"),
            s.copied_names.end())
      << ::testing::PrintToString(s.copied_names);
  EXPECT_LT(s.copied, size_t{32 * 16 * 3 * 3 + 16 * 9 + 640 + 4 * 122 + 256})
      << ::testing::PrintToString(s.copied_names);
  // The copying reader copies everything.
  EXPECT_EQ(SplitConstants(**copied, path).in_file, 0u);

  // Same constants, value for value, and same outputs.
  ASSERT_EQ((*mapped)->values.size(), (*copied)->values.size());
  for (size_t i = 0; i < (*mapped)->values.size(); ++i) {
    const ir::Value& a = (*mapped)->values[i];
    const ir::Value& b = (*copied)->values[i];
    ASSERT_EQ(a.name, b.name);
    ASSERT_EQ(a.is_constant(), b.is_constant()) << a.name;
    if (!a.is_constant()) continue;
    EXPECT_EQ(a.constant->dims(), b.constant->dims()) << a.name;
    EXPECT_EQ(a.constant->quant(), b.constant->quant()) << a.name;
    ASSERT_EQ(a.constant->byte_size(), b.constant->byte_size()) << a.name;
    EXPECT_EQ(std::memcmp(a.constant->raw_data(), b.constant->raw_data(), a.constant->byte_size()), 0)
        << a.name;
  }
  ExpectSameOutputs(**mapped, **copied);
  // Released pages fault back in with the same bytes.
  io::MappedFile::ReleaseAll();
  ExpectSameOutputs(**mapped, **copied);
}

TEST_F(TfliteMmapTest, GraphKeepsTheMappingAliveAfterTheFileIsReplaced) {
  const std::string path = dir_.File("cnn_int8.tflite");
  WriteBytes(path, *bytes_);
  auto mapped = io::ReadTflite(path);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  // Writers replace files by rename: the old inode stays mapped and intact.
  WriteBytes(dir_.File("other"), std::string(bytes_->size(), '\x7f'));
  fs::rename(dir_.File("other"), path);
  auto copied = io::ReadTfliteFromBytes(*bytes_, "cnn_int8.tflite");
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  ExpectSameOutputs(**mapped, **copied);
}

// The float CNN's largest buffer (the first fully connected weights, [64,
// 1568] float) moved out of the flatbuffer to external data
// (Buffer.offset/size) at a file offset that is 1 mod 4: in place when
// aligned, copied when not (a float view there would be misaligned).
TEST_F(TfliteMmapTest, MisalignedBufferIsCopied) {
  std::unique_ptr<tflite::ModelT> m(tflite::GetModel(float_bytes_->data())->UnPack());
  std::string moved_name;
  uint32_t index = 0;
  size_t largest = 0;
  for (const auto& t : m->subgraphs[0]->tensors) {
    const size_t n = t->buffer > 0 ? m->buffers[t->buffer]->data.size() : 0;
    if (t->type == tflite::TensorType_FLOAT32 && n > largest) {
      largest = n;
      moved_name = t->name;
      index = t->buffer;
    }
  }
  ASSERT_EQ(largest, 64u * 1568 * 4);
  const std::string aligned_path = dir_.File("aligned.tflite");
  WriteBytes(aligned_path, *float_bytes_);
  auto aligned = io::ReadTflite(aligned_path);
  ASSERT_TRUE(aligned.ok()) << aligned.status().ToString();
  const ConstantSplit in_place = SplitConstants(**aligned, aligned_path);
  EXPECT_NE(std::find(in_place.in_file_names.begin(), in_place.in_file_names.end(), moved_name),
            in_place.in_file_names.end())
      << moved_name << " should be in place; copied: " << ::testing::PrintToString(in_place.copied_names);

  tflite::BufferT& b = *m->buffers[index];
  const std::vector<uint8_t> data = std::move(b.data);
  b.data.clear();
  b.size = data.size();
  auto pack = [&m]() {
    flatbuffers::FlatBufferBuilder fbb;
    tflite::FinishModelBuffer(fbb, tflite::Model::Pack(fbb, m.get()));
    return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  };
  b.offset = uint64_t{1} << 40;  // a placeholder of the same encoded size as the real offset
  const size_t flatbuffer_size = pack().size();
  b.offset = (flatbuffer_size + 3) / 4 * 4 + 1;
  std::string file = pack();
  ASSERT_EQ(file.size(), flatbuffer_size);
  file.resize(static_cast<size_t>(b.offset), '\0');
  file.append(reinterpret_cast<const char*>(data.data()), data.size());
  const std::string path = dir_.File("misaligned.tflite");
  WriteBytes(path, file);

  auto mapped = io::ReadTflite(path);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  const ConstantSplit s = SplitConstants(**mapped, path);
  EXPECT_NE(std::find(s.copied_names.begin(), s.copied_names.end(), moved_name), s.copied_names.end())
      << moved_name << " should be copied; in file: " << ::testing::PrintToString(s.in_file_names);
  ExpectSameOutputs(**mapped, **aligned);
}

TEST_F(TfliteMmapTest, BrokenFilesGiveTheInMemoryReadersErrors) {
  const std::string path = dir_.File("cut.tflite");
  for (size_t len : {size_t{0}, size_t{5}, size_t{64}, bytes_->size() / 2, bytes_->size() - 1}) {
    SCOPED_TRACE("length " + std::to_string(len));
    const std::string cut = bytes_->substr(0, len);
    WriteBytes(path, cut);
    auto from_file = io::ReadTflite(path);
    auto from_bytes = io::ReadTfliteFromBytes(cut, path);
    ASSERT_FALSE(from_file.ok());
    ASSERT_FALSE(from_bytes.ok());
    EXPECT_EQ(from_file.status().code(), StatusCode::kInvalidModel);
    EXPECT_EQ(from_file.status().message(), from_bytes.status().message());
  }
  auto missing = io::ReadTflite(dir_.File("missing.tflite"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("missing.tflite: cannot open"), std::string::npos)
      << missing.status().message();
  auto dir = io::ReadTflite(fs::temp_directory_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos) << dir.status().message();
}

TEST(MappedFileTest, MapsReadsAndReleases) {
  ScratchDir dir;
  const std::string path = dir.File("data.bin");
  std::string content(3 * 4096 + 123, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7 + 3);
  WriteBytes(path, content);
  auto f = io::MappedFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE((*f)->mapped());
  EXPECT_EQ((*f)->bytes(), content);
  // Released pages read back the same bytes (they refault from the file).
  (*f)->Release(0, (*f)->size());
  (*f)->Release((*f)->bytes().substr(100, 9000));
  EXPECT_EQ((*f)->bytes(), content);
  io::MappedFile::ReleaseAll();
  EXPECT_EQ((*f)->bytes(), content);

  auto limited = io::MappedFile::Open(path, 100);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(limited.status().message().find("over the limit of 100"), std::string::npos);

  // An empty file cannot be mapped: it is "read" instead.
  WriteBytes(dir.File("empty"), "");
  auto empty = io::MappedFile::Open(dir.File("empty"));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_FALSE((*empty)->mapped());
  EXPECT_EQ((*empty)->size(), 0u);
}

}  // namespace
}  // namespace qforge
