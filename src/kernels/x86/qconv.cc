#include "kernels/x86/qconv.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/check.h"
#include "kernels/x86/qconv_internal.h"
#include "kernels/x86/qconv_pack.h"

namespace qforge::kernels::x86 {

namespace {

constexpr size_t kAlign = 64;
// A rows packed per tile: about this many bytes, so the tile stays in L2
// while every weight panel streams over it.
constexpr size_t kTileBytes = 256 * 1024;
// Bounds on the rows of one packed tile; Run may use fewer to even out the
// tiles. Small images (7x7 = 49 rows of 3x3x512) fit in one tile, so two
// threads split the output channels and each reads half the weights.
constexpr size_t kMinTileRows = 24;
constexpr size_t kMaxRowsPerTile = 960;

size_t RoundUp(size_t v, size_t m) { return (v + m - 1) / m * m; }

int32_t Wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }

bool InInt8(int32_t v) { return v >= -128 && v <= 127; }

Status CheckDesc(const QConvDesc& d) {
  auto bad = [](const std::string& m) { return InvalidArgument("qconv: " + m); };
  if (d.in_channels < 1 || d.out_channels < 1) return bad("channel counts must be >= 1");
  if (d.kernel_h < 1 || d.kernel_w < 1 || d.stride_h < 1 || d.stride_w < 1 || d.dilation_h < 1 ||
      d.dilation_w < 1) {
    return bad("kernel, stride and dilation must be >= 1");
  }
  if (d.pad_top < 0 || d.pad_left < 0 || d.pad_bottom < 0 || d.pad_right < 0) return bad("negative pad");
  if (!InInt8(d.input_zero_point) || !InInt8(d.output_zero_point)) return bad("zero point outside int8");
  if (!InInt8(d.output_min) || !InInt8(d.output_max) || d.output_min > d.output_max) {
    return bad("output clamp [" + std::to_string(d.output_min) + ", " + std::to_string(d.output_max) +
               "] is not an int8 range");
  }
  const int64_t k = int64_t{d.kernel_h} * d.kernel_w * d.in_channels;
  if (k > (int64_t{1} << 24) || int64_t{d.out_channels} > (int64_t{1} << 24)) {
    return Unsupported("qconv: reduction of " + std::to_string(k) + " terms or " +
                       std::to_string(d.out_channels) + " output channels is too large");
  }
  const size_t n = static_cast<size_t>(d.out_channels);
  if (d.rule == ir::Requantization::kFixedPoint) {
    if (d.fixed.size() != 1 && d.fixed.size() != n) {
      return bad(std::to_string(d.fixed.size()) + " fixed-point multipliers for " + std::to_string(n) +
                 " output channels");
    }
    for (const quant::QuantizedMultiplier& m : d.fixed) {
      if (m.multiplier < 0 || m.shift < -31 || m.shift > 31) {
        return bad("multiplier " + std::to_string(m.multiplier) + " shift " + std::to_string(m.shift) +
                   " out of range");
      }
    }
  } else {
    if (d.real.size() != 1 && d.real.size() != n) {
      return bad(std::to_string(d.real.size()) + " float multipliers for " + std::to_string(n) +
                 " output channels");
    }
    for (float r : d.real) {
      if (!std::isfinite(r)) return bad("float multiplier is not finite");
    }
  }
  return Status::Ok();
}

size_t SlotBytes(const QConvPacked& p) {
  const size_t elem = p.layout == PackLayout::kU8S8 ? 1 : 2;
  return RoundUp((static_cast<size_t>(p.tile_rows) + kSpareRows) * p.k_padded * elem, kAlign);
}

struct RunContext {
  const QConvDesc* desc;
  const QConvPacked* packed;
  Isa isa;
  QConvGeometry geo;
  const int8_t* x;
  int32_t zx;             // input zero point (packing)
  int8_t* y;              // requantized output (Run), or
  int32_t* y32;           // accumulators (RunInt32), then
  const int32_t* bias32;  // their starting values
  uint8_t* workspace;     // aligned
  int64_t rows;           // batch * out_h * out_w
  int64_t row_tiles;
  int64_t tile_rows;  // <= packed->tile_rows
  int64_t n_chunks;
  int64_t chunk_channels;  // multiple of group_channels
  int64_t units;
  int64_t tasks;
};

void RunTask(const RunContext& rc, int64_t task) {
  const QConvDesc& d = *rc.desc;
  const QConvPacked& p = *rc.packed;
  void* slot = rc.workspace + static_cast<size_t>(task) * SlotBytes(p);
  const int64_t u_begin = task * rc.units / rc.tasks;
  const int64_t u_end = (task + 1) * rc.units / rc.tasks;
  int64_t packed_tile = -1;
  for (int64_t u = u_begin; u < u_end; ++u) {
    const int64_t tile = u / rc.n_chunks;
    const int64_t chunk = u % rc.n_chunks;
    const int64_t m0 = tile * rc.tile_rows;
    const int rows = static_cast<int>(std::min<int64_t>(rc.tile_rows, rc.rows - m0));
    if (tile != packed_tile) {
      if (rc.isa == Isa::kAvx512Vnni) {
        PackU8Avx512Vnni(d, p, rc.geo, rc.x, rc.zx, m0, rows, static_cast<uint8_t*>(slot));
      } else {
        PackRows<int16_t>(d, p, rc.geo, rc.x, m0, rows, int16_t{0}, CenteredCopy{rc.zx},
                          static_cast<int16_t*>(slot));
      }
      packed_tile = tile;
    }
    const int n_begin = static_cast<int>(chunk * rc.chunk_channels);
    const int n_end = static_cast<int>(std::min<int64_t>(p.n, n_begin + rc.chunk_channels));
    const size_t lda = static_cast<size_t>(p.k_padded);
    const size_t ldy = static_cast<size_t>(p.n);
    if (rc.y32 != nullptr) {
      int32_t* y32 = rc.y32 + m0 * p.n;
      switch (rc.isa) {
        case Isa::kAvx512Vnni:
          GemmU8S8Avx512VnniI32(p, rc.bias32, static_cast<const uint8_t*>(slot), lda, rows, n_begin, n_end,
                                y32, ldy);
          break;
        case Isa::kAvx2:
          GemmS16Avx2I32(p, rc.bias32, static_cast<const int16_t*>(slot), lda, rows, n_begin, n_end, y32,
                         ldy);
          break;
        case Isa::kPortable:
          GemmS16PortableI32(p, rc.bias32, static_cast<const int16_t*>(slot), lda, rows, n_begin, n_end, y32,
                             ldy);
          break;
      }
      continue;
    }
    int8_t* y = rc.y + m0 * p.n;
    switch (rc.isa) {
      case Isa::kAvx512Vnni:
        GemmU8S8Avx512Vnni(p, static_cast<const uint8_t*>(slot), lda, rows, n_begin, n_end, y, ldy);
        break;
      case Isa::kAvx2:
        GemmS16Avx2(p, static_cast<const int16_t*>(slot), lda, rows, n_begin, n_end, y, ldy);
        break;
      case Isa::kPortable:
        GemmS16Portable(p, static_cast<const int16_t*>(slot), lda, rows, n_begin, n_end, y, ldy);
        break;
    }
  }
}

void RunTaskThunk(void* ctx, size_t task) {
  RunTask(*static_cast<const RunContext*>(ctx), static_cast<int64_t>(task));
}

// Splits rc's rows and channels into tasks (rc.geo, rc.workspace set) and runs them.
void Launch(RunContext* rcp, pthreadpool_t pool) {
  RunContext& rc = *rcp;
  const QConvPacked& p = *rc.packed;
  QF_CHECK(rc.geo.out_h >= 1 && rc.geo.out_w >= 1 && rc.geo.batch >= 1);
  rc.rows = rc.geo.batch * rc.geo.out_h * rc.geo.out_w;
  rc.row_tiles = (rc.rows + p.tile_rows - 1) / p.tile_rows;
  // Equal tiles (49 rows as 25 + 24, not 48 + 1) so that threads get equal work.
  rc.tile_rows = (rc.rows + rc.row_tiles - 1) / rc.row_tiles;
  const int64_t threads = pool != nullptr ? static_cast<int64_t>(pthreadpool_get_threads_count(pool)) : 1;
  // Few row tiles for many threads (small images, fully connected layers):
  // split the output channels too, in whole micro-kernel groups.
  const int64_t groups = (p.n + p.group_channels - 1) / p.group_channels;
  rc.n_chunks = 1;
  if (threads > 1 && rc.row_tiles < 2 * threads) {
    rc.n_chunks = std::min<int64_t>(groups, (2 * threads + rc.row_tiles - 1) / rc.row_tiles);
  }
  rc.chunk_channels = (groups + rc.n_chunks - 1) / rc.n_chunks * p.group_channels;
  rc.n_chunks = (p.n + rc.chunk_channels - 1) / rc.chunk_channels;
  rc.units = rc.row_tiles * rc.n_chunks;
  rc.tasks = std::min(threads, rc.units);
  if (rc.tasks <= 1 || pool == nullptr) {
    rc.tasks = 1;
    RunTask(rc, 0);
    return;
  }
  pthreadpool_parallelize_1d(pool, RunTaskThunk, &rc, static_cast<size_t>(rc.tasks), 0);
}

// RunInt32's per-call bias array at the start of the workspace.
size_t BiasBytes(const QConvPacked& p) {
  return RoundUp(static_cast<size_t>(p.n_padded) * sizeof(int32_t), kAlign);
}

}  // namespace

