// qforge bench MODEL: latency at batch 1 and throughput at batch B on random
// inputs of the model's own shapes and types. The last line of the output is
// one machine-readable `bench_result key=value ...` line, in the same format
// as tools/ort/bench_ort.js prints, so scripts can compare the two runtimes.
//
// This measures; it asserts nothing. Timings on a shared machine are noisy:
// compare runtimes only in runs interleaved in one session (bench/compare_ort.sh).
//
// Memory: the peak resident size of the whole process is set against what
// the model needs, its weight bytes plus its planned activation arena
// (rss_ratio); the resident size at start, before loading, shows the part
// that is the program itself (code, libraries, allocator).
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/input_shapes.h"
#include "cli/runtime_flags.h"
#include "core/size_math.h"
#include "io/data/quantized_input.h"
#include "ir/graph.h"
#include "qforge/model.h"
#include "qforge/runtime.h"

namespace qforge::cli {

namespace {

struct BenchOptions {
  std::string model;
  RuntimeFlags runtime;
  bool profile = false;
  int runs = 30;
  int warmup = 3;
  int batch = 8;  // 0 skips the throughput measurement
};

// Latency statistics over the timed runs, in milliseconds.
struct Stats {
  double median = 0;
  double p90 = 0;
  double min = 0;
};

Stats Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  Stats s;
  s.min = ms.front();
  s.median = n % 2 == 1 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  // Nearest-rank percentile: the smallest value with at least 90% of the runs at or below it.
  const size_t rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(n)));
  s.p90 = ms[std::max<size_t>(rank, 1) - 1];
  return s;
}

// The batch-1 shape of each input: --input-shape when given (checked against
// the model's fixed dims), else the model's dims with a dynamic batch dim set
// to 1. Any other dynamic dim needs --input-shape.
Result<std::vector<std::vector<int64_t>>> InputShapes(const BenchOptions& opt,
                                                      const std::vector<IoInfo>& infos) {
  Result<std::vector<std::vector<int64_t>>> given = GivenInputShapes(infos);
  if (!given.ok()) return given.status().WithContext(opt.model + ": ");
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < infos.size(); ++i) {
    const IoInfo& info = infos[i];
    std::vector<int64_t> dims = info.dims;
    if (!(*given)[i].empty()) {
      dims = (*given)[i];
    } else {
      for (size_t d = 0; d < dims.size(); ++d) {
        if (dims[d] >= 0) continue;
        if (d == 0) {
          dims[d] = 1;
          continue;
        }
        const std::string name =
            d < info.dim_names.size() && !info.dim_names[d].empty() ? info.dim_names[d] : "?";
        return InvalidArgument(opt.model + ": input '" + info.name + "' has dynamic dim " +
                               std::to_string(d) + " (" + name + "): pass --input-shape");
      }
    }
    // The inputs are allocated before the session plans: check their size here.
    QF_RETURN_IF_ERROR(
        CheckedTensorBytes(info.dtype, dims, opt.model + ": input '" + info.name + "'").status());
    shapes.push_back(std::move(dims));
  }
  return shapes;
}

// Random data of the input's type. Quantized inputs get uniform random codes
// over the whole int8/uint8 range; float inputs uniform [0, 1) (the range of
// the bundled models' pixels); other integer and bool inputs zeros, since
// they are usually indices or flags whose valid range only the model knows.
Tensor RandomInput(const IoInfo& info, std::vector<int64_t> dims, std::mt19937* rng) {
  Tensor t(info.dtype, std::move(dims));
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::uniform_int_distribution<int> byte(0, 255);
  switch (info.dtype) {
    case DataType::kFloat32:
      for (float& v : t.span<float>()) v = unit(*rng);
      break;
    case DataType::kFloat64:
      for (double& v : t.span<double>()) v = unit(*rng);
      break;
    case DataType::kFloat16:
      for (int64_t i = 0; i < t.num_elements(); ++i) t.data<uint16_t>()[i] = FloatToHalf(unit(*rng));
      break;
    case DataType::kInt8:
      for (int8_t& v : t.span<int8_t>()) v = static_cast<int8_t>(byte(*rng) - 128);
      break;
    case DataType::kUInt8:
      for (uint8_t& v : t.span<uint8_t>()) v = static_cast<uint8_t>(byte(*rng));
      break;
    default:
      break;  // zero-filled by the constructor
  }
  if (io::IsQuantizedInput(info)) t.set_quant(info.quant);
  return t;
}

