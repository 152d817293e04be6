// What a node of the IR (ONNX forms up to opset 18) becomes in the opset-17
// file the ONNX writer produces. Opset 18 added attributes that an opset-17
// reader rejects (ONNX Runtime: "unrecognized attribute"), so each is either
// dropped where its value means the opset-17 behaviour, rewritten into the
// opset-17 form, or refused. The one list of such attributes lives here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

// False when attribute `name` of `n` is an opset-18 addition whose value is
// the opset-17 behaviour (Resize antialias 0 / keep_aspect_ratio_policy
// "stretch", Split num_outputs: the parts are then given or implied, see
// SplitSizesAtOpset17), so the writer leaves it out; Unsupported naming the
// node when the value has no opset-17 form.
Result<bool> WriteAttributeAtOpset17(const ir::Graph& g, const ir::Node& n, const std::string& name);

// Opset 18's Split(num_outputs) gives the last part the remainder; opset 17
// without a `split` input only splits evenly. The explicit sizes to write as
// the `split` input when the parts are uneven (nullopt when they are even or
// the node already has the input), from the output types `outputs` (null
// for an omitted output);
// Unsupported when the split dim is dynamic, so evenness is unknown.
Result<std::optional<Tensor>> SplitSizesAtOpset17(const ir::Graph& g, const ir::Node& n,
                                                  const std::vector<const ir::TensorType*>& outputs);

}  // namespace qforge::io