QConv::~QConv() = default;

Result<std::unique_ptr<QConv>> QConv::Create(const QConvDesc& desc, const int8_t* w_oihw, const int32_t* bias,
                                             Isa isa) {
  QF_RETURN_IF_ERROR(CheckDesc(desc));
  if (!IsaSupported(isa)) return Unsupported(std::string("qconv: this CPU lacks ") + IsaName(isa));
  auto p = std::make_unique<QConvPacked>();
  const bool u8s8 = isa == Isa::kAvx512Vnni;
  p->layout = u8s8 ? PackLayout::kU8S8 : PackLayout::kS16;
  const int c = desc.in_channels;
  const int kk = desc.kernel_h * desc.kernel_w;
  p->k = kk * c;
  p->k_padded = static_cast<int>(RoundUp(static_cast<size_t>(p->k), u8s8 ? 4 : 2));
  p->n = desc.out_channels;
  const int panel = u8s8 ? 16 : 8;
  p->n_padded = static_cast<int>(RoundUp(static_cast<size_t>(p->n), static_cast<size_t>(panel)));
  p->group_channels = u8s8 ? 64 : 16;
  const size_t elem = u8s8 ? 1 : 2;
  const size_t row_bytes = static_cast<size_t>(p->k_padded) * elem;
  p->tile_rows = static_cast<int>(std::clamp<size_t>(kTileBytes / row_bytes, kMinTileRows, kMaxRowsPerTile));

  // Weights, re-ordered to k = (ky * kernel_w + kx) * C + ci.
  const size_t np = static_cast<size_t>(p->n_padded);
  const size_t kp = static_cast<size_t>(p->k_padded);
  p->weight_bytes = np * kp * elem;
  void* wmem = std::aligned_alloc(kAlign, RoundUp(p->weight_bytes, kAlign));
  if (wmem == nullptr) return Internal("qconv: out of memory packing weights");
  std::memset(wmem, 0, RoundUp(p->weight_bytes, kAlign));
  p->weights.reset(wmem);
  p->sum_w.assign(np, 0);
  std::vector<int64_t> sum_w(np, 0);
  for (int o = 0; o < p->n; ++o) {
    for (int ci = 0; ci < c; ++ci) {
      for (int t = 0; t < kk; ++t) {
        const int8_t v = w_oihw[(static_cast<size_t>(o) * c + ci) * kk + t];
        const size_t k = static_cast<size_t>(t) * c + ci;
        const size_t oc = static_cast<size_t>(o);
        sum_w[oc] += v;
        if (u8s8) {
          static_cast<int8_t*>(wmem)[(oc / 16) * kp * 16 + (k / 4) * 64 + (oc % 16) * 4 + k % 4] = v;
        } else {
          static_cast<int16_t*>(wmem)[(oc / 8) * kp * 8 + (k / 2) * 16 + (oc % 8) * 2 + k % 2] = v;
        }
      }
    }
  }
  p->bias.assign(np, 0);
  for (int o = 0; o < p->n; ++o) {
    const int64_t b = bias != nullptr ? bias[o] : 0;
    const size_t oc = static_cast<size_t>(o);
    p->bias[oc] = u8s8 ? Wrap32(b - (int64_t{desc.input_zero_point} + 128) * sum_w[oc]) : Wrap32(b);
    p->sum_w[oc] = Wrap32(sum_w[oc]);  // |sum| <= 128 * 2^24: exact
  }
  p->rule = desc.rule;
  p->multiplier.assign(np, 0);
  p->left_shift.assign(np, 0);
  p->right_shift.assign(np, 0);
  p->right_mask.assign(np, 0);
  p->real.assign(np, 0.0f);
  for (size_t o = 0; o < static_cast<size_t>(p->n); ++o) {
    if (desc.rule == ir::Requantization::kFixedPoint) {
      const quant::QuantizedMultiplier& m = desc.fixed[desc.fixed.size() == 1 ? 0 : o];
      p->multiplier[o] = m.multiplier;
      p->left_shift[o] = std::max(m.shift, 0);
      p->right_shift[o] = std::max(-m.shift, 0);
      p->right_mask[o] = static_cast<int32_t>((int64_t{1} << p->right_shift[o]) - 1);
      p->any_left_shift = p->any_left_shift || m.shift > 0;
    } else {
      p->real[o] = desc.real[desc.real.size() == 1 ? 0 : o];
    }
  }
  p->output_zero_point = desc.output_zero_point;
  p->output_min = desc.output_min;
  p->output_max = desc.output_max;

  std::unique_ptr<QConv> conv(new QConv());
  conv->desc_ = desc;
  conv->isa_ = isa;
  const char* tile = isa == Isa::kAvx512Vnni ? "6x64" : isa == Isa::kAvx2 ? "4x16" : "1x8";
  conv->name_ = std::string("conv2d_qs8_qc8w_") +
                (desc.rule == ir::Requantization::kFixedPoint ? "fixedpoint_" : "fp32_") + IsaName(isa) +
                "_" + tile;
  conv->packed_ = std::move(p);
  return conv;
}

