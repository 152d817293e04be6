#include "cli/quantize_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "cli/progress.h"
#include "eval/classification.h"
#include "io/data/quantized_input.h"
#include "qforge/model.h"
#include "qforge/runtime.h"

namespace qforge::cli {

namespace {

std::string Bytes(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

double Ratio(uint64_t before, uint64_t after) {
  return after == 0 ? 0.0 : static_cast<double>(before) / static_cast<double>(after);
}

// Median of `runs` single-sample inferences after one warm-up run.
Result<double> MedianLatencyMs(Session& session, const Tensor& sample, int runs) {
  std::vector<double> ms;
  for (int i = 0; i <= runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    QF_RETURN_IF_ERROR(session.RunStacked({&sample, 1}).status());
    const double d = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (i > 0) ms.push_back(d);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  const uintmax_t n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

Result<EvalData> OpenEvalData(const EvalRequest& req, const IoInfo& input) {
  EvalData d;
  QF_ASSIGN_OR_RETURN(d.data, io::OpenDatasetForInput(req.data, input));
  Result<std::vector<int64_t>> labels =
      req.labels.empty() ? d.data->FolderLabels() : io::LoadLabels(req.labels);
  if (!labels.ok()) {
    if (req.labels.empty())
      return InvalidArgument(req.data.path + ": has no class subfolders; pass --labels");
    return labels.status();
  }
  d.labels = std::move(*labels);
  d.count = req.limit >= 0 ? std::min(req.limit, d.data->size()) : d.data->size();
  QF_RETURN_IF_ERROR(eval::CheckLabelCount(d.labels.size(), d.data->size(),
                                           req.labels.empty() ? req.data.path : req.labels, req.data.path));
  return d;
}

Result<ModelResult> MeasureModel(const Model& model, const std::string& name, uint64_t file_bytes,
                                 const EvalRequest& req, const char* label) {
  const std::vector<IoInfo> inputs = model.inputs();
  if (inputs.size() != 1) return Unsupported(name + ": --eval needs a model with one input");
  QF_ASSIGN_OR_RETURN(EvalData ed, OpenEvalData(req, inputs[0]));
  QF_ASSIGN_OR_RETURN(Session session, Session::Create(model));
  ModelResult r;
  r.file_bytes = file_bytes;
  ProgressBar bar(std::string("eval ") + label, ed.count);
  eval::EvalOptions eo;
  eo.batch = 32;
  eo.limit = req.limit;
  eo.progress = [&](int64_t done, int64_t) { bar.Update(done); };
  Result<eval::TopKCounts> counts = eval::EvaluateClassifier(session, *ed.data, ed.labels, eo);
  bar.Finish();
  if (!counts.ok()) return counts.status().WithContext(name + ": ");
  r.counts = *counts;
  QF_ASSIGN_OR_RETURN(Tensor first, ed.data->Read(0, 1));
  QF_ASSIGN_OR_RETURN(r.latency_ms, MedianLatencyMs(session, first, 20));
  return r;
}

void PrintQuantizeReport(const std::string& model_path, const std::string& output_path,
                         const QuantizeReport& r) {
  std::printf("quantized %s -> %s\n", model_path.c_str(), output_path.c_str());
  const bool calibrated = r.mode == QuantizeMode::kInt8 || r.mode == QuantizeMode::kInt8Only;
  std::string mode = QuantizeModeName(r.mode);
  if (r.mode != QuantizeMode::kFloat16) {
    mode += r.weights == WeightGranularity::kPerTensor ? ", per-tensor weights"
            : r.weights == WeightGranularity::kPerChannel
                ? ", per-channel weights"
                : ", per-channel weights (per-tensor fully connected)";
  }
  if (calibrated) mode += std::string(", ") + DataTypeName(r.activation_type) + " activations";
  if (r.mode == QuantizeMode::kInt8Only) mode += std::string(", ") + DataTypeName(r.io_type) + " I/O";
  std::printf("  %-18s %s\n", "mode", mode.c_str());
  if (!r.calibration_source.empty()) {
    std::printf("  %-18s %lld samples from %s, estimator %s\n", "calibration",
                static_cast<long long>(r.calibration_samples), r.calibration_source.c_str(),
                RangeEstimatorName(r.estimator));
  }
  std::printf("  %-18s %d batch norms folded, %d activations fused, %d identities removed\n", "prepared",
              r.batchnorms_folded, r.activations_fused, r.identities_removed);
  std::string by_op;
  for (const auto& [op, n] : r.quantized_by_op)
    by_op += (by_op.empty() ? "" : ", ") + op + " " + std::to_string(n);
  std::printf("  %-18s %lld (%s)\n", "ops quantized", static_cast<long long>(r.nodes_quantized),
              by_op.c_str());
  if (calibrated) {
    std::printf("  %-18s %lld\n", "ops kept float", static_cast<long long>(r.nodes_float));
  } else {  // activations stay float in these modes: only weightless ops and exclusions are counted
    std::printf("  %-18s %lld (ops without float weights, plus any excluded)\n", "ops kept float",
                static_cast<long long>(r.nodes_float));
  }
  for (const NodeReport& n : r.nodes) {
    if (!n.quantized) std::printf("    node '%s' (%s): %s\n", n.name.c_str(), n.op.c_str(), n.reason.c_str());
  }
  std::printf("  %-18s %s -> %s bytes (%.2fx smaller)\n", "weights", Bytes(r.weight_bytes_before).c_str(),
              Bytes(r.weight_bytes_after).c_str(), Ratio(r.weight_bytes_before, r.weight_bytes_after));
  const uint64_t fin = FileSize(model_path), fout = FileSize(output_path);
  std::printf("  %-18s %s -> %s bytes (%.2fx smaller)\n", "file", Bytes(fin).c_str(), Bytes(fout).c_str(),
              Ratio(fin, fout));
}

void PrintAccuracyComparison(const ModelResult& f, const ModelResult& q, QuantizeMode mode) {
  const double delta = q.counts.top1_percent() - f.counts.top1_percent();
  std::printf("\n  %-10s %18s %18s\n", "", "float", QuantizeModeName(mode));
  std::printf("  %-10s %9.2f%% %5lld/%-5lld %9.2f%% %5lld/%-5lld  (%+.2f pt)\n", "top-1",
              f.counts.top1_percent(), static_cast<long long>(f.counts.top1),
              static_cast<long long>(f.counts.total), q.counts.top1_percent(),
              static_cast<long long>(q.counts.top1), static_cast<long long>(q.counts.total), delta);
  std::printf("  %-10s %18s %18s  (%.2fx smaller)\n", "size", Bytes(f.file_bytes).c_str(),
              Bytes(q.file_bytes).c_str(), Ratio(f.file_bytes, q.file_bytes));
  std::printf("  %-10s %15.3f ms %15.3f ms  (batch 1, median of 20, optimized runtime)\n", "latency",
              f.latency_ms, q.latency_ms);
}

}  // namespace qforge::cli
