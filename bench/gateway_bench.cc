// The gateway's cost: InstitutionService/GetInstitution called directly on the
// institution service and through the gateway, in one run on one stack (the
// institution binary and the gateway as child processes,
// common/testing/stack.h, on a private MariaDB).
//
//   build/bench/cmc_gateway_bench [--concurrency=4] [--duration_s=10]
//       [--rounds=2] [--warmup_s=1] [--isolate_gateway]
//
// --isolate_gateway pins the gateway to CPU 1 and everything else (the
// callers, the institution service, MariaDB) to CPU 0, for both paths: the
// gateway then has a CPU of its own, as on its own node in a deployment, and
// the result shows what the extra hop costs the callers. Without it every
// process shares every CPU, and the result also shows what the gateway's CPU
// takes away from the backend beside it.
//
// Each round runs `concurrency` callers for `duration_s` seconds per path,
// direct first, then through the gateway, each caller with its own channel
// and calling back to back. Through the gateway every call carries a bearer
// token (county scope, role community_admin), so it pays for the token check,
// the rate limiter, the policy, the relay and the forwarded principal; direct
// calls are anonymous. The gateway's rate limit is raised out of the way.
// Prints calls/s and p50/p99 latency per path over all rounds, the gateway's
// share of the direct throughput and its added p50; the results are recorded
// in docs/benchmarks.md. Exits 1 when a call fails.
#include <dirent.h>
#include <grpcpp/grpcpp.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/testing/stack.h"
#include "common/validators/validators.h"

ABSL_FLAG(int, concurrency, 4, "Callers per path, each calling back to back");
ABSL_FLAG(int, duration_s, 10, "Seconds per path per round");
ABSL_FLAG(int, rounds, 2, "Rounds (direct, then gateway) to run");
ABSL_FLAG(int, warmup_s, 1, "Seconds of calls per path before measuring");
ABSL_FLAG(bool, isolate_gateway, false,
          "Run the gateway on CPU 1 and everything else (callers, institution "
          "service, MariaDB) on CPU 0, as when the gateway has a node of its "
          "own; false = every process shares every CPU");

namespace cmc {
namespace {

namespace inst = institution::v1;
using Clock = std::chrono::steady_clock;
using testing::Stack;

[[noreturn]] void Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "%s: %d %s\n", what.c_str(),
               static_cast<int>(status.error_code()),
               status.error_message().c_str());
  std::exit(1);
}

// A valid USCC of county 360426 (GB 32100 with its GB 11714 organization
// code) for number n.
std::string Uscc(int n) { return MakeUscc("360426", n); }

// A channel of its own (no subchannel shared with the other callers).
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

struct PathResult {
  std::vector<int64_t> micros;  // one per call
  double seconds = 0;
};

// `concurrency` callers of GetInstitution(id) on `address` for `duration`,
// with `token` ("" = anonymous). Latencies are kept when `measure`.
void Run(const std::string& address, const std::string& token,
         const std::string& id, int concurrency, std::chrono::seconds duration,
         bool measure, PathResult* result) {
  std::vector<std::vector<int64_t>> per_caller(concurrency);
  std::vector<std::thread> callers;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + duration;
  for (int c = 0; c < concurrency; ++c) {
    callers.emplace_back([&, c] {
      auto stub = inst::InstitutionService::NewStub(OwnChannel(address));
      inst::GetInstitutionRequest request;
      request.set_id(id);
      inst::Institution response;
      while (Clock::now() < end) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(5));
        if (!token.empty()) Stack::AddBearer(&context, token);
        const Clock::time_point t0 = Clock::now();
        const grpc::Status status =
            stub->GetInstitution(&context, request, &response);
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                                  t0)
                .count();
        if (!status.ok()) {
          Fail(absl::StrCat("GetInstitution via ", address), status);
        }
        per_caller[c].push_back(micros);
      }
    });
  }
  for (std::thread& t : callers) t.join();
  if (!measure) return;
  result->seconds +=
      std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& calls : per_caller) {
    result->micros.insert(result->micros.end(), calls.begin(), calls.end());
  }
}

// Pins every thread of process `pid` (0 = this thread, and so every thread
// and process it starts later) to `cpu`. False when the machine has no such
// CPU or the kernel refuses.
bool PinTo(pid_t pid, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pid == 0) return sched_setaffinity(0, sizeof(set), &set) == 0;
  DIR* tasks = opendir(absl::StrCat("/proc/", pid, "/task").c_str());
  if (tasks == nullptr) return false;
  bool ok = true;
  while (const dirent* task = readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    ok = sched_setaffinity(std::atoi(task->d_name), sizeof(set), &set) == 0 &&
         ok;
  }
  closedir(tasks);
  return ok;
}

