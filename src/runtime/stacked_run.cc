// Session::RunStacked: a data set of N samples on a model exported with a
// fixed batch b. Data sets (and `qforge run` on one) stack samples along dim
// 0; the model takes exactly b of them, so the samples run b at a time.
#include <algorithm>
#include <cstring>

#include "ir/graph.h"
#include "qforge/runtime.h"
#include "runtime/interpreter.h"

namespace qforge {

namespace {

// Rows [first, first + count) of `t` as a tensor of `batch` rows: a view
// when they are whole, else a copy padded with zero rows.
Result<Tensor> Rows(const Tensor& t, int64_t first, int64_t count, int64_t batch) {
  std::vector<int64_t> dims = t.dims();
  const size_t row_bytes = t.dim(0) == 0 ? 0 : t.byte_size() / static_cast<size_t>(t.dim(0));
  const char* src = static_cast<const char*>(t.raw_data()) + static_cast<size_t>(first) * row_bytes;
  dims[0] = batch;
  Tensor rows;
  if (count == batch) {
    // Read only: the session never writes its inputs.
    rows = Tensor::View(t.dtype(), std::move(dims), const_cast<char*>(src));
  } else {
    QF_ASSIGN_OR_RETURN(rows, Tensor::Create(t.dtype(), std::move(dims), "a padded batch"));
    std::memcpy(rows.raw_data(), src, static_cast<size_t>(count) * row_bytes);
  }
  rows.set_quant(t.quant());
  return rows;
}

}  // namespace

Result<std::vector<Tensor>> Session::RunStacked(std::span<const Tensor> inputs) {
  const ir::Graph& g = interp_->graph();
  if (inputs.size() != g.inputs.size()) return Run(inputs);  // Run names the mismatch
  // The batch: the first fixed dim 0 among the inputs of rank >= 1.
  int64_t batch = 0;
  bool needed = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::TensorType& decl = g.value(g.inputs[i]).type;
    if (inputs[i].rank() == 0 || !decl.rank_known || decl.dims.empty() || decl.dims[0] <= 0) continue;
    if (batch == 0) batch = decl.dims[0];
    needed = needed || inputs[i].dim(0) != decl.dims[0];
  }
  if (!needed) return Run(inputs);
  int64_t samples = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].rank() == 0) continue;
    if (samples >= 0 && inputs[i].dim(0) != samples) {
      return InvalidArgument("input '" + g.value(g.inputs[i]).name + "' holds " +
                             std::to_string(inputs[i].dim(0)) + " samples along dim 0, an input before it " +
                             std::to_string(samples) + ": the model's fixed batch of " +
                             std::to_string(batch) + " needs equally many samples in each to run them " +
                             std::to_string(batch) + " at a time");
    }
    samples = inputs[i].dim(0);
  }
  if (samples <= 0) return Run(inputs);  // Run names the empty input

  std::vector<Tensor> stacked;
  for (int64_t first = 0; first < samples; first += batch) {
    const int64_t count = std::min(batch, samples - first);
    std::vector<Tensor> part;
    for (const Tensor& t : inputs) {
      if (t.rank() == 0) {
        part.push_back(t);  // shares the storage, no copy
        continue;
      }
      QF_ASSIGN_OR_RETURN(Tensor rows, Rows(t, first, count, batch));
      part.push_back(std::move(rows));
    }
    Result<std::vector<Tensor>> out = Run(part);
    if (!out.ok()) {
      return out.status().WithContext("samples " + std::to_string(first) + ".." +
                                      std::to_string(first + count - 1) + ": ");
    }
    for (size_t o = 0; o < out->size(); ++o) {
      const Tensor& y = (*out)[o];
      const std::string& name = g.value(g.outputs[o]).name;
      if (y.rank() == 0 || y.dim(0) != batch) {
        return InvalidArgument("output '" + name + "' has shape " + y.ShapeString() +
                               ": its dim 0 is not the " + "model's fixed batch of " + std::to_string(batch) +
                               ", so " + std::to_string(samples) + " samples cannot run " +
                               std::to_string(batch) + " at a time; give exactly " + std::to_string(batch));
      }
      if (first == 0) {
        std::vector<int64_t> dims = y.dims();
        dims[0] = samples;
        QF_ASSIGN_OR_RETURN(Tensor all, Tensor::Create(y.dtype(), std::move(dims), "output '" + name + "'"));
        all.set_quant(y.quant());
        stacked.push_back(std::move(all));
      }
      Tensor& all = stacked[o];
      if (!std::equal(y.dims().begin() + 1, y.dims().end(), all.dims().begin() + 1, all.dims().end())) {
        return InvalidArgument("output '" + name + "' changed shape between batches (" + y.ShapeString() +
                               "): the batches cannot be stacked");
      }
      const size_t row_bytes = y.byte_size() / static_cast<size_t>(batch);
      std::memcpy(static_cast<char*>(all.raw_data()) + static_cast<size_t>(first) * row_bytes, y.raw_data(),
                  static_cast<size_t>(count) * row_bytes);
    }
  }
  return stacked;
}

}  // namespace qforge
