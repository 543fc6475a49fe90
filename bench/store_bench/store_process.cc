#include "bench/store_bench/store_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kurier::bench {
namespace {

// Waits up to `timeout` for the child; true when it has exited.
bool WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<StoreProcess>> StoreProcess::Start(const std::string& binary,
                                                                  const std::string& parent_dir,
                                                                  const std::vector<std::string>& extra_args,
                                                                  bool keep_dir) {
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("no mailstore binary at ", binary,
                                            " (bazel build //services/mailstore:mailstore, or pass "
                                            "--mailstore_binary=PATH or --store=HOST:PORT)"));
  }
  std::string pattern = absl::StrCat(parent_dir, "/store_bench.XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot make a temp dir in ", parent_dir, ": ", std::strerror(errno)));
  }
  const std::string dir = pattern;
  const std::string port_file = dir + "/port";
  const std::string log_file = dir + "/mailstore.log";

  std::vector<std::string> args = {binary,
                                   "--store.data_dir=" + dir + "/data",
                                   "--store.listen=127.0.0.1:0",
                                   "--store.port_file=" + port_file,
                                   "--store.metrics_listen=off"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) dup2(null, STDIN_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }

  std::unique_ptr<StoreProcess> process(new StoreProcess(pid, dir, keep_dir));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::ifstream in(port_file);
    std::string text;
    int port = 0;
    if (in && std::getline(in, text) && absl::SimpleAtoi(std::string(absl::StripAsciiWhitespace(text)), &port) &&
        port > 0) {
      process->address_ = absl::StrCat("127.0.0.1:", port);
      return process;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      process->pid_ = -1;
      return absl::UnavailableError(absl::StrCat("mailstore exited before it was ready (status ", status,
                                                 "); its log:\n", process->LogTail()));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("mailstore wrote no port file within 60 s; its log:\n", process->LogTail()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

StoreProcess::~StoreProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    if (!WaitFor(pid_, std::chrono::seconds(20))) {
      kill(pid_, SIGKILL);
      WaitFor(pid_, std::chrono::seconds(5));
    }
  }
  if (!keep_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string StoreProcess::LogTail() const {
  std::ifstream in(dir_ + "/mailstore.log");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string log = buffer.str();
  return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
}

}  // namespace kurier::bench
