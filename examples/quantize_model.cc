// Quantizes a float model to int8 through qforge's public C++ API only
// (include/qforge/), then loads the written file and runs it once.
//
//   quantize_model MODEL.onnx CALIB.npy OUT.onnx
//
// CALIB.npy holds float32 samples, the first dimension counting them (the
// bundled models/calib/fashion_train100.npy). The example streams them to
// the quantizer in batches of 16 through a callback, as any data source would.
#include <qforge/model.h>
#include <qforge/quantize.h>
#include <qforge/runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

// A tiny .npy reader: little-endian float32, C order, format 1.0.
qforge::Result<qforge::Tensor> ReadFloatNpy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY\x01\x00", 8) != 0) {
    return qforge::InvalidArgument(path + ": not a version 1.0 .npy file");
  }
  unsigned char len[2];
  f.read(reinterpret_cast<char*>(len), 2);
  std::string header(static_cast<size_t>(len[0] | (len[1] << 8)), '\0');
  f.read(header.data(), static_cast<std::streamsize>(header.size()));
  if (!f || header.find("'descr': '<f4'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos) {
    return qforge::InvalidArgument(path + ": needs little-endian float32 data in C order");
  }
  std::vector<int64_t> dims;
  const size_t open = header.find("'shape': (");
  if (open == std::string::npos) return qforge::InvalidArgument(path + ": no shape");
  for (size_t i = open + 10; i < header.size() && header[i] != ')';) {
    size_t used = 0;
    dims.push_back(std::stoll(header.substr(i), &used));
    i += used;
    while (i < header.size() && (header[i] == ',' || header[i] == ' ')) ++i;
  }
  qforge::Tensor t(qforge::DataType::kFloat32, dims);
  if (!f.read(static_cast<char*>(t.raw_data()), static_cast<std::streamsize>(t.byte_size()))) {
    return qforge::InvalidArgument(path + ": shorter than its shape says");
  }
  return t;
}

// Rows [first, first + count) of `all` as a new tensor.
qforge::Tensor Rows(const qforge::Tensor& all, int64_t first, int64_t count) {
  std::vector<int64_t> dims = all.dims();
  dims[0] = count;
  qforge::Tensor t(all.dtype(), dims);
  const size_t row = all.byte_size() / static_cast<size_t>(all.dim(0));
  std::memcpy(t.raw_data(), static_cast<const char*>(all.raw_data()) + row * static_cast<size_t>(first),
              row * static_cast<size_t>(count));
  return t;
}

int Fail(const qforge::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s MODEL.onnx CALIB.npy OUT.onnx\n", argv[0]);
    return 2;
  }
  qforge::Result<qforge::Model> model = qforge::Model::Load(argv[1]);
  if (!model.ok()) return Fail(model.status());
  qforge::Result<qforge::Tensor> samples = ReadFloatNpy(argv[2]);
  if (!samples.ok()) return Fail(samples.status());

  qforge::QuantizeOptions options;
  options.mode = qforge::QuantizeMode::kInt8;
  options.calibration.source_name = argv[2];
  int64_t next = 0;
  options.calibration.batches = [&]() -> qforge::Result<std::vector<qforge::Tensor>> {
    std::vector<qforge::Tensor> batch;  // empty: the end
    if (next < samples->dim(0)) {
      const int64_t count = std::min<int64_t>(16, samples->dim(0) - next);
      batch.push_back(Rows(*samples, next, count));
      next += count;
    }
    return batch;
  };
  qforge::Result<qforge::QuantizeResult> result = qforge::Quantize(*model, options);
  if (!result.ok()) return Fail(result.status());
  qforge::Status saved = result->model.Save(argv[3]);
  if (!saved.ok()) return Fail(saved);

  const qforge::QuantizeReport& r = result->report;
  std::printf("quantized %s -> %s (%s)\n", argv[1], argv[3], qforge::QuantizeModeName(r.mode));
  std::printf("  calibration: %lld samples from %s, estimator %s\n",
              static_cast<long long>(r.calibration_samples), r.calibration_source.c_str(),
              qforge::RangeEstimatorName(r.estimator));
  std::printf("  ops quantized: %lld, kept float: %lld\n", static_cast<long long>(r.nodes_quantized),
              static_cast<long long>(r.nodes_float));
  for (const qforge::NodeReport& n : r.nodes) {
    if (!n.quantized) std::printf("    %s (%s): %s\n", n.name.c_str(), n.op.c_str(), n.reason.c_str());
  }
  std::printf("  weights: %zu -> %zu bytes\n", r.weight_bytes_before, r.weight_bytes_after);

  // The written file loads and runs.
  qforge::Result<qforge::Model> written = qforge::Model::Load(argv[3]);
  if (!written.ok()) return Fail(written.status());
  qforge::Result<qforge::Session> session = qforge::Session::Create(*written);
  if (!session.ok()) return Fail(session.status());
  const qforge::Tensor first = Rows(*samples, 0, 1);
  qforge::Result<std::vector<qforge::Tensor>> out = session->Run({&first, 1});
  if (!out.ok()) return Fail(out.status());
  std::printf("  ran %s: output %s\n", argv[3], (*out)[0].ShapeString().c_str());
  return 0;
}
