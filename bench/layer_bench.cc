// qforge_layer_bench: times every Conv and Gemm layer of a model in XNNPACK,
// oneDNN and qforge's own kernels, one layer at a time, batch 1, NHWC, with
// the layer's real shapes, weights and quantization parameters, and checks
// that the implementations agree. The numbers behind docs/design/kernels.md;
// method and results: docs/design/kernel_measurements.md.
//
//   qforge_layer_bench MODEL.onnx [--threads N] [--runs R] [--warmup W] [--block B] [--filter SUBSTR]
//                      [--impls xnnpack,onednn,qforge] [--rule graph|fixed|float]
// --rule: the requantization rule qforge's kernels use (default: the graph's;
// QDQ ONNX graphs are kFloat). XNNPACK and oneDNN always requantize in float.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "layer_bench_impl.h"
#include "layer_bench_layers.h"
#include "qforge/model.h"

namespace qforge::bench {
namespace {

struct Options {
  std::string model;
  int threads = 1;
  int runs = 30;
  int warmup = 3;
  int block = 0;  // runs per implementation per round; 0: 1 with one thread, 5 with more
  std::string filter;
  std::string impls = "xnnpack,onednn,qforge";
  std::string rule = "graph";
};

// A quantized output may differ by one step between implementations: they
// round the requantization differently (XNNPACK and oneDNN in float, qforge
// in either rule). More is a bug.
constexpr float kMaxStepDiff = 1.0f;
// Float outputs relative to the largest |value| of the layer's output: the
// libraries sum in different orders (and with FMA) over up to 4608 terms.
constexpr float kMaxFloatRelDiff = 1e-4f;

int Usage() {
  std::fprintf(stderr,
               "usage: qforge_layer_bench MODEL.onnx [--threads N] [--runs R] [--warmup W] [--block B] "
               "[--filter SUBSTR]\n"
               "                          [--impls xnnpack,onednn,qforge] [--rule graph|fixed|float]\n");
  return 2;
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--threads" && has_value) {
      o->threads = std::atoi(argv[++i]);
    } else if (a == "--runs" && has_value) {
      o->runs = std::atoi(argv[++i]);
    } else if (a == "--block" && has_value) {
      o->block = std::atoi(argv[++i]);
    } else if (a == "--warmup" && has_value) {
      o->warmup = std::atoi(argv[++i]);
    } else if (a == "--filter" && has_value) {
      o->filter = argv[++i];
    } else if (a == "--impls" && has_value) {
      o->impls = argv[++i];
    } else if (a == "--rule" && has_value) {
      o->rule = argv[++i];
      if (o->rule != "graph" && o->rule != "fixed" && o->rule != "float") return false;
    } else if (!a.empty() && a[0] != '-' && o->model.empty()) {
      o->model = a;
    } else {
      return false;
    }
  }
  return !o->model.empty() && o->threads >= 1 && o->runs >= 1 && o->warmup >= 0 && o->block >= 0;
}

std::string LoadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

// "/features/features.1/conv/conv.0/conv.0.0/Conv" -> "features.1/conv/conv.0/conv.0.0".
std::string ShortName(std::string n) {
  if (!n.empty() && n[0] == '/') n.erase(0, 1);
  for (const char* suffix : {"/Conv", "/Gemm"}) {
    const size_t len = std::strlen(suffix);
    if (n.size() > len && n.compare(n.size() - len, len, suffix) == 0) n.resize(n.size() - len);
  }
  if (n.rfind("features/", 0) == 0) n.erase(0, 9);
  return n;
}

// Random NHWC input: floats uniform in [-1, 1), codes uniform over the type.
std::vector<uint8_t> RandomInput(const Layer& l, uint32_t seed) {
  std::mt19937 rng(seed);
  const size_t n = l.InputElements();
  if (l.type == LayerType::kF32) {
    std::vector<uint8_t> bytes(n * sizeof(float));
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    float* f = reinterpret_cast<float*>(bytes.data());
    for (size_t i = 0; i < n; ++i) f[i] = u(rng);
    return bytes;
  }
  std::vector<uint8_t> bytes(n);
  std::uniform_int_distribution<int> u(0, 255);
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(u(rng));
  return bytes;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Max difference of `b` from `a`: in steps for quantized layers, relative to
// max |a| for float ones.
float MaxDiff(const Layer& l, const std::vector<float>& a, const std::vector<float>& b) {
  float diff = 0.0f, scale = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(a[i]));
  }
  if (l.type != LayerType::kF32) return diff;
  return scale > 0.0f ? diff / scale : diff;
}

