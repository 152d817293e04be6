#!/usr/bin/python3
"""Writes the bundled calibration samples: models/calib/fashion_train100.npy.

  tools/make_calib_set.py [--count 100] [--out models/calib/fashion_train100.npy]

The first COUNT Fashion-MNIST *training* images (the test images stay unseen
by calibration, so quantized accuracy on them is an honest measure), as
float32 [COUNT, 1, 28, 28] with the models' preprocessing x/255 (see
models/*.json). No shuffling and no randomness: the file is a pure function of
the Debian dataset files, so reruns are byte-identical.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "models", "calib", "fashion_train100.npy")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--data-dir", default=fashion_mnist.DEFAULT_DIR)
    args = p.parse_args()
    x, _ = fashion_mnist.load_split("train", args.data_dir)
    if not 0 < args.count <= len(x):
        sys.exit(f"--count must be in [1, {len(x)}]")
    calib = np.ascontiguousarray(x[:args.count], dtype=np.float32)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.save(args.out, calib)
    print(f"{args.out}: float32 {list(calib.shape)}, min {calib.min():.4f}, max {calib.max():.4f}, "
          f"mean {calib.mean():.6f}")


if __name__ == "__main__":
    main()
