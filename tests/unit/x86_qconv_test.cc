// qforge's own int8 convolution (kernels/x86/qconv.h) against the
// reference: ref::IntegerConv on NCHW-transposed data plus ref::ChannelRequant,
// bit-exact, for every ISA this CPU supports and the portable path always.
#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/ref/onnx_integer/qconv_core.h"
#include "kernels/ref/quantized/int_linear.h"
#include "kernels/x86/cpu_features.h"
#include "kernels/x86/qconv.h"
#include "ops/conv_attrs.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::x86 {
namespace {

struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using Pool = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, PoolDeleter>;

std::vector<Isa> TestedIsas() {
  std::vector<Isa> isas = {Isa::kPortable};
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512Vnni}) {
    if (IsaSupported(isa)) isas.push_back(isa);
  }
  return isas;
}

struct Case {
  int batch = 1, in_h = 1, in_w = 1;
  QConvDesc desc;
  std::vector<int8_t> x;  // NHWC
  std::vector<int8_t> w;  // OIHW
  std::vector<int32_t> bias;
  bool has_bias = true;
  std::vector<double> real;  // per channel (or one)

  std::string Describe() const {
    const QConvDesc& d = desc;
    std::ostringstream s;
    s << "batch " << batch << " in " << in_h << "x" << in_w << "x" << d.in_channels << " out_ch "
      << d.out_channels << " kernel " << d.kernel_h << "x" << d.kernel_w << " stride " << d.stride_h << ","
      << d.stride_w << " dilation " << d.dilation_h << "," << d.dilation_w << " pads " << d.pad_top << ","
      << d.pad_left << "," << d.pad_bottom << "," << d.pad_right << " zx " << d.input_zero_point << " zy "
      << d.output_zero_point << " clamp [" << d.output_min << "," << d.output_max << "] rule "
      << (d.rule == ir::Requantization::kFixedPoint ? "fixed" : "float") << " multipliers " << real.size();
    return s.str();
  }
};

// The reference output, NHWC int8.
std::vector<int8_t> Reference(const Case& c, int out_h, int out_w) {
  const QConvDesc& d = c.desc;
  const int cin = d.in_channels, cout = d.out_channels;
  std::vector<int32_t> x_nchw(c.x.size());
  for (int b = 0; b < c.batch; ++b) {
    for (int y = 0; y < c.in_h; ++y) {
      for (int xx = 0; xx < c.in_w; ++xx) {
        for (int ch = 0; ch < cin; ++ch) {
          x_nchw[((static_cast<size_t>(b) * cin + ch) * c.in_h + y) * c.in_w + xx] =
              c.x[((static_cast<size_t>(b) * c.in_h + y) * c.in_w + xx) * cin + ch] - d.input_zero_point;
        }
      }
    }
  }
  std::vector<int32_t> w(c.w.begin(), c.w.end());
  ops::ConvShape g;
  g.batch = c.batch;
  g.in_channels = cin;
  g.out_channels = cout;
  g.group = 1;
  g.window.in = {c.in_h, c.in_w};
  g.window.out = {out_h, out_w};
  g.window.kernel = {d.kernel_h, d.kernel_w};
  g.window.strides = {d.stride_h, d.stride_w};
  g.window.dilations = {d.dilation_h, d.dilation_w};
  g.window.pad_begin = {d.pad_top, d.pad_left};
  g.window.pad_end = {d.pad_bottom, d.pad_right};
  const std::vector<int64_t> acc = ref::IntegerConv(x_nchw, w, g);

  ref::ChannelRequant requant;
  for (size_t i = 0; i < c.real.size(); ++i) {
    ref::Rescaler r;
    r.rule = d.rule;
    if (d.rule == ir::Requantization::kFixedPoint) {
      r.fixed = d.fixed[i];
    } else {
      r.real = d.real[i];
    }
    requant.multipliers.push_back(r);
  }
  if (c.has_bias) requant.bias = c.bias;
  requant.output_zero_point = d.output_zero_point;
  requant.limits = {d.output_min, d.output_max};
  std::vector<int8_t> y(static_cast<size_t>(c.batch) * out_h * out_w * cout);
  for (int b = 0; b < c.batch; ++b) {
    for (int o = 0; o < cout; ++o) {
      for (int p = 0; p < out_h * out_w; ++p) {
        const int64_t sum = acc[(static_cast<size_t>(b) * cout + o) * out_h * out_w + p];
        y[(static_cast<size_t>(b) * out_h * out_w + p) * cout + o] =
            static_cast<int8_t>(requant.Apply(sum, o));
      }
    }
  }
  return y;
}

