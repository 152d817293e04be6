#!/usr/bin/python3
"""Writes the seed corpora of the data, image and calibration stats fuzz
targets (tests/fuzz/corpus/{data,image,calib_stats}).

Run by hand when a format's rules change; the output is committed (tens of
KB). data and image seeds start with the target's selector byte (see
data_reader_fuzz.cc, image_decode_fuzz.cc). JPEG seeds are written by
stb_image_write (a tiny C program compiled on the fly: no Python imaging
library is installed); PNG, BMP and PGM/PPM are packed here.

  /usr/bin/python3 tests/fuzz/make_data_corpus.py
"""
import gzip
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests/fuzz/corpus")
NPY, NPZ, IDX, IDX_GZ = 0, 1, 2, 3  # data_reader_fuzz.cc: selector bits 0-1
LABELS, TO_FLOAT = 4, 8


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def npz(compressed, **arrays):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def idx(array):
    codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}
    head = bytes([0, 0, codes[array.dtype.type], array.ndim]) + struct.pack(">%dI" % array.ndim, *array.shape)
    return head + array.astype(array.dtype.newbyteorder(">")).tobytes()


def data_seeds():
    img = (np.arange(2 * 4 * 4) % 256).astype(np.uint8).reshape(2, 4, 4)
    f32 = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    labels = np.array([3, 1, 4, 1], np.int64)
    good = npy(f32)
    huge = bytearray(good)
    huge[:len(good) - f32.nbytes] = good[:len(good) - f32.nbytes].replace(b"(3, 4)", b"(9999999999, 99999)")
    return {
        "npy_f32": (NPY, good), "npy_f32_to_float": (NPY | TO_FLOAT, npy(f32.astype(np.float64))),
        "npy_u8": (NPY, npy(img)), "npy_i16_to_float": (NPY | TO_FLOAT, npy(img.astype(np.int16))),
        "npy_labels": (NPY | LABELS, npy(labels)), "npy_bool": (NPY, npy(img > 3)),
        "npy_fortran": (NPY, npy(np.asfortranarray(f32))), "npy_big_endian": (NPY, npy(f32.astype(">f4"))),
        "npy_huge_shape": (NPY, bytes(huge)), "npy_truncated": (NPY, good[:-5]),
        "npy_nan": (NPY | TO_FLOAT, npy(np.array([[np.nan, 1.0]], np.float32))),
        "npz_stored": (NPZ, npz(False, x=f32, y=labels)), "npz_deflated": (NPZ, npz(True, x=img)),
        "npz_labels": (NPZ | LABELS, npz(True, y=labels)),
        "idx_images": (IDX, idx(img)), "idx_images_to_float": (IDX | TO_FLOAT, idx(img)),
        "idx_labels": (IDX | LABELS, idx(np.array([1, 0, 9], np.uint8))), "idx_f32": (IDX, idx(f32)),
        "idx_i32": (IDX, idx(np.arange(6, dtype=np.int32).reshape(2, 3))),
        "idx_huge_dims": (IDX, bytes([0, 0, 8, 3]) + struct.pack(">3I", 1 << 31, 1 << 31, 1 << 31)),
        "idx_gz_images": (IDX_GZ, gzip.compress(idx(img), mtime=0)),
        "idx_gz_labels": (IDX_GZ | LABELS, gzip.compress(idx(np.array([2, 7], np.uint8)), mtime=0)),
        "idx_gz_truncated": (IDX_GZ, gzip.compress(idx(img), mtime=0)[:30]),
    }


def png(w, h, channels, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    color = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\0" + bytes(pixels[y * w * channels:(y + 1) * w * channels]) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bmp(w, h, pixels):
    row = (w * 3 + 3) & ~3
    body = b"".join(bytes(pixels[y * w * 3:(y + 1) * w * 3]) + b"\0" * (row - w * 3) for y in range(h))
    return (b"BM" + struct.pack("<IHHI", 54 + len(body), 0, 0, 54) +
            struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(body), 2835, 2835, 0, 0) + body)


JPEG_WRITER = r"""
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
int main(int argc, char** argv) {
  unsigned char px[12 * 9 * 3];
  for (int i = 0; i < 12 * 9 * 3; ++i) px[i] = (unsigned char)(i * 37 % 251);
  return !(stbi_write_jpg(argv[1], 12, 9, 3, px, 90) && stbi_write_jpg(argv[2], 12, 9, 1, px, 50));
}
"""


