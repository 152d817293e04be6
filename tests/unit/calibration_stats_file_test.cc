// The calibration stats file: exact round trip, and every malformed file
// rejected with a message naming the file and what is wrong.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quant/calibration/calibration.h"

namespace qforge::quant {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class CalibrationStatsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "qforge_calib_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    std::vector<float> a, b;
    for (int i = 0; i < 1000; ++i) a.push_back(0.37f * static_cast<float>(i % 97) - 11.1f);
    for (int i = 0; i < 300; ++i) b.push_back(static_cast<float>(i) * 1e-3f);
    stats_.Observe("conv1/out", std::span<const float>(a).subspan(0, 500));
    stats_.Observe("conv1/out", std::span<const float>(a).subspan(500));
    stats_.Observe("relu \"quoted\" \xc3\xa9", b);  // names are arbitrary strings
    stats_.set_samples(2);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  std::string Read(const std::string& path) const {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  void Write(const std::string& path, const std::string& text) const {
    fs::remove(path);
    std::ofstream(path, std::ios::binary) << text;
  }
  // Saves stats_, edits the JSON with `edit`, writes it back, and loads it;
  // expects an InvalidArgument mentioning the file and `expected`.
  void ExpectRejected(const std::function<void(Json&)>& edit, const std::string& expected) {
    const std::string path = Path("edited.json");
    ASSERT_TRUE(stats_.Save(path).ok());
    Json j = Json::parse(Read(path));
    edit(j);
    Write(path, j.dump());
    ExpectLoadError(path, expected);
  }
  void ExpectLoadError(const std::string& path, const std::string& expected) {
    auto loaded = CalibrationStats::Load(path);
    ASSERT_FALSE(loaded.ok()) << "accepted: " << Read(path).substr(0, 300);
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument) << loaded.status().ToString();
    EXPECT_NE(loaded.status().message().find(path), std::string::npos) << loaded.status().message();
    EXPECT_NE(loaded.status().message().find(expected), std::string::npos) << loaded.status().message();
  }

  std::string dir_;
  CalibrationStats stats_;
};

TEST_F(CalibrationStatsFileTest, SaveLoadRoundTripIsExact) {
  const std::string path = Path("stats.json");
  ASSERT_TRUE(stats_.Save(path).ok());
  auto loaded = CalibrationStats::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, stats_);
  EXPECT_EQ(loaded->samples(), 2);
  ASSERT_NE(loaded->Find("conv1/out"), nullptr);
  EXPECT_EQ(loaded->Find("conv1/out")->batches(), 2);
  // Same ranges from the loaded copy, for an estimator that uses everything.
  EstimatorOptions o;
  o.estimator = RangeEstimator::kEntropy;
  EXPECT_EQ(ComputeRanges(*loaded, o).value(), ComputeRanges(stats_, o).value());
  // And the file names its format and version.
  const Json j = Json::parse(Read(path));
  EXPECT_EQ(j.at("format"), "qforge-calibration-stats");
  EXPECT_EQ(j.at("version"), 1);
}

TEST_F(CalibrationStatsFileTest, TruncatedAndCorruptFilesAreRejected) {
  const std::string path = Path("stats.json");
  ASSERT_TRUE(stats_.Save(path).ok());
  const std::string full = Read(path);
  Write(Path("truncated.json"), full.substr(0, full.size() / 2));
  ExpectLoadError(Path("truncated.json"), "truncated");
  Write(Path("garbage.json"), "\x93NUMPY not json at all");
  ExpectLoadError(Path("garbage.json"), "JSON error");
  Write(Path("empty.json"), "");
  ExpectLoadError(Path("empty.json"), "JSON error");
  Write(Path("array.json"), "[1, 2, 3]");
  ExpectLoadError(Path("array.json"), "not a calibration stats file");
}

TEST_F(CalibrationStatsFileTest, OutOfRangeNumbersAndDeepNestingAreErrorsNotCrashes) {
  // nlohmann throws out_of_range (not parse_error) for a number past double.
  Write(Path("huge.json"), R"({"format": "qforge-calibration-stats", "version": 1e999})");
  ExpectLoadError(Path("huge.json"), "not a valid calibration stats file");
  // 100k nested arrays: no stack overflow, whatever the parser recurses through.
  Write(Path("deep.json"), std::string(100000, '[') + std::string(100000, ']'));
  ExpectLoadError(Path("deep.json"), "nested deeper than");
  // Brackets inside strings are not nesting: a valid file with such a name loads.
  stats_.Observe(std::string(40, '[') + "{\\\"", std::vector<float>{1.0f});
  ASSERT_TRUE(stats_.Save(Path("brackets.json")).ok());
  EXPECT_TRUE(CalibrationStats::Load(Path("brackets.json")).ok());
}

