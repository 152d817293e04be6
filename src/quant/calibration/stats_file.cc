// The calibration stats file: JSON, written atomically, validated in full
// when read (it is user input, and a quantizer fed a corrupt range would
// produce a silently wrong model).
//
// {"format": "qforge-calibration-stats", "version": 1, "samples": N,
//  "histogram_bins": 2048,
//  "tensors": {"<value name>": {"elements": E, "min": a, "max": b,
//              "batch_min": [...], "batch_max": [...],
//              "histogram": {"exponent": e, "first_bin": k, "counts": [2048 counts]}}}}
#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "io/atomic_file.h"
#include "quant/calibration/calibration.h"

namespace qforge::quant {

namespace {

using Json = nlohmann::json;

// Stats files are small (a few KB per tensor); this only bounds what a
// wrong path (a dataset, a model) could make us read.
constexpr size_t kMaxStatsFileBytes = size_t{1} << 30;
// The format nests 4 deep; the bound keeps a hostile file of nested brackets
// from recursing through nlohmann's (recursive) copy, dump and destruction.
constexpr int kMaxJsonDepth = 16;

// The deepest nesting of arrays and objects in `text` (brackets inside
// strings skipped), stopping as soon as it passes `limit`.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size() && deepest <= limit; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

Json TensorToJson(const TensorStats& t) {
  Json j;
  j["elements"] = t.elements;
  j["min"] = static_cast<double>(t.min);
  j["max"] = static_cast<double>(t.max);
  Json bmin = Json::array(), bmax = Json::array();
  for (float v : t.batch_min) bmin.push_back(static_cast<double>(v));
  for (float v : t.batch_max) bmax.push_back(static_cast<double>(v));
  j["batch_min"] = std::move(bmin);
  j["batch_max"] = std::move(bmax);
  Json h;
  h["exponent"] = t.histogram.exponent();
  h["first_bin"] = t.histogram.first_bin();
  h["counts"] = t.histogram.counts();
  j["histogram"] = std::move(h);
  return j;
}

// Field access with errors that say where: "<file>: tensor 'x': ...".
class Reader {
 public:
  explicit Reader(std::string prefix) : prefix_(std::move(prefix)) {}

  Status Error(const std::string& what) const { return InvalidArgument(prefix_ + what); }

  Result<const Json*> Field(const Json& obj, const char* key) const {
    if (!obj.is_object()) return Error("expected a JSON object");
    auto it = obj.find(key);
    if (it == obj.end()) return Error(std::string("missing field '") + key + "'");
    return &*it;
  }