std::string DescribeInput(const IoInfo& info, const Tensor& t) {
  std::string s = info.name + " " + DataTypeName(info.dtype) + t.ShapeString();
  if (io::IsQuantizedInput(info)) return s + " (random codes, quantized input)";
  if (IsFloat(info.dtype)) return s + " (random uniform [0, 1))";
  return s +
         (info.dtype == DataType::kInt8 || info.dtype == DataType::kUInt8 ? " (random codes)" : " (zeros)");
}

// The process's current resident size in bytes (VmRSS of /proc/self/status), 0 if unreadable.
size_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return static_cast<size_t>(std::stoull(line.substr(6))) * 1024;  // kB
  }
  return 0;
}

// The peak resident size of the process so far, in bytes (ru_maxrss is in KiB on Linux).
size_t PeakResidentBytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

// Bytes of the loaded graph's constant tensors (weights, biases, shape
// constants), each value counted once: what the model's parameters occupy
// as loaded, before the runtime packs any of them.
size_t WeightBytes(const ir::Graph& g) {
  size_t bytes = 0;
  for (const ir::Value& v : g.values) {
    if (v.is_constant()) bytes += v.constant->byte_size();
  }
  return bytes;
}

double MiB(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// Runs `warmup` untimed and `runs` timed inferences; returns the latencies in ms.
Result<std::vector<double>> TimeRuns(Session& session, const std::vector<Tensor>& inputs, int warmup,
                                     int runs) {
  for (int i = 0; i < warmup; ++i) {
    QF_ASSIGN_OR_RETURN(std::vector<Tensor> out, session.Run(inputs));
  }
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    QF_ASSIGN_OR_RETURN(std::vector<Tensor> out, session.Run(inputs));
    const auto stop = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
  }
  return ms;
}

