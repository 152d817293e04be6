#!/usr/bin/python3
"""Latency and throughput of PyTorch 1.13 (CPU) on the torchvision benchmark models, measured the way
`qforge bench` and tools/ort/bench_ort.js measure qforge and ONNX Runtime.

  tools/torch/bench_torch.py --arch mobilenet_v2|resnet18 --mode float|int8 [--threads N] [--runs R]
                             [--warmup W] [--batch B] [--seed S] [--calib-batches K] [--cache-dir DIR]
                             [--no-optimize]

Model: torchvision's architecture with the same seeded random weights and the same re-estimated
BatchNorm statistics as tools/export_torchvision.py (its build() and calibrate_batchnorm() are
imported, with the same seeds), in eval mode: the network whose ONNX export bench/compare.sh gives
qforge and ONNX Runtime.

  float  TorchScript: torch.jit.trace, torch.jit.freeze (which folds BatchNorm into Conv), then
         torch.jit.optimize_for_inference (--no-optimize skips it). Why: at 1 thread and batch 1,
         PyTorch 1.13 runs stride-1 1x1 convolutions not through oneDNN but as im2col + BLAS GEMM
         (aten::_slow_conv2d_forward), and Debian's python3-torch here links the reference
         (netlib) BLAS: MobileNetV2 then takes ~290 ms instead of ~15 ms. optimize_for_inference,
         PyTorch's own inference path, sends every convolution to oneDNN (MKLDNN).
  int8   FX graph mode post-training static quantization (prepare_fx / convert_fx) with
         torch.backends.quantized.engine = 'onednn' and get_default_qconfig_mapping('onednn')
         (activations quint8 per tensor, HistogramObserver, full 8-bit range; weights qint8
         per-channel symmetric), calibrated on K seeded standard-normal batches of 8 (default 2),
         then traced and frozen like the float model. Conv+BN(+ReLU) are fused by FX; ReLU6 and the
         residual adds are quantized ops; nothing is left in float except the graph's own
         quantize/dequantize at input and output.

--cache-dir DIR: the scripted model is saved to (and on later calls loaded from)
DIR/torch_ARCH_MODE_seedS[_calibK].pt (the frozen model, before optimize_for_inference, whose
output TorchScript cannot reload), which skips rebuilding, BatchNorm re-estimation and
calibration (seconds per process); delete the file after changing the model or the quantizer.

torch.set_num_threads(N) (default: the number of cores) and torch.set_num_interop_threads(1), as
bench_ort.js sets intra-op N / inter-op 1. Inputs are random uniform [0, 1) (torch seed 12345).
Runs W untimed warm-up inferences (default 3; TorchScript's profiling executor optimizes the graph
during the first two calls of each input shape) and R timed ones (default 30) at batch 1, then
W + R at batch B (default 8; 0 skips it), all under torch.inference_mode(). Each latency is the
wall time of one forward call.

Prints the same lines as `qforge bench`, the engine used, and last
  bench_result runtime=torch model=ARCH-MODE threads=N runs=R median_ms=.. p90_ms=.. min_ms=..
  batch8_ips=.. peak_rss_mb=..
(batch<B>_ips; absent with --batch 0; peak_rss_mb is the whole python process). Exit code 0 on
success, 2 on usage errors, 1 when PyTorch fails.
"""
import argparse
import math
import os
import resource
import sys
import time
import warnings

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)

ARCHS = ("mobilenet_v2", "resnet18")
MODES = ("float", "int8")
CALIB_BATCH_SIZE = 8
INPUT_SEED = 12345
# export_torchvision.py's defaults: weights from torch.manual_seed(seed), BatchNorm statistics
# from a generator seeded with seed + 1.
DEFAULT_SEED = 1234


def positive(text, minimum=1):
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise argparse.ArgumentTypeError(f"needs an integer >= {minimum}, got '{text}'")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=ARCHS)
    p.add_argument("--mode", required=True, choices=MODES)
    p.add_argument("--threads", type=positive, default=os.cpu_count() or 1)
    p.add_argument("--runs", type=positive, default=30)
    p.add_argument("--warmup", type=lambda t: positive(t, 0), default=3)
    p.add_argument("--batch", type=lambda t: positive(t, 0), default=8)
    p.add_argument("--seed", type=positive, default=DEFAULT_SEED,
                   help="weight seed, as export_torchvision.py --seed (default %(default)s)")
    p.add_argument("--calib-batches", type=positive, default=2,
                   help=f"int8 calibration batches of {CALIB_BATCH_SIZE} (default %(default)s)")
    p.add_argument("--no-optimize", action="store_true",
                   help="float: skip torch.jit.optimize_for_inference (plain trace + freeze)")
    p.add_argument("--cache-dir", help="save the scripted model here, or load it if already there")
    return p.parse_args(argv)  # exits with code 2 on usage errors


def build_float(arch, seed):
    """The eval-mode network tools/export_torchvision.py exports for ARCH and SEED."""
    import torch
    import export_torchvision as ex
    torch.manual_seed(seed)
    model, input_shape = ex.build(arch)
    ex.calibrate_batchnorm(model, input_shape, torch.Generator().manual_seed(seed + 1))
    return model.eval(), input_shape