double Percentile(std::vector<int64_t> micros, double p) {
  if (micros.empty()) return 0;
  std::sort(micros.begin(), micros.end());
  const size_t index =
      std::min(micros.size() - 1,
               static_cast<size_t>(p * static_cast<double>(micros.size())));
  return static_cast<double>(micros[index]) / 1000.0;
}

int Main() {
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const auto duration = std::chrono::seconds(absl::GetFlag(FLAGS_duration_s));
  const auto warmup = std::chrono::seconds(absl::GetFlag(FLAGS_warmup_s));
  const int rounds = absl::GetFlag(FLAGS_rounds);

  const bool isolate = absl::GetFlag(FLAGS_isolate_gateway);
  if (isolate && !PinTo(0, 0)) {
    std::fprintf(stderr, "cannot pin to CPU 0\n");
    return 1;
  }
  testing::StackOptions options(CMC_BINARY_DIR, CMC_SOURCE_DIR);
  options.areas = {"institution"};
  options.env["gateway"] = {{"CMC_RATE_LIMIT_PER_S", "0"}};  // no limit
  Stack stack(options);
  const absl::Status started = stack.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "stack: %s\n%s\n", started.ToString().c_str(),
                 stack.Logs().c_str());
    return 1;
  }
  if (isolate && !PinTo(stack.Pid("gateway"), 1)) {
    std::fprintf(stderr, "cannot pin the gateway to CPU 1 (2 CPUs needed)\n");
    return 1;
  }
  const std::string token =
      stack.Token("user:bench", "community_admin", "county");

  // One institution to read.
  auto admin = inst::InstitutionService::NewStub(stack.GatewayChannel());
  inst::CreateInstitutionRequest create;
  create.set_request_id("gateway-bench-ins");
  inst::Institution* i = create.mutable_institution();
  i->set_uscc(Uscc(1));
  i->set_name("基准县人民医院");
  i->set_kind("A100");
  i->set_tier(common::v1::TIER_COUNTY);
  i->set_division_code("360426101000");
  inst::Institution created;
  grpc::ClientContext context;
  Stack::AddBearer(&context, token);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  const grpc::Status status =
      admin->CreateInstitution(&context, create, &created);
  if (!status.ok()) Fail("CreateInstitution", status);

  const std::string direct = stack.ServiceAddress("institution");
  const std::string gateway = stack.GatewayAddress();
  Run(direct, "", created.id(), concurrency, warmup, false, nullptr);
  Run(gateway, token, created.id(), concurrency, warmup, false, nullptr);
  PathResult direct_result;
  PathResult gateway_result;
  for (int round = 0; round < rounds; ++round) {
    Run(direct, "", created.id(), concurrency, duration, true, &direct_result);
    Run(gateway, token, created.id(), concurrency, duration, true,
        &gateway_result);
  }

  const double direct_rate =
      static_cast<double>(direct_result.micros.size()) / direct_result.seconds;
  const double gateway_rate =
      static_cast<double>(gateway_result.micros.size()) /
      gateway_result.seconds;
  const double direct_p50 = Percentile(direct_result.micros, 0.50);
  const double gateway_p50 = Percentile(gateway_result.micros, 0.50);
  std::printf(
      "GetInstitution, %d callers, %d x %d s per path, %s\n"
      "direct : %8.0f calls/s  p50 %.3f ms  p99 %.3f ms  (%zu calls)\n"
      "gateway: %8.0f calls/s  p50 %.3f ms  p99 %.3f ms  (%zu calls)\n"
      "gateway/direct throughput %.1f %%, added p50 %.3f ms\n",
      concurrency, rounds, absl::GetFlag(FLAGS_duration_s),
      isolate ? "gateway on CPU 1, the rest on CPU 0" : "all on every CPU",
      direct_rate, direct_p50, Percentile(direct_result.micros, 0.99),
      direct_result.micros.size(), gateway_rate, gateway_p50,
      Percentile(gateway_result.micros, 0.99), gateway_result.micros.size(),
      100.0 * gateway_rate / direct_rate, gateway_p50 - direct_p50);
  stack.TerminateAll();
  return 0;
}

}  // namespace
}  // namespace cmc

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return cmc::Main();
}
