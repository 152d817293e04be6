#include "runtime/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace qforge::runtime {

namespace {
std::atomic<int> g_parallel_runs{0};
}  // namespace

int AvailableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(int threads) : threads_(threads <= 0 ? AvailableCores() : threads) {
  if (threads_ > 1) {
    pool_ = pthreadpool_create(static_cast<size_t>(threads_));
    if (pool_ == nullptr) threads_ = 1;  // no threads available: run on the caller
  }
}

ThreadPool::~ThreadPool() {
  if (pool_ != nullptr) pthreadpool_destroy(pool_);
}

ParallelGuard::ParallelGuard(const ThreadPool* pool) {
  if (pool == nullptr || pool->get() == nullptr) return;
  int expected = 0;
  if (g_parallel_runs.compare_exchange_strong(expected, 1)) {
    owns_ = true;
    pool_ = pool->get();
  }
}

ParallelGuard::~ParallelGuard() {
  if (owns_) g_parallel_runs.store(0);
}

}  // namespace qforge::runtime