def quantize_onednn(model, input_shape, batches, seed):
    import torch
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = "onednn"
    example = torch.zeros(input_shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation chatter from the FX quantizer in 1.13
        prepared = prepare_fx(model, get_default_qconfig_mapping("onednn"), example_inputs=(example,))
        gen = torch.Generator().manual_seed(seed + 2)
        with torch.inference_mode():
            for _ in range(batches):
                prepared(torch.randn((CALIB_BATCH_SIZE,) + tuple(input_shape[1:]), generator=gen))
        return convert_fx(prepared)


def script(model, input_shape):
    import torch
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.rand(input_shape))
    return torch.jit.freeze(traced.eval())


def scripted_model(args):
    """(TorchScript module, input shape, where it came from), through the --cache-dir file if any."""
    import torch
    input_shape = (1, 3, 224, 224)  # both ARCHS; export_torchvision.build() says the same
    path = None
    if args.cache_dir:
        calib = f"_calib{args.calib_batches}" if args.mode == "int8" else ""
        path = os.path.join(args.cache_dir, f"torch_{args.arch}_{args.mode}_seed{args.seed}{calib}.pt")
        if os.path.isfile(path):
            return torch.jit.load(path), input_shape, f"loaded from {path}"
    model, shape = build_float(args.arch, args.seed)
    assert tuple(shape) == input_shape, shape
    if args.mode == "int8":
        model = quantize_onednn(model, input_shape, args.calib_batches, args.seed)
    model = script(model, input_shape)
    if path is None:
        return model, input_shape, "built"
    os.makedirs(args.cache_dir, exist_ok=True)
    torch.jit.save(model, path + ".tmp")
    os.replace(path + ".tmp", path)  # never leave a half-written file for a concurrent reader
    return model, input_shape, f"built, saved to {path}"


def time_runs(model, x, warmup, runs):
    import torch
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        ms = []
        for _ in range(runs):
            start = time.perf_counter_ns()
            model(x)
            ms.append((time.perf_counter_ns() - start) / 1e6)
    return ms


def summarize(ms):
    """Same definitions as qforge bench: median (mean of the middle two for an even count),
    nearest-rank p90, min."""
    s = sorted(ms)
    n = len(s)
    median = s[(n - 1) // 2] if n % 2 == 1 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    p90 = s[max(math.ceil(0.9 * n), 1) - 1]
    return median, p90, s[0]


def main(argv):
    args = parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    if args.mode == "int8":
        # Set before building or loading: quantized weights are packed for the engine current then.
        torch.backends.quantized.engine = "onednn"
        engine = (f"int8, quantized engine {torch.backends.quantized.engine}, FX graph mode PTQ "
                  f"(qconfig mapping 'onednn', {args.calib_batches}x{CALIB_BATCH_SIZE} random calibration "
                  f"samples), TorchScript trace + freeze")
    else:
        engine = (f"float, TorchScript trace + freeze"
                  f"{'' if args.no_optimize else ' + optimize_for_inference'} (mkldnn "
                  f"{'enabled' if torch.backends.mkldnn.is_available() else 'unavailable'})")
    model, input_shape, origin = scripted_model(args)
    if args.mode == "float" and not args.no_optimize:
        model = torch.jit.optimize_for_inference(model)

    gen = torch.Generator().manual_seed(INPUT_SEED)
    x = torch.rand(input_shape, generator=gen)
    name = f"{args.arch}-{args.mode}"
    print(f"model: torchvision {args.arch} (seed {args.seed}, {args.mode}; {origin})")
    print(f"input: input float32{list(input_shape)} (random uniform [0, 1))")
    print(f"engine: {engine}")
    print(f"threads: {torch.get_num_threads()} (intra-op; inter-op {torch.get_num_interop_threads()}; "
          f"OMP_WAIT_POLICY {os.environ.get('OMP_WAIT_POLICY', 'unset')}), torch {torch.__version__}")

    median, p90, low = summarize(time_runs(model, x, args.warmup, args.runs))
    print(f"latency at batch 1 ({args.warmup} warm-up, {args.runs} timed runs): median {median:.3f} ms, "
          f"p90 {p90:.3f} ms, min {low:.3f} ms")
    ips_field = ""
    if args.batch > 0:
        xb = torch.rand((args.batch,) + tuple(input_shape[1:]), generator=gen)
        b_median, _, _ = summarize(time_runs(model, xb, args.warmup, args.runs))
        ips = 1000.0 * args.batch / b_median
        print(f"throughput at batch {args.batch} ({args.runs} timed runs): {ips:.1f} images/s "
              f"(median {b_median:.3f} ms per batch)")
        ips_field = f" batch{args.batch}_ips={ips:.1f}"
    # ru_maxrss is in KiB on Linux; it covers the whole process (python, torch, the model).
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"memory: peak resident {peak_rss_mb:.1f} MiB (whole process)")
    print(f"bench_result runtime=torch model={name} threads={torch.get_num_threads()} runs={args.runs} "
          f"median_ms={median:.3f} p90_ms={p90:.3f} min_ms={low:.3f}{ips_field} "
          f"peak_rss_mb={peak_rss_mb:.1f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as err:  # noqa: BLE001 - any PyTorch failure is exit code 1 with one line
        print(f"bench_torch.py: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
