#include "io/mapped_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <set>

#include "io/regular_file.h"

namespace qforge::io {

namespace {

constexpr size_t kHeapAlignment = 64;  // as Tensor's own storage, so views of it are as aligned

// The mappings alive in the process, for ReleaseAll(). Never destroyed: a
// mapping owned by a static may be unmapped after other statics are gone.
std::mutex& RegistryMutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::set<const MappedFile*>& Registry() {
  static auto* live = new std::set<const MappedFile*>;
  return *live;
}

}  // namespace

Result<std::shared_ptr<const MappedFile>> MappedFile::Open(const std::string& path, size_t max_bytes) {
  QF_ASSIGN_OR_RETURN(ReadOnlyFile f, ReadOnlyFile::Open(path));
  const uint64_t size = f.size();
  if (size > max_bytes) {
    return InvalidArgument(path + ": file is " + std::to_string(size) + " bytes, over the limit of " +
                           std::to_string(max_bytes));
  }
  std::shared_ptr<MappedFile> m(new MappedFile());
  m->path_ = path;
  m->size_ = static_cast<size_t>(size);
  if (size > 0) {
    void* p = ::mmap(nullptr, m->size_, PROT_READ, MAP_PRIVATE, f.fd(), 0);
    if (p != MAP_FAILED) {
      m->data_ = p;
      m->mapped_ = true;
      std::lock_guard<std::mutex> lock(RegistryMutex());
      Registry().insert(m.get());
      return std::shared_ptr<const MappedFile>(std::move(m));
    }
  }
  // Fallback: read it all. An empty file still gets a (non-null) buffer.
  const size_t alloc = (m->size_ + kHeapAlignment) / kHeapAlignment * kHeapAlignment;
  m->data_ = std::aligned_alloc(kHeapAlignment, alloc);
  if (m->data_ == nullptr)
    return IoError(path + ": out of memory reading " + std::to_string(size) + " bytes");
  QF_ASSIGN_OR_RETURN(size_t got, f.ReadAt(0, m->data_, m->size_));
  if (got != m->size_) return IoError(path + ": read failed: file shrank while being read");
  return std::shared_ptr<const MappedFile>(std::move(m));
}

MappedFile::~MappedFile() {
  if (data_ == nullptr) return;
  if (mapped_) {
    {
      std::lock_guard<std::mutex> lock(RegistryMutex());
      Registry().erase(this);
    }
    ::munmap(data_, size_);
  } else {
    std::free(data_);
  }
}

void MappedFile::Release(size_t offset, size_t size) const {
  if (!mapped_ || offset >= size_) return;
  size = std::min(size, size_ - offset);
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data_) + offset;
  const uintptr_t first = (begin + page - 1) / page * page;  // whole pages only: neighbours may be in use
  const uintptr_t last = (begin + size) / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void MappedFile::ReleaseAll() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  for (const MappedFile* f : Registry()) f->Release(0, f->size());
}

void MappedFile::Release(std::string_view bytes) const {
  if (bytes.data() < data() || bytes.data() > data() + size_) return;
  Release(static_cast<size_t>(bytes.data() - data()), bytes.size());
}

}  // namespace qforge::io
