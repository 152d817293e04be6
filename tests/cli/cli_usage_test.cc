// The CLI used as a user would on the bundled example model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

const std::string kModel = SourcePath("models/cnn.onnx");
const std::string kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const std::string kLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

TEST(CliUsage, InspectReportsIoOpsParametersAndArena) {
  CliResult r = RunCli("inspect " + kModel);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("input"), std::string::npos);
  EXPECT_NE(r.out.find("Conv"), std::string::npos);
  EXPECT_NE(r.out.find("float32"), std::string::npos);
  EXPECT_NE(r.out.find("parameters:"), std::string::npos);
  EXPECT_NE(r.out.find("activation arena (batch 1):"), std::string::npos);
}

TEST(CliUsage, RunWritesNpyOutputForARawBatch) {
  std::string dir = TempDir("run_raw");
  // Three 1x28x28 float32 samples in a headerless file: one batch of 3.
  {
    std::ofstream f(dir + "/x.raw", std::ios::binary);
    for (int i = 0; i < 3 * 28 * 28; ++i) {
      float v = static_cast<float>(i % 255) / 255.0f;
      f.write(reinterpret_cast<const char*>(&v), 4);
    }
  }
  CliResult r =
      RunCli("run " + kModel + " --input " + dir + "/x.raw --shape 1 28 28 --output " + dir + "/logits.npy");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(std::filesystem::exists(dir + "/logits.npy"));
  EXPECT_GE(std::filesystem::file_size(dir + "/logits.npy"), 3u * 10 * 4);
  EXPECT_NE(r.out.find("[3, 10]"), std::string::npos) << r.out;
}

TEST(CliUsage, EvalPrintsTop1AndTop5) {
  CliResult r =
      RunCli("eval " + kModel + " --data " + kImages + " --labels " + kLabels + " --limit 500 --batch 50");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("samples: 500"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("top-1:"), std::string::npos);
  EXPECT_NE(r.out.find("top-5:"), std::string::npos);
}

}  // namespace
}  // namespace qforge::testing

// Images in class subfolders: eval takes the labels from the folder names.
// The images are real Fashion-MNIST test images written as PNGs, so the
// model must classify most of them right.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#include <zlib.h>

namespace qforge::testing {
namespace {

TEST(CliUsage, EvalImageFolderUsesSubfoldersAsLabels) {
  gzFile images = gzopen("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb");
  gzFile labels = gzopen("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", "rb");
  ASSERT_TRUE(images && labels);
  unsigned char header[16];
  ASSERT_EQ(gzread(images, header, 16), 16);
  ASSERT_EQ(gzread(labels, header, 8), 8);
  const std::string dir = TempDir("image_folder");
  const int kImages = 60;
  for (int i = 0; i < kImages; ++i) {
    unsigned char px[28 * 28];
    unsigned char label;
    ASSERT_EQ(gzread(images, px, sizeof px), static_cast<int>(sizeof px));
    ASSERT_EQ(gzread(labels, &label, 1), 1);
    // Class folders "class_0".."class_9" sort in label order.
    const std::string cls = dir + "/class_" + std::to_string(label);
    std::filesystem::create_directories(cls);
    char name[32];
    std::snprintf(name, sizeof name, "/img_%03d.png", i);
    ASSERT_NE(stbi_write_png((cls + name).c_str(), 28, 28, 1, px, 28), 0);
  }
  gzclose(images);
  gzclose(labels);
  // All ten classes must be present for folder index == label.
  for (int c = 0; c < 10; ++c) ASSERT_TRUE(std::filesystem::exists(dir + "/class_" + std::to_string(c))) << c;
  CliResult r = RunCli("eval " + kModel + " --data " + dir + " --grayscale");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("samples: 60"), std::string::npos) << r.out;
  // Parse "top-1: NN.NN%": the model's accuracy is ~92%, chance is 10%.
  const size_t at = r.out.find("top-1: ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stod(r.out.substr(at + 7)), 75.0) << r.out;
}

}  // namespace
}  // namespace qforge::testing

namespace qforge::testing {
namespace {

TEST(CliUsage, ConvertWritesAnEquivalentOnnxModelAndNeverOverwritesItsInput) {
  const std::string dir = TempDir("convert");
  CliResult r = RunCli("convert " + kModel + " -o " + dir + "/cnn17.onnx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Same logits from the original and the converted model on 8 samples.
  {
    std::ofstream f(dir + "/x.raw", std::ios::binary);
    for (int i = 0; i < 8 * 28 * 28; ++i) {
      float v = static_cast<float>((i * 37) % 256) / 255.0f;
      f.write(reinterpret_cast<const char*>(&v), 4);
    }
  }
  const std::string input = " --input " + dir + "/x.raw --shape 1 28 28";
  ASSERT_EQ(RunCli("run " + kModel + input + " --output " + dir + "/a.npy").exit_code, 0);
  ASSERT_EQ(RunCli("run " + dir + "/cnn17.onnx" + input + " --output " + dir + "/b.npy").exit_code, 0);
  std::ifstream a(dir + "/a.npy", std::ios::binary), b(dir + "/b.npy", std::ios::binary);
  const std::string abytes((std::istreambuf_iterator<char>(a)), {}),
      bbytes((std::istreambuf_iterator<char>(b)), {});
  EXPECT_GT(abytes.size(), 8u * 10 * 4);
  EXPECT_EQ(abytes, bbytes);  // same ops, same order: bit-identical

  std::filesystem::copy_file(kModel, dir + "/in.onnx");
  CliResult same = RunCli("convert " + dir + "/in.onnx -o " + dir + "/in.onnx");
  EXPECT_EQ(same.exit_code, 2);
  std::ifstream in(dir + "/in.onnx", std::ios::binary), orig(kModel, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), {}),
            std::string((std::istreambuf_iterator<char>(orig)), {}));
}

}  // namespace
}  // namespace qforge::testing
