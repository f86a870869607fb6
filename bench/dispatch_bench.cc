// ProposeTouringRota and GetCoverage over the reference county of
// ../shared/domain.md and multiples of it: the dispatch service in process on
// a private MariaDB (its MySQL stores, migrated), called over gRPC like any
// client, with the institution service's answers from an in-memory reader
// holding `scale` copies of the reference county in one community (what the
// real service's cache holds after the first call).
//
//   build/bench/cmc_dispatch_bench --scale=1 --rota_runs=3 --coverage_calls=100
//   build/bench/cmc_dispatch_bench --scale=4 --no_clinic_share=0.5
//
// --no_clinic_share takes the clinic away from that share of the villages
// that have one (chosen evenly), so that they too need weekly touring: the
// reference county has 8 villages without a clinic; half the villages is a
// much harder rota. Prints the county's size, each rota's time and outcome,
// and GetCoverage latency percentiles for the year; the results are recorded
// in docs/benchmarks.md. Exits 1 when a call fails.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "cmc/dispatch/v1/dispatch.grpc.pb.h"
#include "common/db/migrations.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/idempotency.h"
#include "common/testing/mariadb.h"
#include "common/testing/reference_county.h"
#include "services/dispatch/dispatch_fakes.h"
#include "services/dispatch/dispatch_service.h"

ABSL_FLAG(int, scale, 1, "Copies of the reference county in the community");
ABSL_FLAG(double, no_clinic_share, 0.0,
          "Share (0-1) of the villages with a clinic that lose it");
ABSL_FLAG(int, rota_runs, 3, "ProposeTouringRota calls (each a new proposal)");
ABSL_FLAG(int, coverage_calls, 100, "GetCoverage calls for the year");
ABSL_FLAG(int, solver_ms, 60000, "constraints.time_limit_ms");

namespace cmc::dispatch {
const std::vector<db::Migration>& Migrations();
namespace {

namespace ref = ::cmc::institution::reference;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "%s: %d %s\n", what.c_str(),
               static_cast<int>(status.error_code()),
               status.error_message().c_str());
  std::exit(1);
}

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const size_t i = std::min(values.size() - 1,
                            static_cast<size_t>(p * (values.size() - 1) + 0.5));
  return values[i];
}

// `scale` copies of the reference county as the institution service would
// answer for community com-1. Returns the villages needing touring.
int FillCounty(FakeInstitutions& county, int scale, double no_clinic_share) {
  county.institutions.clear();
  county.villages.clear();
  county.staff.clear();
  county.postings.clear();
  const std::vector<ref::InstitutionRow> rows = ref::Institutions();
  int needing = 0;
  for (int c = 0; c < scale; ++c) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < rows.size(); ++i) {
      ids.push_back(absl::StrFormat("ins-%d-%d", c, i));
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      institution::v1::Institution institution = rows[i].institution;
      institution.set_id(ids[i]);
      institution.set_name(absl::StrCat(institution.name(), c));
      institution.set_status(institution::v1::INSTITUTION_STATUS_ACTIVE);
      if (rows[i].parent >= 0) {
        institution.set_parent_institution_id(ids[rows[i].parent]);
      }
      county.institutions[ids[i]] = institution;
    }
    int with_clinic = 0;
    for (int v = 0; v < ref::kVillages; ++v) {
      institution::v1::Village village = ref::Village(v, "com-1", ids);
      village.set_id(absl::StrFormat("vil-%d-%d", c, v));
      if (!village.village_clinic_id().empty()) {
        ++with_clinic;
        // Evenly: village v loses its clinic when the running share of those
        // that lost one is below the asked share.
        const int lost_so_far =
            static_cast<int>((with_clinic - 1) * no_clinic_share);
        if (static_cast<int>(with_clinic * no_clinic_share) > lost_so_far) {
          village.clear_village_clinic_id();
          village.set_has_resident_village_doctor(false);
        }
      }
      needing += village.village_clinic_id().empty();
      county.villages.push_back(std::move(village));
    }
    for (int s = 0; s < ref::kStaff; ++s) {
      institution::v1::Staff staff = ref::Staff(s, ids);
      staff.set_id(absl::StrFormat("stf-%d-%d", c, s));
      staff.set_status(institution::v1::STAFF_STATUS_ACTIVE);
      county.staff.push_back(std::move(staff));
    }
  }
  return needing;
}