TEST_F(CalibrationStatsFileTest, WrongFormatOrVersionIsRejected) {
  ExpectRejected([](Json& j) { j["version"] = 2; }, "version 2 is not supported");
  ExpectRejected([](Json& j) { j["version"] = "1"; }, "version \"1\" is not supported");
  ExpectRejected([](Json& j) { j["format"] = "tensorrt-calibration-cache"; }, "not a calibration stats file");
  ExpectRejected([](Json& j) { j.erase("format"); }, "not a calibration stats file");
  ExpectRejected([](Json& j) { j["histogram_bins"] = 1024; }, "1024 bins");
}

TEST_F(CalibrationStatsFileTest, NonFiniteValuesAreRejected) {
  // JSON has no NaN: nlohmann writes it as null, other writers as a bare NaN token.
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["min"] = nullptr; },
                 "tensor 'conv1/out': min must be a number");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["batch_max"][1] = nullptr; }, "batch_max[1]");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["max"] = 1e300; }, "max is not a finite float32");
  const std::string path = Path("nan.json");
  ASSERT_TRUE(stats_.Save(path).ok());
  std::string text = Read(path);
  const size_t at = text.find("\"min\":");
  ASSERT_NE(at, std::string::npos);
  const size_t end = text.find(',', at);
  Write(path, text.substr(0, at) + "\"min\":NaN" + text.substr(end));
  ExpectLoadError(path, "JSON error");
}

TEST_F(CalibrationStatsFileTest, InconsistentContentsAreRejected) {
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["histogram"]["counts"][5] = -3; },
                 "histogram count 5 must be a non-negative integer");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["elements"] = -1; }, "'elements' is -1");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["elements"] = 999; }, "add up to more than");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["histogram"]["counts"].push_back(0); }, "2049 bins");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["min"] = 100.0; }, "min is greater than max");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["min"] = -20.0; }, "do not match the batch");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["batch_min"].erase(0); }, "equal length");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["histogram"]["exponent"] = -20; }, "does not cover");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["histogram"]["exponent"] = -160; }, "too fine");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"]["histogram"]["exponent"] = 1.5; },
                 "must be an integer");
  ExpectRejected([](Json& j) { j["tensors"]["conv1/out"].erase("histogram"); }, "missing field 'histogram'");
  ExpectRejected([](Json& j) { j["samples"] = -4; }, "'samples' is -4");
  ExpectRejected([](Json& j) { j["tensors"] = Json::array(); }, "'tensors' must be an object");
}

TEST_F(CalibrationStatsFileTest, EveryTruncationAndByteFlipIsHandled) {
  // Untrusted input: no prefix of a valid file and no single corrupted byte
  // may crash the reader; whatever it accepts must still be usable.
  const std::string path = Path("stats.json");
  ASSERT_TRUE(stats_.Save(path).ok());
  const std::string full = Read(path);
  const std::string probe = Path("probe.json");
  int accepted = 0;
  for (size_t len = 0; len + 1 < full.size(); len += 37) {
    Write(probe, full.substr(0, len));
    auto loaded = CalibrationStats::Load(probe);
    ASSERT_FALSE(loaded.ok()) << "prefix of " << len << " bytes accepted";
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  }
  const char replacements[] = {'9', '-', '"', '}', 'e', '\0'};
  for (size_t at = 0; at < full.size(); at += 13) {
    std::string bad = full;
    bad[at] = replacements[at % sizeof replacements];
    Write(probe, bad);
    auto loaded = CalibrationStats::Load(probe);
    if (!loaded.ok()) {
      EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument) << loaded.status().ToString();
      continue;
    }
    ++accepted;
    for (auto e : {RangeEstimator::kPercentile, RangeEstimator::kEntropy, RangeEstimator::kMse}) {
      EstimatorOptions o;
      o.estimator = e;
      EXPECT_TRUE(ComputeRanges(*loaded, o).ok());
    }
  }
  EXPECT_LT(accepted, static_cast<int>(full.size() / 13));  // most corruptions are caught
}

TEST_F(CalibrationStatsFileTest, MissingFileIsNotFound) {
  auto loaded = CalibrationStats::Load(Path("nope.json"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("nope.json"), std::string::npos);
}

TEST_F(CalibrationStatsFileTest, SaveIsAtomicAndLeavesNoTemporaries) {
  const std::string path = Path("stats.json");
  ASSERT_TRUE(stats_.Save(path).ok());
  ASSERT_TRUE(stats_.Save(path).ok());  // overwrite
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
  EXPECT_FALSE(stats_.Save(Path("no/such/dir/stats.json")).ok());
}

}  // namespace
}  // namespace qforge::quant
