#!/usr/bin/python3
"""Writes the PIL oracle for tests/unit/data_image_resize_test.cc.

For each case: <name>_in.npy (float32 H x W x C) and <name>_out.npy, each
channel resized on its own as a mode "F" PIL image with
Image.resize((out_w, out_h), Image.BILINEAR) (Pillow >= 7, float math).
Run with Debian's python3-pil: /usr/bin/python3 make_fixtures.py
"""
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))

# name, input (h, w, c), output (h, w), uint8-valued input
CASES = [
    ("up_float", (5, 7, 1), (11, 13), False),
    ("down_rgb", (9, 13, 3), (4, 6), True),
    ("odd_2ch", (17, 23, 2), (10, 14), False),
    ("mixed_axes", (6, 20, 3), (9, 8), True),
    # The fuzzer's thin image shape: 12 wide, shorter side to 7 (7 x 583).
    ("thin", (1000, 12, 1), (583, 7), True),
]


def main():
    rng = np.random.default_rng(12)
    for name, (h, w, c), (oh, ow), uint8 in CASES:
        if uint8:
            img = rng.integers(0, 256, size=(h, w, c)).astype(np.float32)
        else:
            img = rng.uniform(-50.0, 300.0, size=(h, w, c)).astype(np.float32)
        out = np.stack(
            [np.asarray(Image.fromarray(img[:, :, k], mode="F").resize((ow, oh), Image.BILINEAR))
             for k in range(c)], axis=2).astype(np.float32)
        np.save(os.path.join(HERE, name + "_in.npy"), img)
        np.save(os.path.join(HERE, name + "_out.npy"), out)


if __name__ == "__main__":
    main()
