// Child processes for end-to-end tests, always stopped: the destructor kills
// what is still running.
//
//   cmc::testing::ChildProcess gateway({binary, "--grpc_port=0"},
//   {{"CMC_LOG_LEVEL", "info"}},
//                                      log_path);
//   ...
//   EXPECT_EQ(gateway.Terminate(), 0);  // SIGTERM, wait; the exit status
#ifndef CMC_COMMON_TESTING_PROCESS_H_
#define CMC_COMMON_TESTING_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace cmc::testing {

class ChildProcess {
 public:
  // Starts argv[0] with `argv`, the current environment plus `env`, stdout and
  // stderr written to `log_path` (emptied first).
  ChildProcess(std::vector<std::string> argv,
               std::map<std::string, std::string> env, std::string log_path);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // SIGKILL and reap when still running.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool Running();
  // SIGTERM, then waits up to `wait` (then SIGKILL). The exit status, or 128 +
  // signal.
  int Terminate(absl::Duration wait = absl::Seconds(20));
  void Kill();
  const std::string& log_path() const { return log_path_; }
  std::string ReadLog() const;

 private:
  int Reap(bool block);
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago: bound and released,
// picked at random below the kernel's ephemeral range (so no outgoing
// connection takes it before the child binds it), never twice per process.
int FreePort();

}  // namespace cmc::testing

#endif  // CMC_COMMON_TESTING_PROCESS_H_
