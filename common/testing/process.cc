#include "common/testing/process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>

#include "absl/time/clock.h"

namespace cmc::testing {

ChildProcess::ChildProcess(std::vector<std::string> argv,
                           std::map<std::string, std::string> env,
                           std::string log_path)
    : log_path_(std::move(log_path)) {
  // Emptied here, before the child exists, so the caller never reads an earlier
  // run's output.
  const int log_fd =
      open(log_path_.c_str(),
           O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  pid_ = fork();
  if (pid_ < 0) {
    std::perror("fork");
    std::abort();
  }
  if (pid_ == 0) {
    // The child: its own signal mask (the test may block signals), output to
    // the log.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // A test that aborts skips its destructors; the stack must not outlive it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (log_fd >= 0) {
      dup2(log_fd, STDOUT_FILENO);
      dup2(log_fd, STDERR_FILENO);
      close(log_fd);
    }
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::perror("execv");
    _exit(127);
  }
  if (log_fd >= 0) close(log_fd);
}

ChildProcess::~ChildProcess() { Kill(); }

int ChildProcess::Reap(bool block) {
  if (pid_ <= 0) return status_;
  int raw = 0;
  const pid_t done = waitpid(pid_, &raw, block ? 0 : WNOHANG);
  if (done == pid_) {
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    pid_ = -1;
  }
  return status_;
}

bool ChildProcess::Running() {
  Reap(/*block=*/false);
  return pid_ > 0;
}

int ChildProcess::Terminate(absl::Duration wait) {
  if (!Running()) return status_;
  kill(pid_, SIGTERM);
  const absl::Time give_up = absl::Now() + wait;
  while (Running() && absl::Now() < give_up)
    absl::SleepFor(absl::Milliseconds(20));
  if (Running()) Kill();
  return status_;
}

void ChildProcess::Kill() {
  if (!Running()) return;
  kill(pid_, SIGKILL);
  Reap(/*block=*/true);
}

std::string ChildProcess::ReadLog() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

// True when `port` on 127.0.0.1 can be bound right now.
bool Bindable(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

int FreePort() {
  // Below Linux's ephemeral range (32768-60999 by default), so that no
  // outgoing connection of another test takes the port between this check
  // and the child's bind: a port the kernel hands out for port 0 is an
  // ephemeral one, and that race failed CI once. Random, and never the same
  // port twice from one process, so parallel test binaries rarely collide.
  static std::mutex mu;
  static std::set<int> given;
  static std::mt19937 random(std::random_device{}() ^
                             static_cast<unsigned>(getpid()));
  std::lock_guard<std::mutex> lock(mu);
  std::uniform_int_distribution<int> pick(20000, 32000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = pick(random);
    if (given.count(port) > 0 || !Bindable(port)) continue;
    given.insert(port);
    return port;
  }
  std::fprintf(stderr, "FreePort: no free port in 20000-32000\n");
  std::abort();
}

}  // namespace cmc::testing