int QConv::OutputHeight(int in_h) const {
  const QConvDesc& d = desc_;
  return (in_h + d.pad_top + d.pad_bottom - ((d.kernel_h - 1) * d.dilation_h + 1)) / d.stride_h + 1;
}

int QConv::OutputWidth(int in_w) const {
  const QConvDesc& d = desc_;
  return (in_w + d.pad_left + d.pad_right - ((d.kernel_w - 1) * d.dilation_w + 1)) / d.stride_w + 1;
}

size_t QConv::WorkspaceBytes(int batch, int in_h, int in_w, size_t threads) const {
  return BiasBytes(*packed_) + std::max<size_t>(threads, 1) * SlotBytes(*packed_) + kAlign;
}

size_t QConv::packed_bytes() const {
  const QConvPacked& p = *packed_;
  return p.weight_bytes + p.n_padded * (5 * sizeof(int32_t) + sizeof(float));
}

void QConv::Run(const int8_t* x_nhwc, int batch, int in_h, int in_w, int8_t* y_nhwc, void* workspace,
                pthreadpool_t pool) const {
  RunContext rc{};
  rc.desc = &desc_;
  rc.packed = packed_.get();
  rc.isa = isa_;
  rc.geo = {batch, in_h, in_w, OutputHeight(in_h), OutputWidth(in_w)};
  rc.x = x_nhwc;
  rc.zx = desc_.input_zero_point;
  rc.y = y_nhwc;
  rc.workspace = reinterpret_cast<uint8_t*>(RoundUp(reinterpret_cast<uintptr_t>(workspace), kAlign));
  Launch(&rc, pool);
}