// Multipliers around the scale that maps a typical accumulator to int8, with
// a spread that saturates some outputs and rounds others to 0, plus extremes
// (a left shift, a zero multiplier) in some cases.
void ChooseMultipliers(std::mt19937& rng, bool per_channel, bool extremes, Case* c) {
  QConvDesc& d = c->desc;
  const int count = per_channel ? d.out_channels : 1;
  const double k = static_cast<double>(d.in_channels) * d.kernel_h * d.kernel_w;
  const double base = 1.0 / (std::sqrt(k) * 128.0 * 48.0);
  std::uniform_real_distribution<double> spread(-3.0, 4.0);
  c->real.clear();
  for (int i = 0; i < count; ++i) {
    double r = base * std::exp2(spread(rng));
    if (extremes && i % 5 == 1) r = 3.75;      // shift > 0: saturating left shift
    if (extremes && i % 7 == 2) r = 1e-11;     // multiplier 0
    if (extremes && i % 11 == 3) r = 0.49999;  // rounding ties are common
    c->real.push_back(r);
  }
  d.fixed.clear();
  d.real.clear();
  for (double r : c->real) {
    if (d.rule == ir::Requantization::kFixedPoint) {
      Result<quant::QuantizedMultiplier> m = quant::QuantizeMultiplier(r);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      d.fixed.push_back(m.value());
    } else {
      d.real.push_back(static_cast<float>(r));
    }
  }
}

Case RandomCase(std::mt19937& rng, int index) {
  auto uni = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Case c;
  QConvDesc& d = c.desc;
  const int kernels[] = {1, 1, 3, 3, 5, 7};
  d.kernel_h = kernels[uni(0, 5)];
  d.kernel_w = uni(0, 3) == 0 ? kernels[uni(0, 5)] : d.kernel_h;
  d.stride_h = uni(1, 2);
  d.stride_w = uni(0, 2) == 0 ? 3 - d.stride_h : d.stride_h;
  d.dilation_h = uni(0, 4) == 0 ? 2 : 1;
  d.dilation_w = uni(0, 4) == 0 ? 2 : 1;
  d.pad_top = uni(0, d.kernel_h / 2 + 1);
  d.pad_bottom = uni(0, d.kernel_h / 2);
  d.pad_left = uni(0, d.kernel_w / 2);
  d.pad_right = uni(0, d.kernel_w / 2 + 1);
  d.in_channels = uni(1, 3) == 1 ? uni(1, 5) : uni(6, 70);
  d.out_channels = uni(1, 4) == 1 ? uni(1, 9) : uni(10, 150);
  c.batch = uni(1, 3);
  const int eff_h = (d.kernel_h - 1) * d.dilation_h + 1, eff_w = (d.kernel_w - 1) * d.dilation_w + 1;
  c.in_h = std::max(eff_h - d.pad_top - d.pad_bottom, 1) + uni(0, 9);
  c.in_w = std::max(eff_w - d.pad_left - d.pad_right, 1) + uni(0, 9);
  const int zps[] = {-128, 127, 0, -5, 33};
  d.input_zero_point = uni(0, 2) == 0 ? zps[uni(0, 4)] : uni(-128, 127);
  d.output_zero_point = uni(0, 2) == 0 ? zps[uni(0, 4)] : uni(-128, 127);
  d.output_min = uni(0, 1) == 0 ? -128 : uni(-128, 0);
  d.output_max = uni(0, 1) == 0 ? 127 : uni(d.output_min, 127);
  d.rule = index % 2 == 0 ? ir::Requantization::kFixedPoint : ir::Requantization::kFloat;
  c.x.resize(static_cast<size_t>(c.batch) * c.in_h * c.in_w * d.in_channels);
  for (int8_t& v : c.x) v = static_cast<int8_t>(uni(-128, 127));
  c.w.resize(static_cast<size_t>(d.out_channels) * d.in_channels * d.kernel_h * d.kernel_w);
  const int wmin = index % 3 == 0 ? -128 : -127;
  for (int8_t& v : c.w) v = static_cast<int8_t>(uni(wmin, 127));
  c.has_bias = index % 4 != 3;
  c.bias.resize(static_cast<size_t>(d.out_channels));
  const int bias_range = index % 9 == 4 ? (1 << 30) : (1 << 16);
  for (int32_t& b : c.bias) b = uni(-bias_range, bias_range);
  ChooseMultipliers(rng, /*per_channel=*/index % 5 != 0, /*extremes=*/index % 3 == 1, &c);
  return c;
}

