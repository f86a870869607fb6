// Measures full referral cycles (create -> accept -> arrive -> complete, four
// calls, each waiting for the previous one) through the gateway and directly
// against the referral service, in one run on one stack: the institution and
// referral binaries and the gateway as child processes (common/testing/stack.h)
// on a private MariaDB.
//
//   build-ref/bench/cmc_referral_bench [--cycles=400] [--concurrency=4]
//       [--warmup=20]
//
// Through the gateway the calls carry bearer tokens of clinicians scoped to
// the sending and the receiving institution, so every call pays for token
// checks, the policy, the relay and the referral service's scope checks;
// direct calls are anonymous (unrestricted, as from inside the network).
// Prints cycles per second and the p50/p90/p99 latency of one cycle per path;
// the results are recorded in docs/benchmarks.md. Exits 1 when a call fails.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
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
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/testing/stack.h"
#include "common/validators/validators.h"

ABSL_FLAG(int, cycles, 400, "Referral cycles per path (gateway, direct)");
ABSL_FLAG(int, concurrency, 4, "Clients running cycles at the same time");
ABSL_FLAG(int, warmup, 20, "Cycles per path before measuring");

namespace cmc {
namespace {

namespace inst = institution::v1;
namespace ref = referral::v1;
using Clock = std::chrono::steady_clock;
using testing::Stack;

constexpr char kCounty[] = "360426";

[[noreturn]] void Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "%s: %d %s\n", what.c_str(),
               static_cast<int>(status.error_code()),
               status.error_message().c_str());
  std::exit(1);
}

// A valid USCC (GB 32100 with its GB 11714 organization code) for number n.
std::string Uscc(int n) { return MakeUscc(kCounty, n); }

// A village clinic and its township center, registered directly with the
// institution service (anonymous: unrestricted).
struct County {
  std::string township;
  std::string village;
};

County Register(Stack& stack) {
  auto stub =
      inst::InstitutionService::NewStub(stack.ServiceChannel("institution"));
  inst::CreateCommunityRequest community;
  community.set_request_id("bench-community");
  community.mutable_community()->set_code("BENCH-REF");
  community.mutable_community()->set_name("转诊基准医共体");
  community.mutable_community()->set_county_division_code(kCounty);
  inst::Community created;
  grpc::Status status =
      stub->CreateCommunity(Stack::Context("").get(), community, &created);
  if (!status.ok()) Fail("CreateCommunity", status);
  auto institution = [&](int n, const char* name, const char* kind,
                         common::v1::Tier tier, const std::string& division,
                         const std::string& parent) {
    inst::CreateInstitutionRequest request;
    request.set_request_id(absl::StrCat("bench-ins-", n));
    inst::Institution* i = request.mutable_institution();
    i->set_uscc(Uscc(n));
    i->set_name(name);
    i->set_kind(kind);
    i->set_tier(tier);
    i->set_division_code(division);
    i->set_parent_institution_id(parent);
    inst::Institution out;
    grpc::Status result =
        stub->CreateInstitution(Stack::Context("").get(), request, &out);
    if (!result.ok()) Fail("CreateInstitution", result);
    inst::AddMembershipRequest join;
    join.set_request_id(absl::StrCat("bench-mem-", n));
    join.mutable_membership()->set_institution_id(out.id());
    join.mutable_membership()->set_community_id(created.id());
    join.mutable_membership()->set_kind(inst::MEMBERSHIP_KIND_CLOSE_KNIT);
    join.mutable_membership()->mutable_valid_from()->set_value("2024-01-01");
    inst::Membership membership;
    result = stub->AddMembership(Stack::Context("").get(), join, &membership);
    if (!result.ok()) Fail("AddMembership", result);
    return out.id();
  };
  const std::string seat = absl::StrCat(kCounty, "101000");
  const std::string hospital = institution(1, "基准县人民医院", "A100",
                                           common::v1::TIER_COUNTY, seat, "");
  County county;
  county.township = institution(2, "基准镇中心卫生院", "C210",
                                common::v1::TIER_TOWNSHIP, seat, hospital);
  county.village =
      institution(3, "基准村卫生室", "D600", common::v1::TIER_VILLAGE,
                  absl::StrCat(kCounty, "101201"), county.township);
  return county;
}

// One way to reach the referral service: a channel and the tokens of the
// sending and the receiving side ("" for anonymous direct calls).
struct Path {
  const char* name;
  std::shared_ptr<grpc::Channel> channel;
  std::string sender_token;
  std::string receiver_token;
};

template <typename Request>
Request On(const ref::Referral& referral, const std::string& institution) {
  Request request;
  request.set_id(referral.id());
  request.set_version(referral.version());
  request.mutable_actor()->set_institution_id(institution);
  return request;
}