int Bench(const BenchOptions& opt) {
  const size_t start_rss = ResidentBytes();
  std::optional<Model> model;
  {
    Result<Model> loaded = Model::Load(opt.model);
    if (!loaded.ok()) return ReportError(loaded.status());
    model.emplace(std::move(*loaded));
  }
  const size_t weight_bytes = WeightBytes(model->graph());
  const size_t load_peak_rss = PeakResidentBytes(), loaded_rss = ResidentBytes();
  const std::vector<IoInfo> infos = model->inputs();
  Result<std::vector<std::vector<int64_t>>> shapes = InputShapes(opt, infos);
  if (!shapes.ok()) return ReportError(shapes.status());

  SessionOptions session_options = ToSessionOptions(opt.runtime);
  session_options.profile = opt.profile;
  Result<Session> session = Session::Create(*model, session_options);
  if (!session.ok()) return ReportError(session.status());
  // The session keeps what it runs (its graph shares the constants it still
  // uses); weights the runtime replaced (repacked, relaid) need not stay.
  model.reset();

  std::mt19937 rng(12345);
  std::vector<Tensor> inputs;
  std::printf("model: %s\n", opt.model.c_str());
  for (size_t i = 0; i < infos.size(); ++i) {
    inputs.push_back(RandomInput(infos[i], (*shapes)[i], &rng));
    std::printf("input: %s\n", DescribeInput(infos[i], inputs.back()).c_str());
  }
  std::printf("threads: %d\n", session->threads());

  Result<std::vector<double>> latency = TimeRuns(*session, inputs, opt.warmup, opt.runs);
  if (!latency.ok()) return ReportError(latency.status().WithContext(opt.model + ": "));
  const Stats s = Summarize(*latency);
  if (opt.profile) {
    // Lines start with the node's mean milliseconds per run: sorting them as
    // text after right-aligned numbers gives slowest first.
    // Nodes evaluated once at prepare (shape subgraphs, constants) have no time.
    std::vector<std::string> lines;
    size_t untimed = 0;
    for (std::string& l : session->KernelReport()) {
      if (l.rfind("node ", 0) == 0) {
        ++untimed;
      } else {
        lines.push_back(std::move(l));
      }
    }
    std::sort(lines.begin(), lines.end(), std::greater<>());
    std::printf(
        "profile at batch 1 (mean per run, slowest first; %zu node(s) folded at prepare not shown):\n",
        untimed);
    for (const std::string& l : lines) std::printf("  %s\n", l.c_str());
  }
  // The session re-plans for the batch-B shapes below; the larger plan is the one the peak saw.
  size_t arena = session->arena_bytes();
  int arena_batch = 1;
  std::printf("latency at batch 1 (%d warm-up, %d timed runs): median %.3f ms, p90 %.3f ms, min %.3f ms\n",
              opt.warmup, opt.runs, s.median, s.p90, s.min);

  // Throughput needs a dynamic batch dim on every input; the batch-1 shapes
  // fixed it at 1 above, so it is replaced by B here.
  std::string ips_field;
  if (opt.batch > 0) {
    const std::string key = "batch" + std::to_string(opt.batch) + "_ips=";
    auto fixed = std::find_if(infos.begin(), infos.end(),
                              [](const IoInfo& in) { return in.dims.empty() || in.dims[0] >= 0; });
    if (fixed != infos.end()) {
      std::printf("throughput at batch %d: not measured (input '%s' has no dynamic batch dim)\n", opt.batch,
                  fixed->name.c_str());
      ips_field = " " + key + "na";
    } else {
      std::vector<Tensor>().swap(inputs);  // the batch-1 inputs are done with: not part of the peak
      std::vector<Tensor> batched;
      for (size_t i = 0; i < infos.size(); ++i) {
        std::vector<int64_t> dims = (*shapes)[i];
        dims[0] = opt.batch;
        const Status fits =
            CheckedTensorBytes(infos[i].dtype, dims,
                               "--batch " + std::to_string(opt.batch) + ": input '" + infos[i].name + "'")
                .status();
        if (!fits.ok()) return ReportError(fits);
        batched.push_back(RandomInput(infos[i], std::move(dims), &rng));
      }
      Result<std::vector<double>> bl = TimeRuns(*session, batched, opt.warmup, opt.runs);
      if (!bl.ok()) return ReportError(bl.status().WithContext(opt.model + ": "));
      const Stats b = Summarize(*bl);
      const double ips = 1000.0 * opt.batch / b.median;
      std::printf("throughput at batch %d (%d timed runs): %.1f images/s (median %.3f ms per batch)\n",
                  opt.batch, opt.runs, ips, b.median);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f", ips);
      ips_field = " " + key + buf;
      if (session->arena_bytes() > arena) {
        arena = session->arena_bytes();
        arena_batch = opt.batch;
      }
    }
  }
  // Peak RSS covers the whole process (start-up, model load and every run).
  const size_t peak_rss = PeakResidentBytes();
  const double peak_rss_mb = MiB(peak_rss);
  const double rss_ratio =
      static_cast<double>(peak_rss) / static_cast<double>(std::max<size_t>(weight_bytes + arena, 1));
  std::printf("memory: peak resident %.1f MiB (whole process; %.1f MiB at start, before loading the model)\n",
              peak_rss_mb, MiB(start_rss));
  std::printf("  resident %.1f MiB after loading the model (peak %.1f MiB until then)\n", MiB(loaded_rss),
              MiB(load_peak_rss));
  std::printf(
      "  weights %zu bytes (the loaded graph's constant tensors), activation arena %zu bytes "
      "(largest plan, batch %d)\n",
      weight_bytes, arena, arena_batch);
  // The same without the program's own pages (code, libraries) present before loading.
  const double above_start = static_cast<double>(peak_rss - std::min(peak_rss, start_rss)) /
                             static_cast<double>(std::max<size_t>(weight_bytes + arena, 1));
  std::printf(
      "  rss_ratio %.2f = peak resident / (weights + arena); %.2f counting only what is above the start\n",
      rss_ratio, above_start);
  std::printf(
      "bench_result runtime=qforge model=%s threads=%d runs=%d median_ms=%.3f p90_ms=%.3f min_ms=%.3f%s "
      "peak_rss_mb=%.1f arena_bytes=%zu weight_bytes=%zu rss_ratio=%.2f start_rss_mb=%.1f "
      "load_peak_rss_mb=%.1f\n",
      opt.model.c_str(), session->threads(), opt.runs, s.median, s.p90, s.min, ips_field.c_str(), peak_rss_mb,
      arena, weight_bytes, rss_ratio, MiB(start_rss), MiB(load_peak_rss));
  return kExitOk;
}

}  // namespace

void RegisterBench(CLI::App& app, Action* action) {
  auto opt = std::make_shared<BenchOptions>();
  CLI::App* sub = app.add_subcommand("bench", "Measure latency and throughput on random inputs");
  sub->add_option("model", opt->model, "Model file (.onnx, .tflite)")->required();
  AddRuntimeFlags(sub, &opt->runtime);
  sub->add_flag("--profile", opt->profile,
                "Print the time of every node at batch 1 and the kernel that ran it, slowest first");
  sub->add_option("--runs", opt->runs, "Timed runs")->check(CLI::Range(1, 1000000))->capture_default_str();
  sub->add_option("--warmup", opt->warmup, "Untimed runs before timing")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  sub->add_option("--batch", opt->batch, "Batch size of the throughput measurement (0: skip it)")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  sub->callback([opt, action] { *action = [opt] { return Bench(*opt); }; });
}

}  // namespace qforge::cli