void QConv::RunInt32(const int8_t* x_nhwc, int32_t input_zero_point, int batch, int in_h, int in_w,
                     int32_t* y_nhwc, void* workspace, pthreadpool_t pool) const {
  const QConvPacked& p = *packed_;
  QF_CHECK(InInt8(input_zero_point));
  uint8_t* ws = reinterpret_cast<uint8_t*>(RoundUp(reinterpret_cast<uintptr_t>(workspace), kAlign));
  // kU8S8 multiplies x + 128: subtract (Zx + 128) sum_k w[c, k], modulo 2^32 as in Create.
  int32_t* bias = reinterpret_cast<int32_t*>(ws);
  for (size_t c = 0; c < static_cast<size_t>(p.n_padded); ++c) {
    bias[c] = p.layout == PackLayout::kU8S8 ? Wrap32(-(int64_t{input_zero_point} + 128) * p.sum_w[c]) : 0;
  }
  RunContext rc{};
  rc.desc = &desc_;
  rc.packed = &p;
  rc.isa = isa_;
  rc.geo = {batch, in_h, in_w, OutputHeight(in_h), OutputWidth(in_w)};
  rc.x = x_nhwc;
  rc.zx = input_zero_point;
  rc.y32 = y_nhwc;
  rc.bias32 = bias;
  rc.workspace = ws + BiasBytes(p);
  Launch(&rc, pool);
}

}  // namespace qforge::kernels::x86