def jpegs():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "w.c")
        with open(src, "w") as f:
            f.write(JPEG_WRITER)
        subprocess.run(["cc", "-O1", "-o", os.path.join(tmp, "w"), src, "-lm"], check=True)
        out = [os.path.join(tmp, n) for n in ("rgb.jpg", "gray.jpg")]
        subprocess.run([os.path.join(tmp, "w")] + out, check=True)
        return [open(p, "rb").read() for p in out]


def image_seeds():
    w, h = 7, 5
    rgb = [(i * 29) % 256 for i in range(w * h * 3)]
    gray = [(i * 11) % 256 for i in range(w * h)]
    jpg_rgb, jpg_gray = jpegs()
    grayscale, resize7, crop5, nhwc = 1, 2 << 1, 2 << 3, 32
    huge_png = bytearray(png(w, h, 3, rgb))
    struct.pack_into(">II", huge_png, 16, 1 << 20, 1 << 20)
    return {
        "png_rgb": (0, png(w, h, 3, rgb)), "png_gray": (grayscale, png(w, h, 1, gray)),
        "png_rgba_resize": (resize7 | nhwc, png(w, h, 4, rgb[:w * h] * 4)),
        "png_huge_header": (0, bytes(huge_png)),
        "bmp_rgb_crop": (crop5, bmp(w, h, rgb)),
        "pgm_binary": (grayscale, b"P5\n7 5\n255\n" + bytes(gray)),
        "pgm_ascii": (grayscale | crop5, b"P2\n3 2\n255\n0 50 100\n150 200 250\n"),
        "ppm_binary": (resize7, b"P6\n7 5\n255\n" + bytes(rgb)),
        "ppm_huge_header": (0, b"P6\n99999999 99999999\n255\n" + bytes(rgb)),
        "jpeg_rgb": (0, jpg_rgb), "jpeg_gray_resize": (grayscale | resize7, jpg_gray),
        "jpeg_truncated": (0, jpg_rgb[:len(jpg_rgb) // 2]),
    }


def stats_seeds():
    def tensor(lo, hi, batches, exponent, first_bin, hist):
        counts = [0] * 2048
        for k, v in hist.items():
            counts[k] = v
        return {"elements": sum(hist.values()), "min": lo, "max": hi, "batch_min": batches[0],
                "batch_max": batches[1], "histogram": {"exponent": exponent, "first_bin": first_bin,
                                                      "counts": counts}}
    def doc(tensors, samples=8):
        return {"format": "qforge-calibration-stats", "version": 1, "samples": samples,
                "histogram_bins": 2048, "tensors": tensors}
    signed = tensor(-1.0, 0.99, ([-1.0, -0.5], [0.5, 0.99]), -10, -1024, {0: 3, 500: 10, 1024: 40, 2047: 2})
    relu = tensor(0.0, 3.0, ([0.0], [3.0]), -9, 0, {0: 100, 300: 20, 1536: 1})
    point = tensor(0.5, 0.5, ([0.5], [0.5]), -24, 1 << 23, {0: 4})
    seeds = {"two_tensors": doc({"input": signed, "conv1/relu": relu}), "single_point": doc({"x": point})}
    bad = json.loads(json.dumps(seeds["two_tensors"]))
    bad["tensors"]["input"]["histogram"]["exponent"] = 1 << 40
    seeds["bad_exponent"] = bad
    out = {k: json.dumps(v).encode() for k, v in seeds.items()}
    out["truncated"] = out["two_tensors"][:300]
    out["wrong_format"] = b'{"format": "other", "version": 1}'
    return out


def write(folder, seeds, with_selector):
    out = os.path.join(CORPUS, folder)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if not f.startswith("fuzz_"):  # fuzz_*: reproducers the fuzzer found, kept as regression seeds
            os.remove(os.path.join(out, f))
    for name, seed in seeds.items():
        data = bytes([seed[0]]) + seed[1] if with_selector else seed
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print("%d seeds, %d bytes in %s" % (len(os.listdir(out)), total, out))


def main():
    write("data", data_seeds(), True)
    write("image", image_seeds(), True)
    write("calib_stats", stats_seeds(), False)


if __name__ == "__main__":
    sys.exit(main())