// Runs `c` with every ISA and each pool (nullptr = calling thread) and
// compares with the reference.
void Check(const Case& c, const std::vector<pthreadpool_t>& pools) {
  SCOPED_TRACE(c.Describe());
  for (Isa isa : TestedIsas()) {
    SCOPED_TRACE(IsaName(isa));
    Result<std::unique_ptr<QConv>> conv =
        QConv::Create(c.desc, c.w.data(), c.has_bias ? c.bias.data() : nullptr, isa);
    ASSERT_TRUE(conv.ok()) << conv.status().ToString();
    const QConv& q = **conv;
    const int out_h = q.OutputHeight(c.in_h), out_w = q.OutputWidth(c.in_w);
    ASSERT_GE(out_h, 1);
    ASSERT_GE(out_w, 1);
    const std::vector<int8_t> expected = Reference(c, out_h, out_w);
    for (pthreadpool_t pool : pools) {
      const size_t threads = pool != nullptr ? pthreadpool_get_threads_count(pool) : 1;
      SCOPED_TRACE("threads " + std::to_string(threads));
      std::vector<uint8_t> workspace(q.WorkspaceBytes(c.batch, c.in_h, c.in_w, threads));
      // A guard byte after the output catches stores past its end.
      std::vector<int8_t> y(expected.size() + 1, 0x5a);
      q.Run(c.x.data(), c.batch, c.in_h, c.in_w, y.data(), workspace.data(), pool);
      EXPECT_EQ(y.back(), 0x5a) << "store past the end of the output";
      y.pop_back();
      size_t mismatches = 0, first = 0;
      for (size_t i = 0; i < y.size(); ++i) {
        if (y[i] != expected[i] && mismatches++ == 0) first = i;
      }
      EXPECT_EQ(mismatches, 0u) << "first at " << first << " (channel " << first % c.desc.out_channels
                                << "): got " << int{y[first]} << ", want " << int{expected[first]};
    }
  }
}

TEST(X86QConvTest, RandomShapesMatchReferenceBitExact) {
  std::mt19937 rng(20261122);
  Pool two(pthreadpool_create(2));
  Pool three(pthreadpool_create(3));
  for (int i = 0; i < 48; ++i) {
    Case c = RandomCase(rng, i);
    // Threaded runs on a third of the cases keep the test fast.
    std::vector<pthreadpool_t> pools = {nullptr};
    if (i % 3 == 0) pools = {nullptr, two.get(), three.get()};
    Check(c, pools);
    if (HasFailure()) break;
  }
}

TEST(X86QConvTest, FullyConnectedRowsMatchReference) {
  std::mt19937 rng(7);
  Pool two(pthreadpool_create(2));
  for (int rule = 0; rule < 2; ++rule) {
    for (int rows : {1, 3, 13}) {
      Case c = RandomCase(rng, rule);
      QConvDesc& d = c.desc;
      d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = d.dilation_h = d.dilation_w = 1;
      d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
      d.in_channels = rows == 3 ? 304 : 301;  // 304: rows packed as one contiguous block
      d.out_channels = 203;
      c.batch = rows;
      c.in_h = c.in_w = 1;
      c.x.resize(static_cast<size_t>(rows) * d.in_channels);
      for (int8_t& v : c.x) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
      c.w.resize(static_cast<size_t>(d.out_channels) * d.in_channels);
      for (int8_t& v : c.w) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-127, 127)(rng));
      c.bias.resize(static_cast<size_t>(d.out_channels), 1000);
      ChooseMultipliers(rng, /*per_channel=*/true, /*extremes=*/false, &c);
      Check(c, {nullptr, two.get()});
    }
  }
}

// More output pixels than one packed tile holds, split over threads.
TEST(X86QConvTest, ManyRowTilesMatchReference) {
  std::mt19937 rng(99);
  Pool two(pthreadpool_create(2));
  Case c = RandomCase(rng, 0);
  QConvDesc& d = c.desc;
  d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = d.dilation_h = d.dilation_w = 1;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
  d.in_channels = 8;
  d.out_channels = 20;
  c.batch = 2;
  c.in_h = 41;
  c.in_w = 37;
  c.x.resize(static_cast<size_t>(c.batch) * c.in_h * c.in_w * d.in_channels);
  for (int8_t& v : c.x) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  c.w.resize(static_cast<size_t>(d.out_channels) * d.in_channels);
  for (int8_t& v : c.w) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-127, 127)(rng));
  c.bias.resize(static_cast<size_t>(d.out_channels), -77);
  ChooseMultipliers(rng, /*per_channel=*/true, /*extremes=*/true, &c);
  Check(c, {nullptr, two.get()});
}

