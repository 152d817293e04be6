"""Reads the Fashion-MNIST IDX files shipped at /usr/share/datasets/fashion-mnist.

torchvision's dataset class would try to download, so the IDX format is parsed
here directly: a big-endian header (magic, then one uint32 per dimension)
followed by raw uint8 data.
"""
import gzip
import os
import struct

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"

# IDX magic: two zero bytes, a type code (0x08 = uint8) and the rank.
_IDX_UINT8 = 0x08


def read_idx(path):
    """Returns the uint8 array stored in a (gzipped) IDX file."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != _IDX_UINT8:
        raise ValueError(f"{path}: not a uint8 IDX file")
    rank = data[3]
    header_len = 4 + 4 * rank
    dims = struct.unpack(">" + "I" * rank, data[4:header_len])
    count = int(np.prod(dims))
    if len(data) - header_len != count:
        raise ValueError(f"{path}: expected {count} bytes of data, found {len(data) - header_len}")
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(dims)


def load_split(split, data_dir=DEFAULT_DIR):
    """Returns (images [N,1,28,28] float32 in [0,1], labels [N] int64).

    split is "train" (60k) or "t10k" (10k). Preprocessing is x/255 only, no
    mean/std normalization, so consumers of the exported models do the same.
    """
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    x = images.astype(np.float32)[:, None, :, :] / np.float32(255.0)
    return x, labels.astype(np.int64)
