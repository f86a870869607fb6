// Measures the finance service's claims ingest and a year-end settlement over
// the claims ingested: the service in process over its MySQL stores on a
// private MariaDB, called through a generated client (IngestClaims streams of
// --batch rows per message, --streams at a time), then ComputeSettlement and
// FinalizeSettlement of the year.
//
//   build/bench/cmc_finance_bench [--claims=200000] [--batch=5000]
//       [--streams=2]
//
// The claims imitate the reference county's mix (about 1.3% inpatient, 8%
// out of county) over 12 months and 20 members. Prints claims per second and
// the settlement's latency; exits 1 when a call fails.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/idempotency.h"
#include "common/testing/mariadb.h"
#include "common/validators/validators.h"
#include "services/finance/finance_service.h"

ABSL_FLAG(int, claims, 200000, "Claims to ingest");
ABSL_FLAG(int, batch, 5000, "Rows per IngestClaims message");
ABSL_FLAG(int, streams, 2, "IngestClaims streams at the same time");

namespace cmc::finance {
const std::vector<db::Migration>& Migrations();

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMembers = 20;

class BenchCommunity final : public CommunityDirectory {
 public:
  absl::StatusOr<std::set<std::string>> Members(const std::string&,
                                                absl::Time) override {
    std::set<std::string> members;
    for (int i = 0; i < kMembers; ++i) members.insert(absl::StrCat("ins-", i));
    return members;
  }
};

[[noreturn]] void Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "%s: %d %s\n", what.c_str(),
               static_cast<int>(status.error_code()),
               status.error_message().c_str());
  std::exit(1);
}

v1::Claim MakeClaim(int n, const std::vector<std::string>& residents) {
  v1::Claim claim;
  claim.set_claim_id(absl::StrCat("YB2026-", n));
  claim.set_resident_id(residents[static_cast<size_t>(n) % residents.size()]);
  const int month = 1 + n % 12;
  const int day = 1 + (n / 12) % 28;
  const bool inpatient = n % 75 == 0;
  const bool out_of_county = n % 12 == 5;
  if (out_of_county) {
    claim.set_location(v1::CARE_LOCATION_OUT_OF_COUNTY);
    claim.set_external_institution_code(absl::StrCat("H", 3601 + n % 7));
  } else {
    claim.set_location(v1::CARE_LOCATION_IN_COUNTY);
    claim.set_institution_id(absl::StrCat("ins-", n % kMembers));
  }
  claim.set_care_type(inpatient ? v1::CARE_TYPE_INPATIENT
                                : v1::CARE_TYPE_OUTPATIENT);
  claim.mutable_start_date()->set_value(
      FormatCivilDate(absl::CivilDay(2026, month, day)));
  claim.mutable_end_date()->set_value(FormatCivilDate(
      absl::CivilDay(2026, month, inpatient ? std::min(day + 6, 28) : day)));
  const int64_t total = inpatient ? 800000 + n % 500000 : 8000 + n % 20000;
  claim.mutable_total_cost()->set_fen(total);
  claim.mutable_fund_paid()->set_fen(total * 6 / 10);
  claim.mutable_patient_paid()->set_fen(total - total * 6 / 10);
  claim.add_icd10_codes(inpatient ? "J18.9" : "I10");
  return claim;
}

void Identify(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::minutes(30));
}

