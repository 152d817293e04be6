// A temp folder for data reader tests, with helpers to write files into it
// byte for byte and to generate them with numpy (an independent writer).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace qforge::io {

class DataFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "qforge_data_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (std::filesystem::path(dir_) / name).string(); }
  void WriteBytes(const std::string& name, const std::string& bytes) const {
    // A fresh file each time: truncating one in place makes ext4 flush it synchronously.
    std::filesystem::remove(Path(name));
    std::ofstream(Path(name), std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::string ReadBytes(const std::string& name) const {
    std::ifstream f(Path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  // Runs a python snippet (numpy imported as np) with the temp dir as cwd.
  int Python(const std::string& code) const {
    const std::string script = Path("gen.py");
    std::ofstream(script) << "import os, numpy as np\nos.chdir(" << '"' << dir_ << '"' << ")\n"
                          << code << "\n";
    return std::system(("/usr/bin/python3 " + script).c_str());
  }

  std::string dir_;
};

}  // namespace qforge::io