std::string NextQuarter() {
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  const int quarter = (today.month() - 1) / 3;
  return quarter == 3 ? absl::StrCat(today.year() + 1, "Q1")
                      : absl::StrCat(today.year(), "Q", quarter + 2);
}

int Run() {
  const int scale = absl::GetFlag(FLAGS_scale);
  FakeInstitutions county;
  const int needing =
      FillCounty(county, scale, absl::GetFlag(FLAGS_no_clinic_share));
  std::printf(
      "county x%d: %zu institutions, %zu villages (%d without a clinic), "
      "%zu staff\n",
      scale, county.institutions.size(), county.villages.size(), needing,
      county.staff.size());

  auto database = testing::MariaDb::StartPrivate();
  DbConfig config = database->NewDatabase("bench");
  config.pool_size = 8;
  auto pool = db::Pool::Create(config);
  if (!db::ApplyMigrations(*pool, "outbox", outbox::Migrations()).ok() ||
      !db::ApplyMigrations(*pool, "requests", requests::Migrations()).ok() ||
      !db::ApplyMigrations(*pool, "dispatch", Migrations()).ok()) {
    std::fprintf(stderr, "migrations failed\n");
    return 1;
  }
  DispatchService service(DispatchService::MysqlStores(pool.get()),
                          ReaderOf(&county), CommunitiesOf(&county),
                          CallOptions());
  ServerOptions options;
  options.service_name = "dispatch";
  options.listen_host = "127.0.0.1";
  Server server(options);
  server.AddService(&service, v1::DispatchService::service_full_name());
  if (!server.Start().ok()) return 1;
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  auto stub = v1::DispatchService::NewStub(grpc::CreateCustomChannel(
      absl::StrFormat("127.0.0.1:%d", server.grpc_port()),
      grpc::InsecureChannelCredentials(), arguments));
  auto context = [](int seconds) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata(kSubjectHeader, "user:bench");
    c->AddMetadata(kScopeHeader, "community:com-1");
    c->AddMetadata(kRolesHeader, "community_admin");
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(seconds));
    return c;
  };

  const std::string quarter = NextQuarter();
  for (int run = 0; run < absl::GetFlag(FLAGS_rota_runs); ++run) {
    v1::ProposeTouringRotaRequest request;
    request.set_request_id(absl::StrCat("bench-rota-", run));
    request.set_community_id("com-1");
    request.mutable_period()->set_value(quarter);
    request.mutable_constraints()->set_time_limit_ms(
        absl::GetFlag(FLAGS_solver_ms));
    v1::RotaProposal rota;
    const Clock::time_point start = Clock::now();
    const grpc::Status status =
        stub->ProposeTouringRota(context(300).get(), request, &rota);
    const double ms = Ms(Clock::now() - start);
    if (!status.ok()) Fail("ProposeTouringRota", status);
    std::printf(
        "ProposeTouringRota %s run %d: %.0f ms; village-weeks needed %d, "
        "covered %d, visits %d, complete %d, optimal %d, visits per person "
        "%d-%d\n",
        quarter.c_str(), run + 1, ms, rota.village_weeks_needed(),
        rota.village_weeks_covered(), rota.visits_size(), rota.complete(),
        rota.optimal(), rota.fewest_visits_per_person(),
        rota.most_visits_per_person());
  }

  const std::string year = quarter.substr(0, 4);
  std::vector<double> latencies;
  v1::CoverageReport report;
  for (int call = 0; call < absl::GetFlag(FLAGS_coverage_calls); ++call) {
    v1::GetCoverageRequest request;
    request.set_community_id("com-1");
    request.mutable_period()->set_value(year);
    const Clock::time_point start = Clock::now();
    const grpc::Status status =
        stub->GetCoverage(context(30).get(), request, &report);
    latencies.push_back(Ms(Clock::now() - start));
    if (!status.ok()) Fail("GetCoverage", status);
  }
  std::printf(
      "GetCoverage %s (%d villages, %d with a blank day, page of %d), %zu "
      "calls: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
      year.c_str(), report.village_count(), report.villages_with_blank_days(),
      report.villages_size(), latencies.size(), Percentile(latencies, 0.5),
      Percentile(latencies, 0.95), Percentile(latencies, 0.99),
      Percentile(latencies, 1.0));
  server.Shutdown();
  return 0;
}

}  // namespace
}  // namespace cmc::dispatch

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return cmc::dispatch::Run();
}