struct Row {
  const Layer* layer = nullptr;
  std::vector<double> us;   // per backend median; < 0 = not run
  std::vector<float> diff;  // per backend vs the first one that ran; < 0 = n/a
  std::vector<std::string> info;
};

std::string Cell(double us, int64_t macs) {
  if (us < 0) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f (%.0f)", us, static_cast<double>(macs) / us * 1e-3);
  return buf;
}

// Layers grouped by kind ("3x3", "3x3/2", "1x1", "3x3 dw", "fc"): the sum of
// each implementation's medians over the layers it ran, over all of them.
void PrintClassSummary(const std::vector<Row>& rows, const std::vector<std::unique_ptr<Backend>>& backends) {
  struct Sum {
    int layers = 0;
    int64_t macs = 0;
    std::vector<double> us;
    std::vector<int> missing;
  };
  std::map<std::string, Sum> sums;
  const size_t nb = backends.size();
  for (const Row& r : rows) {
    const Layer& l = *r.layer;
    std::string kind = l.is_gemm ? "fc" : std::to_string(l.kernel_h) + "x" + std::to_string(l.kernel_w);
    if (!l.is_gemm && (l.stride_h != 1 || l.stride_w != 1)) kind += "/" + std::to_string(l.stride_h);
    if (l.depthwise()) kind += " dw";
    Sum& s = sums[kind];
    s.us.resize(nb, 0.0);
    s.missing.resize(nb, 0);
    ++s.layers;
    s.macs += l.Macs();
    for (size_t b = 0; b < nb; ++b) {
      if (r.us[b] < 0) {
        ++s.missing[b];
      } else {
        s.us[b] += r.us[b];
      }
    }
  }
  std::printf("| kind | layers | MMAC |");
  for (const auto& b : backends) std::printf(" %s us (GMAC/s) |", b->name());
  std::printf("\n|---|---|---|");
  for (size_t b = 0; b < nb; ++b) std::printf("---|");
  std::printf("\n");
  for (const auto& [kind, s] : sums) {
    std::printf("| %s | %d | %.1f |", kind.c_str(), s.layers, static_cast<double>(s.macs) * 1e-6);
    for (size_t b = 0; b < nb; ++b) {
      std::printf(" %s |", s.missing[b] == s.layers
                               ? "n/a"
                               : (Cell(s.us[b], s.macs) + (s.missing[b] > 0 ? " (part)" : "")).c_str());
    }
    std::printf("\n");
  }
  std::printf("\n");
}

