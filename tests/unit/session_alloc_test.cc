// "No allocation per inference": once prepared, a Run of the optimized
// runtime allocates only what it returns (the output tensors and the vector
// holding them). Counted by replacing the global operator new for this test
// binary (C++ allocations: the interpreter's tensors, vectors and
// contexts); counting is switched on only around the measured Run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "qforge/model.h"
#include "qforge/runtime.h"
#include "test_util.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

// Every replaceable form but the aligned ones (which keep their default
// aligned_alloc/free pair), so that a new and its delete always match.
namespace {
void* CountedAlloc(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(std::size_t n) {
  void* p = CountedAlloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace qforge {
namespace {

TEST(SessionAllocTest, RunAllocatesOnlyItsOutputs) {
  for (const char* name : {"models/cnn.onnx", "models/mobilenet.onnx", "models/resnet.onnx"}) {
    auto model = Model::Load(testing::SourcePath(name));
    ASSERT_TRUE(model.ok());
    SessionOptions o;
    o.threads = 1;
    auto session = Session::Create(*model, o);
    ASSERT_TRUE(session.ok());
    Tensor x(DataType::kFloat32, {2, 1, 28, 28});
    for (float& v : x.span<float>()) v = 0.25f;
    auto warm = session->Run({&x, 1});  // prepares: plans, packs weights
    ASSERT_TRUE(warm.ok());
    g_allocations = 0;
    g_counting = true;
    auto out = session->Run({&x, 1});
    g_counting = false;
    ASSERT_TRUE(out.ok());
    // The returned vector, the copy of the input tensor's dims, and per
    // output its buffer, its owner and its dims: a constant, nothing per node
    // or activation (these graphs have 10-60 nodes). XNNPACK's own buffers
    // (malloc, not counted here) are sized at prepare and reused while the
    // shapes stay the same.
    EXPECT_LE(g_allocations.load(), 2 + 3 * static_cast<long>(out->size())) << name;
  }
}

}  // namespace
}  // namespace qforge
