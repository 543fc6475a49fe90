// A mailstore that store_bench starts for itself: its own temp data dir, a
// port chosen by the kernel (read back from --store.port_file), output in a
// log file, stopped with SIGTERM when the object goes away.
#ifndef KURIER_BENCH_STORE_BENCH_STORE_PROCESS_H_
#define KURIER_BENCH_STORE_BENCH_STORE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kurier::bench {

class StoreProcess {
 public:
  // Starts `binary` with a data dir, port file and log under a new temp dir
  // in parent_dir, plus extra_args, and waits (up to 60 s) until it has
  // written its port. The child gets SIGTERM if this process dies first.
  static absl::StatusOr<std::unique_ptr<StoreProcess>> Start(const std::string& binary, const std::string& parent_dir,
                                                             const std::vector<std::string>& extra_args,
                                                             bool keep_dir);

  // SIGTERM, up to 20 s to finish, then SIGKILL; removes the temp dir unless
  // keep_dir.
  ~StoreProcess();

  StoreProcess(const StoreProcess&) = delete;
  StoreProcess& operator=(const StoreProcess&) = delete;

  // "127.0.0.1:PORT"
  const std::string& address() const { return address_; }
  const std::string& dir() const { return dir_; }
  // The last bytes of the store's log, for error messages.
  std::string LogTail() const;

 private:
  StoreProcess(pid_t pid, std::string dir, bool keep_dir) : pid_(pid), dir_(std::move(dir)), keep_dir_(keep_dir) {}

  pid_t pid_;
  std::string dir_;
  bool keep_dir_;
  std::string address_;
};

}  // namespace kurier::bench

#endif  // KURIER_BENCH_STORE_BENCH_STORE_PROCESS_H_
