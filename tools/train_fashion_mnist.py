#!/usr/bin/python3
"""Trains a small Fashion-MNIST classifier and exports it to ONNX.

  tools/train_fashion_mnist.py --arch {cnn,mobilenet,resnet} --epochs E --out models/NAME.onnx

Writes NAME.onnx (opset 13; input "input" [batch,1,28,28] float32 with the
batch dim dynamic and named "batch"; output "logits" [batch,10]) and NAME.json
next to it with the float top-1 accuracy PyTorch measured on the 10k test set.
With --golden-dir DIR it also writes the first GOLDEN_IMAGES test images
(uint8), their labels, and this model's logits for them computed by PyTorch in
float64: the independent reference tests/models checks qforge against.
Runs on CPU with 2 threads (--threads) and a fixed seed, so reruns give the same weights
on the same machine and torch build.
"""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

import fashion_mnist
import fashion_models

OPSET = 13
GOLDEN_IMAGES = 32
# Per-arch Adam learning rates; a one-cycle schedule makes 1-3 epochs enough.
LEARNING_RATES = {"cnn": 3e-3, "mobilenet": 4e-3, "resnet": 3e-3}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=sorted(fashion_models.ARCHS))
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--out", required=True, help="path of the .onnx file to write")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data-dir", default=fashion_mnist.DEFAULT_DIR)
    p.add_argument("--golden-dir", help="also write test goldens here (see above)")
    return p.parse_args()


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)


def train(model, x, y, args):
    gen = torch.Generator().manual_seed(args.seed)
    steps_per_epoch = (len(x) + args.batch_size - 1) // args.batch_size
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATES[args.arch])
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=LEARNING_RATES[args.arch], total_steps=args.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        total_loss = 0.0
        for i in range(0, len(x), args.batch_size):
            idx = order[i:i + args.batch_size]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            sched.step()
            total_loss += float(loss) * len(idx)
        print(f"epoch {epoch + 1}/{args.epochs}: train loss {total_loss / len(x):.4f}", flush=True)


def export(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(
        model, dummy, path, opset_version=OPSET, input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
    import onnx  # only needed here; keeps --help fast
    onnx.checker.check_model(onnx.load(path))


def write_goldens(model, args, name):
    """Writes DIR/fashion_t10k_first{N}_{images,labels}.npy and DIR/NAME_t10k_first{N}_logits.npy."""
    os.makedirs(args.golden_dir, exist_ok=True)
    images = fashion_mnist.read_idx(os.path.join(args.data_dir, "t10k-images-idx3-ubyte.gz"))[:GOLDEN_IMAGES]
    labels = fashion_mnist.read_idx(os.path.join(args.data_dir, "t10k-labels-idx1-ubyte.gz"))[:GOLDEN_IMAGES]
    images = np.ascontiguousarray(images[:, None, :, :])
    prefix = os.path.join(args.golden_dir, f"fashion_t10k_first{GOLDEN_IMAGES}")
    np.save(prefix + "_images.npy", images)
    np.save(prefix + "_labels.npy", labels.astype(np.int64))
    # The model sees float32 x/255 (as qforge will); the arithmetic after that
    # is float64 so the golden carries no float32 rounding of its own.
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255.0)).double()
    reference = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        logits = reference(x).numpy().astype(np.float32)
    path = os.path.join(args.golden_dir, f"{name}_t10k_first{GOLDEN_IMAGES}_logits.npy")
    np.save(path, logits)
    print(f"wrote goldens {prefix}_{{images,labels}}.npy and {path}")


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    train_x, train_y = fashion_mnist.load_split("train", args.data_dir)
    test_x, test_y = fashion_mnist.load_split("t10k", args.data_dir)
    model = fashion_models.build(args.arch)

    start = time.monotonic()
    train(model, train_x, train_y, args)
    train_seconds = time.monotonic() - start
    top1 = evaluate(model, test_x, test_y)
    print(f"{args.arch}: float top-1 {top1:.4f} on {len(test_x)} test images, trained in {train_seconds:.0f} s")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    export(model, args.out)
    meta = {
        "arch": args.arch,
        "epochs": args.epochs,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "learning_rate": LEARNING_RATES[args.arch],
        "threads": args.threads,
        "float_top1": round(top1, 4),
        "test_images": len(test_x),
        "dataset": "fashion-mnist",
        "preprocessing": "x/255 (uint8 pixels to float32 in [0,1]), no mean/std normalization",
        "input": {"name": "input", "shape": ["batch", 1, 28, 28], "dtype": "float32"},
        "output": {"name": "logits", "shape": ["batch", 10], "dtype": "float32"},
        "onnx_opset": OPSET,
        "torch_version": torch.__version__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_seconds": round(train_seconds, 1),
    }
    if args.golden_dir:
        write_goldens(model, args, os.path.splitext(os.path.basename(args.out))[0])
    meta_path = os.path.splitext(args.out)[0] + ".json"
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes) and {meta_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
