#include "cli/output_paths.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <utility>

namespace qforge::cli {

namespace {

using FileId = std::pair<dev_t, ino_t>;

// Every file `path` stands for, following symlinks: itself, or the files
// under it when it is a folder. Unreadable entries are skipped: the reader
// reports them, and a file we cannot stat is not one we could overwrite.
void AddInput(const std::string& path, std::map<FileId, std::string>* ids) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return;
  ids->emplace(FileId{st.st_dev, st.st_ino}, path);
  if (!S_ISDIR(st.st_mode)) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().string();
    if (::stat(file.c_str(), &st) == 0) ids->emplace(FileId{st.st_dev, st.st_ino}, file);
  }
}

}  // namespace

Status CheckOutputPaths(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  std::map<FileId, std::string> input_ids, output_ids;
  for (const std::string& in : inputs) AddInput(in, &input_ids);
  std::map<std::string, std::string> new_names;  // outputs that do not exist yet, by absolute name
  for (const std::string& out : outputs) {
    if (out.empty()) continue;
    struct stat st {};
    if (::stat(out.c_str(), &st) != 0) {
      std::error_code ec;
      const std::filesystem::path name = std::filesystem::weakly_canonical(out, ec);
      auto [it, fresh] = new_names.emplace(ec ? out : name.string(), out);
      if (!fresh)
        return InvalidArgument(out + ": is also the output " + it->second + "; refusing to write it twice");
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      return InvalidArgument(out + ": is not a regular file (a device, FIFO or directory); " +
                             "qforge writes only regular files");
    }
    const FileId id{st.st_dev, st.st_ino};
    if (auto in = input_ids.find(id); in != input_ids.end()) {
      return InvalidArgument(out + ": is the same file as the input " + in->second +
                             "; refusing to overwrite it");
    }
    if (auto [it, fresh] = output_ids.emplace(id, out); !fresh) {
      return InvalidArgument(out + ": is also the output " + it->second + "; refusing to write it twice");
    }
  }
  return Status::Ok();
}

}  // namespace qforge::cli