int Run(const Options& o) {
  Result<Model> model = Model::Load(o.model);
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.status().message().c_str());
    return 1;
  }
  Result<std::vector<Layer>> layers_or = ExtractLayers(model->graph());
  if (!layers_or.ok()) {
    std::fprintf(stderr, "error: %s\n", layers_or.status().message().c_str());
    return 1;
  }
  std::vector<Layer> layers;
  for (Layer& l : layers_or.value()) {
    if (!o.filter.empty() && l.name.find(o.filter) == std::string::npos) continue;
    if (o.rule != "graph")
      l.rule = o.rule == "fixed" ? ir::Requantization::kFixedPoint : ir::Requantization::kFloat;
    layers.push_back(std::move(l));
  }

  struct Maker {
    const char* key;
    Result<std::unique_ptr<Backend>> (*make)(int);
  };
  const Maker makers[] = {
      {"xnnpack", MakeXnnpackBackend}, {"onednn", MakeOnednnBackend}, {"qforge", MakeQforgeBackend}};
  std::vector<std::unique_ptr<Backend>> backends;
  for (const Maker& m : makers) {
    if (o.impls.find(m.key) == std::string::npos) continue;
    Result<std::unique_ptr<Backend>> b = m.make(o.threads);
    if (!b.ok()) {
      std::printf("note: %s: %s\n", m.key, b.status().message().c_str());
      continue;
    }
    backends.push_back(std::move(b).value());
  }
  const size_t nb = backends.size();
  const int block = o.block > 0 ? o.block : (o.threads > 1 ? 5 : 1);
  std::printf(
      "model: %s\n%s\n%s\nthreads: %d, runs: %d (median; implementations interleaved in blocks of %d), "
      "warm-up: %d\n",
      o.model.c_str(), XnnpackVersion().c_str(), OnednnVersion().c_str(), o.threads, o.runs, block, o.warmup);
  std::printf("qforge requantization rule: %s (graph: %s)\n", o.rule.c_str(),
              model->graph().requantization == ir::Requantization::kFloat ? "float" : "fixed point");
  std::printf("load average at start: %s\n\n", LoadAverage().c_str());
  std::fflush(stdout);

  std::vector<Row> rows;
  std::vector<std::string> notes;
  bool numerics_ok = true;
  for (size_t li = 0; li < layers.size(); ++li) {
    const Layer& l = layers[li];
    const std::vector<uint8_t> input = RandomInput(l, static_cast<uint32_t>(li + 1));
    Row row;
    row.layer = &l;
    row.us.assign(nb, -1.0);
    row.diff.assign(nb, -1.0f);
    row.info.assign(nb, "");
    std::vector<std::unique_ptr<LayerImpl>> impls(nb);
    for (size_t b = 0; b < nb; ++b) {
      Result<std::unique_ptr<LayerImpl>> impl = backends[b]->Create(l, input.data());
      if (!impl.ok()) {
        notes.push_back(std::string(backends[b]->name()) + ": " + impl.status().message());
        continue;
      }
      impls[b] = std::move(impl).value();
      row.info[b] = impls[b]->info();
    }
    for (int w = 0; w < std::max(o.warmup, 1); ++w) {
      for (auto& impl : impls) {
        if (impl) impl->Run();
      }
    }
    std::vector<float> ref;
    for (size_t b = 0; b < nb; ++b) {
      if (!impls[b]) continue;
      const std::vector<float> out = impls[b]->OutputValues();
      if (ref.empty()) {
        ref = out;
        row.diff[b] = 0.0f;
        continue;
      }
      row.diff[b] = MaxDiff(l, ref, out);
      if (row.diff[b] > (l.type == LayerType::kF32 ? kMaxFloatRelDiff : kMaxStepDiff)) numerics_ok = false;
    }
    // Interleaved rounds, the starting implementation rotating, so that
    // machine noise hits every implementation alike. Each round runs an
    // implementation `block` times in a row: with several threads, the
    // previous library's workers keep spinning for a while after its run
    // (OpenMP, pthreadpool) and would slow the next one's first run.
    std::vector<std::vector<double>> times(nb);
    for (int r = 0; r * block < o.runs; ++r) {
      for (size_t k = 0; k < nb; ++k) {
        const size_t b = (k + static_cast<size_t>(r)) % nb;
        if (!impls[b]) continue;
        for (int i = 0; i < block && r * block + i < o.runs; ++i) {
          const auto t0 = std::chrono::steady_clock::now();
          impls[b]->Run();
          const auto t1 = std::chrono::steady_clock::now();
          times[b].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
      }
    }
    for (size_t b = 0; b < nb; ++b) {
      if (!times[b].empty()) row.us[b] = Median(times[b]);
    }
    rows.push_back(std::move(row));
  }

  // The table: per implementation "median us (GMAC/s)".
  std::printf("| # | layer | type | shape | MMAC |");
  for (const auto& b : backends) std::printf(" %s us (GMAC/s) |", b->name());
  for (size_t b = 1; b < nb; ++b) std::printf(" %s diff |", backends[b]->name());
  std::printf(" oneDNN impl |\n|---|---|---|---|---|");
  for (size_t b = 0; b < 2 * nb - 1 + 1; ++b) std::printf("---|");
  std::printf("\n");
  int64_t total_macs = 0;
  std::vector<double> total_us(nb, 0.0);
  std::vector<int> missing(nb, 0);
  double best_us = 0.0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const Layer& l = *r.layer;
    const int64_t macs = l.Macs();
    total_macs += macs;
    std::printf("| %zu | %s | %s | %s | %.2f |", i, ShortName(l.name).c_str(), LayerTypeName(l.type),
                l.ShapeString().c_str(), static_cast<double>(macs) * 1e-6);
    double best = -1.0;
    std::string onednn_info;
    for (size_t b = 0; b < nb; ++b) {
      std::printf(" %s |", Cell(r.us[b], macs).c_str());
      if (r.us[b] < 0) {
        ++missing[b];
      } else {
        total_us[b] += r.us[b];
        best = best < 0 ? r.us[b] : std::min(best, r.us[b]);
      }
      if (std::strcmp(backends[b]->name(), "oneDNN") == 0) onednn_info = r.info[b];
    }
    if (best > 0) best_us += best;
    for (size_t b = 1; b < nb; ++b) {
      if (r.diff[b] < 0) {
        std::printf(" n/a |");
      } else if (l.type == LayerType::kF32) {
        std::printf(" %.1e |", r.diff[b]);
      } else {
        std::printf(" %.0f |", r.diff[b]);
      }
    }
    std::printf(" %s |\n", onednn_info.c_str());
  }
  std::printf("| | **total** | | %zu layers | %.1f |", rows.size(), static_cast<double>(total_macs) * 1e-6);
  for (size_t b = 0; b < nb; ++b) {
    std::string cell = missing[b] == static_cast<int>(rows.size()) ? "n/a" : Cell(total_us[b], total_macs);
    if (missing[b] > 0 && missing[b] < static_cast<int>(rows.size())) {
      cell += " (" + std::to_string(missing[b]) + " layers n/a)";
    }
    std::printf(" **%s** |", cell.c_str());
  }
  for (size_t b = 1; b < nb; ++b) std::printf(" |");
  std::printf(" |\n\n");
  PrintClassSummary(rows, backends);
  std::printf("sum over layers of the fastest implementation per layer: %.1f us (%.0f GMAC/s)\n", best_us,
              best_us > 0 ? static_cast<double>(total_macs) / best_us * 1e-3 : 0.0);
  // Apples to apples: the layers that every implementation which ran any
  // layer of this model ran.
  std::vector<bool> active(nb);
  for (size_t b = 0; b < nb; ++b) active[b] = missing[b] < static_cast<int>(rows.size());
  int common = 0;
  int64_t common_macs = 0;
  std::vector<double> common_us(nb, 0.0);
  for (const Row& r : rows) {
    bool all = true;
    for (size_t b = 0; b < nb; ++b) all = all && (!active[b] || r.us[b] >= 0);
    if (!all) continue;
    ++common;
    common_macs += r.layer->Macs();
    for (size_t b = 0; b < nb; ++b) common_us[b] += active[b] ? r.us[b] : 0.0;
  }
  std::printf("layers every implementation ran: %d (%.1f MMAC):", common,
              static_cast<double>(common_macs) * 1e-6);
  for (size_t b = 0; b < nb; ++b) {
    if (active[b]) std::printf(" %s %s;", backends[b]->name(), Cell(common_us[b], common_macs).c_str());
  }
  std::printf("\n");
  for (size_t b = 0; b < nb; ++b) {
    std::printf("sum %s: %.1f us%s\n", backends[b]->name(), total_us[b],
                missing[b] > 0 ? (" (" + std::to_string(missing[b]) + " layers n/a)").c_str() : "");
  }
  std::printf("numerics: %s (quantized: max diff <= %.0f step; float: max diff / max|y| <= %.0e)\n",
              numerics_ok ? "ok" : "MISMATCH", kMaxStepDiff, kMaxFloatRelDiff);
  // Reasons an implementation did not run, each once with its layer count.
  std::map<std::string, int> reasons;
  for (const std::string& n : notes) ++reasons[n];
  for (const auto& [reason, count] : reasons) std::printf("n/a: %s (%d layers)\n", reason.c_str(), count);
  // What each library chose, with layer counts.
  for (size_t b = 0; b < nb; ++b) {
    std::map<std::string, int> chosen;
    for (const Row& r : rows) {
      if (!r.info[b].empty()) ++chosen[r.info[b]];
    }
    std::printf("impl %s:", backends[b]->name());
    for (const auto& [info, count] : chosen) std::printf(" %s (%d)", info.c_str(), count);
    std::printf("\n");
  }
  std::printf("load average at end: %s\n", LoadAverage().c_str());
  return numerics_ok ? 0 : 1;
}

}  // namespace
}  // namespace qforge::bench

int main(int argc, char** argv) {
  qforge::bench::Options o;
  if (!qforge::bench::ParseArgs(argc, argv, &o)) return qforge::bench::Usage();
  return qforge::bench::Run(o);
}
