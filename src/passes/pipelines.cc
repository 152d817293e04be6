#include "passes/pipelines.h"

#include "kernels/opt_kernel.h"
#include "passes/constant_fold.h"
#include "passes/eliminate_qdq.h"
#include "passes/fold_batchnorm.h"
#include "passes/fold_pad.h"
#include "passes/fold_qdq.h"
#include "passes/fuse_activation.h"
#include "passes/fuse_hardswish.h"
#include "passes/infer_types.h"
#include "passes/inline_if.h"
#include "passes/int8_activations.h"
#include "passes/layout_nhwc.h"
#include "passes/pass_util.h"
#include "passes/remove_identity.h"
#include "passes/transpose_sinking.h"

namespace qforge::passes {

namespace {

int LiveNodes(const ir::Graph& g) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.removed ? 0 : 1;
  return n;
}

}  // namespace

Status AfterOnnxImport(ir::Graph* graph) {
  // Exporters emit shape subgraphs (Shape -> Gather -> Concat -> Reshape)
  // for what is static at a fixed batch: folding them first gives the later
  // passes constant shapes. Q/DQ nodes are never folded (FoldQdq reads them).
  QF_RETURN_IF_ERROR(FoldConstants(*graph));
  // An If whose condition folded is replaced by its branch, which may fold
  // further and hold more Ifs: each round removes at least one If.
  for (int inlined = 1; inlined > 0;) {
    QF_RETURN_IF_ERROR(InlineConstantIfs(graph, &inlined));
    if (inlined > 0) QF_RETURN_IF_ERROR(FoldConstants(*graph));
  }
  QF_RETURN_IF_ERROR(graph->Compact());
  QF_RETURN_IF_ERROR(ir::VerifyGraph(*graph));
  // Fills value types the file left out, and reports attribute values or
  // dtypes qforge does not implement at load time rather than at run time.
  QF_RETURN_IF_ERROR(InferTypes(graph));
  // Last: it matches patterns on typed values, and turns the file's QDQ form
  // into the quantized IR every later consumer (runtime, writers) expects.
  return FoldQdq(*graph);
}

Status AfterTfliteImport(ir::Graph* graph) {
  // No constant folding: a TFLite file is already folded, and folding its
  // DEQUANTIZE / Cast of float16 weights would lose the weight-only and
  // float16 forms a round trip must keep.
  // The reader keeps tensors NHWC and wraps every NCHW op in Transposes;
  // sinking cancels them between consecutive ops.
  QF_RETURN_IF_ERROR(SinkTransposes(*graph));
  QF_RETURN_IF_ERROR(graph->Compact());
  QF_RETURN_IF_ERROR(ir::VerifyGraph(*graph));
  // The reader's Transposes and the sinking leave values without types.
  return InferTypes(graph);
}

Status PrepareForQuantization(ir::Graph* graph, PrepareReport* report) {
  PrepareReport r;
  const int before = LiveNodes(*graph);
  // The quantizer needs float constant weights: this folds what a reader
  // kept on purpose (a TFLite file's Cast of float16 weights) and constant
  // subgraphs of graphs built through the API.
  QF_RETURN_IF_ERROR(FoldConstants(*graph));
  QF_RETURN_IF_ERROR(FinishPass(graph, "FoldConstants"));
  r.constants_folded = before - LiveNodes(*graph);
  // Identity / Dropout would otherwise stand between BatchNormalization and
  // its producer, and between an op and its activation.
  QF_RETURN_IF_ERROR(RemoveIdentity(graph, &r.identities_removed));
  // Merged into the weights: one quantized Conv instead of Conv then an
  // extra op with its own range.
  FoldBatchNormReport bn;
  QF_RETURN_IF_ERROR(FoldBatchNorm(graph, &bn));
  r.batchnorms_folded = bn.folded;
  r.batchnorms_kept = bn.kept;
  // After FoldBatchNorm (Conv -> BN -> Relu becomes Conv -> Relu): the
  // calibrated range is then the post-activation one.
  QF_RETURN_IF_ERROR(FuseActivations(graph, &r.activations_fused));
  QF_RETURN_IF_ERROR(ir::VerifyGraph(*graph));
  QF_RETURN_IF_ERROR(InferTypes(graph));
  if (report != nullptr) *report = r;
  return Status::Ok();
}

Status BeforeOnnxWrite(const ir::Graph& graph) {
  // qf_layout (from BeforeRuntimePlan) has no ONNX form.
  return CheckNoRuntimeLayout(graph);
}

Status BeforeTfliteWrite(ir::Graph* graph) {
  // qf_layout (from BeforeRuntimePlan) has no TFLite form.
  QF_RETURN_IF_ERROR(CheckNoRuntimeLayout(*graph));
  // What TFLite's converter does before writing: static shape subgraphs
  // (Shape -> Gather -> Concat -> Reshape, exported for a fixed batch) become
  // constants. Only when a Shape is present, and keeping the Casts of float16
  // weights, which the writer emits as DEQUANTIZE.
  bool has_shape = false;
  for (const ir::Node& n : graph->nodes) has_shape = has_shape || (!n.removed && n.op == OpKind::kShape);
  if (has_shape) {
    QF_RETURN_IF_ERROR(FoldConstantsKeepingFloat16Weights(*graph));
    QF_RETURN_IF_ERROR(graph->Compact());
    QF_RETURN_IF_ERROR(InferTypes(graph));  // reshapes now have constant shapes
  }
  // Float Relu / Clip join their producer as TFLite's fused activation.
  return FuseActivations(graph);
}

// Measured reasons: docs/design/runtime_passes.md.
Status BeforeRuntimePlan(ir::Graph* graph) {
  // Order: simplify the quantized graph first (pairs, pads, requantize
  // steps), then make every activation int8 (uint8 models run the int8
  // kernels, exactly), then choose the layout for the kernels that exist.
  QF_RETURN_IF_ERROR(EliminateQdqPairs(graph));
  // Float Relu/Clip become the producer's output clamp (the float kernels
  // apply it in their epilogue).
  QF_RETURN_IF_ERROR(FuseActivations(graph));
  // One kernel instead of two, and layout Transposes sink through HardSwish
  // (not through the Mul/HardSigmoid pair, which reads x twice).
  QF_RETURN_IF_ERROR(FuseHardSwish(graph));
  // Before ConvertToNhwc: on a TFLite graph it leaves Transpose pairs where
  // the Pad was, which the layout pass's sinking cancels.
  QF_RETURN_IF_ERROR(FoldPadIntoConv(graph));
  // No requantize fusion: one rounding instead of the file's two moves
  // values by a step, and through 40 layers after a Concat (ShuffleNet) the
  // top-1 class of 1.5% of images changed against the reference and ONNX
  // Runtime. The runtime computes what the file says; Requantize has a fast
  // exact kernel instead.
  QF_RETURN_IF_ERROR(ActivationsToInt8(*graph));
  // Last: which nodes run channels-last depends on the final ops and dtypes.
  const ir::Graph& view = *graph;
  return ConvertToNhwc(*graph, [&view](const ir::Node& n) { return kernels::opt::WantsNhwc(view, n); });
}

}  // namespace qforge::passes
