// The whole CMC deployment for end-to-end tests and benchmarks: the five
// domain services and the gateway as child processes on free ports, each
// domain service with a fresh database of its own in the shared MariaDB (so
// two stacks never see each other's rows), the gateway with the shipped access
// policy and an HS256 secret of the stack's own, and every internal hop on
// mutual TLS with certificates of the stack's own CA (scripts/make-certs), as
// deployed.
//
//   cmc::testing::Stack stack(
//       cmc::testing::StackOptions(CMC_BINARY_DIR, CMC_SOURCE_DIR));
//   ASSERT_TRUE(stack.Start().ok()) << stack.Logs();
//   auto stub = InstitutionService::NewStub(stack.GatewayChannel());
//   grpc::ClientContext context;
//   Stack::AddBearer(&context, stack.Token("user:li", "community_admin",
//                                          "community:c1"));
//
// Every process is stopped when the Stack is destroyed, also when a test
// fails; each dies with the test process (PR_SET_PDEATHSIG).
#ifndef CMC_COMMON_TESTING_STACK_H_
#define CMC_COMMON_TESTING_STACK_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/testing/process.h"

namespace cmc::testing {

struct StackOptions {
  StackOptions(std::string binary_dir, std::string source_dir)
      : binary_dir(std::move(binary_dir)), source_dir(std::move(source_dir)) {}

  // The build tree's root (CMC_BINARY_DIR): binaries are found under
  // services/<area>/cmc-<area> and tools/cmcctl/cmcctl.
  std::string binary_dir;
  // The repository's root: the gateway reads
  // deploy/gateway/policy.textproto from it.
  std::string source_dir;
  // The domain services to start, in order (institution first: referral asks
  // it for tiers). The gateway is always started.
  std::vector<std::string> areas = {"institution", "referral", "dispatch",
                                    "finance", "indicator"};
  // Extra environment for one process ("gateway" or an area), e.g.
  // {"gateway", {{"CMC_RATE_LIMIT_PER_S", "5"}}}.
  std::map<std::string, std::map<std::string, std::string>> env;
  // Mutual TLS on the internal hops (the default, as deployed); false runs
  // them in plaintext, where the services believe any principal header.
  bool internal_tls = true;
  // Where the processes' logs go. When empty, a new directory under $TMPDIR
  // (or /tmp) that is removed with the Stack unless the environment sets
  // CMC_KEEP_STACK_LOGS=1 (failure messages carry the logs' ends: Logs()).
  std::string log_dir;
};

class Stack {
 public:
  explicit Stack(StackOptions options);
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  ~Stack();

  // Creates the databases, starts every process and waits until each serves,
  // and until the gateway reports every backend SERVING. The first failure
  // names the process; Logs() has the details.
  absl::Status Start(absl::Duration timeout = absl::Seconds(60));

  std::string GatewayAddress() const;
  // "127.0.0.1:<port>" of a domain service's gRPC port.
  std::string ServiceAddress(const std::string& area) const;
  int MetricsPort(const std::string& name) const;
  std::shared_ptr<grpc::Channel> GatewayChannel() const;
  // A channel to a domain service as the gateway makes it (its certificate,
  // so the principal headers a test attaches are believed).
  std::shared_ptr<grpc::Channel> ServiceChannel(const std::string& area) const;
  // Channel credentials holding the certificate of `who` ("gateway", an area,
  // or "cmcctl": a certificate of the CA that names no caller); plaintext
  // without internal TLS.
  std::shared_ptr<grpc::ChannelCredentials> InternalCredentials(
      const std::string& who) const;
  // The stack's certificates (make-certs output); "" without internal TLS.
  const std::string& cert_dir() const { return cert_dir_; }
  const std::string& log_dir() const { return log_dir_; }

  // A bearer token of the stack's issuer minted by `cmcctl token` (the tool
  // operators use): subject, comma-separated roles and scope ("county",
  // "community:<id>", "institution:<id>"), plus extra cmcctl flags.
  std::string Token(const std::string& subject, const std::string& roles,
                    const std::string& scope = "county",
                    const std::string& extra_flags = "") const;
  static void AddBearer(grpc::ClientContext* context, const std::string& token);
  // A context for one call with `token` as its bearer ("" = none) and a
  // deadline `timeout` from now.
  static std::unique_ptr<grpc::ClientContext> Context(
      const std::string& token, absl::Duration timeout = absl::Seconds(30));

  // One process by name ("gateway" or an area). Terminate sends SIGTERM and
  // returns the exit status; Kill is SIGKILL; Restart starts it again on the
  // same ports and database and waits until it serves.
  int Terminate(const std::string& name);
  void Kill(const std::string& name);
  absl::Status Restart(const std::string& name,
                       absl::Duration timeout = absl::Seconds(60));
  bool Running(const std::string& name);
  // The process id of a running process (to pin it to CPUs, to profile it).
  pid_t Pid(const std::string& name) const { return Get(name).child->pid(); }
  // Stops every process (gateway first); the exit status of each.
  std::map<std::string, int> TerminateAll();

  // The end of every process's log, for failure messages.
  std::string Logs() const;

  // The health service name a backend is reported under by the gateway:
  // "cmc.<area>.v1.<Area>Service".
  static std::string HealthName(const std::string& area);

 private:
  struct Process {
    std::unique_ptr<ChildProcess> child;
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    int grpc_port = 0;
    int metrics_port = 0;
  };
  void Launch(const std::string& name);
  absl::Status WaitServing(const std::string& name, absl::Duration timeout);
  const Process& Get(const std::string& name) const;

  StackOptions options_;
  std::string log_dir_;
  bool remove_log_dir_ = false;
  std::string secret_file_;
  std::string cert_dir_;
  std::map<std::string, Process> processes_;
};

}  // namespace cmc::testing

#endif  // CMC_COMMON_TESTING_STACK_H_