  Result<int64_t> Int(const Json& obj, const char* key, int64_t lo, int64_t hi) const {
    QF_ASSIGN_OR_RETURN(const Json* v, Field(obj, key));
    if (!v->is_number_integer()) return Error(std::string("field '") + key + "' must be an integer");
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi)) {
      return Error(std::string("field '") + key + "' is out of range");
    }
    const int64_t x = v->get<int64_t>();
    if (x < lo || x > hi) {
      return Error(std::string("field '") + key + "' is " + std::to_string(x) + ", outside [" +
                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return x;
  }

  // A finite number representable as float32.
  Result<float> Float(const Json& v, const std::string& what) const {
    if (!v.is_number()) return Error(what + " must be a number (NaN and Inf are not allowed)");
    const double d = v.get<double>();
    const float f = static_cast<float>(d);
    if (!std::isfinite(d) || !std::isfinite(f)) return Error(what + " is not a finite float32");
    return f;
  }

  Result<std::vector<float>> FloatArray(const Json& obj, const char* key) const {
    QF_ASSIGN_OR_RETURN(const Json* v, Field(obj, key));
    if (!v->is_array()) return Error(std::string("field '") + key + "' must be an array");
    std::vector<float> out;
    out.reserve(v->size());
    for (size_t i = 0; i < v->size(); ++i) {
      QF_ASSIGN_OR_RETURN(float f, Float((*v)[i], std::string(key) + "[" + std::to_string(i) + "]"));
      out.push_back(f);
    }
    return out;
  }

 private:
  std::string prefix_;
};

Result<TensorStats> TensorFromJson(const Json& j, const Reader& r) {
  TensorStats t;
  QF_ASSIGN_OR_RETURN(t.elements, r.Int(j, "elements", 1, std::numeric_limits<int64_t>::max()));
  QF_ASSIGN_OR_RETURN(const Json* min, r.Field(j, "min"));
  QF_ASSIGN_OR_RETURN(t.min, r.Float(*min, "min"));
  QF_ASSIGN_OR_RETURN(const Json* max, r.Field(j, "max"));
  QF_ASSIGN_OR_RETURN(t.max, r.Float(*max, "max"));
  if (t.min > t.max) return r.Error("min is greater than max");
  QF_ASSIGN_OR_RETURN(t.batch_min, r.FloatArray(j, "batch_min"));
  QF_ASSIGN_OR_RETURN(t.batch_max, r.FloatArray(j, "batch_max"));
  if (t.batch_min.empty() || t.batch_min.size() != t.batch_max.size()) {
    return r.Error("batch_min and batch_max must be nonempty and of equal length");
  }
  if (static_cast<uint64_t>(t.batch_min.size()) > static_cast<uint64_t>(t.elements)) {
    return r.Error("more batches than elements");
  }
  for (size_t i = 0; i < t.batch_min.size(); ++i) {
    if (t.batch_min[i] > t.batch_max[i]) {
      return r.Error("batch " + std::to_string(i) + " has min greater than max");
    }
  }
  if (*std::min_element(t.batch_min.begin(), t.batch_min.end()) != t.min ||
      *std::max_element(t.batch_max.begin(), t.batch_max.end()) != t.max) {
    return r.Error("min/max do not match the batch minima/maxima");
  }

  QF_ASSIGN_OR_RETURN(const Json* h, r.Field(j, "histogram"));
  QF_ASSIGN_OR_RETURN(int64_t exponent,
                      r.Int(*h, "exponent", Histogram::kMinExponent, Histogram::kMaxExponent));
  QF_ASSIGN_OR_RETURN(int64_t first_bin, r.Int(*h, "first_bin", -(int64_t{1} << 40), int64_t{1} << 40));
  QF_ASSIGN_OR_RETURN(const Json* counts_json, r.Field(*h, "counts"));
  if (!counts_json->is_array()) return r.Error("histogram counts must be an array");
  std::vector<uint64_t> counts;
  counts.reserve(counts_json->size());
  uint64_t total = 0;
  for (size_t i = 0; i < counts_json->size(); ++i) {
    const Json& c = (*counts_json)[i];
    if (!c.is_number_unsigned()) {
      return r.Error("histogram count " + std::to_string(i) + " must be a non-negative integer");
    }
    const uint64_t v = c.get<uint64_t>();
    if (v > static_cast<uint64_t>(t.elements) - total) {
      return r.Error("histogram counts add up to more than the " + std::to_string(t.elements) + " elements");
    }
    total += v;
    counts.push_back(v);
  }
  if (total != static_cast<uint64_t>(t.elements)) {
    return r.Error("histogram counts add up to " + std::to_string(total) + ", not the " +
                   std::to_string(t.elements) + " elements");
  }
  Result<Histogram> hist =
      Histogram::FromParts(static_cast<int>(exponent), first_bin, std::move(counts), t.min, t.max);
  if (!hist.ok()) return r.Error(hist.status().message());
  t.histogram = std::move(hist).value();
  return t;
}

}  // namespace

Status CalibrationStats::Save(const std::string& path) const {
  Json root;
  root["format"] = kFormatName;
  root["version"] = kFormatVersion;
  root["samples"] = samples_;
  root["histogram_bins"] = Histogram::kNumBins;
  Json tensors = Json::object();
  for (const auto& [name, t] : tensors_) tensors[name] = TensorToJson(t);
  root["tensors"] = std::move(tensors);
  // Replace, not throw, on names that are not UTF-8 (ONNX names are
  // arbitrary bytes); such a tensor would not match on load, which says so.
  return io::WriteFileAtomic(path, root.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

Result<CalibrationStats> CalibrationStats::Load(const std::string& path) {
  std::string text;
  QF_RETURN_IF_ERROR(io::ReadFile(path, &text, kMaxStatsFileBytes));
  if (NestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    return InvalidArgument(path + ": not a valid calibration stats file (arrays/objects nested deeper than " +
                           std::to_string(kMaxJsonDepth) + ")");
  }
  // Every nlohmann error (a parse error, a number out of range such as
  // 1e999, a type error) is the file's fault: none may escape as an exception.
  try {
    const Json root = Json::parse(text);
    const Reader r(path + ": ");
    if (!root.is_object()) return r.Error("not a calibration stats file (expected a JSON object)");
    auto format = root.find("format");
    if (format == root.end() || !format->is_string() || format->get<std::string>() != kFormatName) {
      return r.Error(std::string("not a calibration stats file (format is not '") + kFormatName + "')");
    }
    QF_ASSIGN_OR_RETURN(const Json* version, r.Field(root, "version"));
    if (!version->is_number_integer() || version->get<int64_t>() != kFormatVersion) {
      return r.Error("stats format version " + version->dump() +
                     " is not supported (this qforge reads version " + std::to_string(kFormatVersion) + ")");
    }
    CalibrationStats stats;
    QF_ASSIGN_OR_RETURN(stats.samples_, r.Int(root, "samples", 0, std::numeric_limits<int64_t>::max()));
    QF_ASSIGN_OR_RETURN(int64_t bins, r.Int(root, "histogram_bins", 1, int64_t{1} << 30));
    if (bins != Histogram::kNumBins) {
      return r.Error("histograms have " + std::to_string(bins) + " bins, this qforge uses " +
                     std::to_string(Histogram::kNumBins));
    }
    QF_ASSIGN_OR_RETURN(const Json* tensors, r.Field(root, "tensors"));
    if (!tensors->is_object()) return r.Error("field 'tensors' must be an object");
    for (const auto& [name, j] : tensors->items()) {
      QF_ASSIGN_OR_RETURN(TensorStats t, TensorFromJson(j, Reader(path + ": tensor '" + name + "': ")));
      stats.tensors_.emplace(name, std::move(t));
    }
    return stats;
  } catch (const Json::parse_error& e) {
    return InvalidArgument(path + ": not a valid calibration stats file (JSON error at byte " +
                           std::to_string(e.byte) + (e.byte >= text.size() ? ", the file is truncated" : "") +
                           ")");
  } catch (const Json::exception& e) {
    return InvalidArgument(path + ": not a valid calibration stats file (" + e.what() + ")");
  }
}

}  // namespace qforge::quant
