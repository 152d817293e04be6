// The runtime's thread pool: pthreadpool (the pool XNNPACK and TFLite use),
// one per Session. Work is split inside ops; the calling thread takes part.
//
// No oversubscription when the caller runs several sessions on its own
// threads: only one Run at a time in the process may use its pool; a Run
// that starts while another one is using a pool runs on its calling thread
// alone (ParallelGuard). A caller that runs N sessions in parallel on N
// cores therefore gets N busy cores, not N x threads.
#pragma once

#include <pthreadpool.h>

#include <atomic>
#include <memory>

namespace qforge::runtime {

// Cores available to this process (sched affinity), at least 1.
int AvailableCores();

class ThreadPool {
 public:
  // threads <= 0: AvailableCores(). 1 creates no workers.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  // nullptr when single-threaded (pthreadpool then runs on the caller).
  pthreadpool_t get() const { return pool_; }

 private:
  int threads_ = 1;
  pthreadpool_t pool_ = nullptr;
};

// Held for the duration of one Run: pool() is the session's pool when no
// other Run in the process holds one, else nullptr (run on the caller).
class ParallelGuard {
 public:
  explicit ParallelGuard(const ThreadPool* pool);
  ~ParallelGuard();
  ParallelGuard(const ParallelGuard&) = delete;
  ParallelGuard& operator=(const ParallelGuard&) = delete;
  pthreadpool_t pool() const { return pool_; }

 private:
  pthreadpool_t pool_ = nullptr;
  bool owns_ = false;
};

}  // namespace qforge::runtime
