// Lists every op of a model qforge cannot read, before anything is built,
// so a user learns at once what is missing (not one op per attempt).
#pragma once

#include <onnx/onnx_pb.h>

#include "qforge/status.h"

namespace qforge::io {

// Walks `graph` and the subgraphs of its nodes' attributes (If branches,
// Loop bodies). Ok when every node's op has an IR form (or is a Constant);
// otherwise one Unsupported status naming each missing op type with its
// node count and the first node names:
//   "unsupported ops: LSTM (2 nodes: 'lstm_0', 'lstm_1'), Scan (1 node: 'Scan_7')".
// Ops of other domains are listed as "OpType of domain 'com.microsoft'".
Status CheckOpsSupported(const onnx::GraphProto& graph);

}  // namespace qforge::io
