#include "kernels/ref/onnx_integer/qconv_core.h"

#include "core/check.h"

namespace qforge::kernels::ref {

namespace {
int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t d : v) p *= d;
  return p;
}

// Unflattens a row-major index over `dims` into coords.
void Unflatten(int64_t index, const std::vector<int64_t>& dims, std::vector<int64_t>* coords) {
  for (size_t i = dims.size(); i-- > 0;) {
    (*coords)[i] = index % dims[i];
    index /= dims[i];
  }
}
}  // namespace

std::vector<int64_t> IntegerConv(std::span<const int32_t> x, std::span<const int32_t> w,
                                 const ops::ConvShape& g) {
  const ops::WindowGeometry& win = g.window;
  const size_t rank = win.kernel.size();
  const int64_t in_size = Product(win.in);
  const int64_t out_size = Product(win.out);
  const int64_t kernel_size = Product(win.kernel);
  const int64_t c_per_group = g.in_channels / g.group;
  const int64_t m_per_group = g.out_channels / g.group;
  QF_CHECK(static_cast<int64_t>(x.size()) == g.batch * g.in_channels * in_size);
  QF_CHECK(static_cast<int64_t>(w.size()) == g.out_channels * c_per_group * kernel_size);

  // Kernel offsets (dilated) per kernel position, per spatial dim.
  std::vector<std::vector<int64_t>> kernel_offsets(static_cast<size_t>(kernel_size),
                                                   std::vector<int64_t>(rank));
  for (int64_t k = 0; k < kernel_size; ++k) {
    std::vector<int64_t>& off = kernel_offsets[static_cast<size_t>(k)];
    Unflatten(k, win.kernel, &off);
    for (size_t i = 0; i < rank; ++i) off[i] *= win.dilations[i];
  }

  std::vector<int64_t> acc(static_cast<size_t>(g.batch * g.out_channels * out_size), 0);
  std::vector<int64_t> out_coord(rank), origin(rank);
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t m = 0; m < g.out_channels; ++m) {
      const int64_t c_begin = (m / m_per_group) * c_per_group;
      const int32_t* w_m = w.data() + m * c_per_group * kernel_size;
      int64_t* acc_nm = acc.data() + (n * g.out_channels + m) * out_size;
      for (int64_t o = 0; o < out_size; ++o) {
        Unflatten(o, win.out, &out_coord);
        for (size_t i = 0; i < rank; ++i) origin[i] = out_coord[i] * win.strides[i] - win.pad_begin[i];
        int64_t sum = 0;
        for (int64_t k = 0; k < kernel_size; ++k) {
          const std::vector<int64_t>& off = kernel_offsets[static_cast<size_t>(k)];
          int64_t in_index = 0;
          bool inside = true;
          for (size_t i = 0; i < rank && inside; ++i) {
            const int64_t pos = origin[i] + off[i];
            inside = pos >= 0 && pos < win.in[i];
            in_index = in_index * win.in[i] + pos;
          }
          if (!inside) continue;
          for (int64_t c = 0; c < c_per_group; ++c) {
            const int64_t x_index = (n * g.in_channels + c_begin + c) * in_size + in_index;
            sum += static_cast<int64_t>(x[static_cast<size_t>(x_index)]) * w_m[c * kernel_size + k];
          }
        }
        acc_nm[o] = sum;
      }
    }
  }
  return acc;
}

}  // namespace qforge::kernels::ref
