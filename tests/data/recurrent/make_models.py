#!/usr/bin/env python3
"""Writes the recurrent-layer test models of tests/ops/recurrent_models_test.cc.

Each model is a small torch.nn recurrent module exported with
torch.onnx.export (dynamic batch and sequence axes), with one seeded input
set and PyTorch's outputs next to it:
  NAME.onnx, NAME.in_K.npy (graph input K), NAME.torch_K.npy (output K).
Run from anywhere: python3 tests/data/recurrent/make_models.py
"""
import os

import numpy as np
import torch

OUT = os.path.dirname(os.path.abspath(__file__))
INPUT, HIDDEN, SEQ, BATCH = 5, 4, 6, 3


class WithState(torch.nn.Module):
    """Returns (y, h_n[, c_n]) so every ONNX output is a graph output."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x, *state):
        y, s = self.rnn(x, state[0] if len(state) == 1 else tuple(state) if state else None)
        return (y,) + (tuple(s) if isinstance(s, tuple) else (s,))


def export(name, rnn, opset, with_state):
    torch.manual_seed(len(name))
    model = WithState(rnn).eval()
    first = rnn.batch_first
    x = torch.randn(BATCH, SEQ, INPUT) if first else torch.randn(SEQ, BATCH, INPUT)
    dirs = 2 if rnn.bidirectional else 1
    inputs = [x]
    names = ['x']
    axes = {'x': {0: 'batch', 1: 'seq'} if first else {0: 'seq', 1: 'batch'}}
    if with_state:
        states = 2 if isinstance(rnn, torch.nn.LSTM) else 1
        for k in range(states):
            inputs.append(torch.randn(rnn.num_layers * dirs, BATCH, HIDDEN))
            names.append('h0' if k == 0 else 'c0')
            axes[names[-1]] = {1: 'batch'}
    with torch.no_grad():
        outs = model(*inputs)
    out_names = ['y', 'h_n', 'c_n'][:len(outs)]
    axes['y'] = {0: 'batch', 1: 'seq'} if first else {0: 'seq', 1: 'batch'}
    for n in out_names[1:]:
        axes[n] = {1: 'batch'}
    path = os.path.join(OUT, name + '.onnx')
    torch.onnx.export(model, tuple(inputs), path, opset_version=opset, input_names=names,
                      output_names=out_names, dynamic_axes=axes)
    for k, t in enumerate(inputs):
        np.save(os.path.join(OUT, f'{name}.in_{k}.npy'), t.numpy())
    for k, t in enumerate(outs):
        np.save(os.path.join(OUT, f'{name}.torch_{k}.npy'), t.numpy())


def main():
    torch.manual_seed(0)
    export('lstm_bidir_2layer', torch.nn.LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True), 14, True)
    export('lstm_batch_first', torch.nn.LSTM(INPUT, HIDDEN, batch_first=True), 17, False)
    export('gru_batch_first', torch.nn.GRU(INPUT, HIDDEN, batch_first=True), 13, True)
    export('gru_bidir', torch.nn.GRU(INPUT, HIDDEN, bidirectional=True), 15, False)
    export('rnn_tanh', torch.nn.RNN(INPUT, HIDDEN, nonlinearity='tanh'), 16, True)
    export('rnn_relu_batch_first', torch.nn.RNN(INPUT, HIDDEN, nonlinearity='relu', batch_first=True,
                                                num_layers=2), 17, False)


if __name__ == '__main__':
    main()
