#include "passes/prepare_quantization.h"

#include "passes/constant_fold.h"
#include "passes/fold_batchnorm.h"
#include "passes/fuse_activation.h"
#include "passes/infer_types.h"
#include "passes/pass_util.h"
#include "passes/remove_identity.h"

namespace qforge::passes {

namespace {

int LiveNodes(const ir::Graph& g) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.removed ? 0 : 1;
  return n;
}

}  // namespace

Status PrepareForQuantization(ir::Graph* graph, PrepareReport* report) {
  PrepareReport r;
  const int before = LiveNodes(*graph);
  QF_RETURN_IF_ERROR(FoldConstants(*graph));
  QF_RETURN_IF_ERROR(FinishPass(graph, "FoldConstants"));
  r.constants_folded = before - LiveNodes(*graph);
  QF_RETURN_IF_ERROR(RemoveIdentity(graph, &r.identities_removed));
  FoldBatchNormReport bn;
  QF_RETURN_IF_ERROR(FoldBatchNorm(graph, &bn));
  r.batchnorms_folded = bn.folded;
  r.batchnorms_kept = bn.kept;
  QF_RETURN_IF_ERROR(FuseActivations(graph, &r.activations_fused));
  QF_RETURN_IF_ERROR(ir::VerifyGraph(*graph));
  QF_RETURN_IF_ERROR(InferTypes(graph));
  if (report != nullptr) *report = r;
  return Status::Ok();
}

}  // namespace qforge::passes