int Run() {
  const int total = absl::GetFlag(FLAGS_claims);
  const int batch_rows = absl::GetFlag(FLAGS_batch);
  const int streams = absl::GetFlag(FLAGS_streams);
  auto database = testing::MariaDb::StartPrivate();
  DbConfig config = database->NewDatabase("bench");
  config.pool_size = 8;
  auto pool = db::Pool::Create(config);
  if (!db::ApplyMigrations(*pool, "outbox", outbox::Migrations()).ok() ||
      !db::ApplyMigrations(*pool, "requests", requests::Migrations()).ok() ||
      !db::ApplyMigrations(*pool, "finance", Migrations()).ok()) {
    std::fprintf(stderr, "migrations failed\n");
    return 1;
  }
  CallOptions call;
  call.max_deadline = absl::Minutes(30);
  call.clock = CountyClock::FixedDay(absl::CivilDay(2027, 1, 20));
  FinanceService service(FinanceService::MysqlStores(pool.get()),
                         std::make_unique<BenchCommunity>(), call);
  ServerOptions options;
  options.service_name = "finance";
  options.listen_host = "127.0.0.1";
  Server server(options);
  server.AddService(&service, "cmc.finance.v1.FinanceService");
  if (!server.Start().ok()) return 1;
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  auto channel =
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server.grpc_port()),
                                grpc::InsecureChannelCredentials(), args);
  auto stub = v1::FinanceService::NewStub(channel);

  std::vector<std::string> residents;
  for (int i = 0; i < 5000; ++i) {
    residents.push_back(MakeResidentId(
        "360426", absl::CivilDay(1940 + i % 70, 1 + i % 12, 1 + i % 28), i));
  }
  // Rows are built before the clock starts: the bench measures the service.
  std::vector<std::vector<v1::IngestClaimsRequest>> plan(
      static_cast<size_t>(streams));
  for (int start = 0, b = 0; start < total; start += batch_rows, ++b) {
    v1::IngestClaimsRequest message;
    message.set_community_id("com-bench");
    for (int n = start; n < std::min(total, start + batch_rows); ++n) {
      *message.add_claims() = MakeClaim(n, residents);
    }
    plan[static_cast<size_t>(b % streams)].push_back(std::move(message));
  }

  const auto ingest_start = Clock::now();
  std::vector<std::thread> threads;
  std::vector<v1::IngestClaimsResponse> results(static_cast<size_t>(streams));
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      grpc::ClientContext context;
      Identify(context);
      auto writer =
          stub->IngestClaims(&context, &results[static_cast<size_t>(s)]);
      for (const auto& message : plan[static_cast<size_t>(s)]) {
        if (!writer->Write(message)) break;
      }
      writer->WritesDone();
      grpc::Status status = writer->Finish();
      if (!status.ok()) Fail("IngestClaims", status);
    });
  }
  for (auto& t : threads) t.join();
  const double ingest_s =
      std::chrono::duration<double>(Clock::now() - ingest_start).count();
  int64_t inserted = 0;
  for (const auto& r : results) inserted += r.inserted();
  if (inserted != total) {
    std::fprintf(stderr, "inserted %lld of %d\n",
                 static_cast<long long>(inserted), total);
    return 1;
  }
  std::printf(
      "ingest: %d claims in %.2f s = %.0f claims/s (%d streams, %d "
      "rows/message)\n",
      total, ingest_s, total / ingest_s, streams, batch_rows);

  v1::UpdateSettlementPolicyRequest p;
  v1::SettlementPolicy* policy = p.mutable_policy();
  policy->set_community_id("com-bench");
  policy->set_year(2026);
  policy->set_prepay_ratio_bp(9000);
  policy->set_retention_ratio_bp(6000);
  policy->set_overspend_cap_bp(1000);
  policy->set_fund_share_bp(7000);
  policy->set_adjustment_fund_bp(500);
  policy->set_out_of_county_counts(true);
  policy->set_lead_institution_id("ins-0");
  for (int i = 0; i < kMembers; ++i) {
    v1::MemberWeight* w = policy->add_weights();
    w->set_institution_id(absl::StrCat("ins-", i));
    w->set_weight(1 + i);
  }
  v1::SettlementPolicy stored;
  {
    grpc::ClientContext context;
    Identify(context);
    grpc::Status status = stub->UpdateSettlementPolicy(&context, p, &stored);
    if (!status.ok()) Fail("UpdateSettlementPolicy", status);
  }
  v1::SetAnnualBudgetRequest b;
  b.mutable_budget()->set_community_id("com-bench");
  b.mutable_budget()->set_year(2026);
  b.mutable_budget()->mutable_amount()->set_fen(int64_t{total} * 9000);
  v1::AnnualBudget budget;
  {
    grpc::ClientContext context;
    Identify(context);
    grpc::Status status = stub->SetAnnualBudget(&context, b, &budget);
    if (!status.ok()) Fail("SetAnnualBudget", status);
  }
  v1::ComputeSettlementRequest c;
  c.set_community_id("com-bench");
  c.set_year(2026);
  c.set_assessment_score_hundredths(9000);
  v1::YearEndSettlement computed;
  const auto compute_start = Clock::now();
  {
    grpc::ClientContext context;
    Identify(context);
    grpc::Status status = stub->ComputeSettlement(&context, c, &computed);
    if (!status.ok()) Fail("ComputeSettlement", status);
  }
  const double compute_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - compute_start)
          .count();
  v1::FinalizeSettlementRequest f;
  f.set_community_id("com-bench");
  f.set_year(2026);
  f.set_assessment_score_hundredths(9000);
  v1::YearEndSettlement finalized;
  const auto finalize_start = Clock::now();
  {
    grpc::ClientContext context;
    Identify(context);
    grpc::Status status = stub->FinalizeSettlement(&context, f, &finalized);
    if (!status.ok()) Fail("FinalizeSettlement", status);
  }
  const double finalize_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - finalize_start)
          .count();
  if (finalized.final_payment().fen() != computed.final_payment().fen() ||
      finalized.claim_count() != total) {
    std::fprintf(stderr,
                 "finalized settlement differs from the computed one\n");
    return 1;
  }
  std::printf(
      "settlement over %lld claims: compute %.1f ms, finalize %.1f ms "
      "(A = %lld fen, F = %lld fen)\n",
      static_cast<long long>(computed.claim_count()), compute_ms, finalize_ms,
      static_cast<long long>(computed.attributable().fen()),
      static_cast<long long>(computed.final_payment().fen()));
  server.Shutdown();
  return 0;
}

}  // namespace
}  // namespace cmc::finance

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return cmc::finance::Run();
}