// Power-of-two multipliers make rounding ties (x.5) common: every other
// accumulator for 2^-1, one in 2^k for 2^-k. A 1x1 convolution of one input
// channel over the 256 int8 values gives small accumulators, so most outputs
// land inside the clamp where a wrong tie rule shows.
TEST(X86QConvTest, RequantizationTiesMatchReference) {
  std::mt19937 rng(5);
  for (int rule = 0; rule < 2; ++rule) {
    Case c;
    QConvDesc& d = c.desc;
    d.rule = rule == 0 ? ir::Requantization::kFixedPoint : ir::Requantization::kFloat;
    d.in_channels = 1;
    d.out_channels = 53;
    d.input_zero_point = -3;
    d.output_zero_point = 7;
    c.in_h = c.in_w = 16;
    for (int v = -128; v < 128; ++v) c.x.push_back(static_cast<int8_t>(v));
    for (int o = 0; o < d.out_channels; ++o) {
      c.w.push_back(static_cast<int8_t>(o % 2 == 0 ? 1 + o % 7 : -(1 + o % 5)));
      c.bias.push_back(std::uniform_int_distribution<int>(-300, 300)(rng));
      double r;
      if (o < 16) {
        r = std::ldexp(1.0, -(1 + o % 9));  // ties
      } else if (o < 32) {
        r = 3.0 * std::ldexp(1.0, -(3 + o % 7));  // ties too
      } else if (o < 38) {
        r = 1.0 + (o - 32) * 0.5;  // >= 1: left shifts
      } else {
        r = std::exp2(std::uniform_real_distribution<double>(-10.0, 0.0)(rng));
      }
      c.real.push_back(r);
      if (d.rule == ir::Requantization::kFixedPoint) {
        Result<quant::QuantizedMultiplier> m = quant::QuantizeMultiplier(r);
        ASSERT_TRUE(m.ok());
        d.fixed.push_back(m.value());
      } else {
        d.real.push_back(static_cast<float>(r));
      }
    }
    Check(c, {nullptr});
  }
}

TEST(X86QConvTest, EveryIsaVariantRunsUnderItsName) {
  QConvDesc d;
  d.in_channels = 4;
  d.out_channels = 4;
  d.fixed = {{1 << 30, -3}};
  const std::vector<int8_t> w(16, 1);
  for (Isa isa : TestedIsas()) {
    Result<std::unique_ptr<QConv>> conv = QConv::Create(d, w.data(), nullptr, isa);
    ASSERT_TRUE(conv.ok()) << conv.status().ToString();
    EXPECT_EQ((*conv)->isa(), isa);
    EXPECT_NE(std::string((*conv)->name()).find(std::string("conv2d_qs8_qc8w_fixedpoint_") + IsaName(isa)),
              std::string::npos)
        << (*conv)->name();
    EXPECT_GT((*conv)->packed_bytes(), 0u);
  }
  EXPECT_LE(BestIsa(), Isa::kAvx512Vnni);
  EXPECT_TRUE(IsaSupported(Isa::kPortable));
}

TEST(X86QConvTest, CreateRejectsInconsistentDescriptors) {
  const std::vector<int8_t> w(64, 1);
  QConvDesc good;
  good.in_channels = 4;
  good.out_channels = 4;
  good.fixed = {{1 << 30, -3}};
  ASSERT_TRUE(QConv::Create(good, w.data(), nullptr, Isa::kPortable).ok());
  std::vector<QConvDesc> bad(5, good);
  bad[0].input_zero_point = 128;
  bad[1].output_min = 10;
  bad[1].output_max = 9;
  bad[2].fixed = {{1 << 30, -3}, {1 << 30, -3}};
  bad[3].stride_h = 0;
  bad[4].rule = ir::Requantization::kFloat;  // no float multipliers
  for (const QConvDesc& d : bad) {
    Result<std::unique_ptr<QConv>> conv = QConv::Create(d, w.data(), nullptr, Isa::kPortable);
    ASSERT_FALSE(conv.ok());
    EXPECT_EQ(conv.status().code(), StatusCode::kInvalidArgument) << conv.status().ToString();
  }
}

}  // namespace
}  // namespace qforge::kernels::x86