// One full cycle; exits on any failure.
void Cycle(ref::ReferralService::Stub& stub, const Path& path,
           const County& county, const std::string& key) {
  ref::CreateReferralRequest create;
  create.set_request_id(key);
  ref::Referral* r = create.mutable_referral();
  r->set_direction(ref::REFERRAL_DIRECTION_UP);
  r->set_type(ref::REFERRAL_TYPE_OUTPATIENT);
  r->mutable_patient()->set_resident_id("360426199101010071");
  r->mutable_patient()->set_name("张三");
  r->set_from_institution_id(county.village);
  r->set_from_practitioner("村医王");
  r->set_to_institution_id(county.township);
  r->set_reason("血压控制不佳");
  r->mutable_diagnosis()->set_icd10_code("I10");
  r->mutable_diagnosis()->set_text("原发性高血压");
  ref::Referral referral;
  grpc::Status status = stub.CreateReferral(
      Stack::Context(path.sender_token).get(), create, &referral);
  if (!status.ok()) Fail(absl::StrCat(path.name, " CreateReferral"), status);
  status = stub.AcceptReferral(
      Stack::Context(path.receiver_token).get(),
      On<ref::AcceptReferralRequest>(referral, county.township), &referral);
  if (!status.ok()) Fail(absl::StrCat(path.name, " AcceptReferral"), status);
  status = stub.ArriveReferral(
      Stack::Context(path.receiver_token).get(),
      On<ref::ArriveReferralRequest>(referral, county.township), &referral);
  if (!status.ok()) Fail(absl::StrCat(path.name, " ArriveReferral"), status);
  auto complete = On<ref::CompleteReferralRequest>(referral, county.township);
  complete.mutable_outcome()->set_summary("血压平稳，转回村卫生室随访");
  status = stub.CompleteReferral(Stack::Context(path.receiver_token).get(),
                                 complete, &referral);
  if (!status.ok()) Fail(absl::StrCat(path.name, " CompleteReferral"), status);
}

double Percentile(const std::vector<double>& sorted, double p) {
  const size_t index = std::min(
      sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
  return sorted[index];
}

// Runs `cycles` cycles on `concurrency` threads and prints the figures.
void Measure(const Path& path, const County& county, int cycles,
             int concurrency, int warmup) {
  auto stub = ref::ReferralService::NewStub(path.channel);
  for (int i = 0; i < warmup; ++i) {
    Cycle(*stub, path, county, absl::StrCat(path.name, "-warmup-", i));
  }
  std::vector<double> ms(cycles);
  std::atomic<int> next{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < cycles; i = next++) {
        const Clock::time_point begin = Clock::now();
        Cycle(*stub, path, county, absl::StrCat(path.name, "-", i));
        ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - begin)
                    .count();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(ms.begin(), ms.end());
  std::printf(
      "%-8s %d cycles, concurrency %d: %.1f cycles/s (%.1f calls/s); per "
      "cycle p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      path.name, cycles, concurrency, cycles / seconds, 4 * cycles / seconds,
      Percentile(ms, 0.50), Percentile(ms, 0.90), Percentile(ms, 0.99),
      ms.back());
}

int Run() {
  const int cycles = absl::GetFlag(FLAGS_cycles);
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const int warmup = absl::GetFlag(FLAGS_warmup);
  if (cycles < 1 || concurrency < 1 || warmup < 0) {
    std::fprintf(stderr, "--cycles and --concurrency must be >= 1\n");
    return 2;
  }
  testing::StackOptions options(CMC_BINARY_DIR, CMC_SOURCE_DIR);
  options.areas = {"institution", "referral"};
  // The bench measures the path, not the per-principal rate limit.
  options.env["gateway"] = {{"CMC_RATE_LIMIT_PER_S", "1000000"},
                            {"CMC_RATE_LIMIT_BURST", "1000000"}};
  Stack stack(options);
  const absl::Status started = stack.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "stack: %s\n%s\n", started.ToString().c_str(),
                 stack.Logs().c_str());
    return 1;
  }
  const County county = Register(stack);
  const Path gateway{"gateway", stack.GatewayChannel(),
                     stack.Token("user:bench.village", "clinician",
                                 "institution:" + county.village),
                     stack.Token("user:bench.town", "clinician",
                                 "institution:" + county.township)};
  const Path direct{"direct", stack.ServiceChannel("referral"), "", ""};
  std::printf(
      "referral cycles (create, accept, arrive, complete); logs in %s\n",
      stack.log_dir().c_str());
  Measure(gateway, county, cycles, concurrency, warmup);
  Measure(direct, county, cycles, concurrency, warmup);
  return 0;
}

}  // namespace
}  // namespace cmc

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return cmc::Run();
}
