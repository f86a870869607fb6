// cmc-referral: wiring only (see common/server/domain_service_main.h).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/log.h"
#include "common/server/domain_service_main.h"
#include "common/service/institution_client.h"
#include "services/referral/expiry_sweeper.h"
#include "services/referral/mysql_catalogue_store.h"
#include "services/referral/mysql_referral_store.h"
#include "services/referral/referral_service.h"

// Each flag also reads CMC_<FLAG> from the environment (e.g.
// CMC_INSTITUTION_ADDR), like every CMC flag.
ABSL_FLAG(std::string, institution_addr, "127.0.0.1:50051",
          "host:port of cmc-institution (tiers and statuses of institutions)");
ABSL_FLAG(int, institution_cache_ttl_ms, 30000,
          "How long an institution's tier and status, and a community's "
          "members, are reused before they are asked again");
ABSL_FLAG(int, expiry_emergency_minutes, 30,
          "Minutes the receiver has to answer an emergency referral");
ABSL_FLAG(int, expiry_outpatient_minutes, 24 * 60,
          "Minutes the receiver has to answer an outpatient referral");
ABSL_FLAG(int, expiry_inpatient_minutes, 24 * 60,
          "Minutes the receiver has to answer an inpatient referral");
ABSL_FLAG(int, expiry_sweep_interval_ms, 30000,
          "How often the background sweep expires unanswered referrals");
ABSL_FLAG(int, expiry_sweep_batch, 100,
          "Referrals the expiry sweep expires per transaction");

namespace cmc::referral {
const std::vector<db::Migration>& Migrations();  // generated from migrations/

namespace {

// Exits with status 2, as for every bad configuration value.
void RequirePositive(int value, const char* flag) {
  if (value > 0) return;
  std::fprintf(stderr, "cmc-referral: bad configuration: --%s must be > 0\n",
               flag);
  std::exit(2);
}

std::vector<NamedService> MakeServices(DomainServiceContext& context) {
  const int ttl_ms = absl::GetFlag(FLAGS_institution_cache_ttl_ms);
  const int emergency = absl::GetFlag(FLAGS_expiry_emergency_minutes);
  const int outpatient = absl::GetFlag(FLAGS_expiry_outpatient_minutes);
  const int inpatient = absl::GetFlag(FLAGS_expiry_inpatient_minutes);
  RequirePositive(ttl_ms, "institution_cache_ttl_ms");
  RequirePositive(emergency, "expiry_emergency_minutes");
  RequirePositive(outpatient, "expiry_outpatient_minutes");
  RequirePositive(inpatient, "expiry_inpatient_minutes");
  const int sweep_interval_ms = absl::GetFlag(FLAGS_expiry_sweep_interval_ms);
  const int sweep_batch = absl::GetFlag(FLAGS_expiry_sweep_batch);
  RequirePositive(sweep_interval_ms, "expiry_sweep_interval_ms");
  RequirePositive(sweep_batch, "expiry_sweep_batch");

  // The shared `config` line covers the common flags; these are referral's.
  Log(LogLevel::kInfo, "referral_config")
      .Field("institution_addr", absl::GetFlag(FLAGS_institution_addr))
      .Field("institution_cache_ttl_ms", ttl_ms)
      .Field("expiry_emergency_minutes", emergency)
      .Field("expiry_outpatient_minutes", outpatient)
      .Field("expiry_inpatient_minutes", inpatient)
      .Field("expiry_sweep_interval_ms", sweep_interval_ms)
      .Field("expiry_sweep_batch", sweep_batch);

  ReferralService::Options options;
  options.call.default_deadline = context.config.default_deadline;
  options.call.max_deadline = context.config.max_deadline;
  ExpiryPolicy expiry;
  expiry.emergency = absl::Minutes(emergency);
  expiry.outpatient = absl::Minutes(outpatient);
  expiry.inpatient = absl::Minutes(inpatient);
  // Community memberships (what a "community:<id>" scope covers) follow the
  // same cache period as tiers.
  InstitutionClient institutions = NewInstitutionClient(
      absl::GetFlag(FLAGS_institution_addr), absl::Milliseconds(ttl_ms));
  // The server owns the sweeper through its shutdown hook, which stops it
  // before the server drains; the pool outlives the server.
  ExpirySweeper::Options sweep;
  sweep.interval = absl::Milliseconds(sweep_interval_ms);
  sweep.batch = sweep_batch;
  auto sweeper = std::make_shared<ExpirySweeper>(
      std::make_unique<MysqlReferralStore>(&context.pool, expiry), sweep);
  sweeper->Start();
  context.server.AddShutdownHook([sweeper] { sweeper->Stop(); });

  auto service = std::make_unique<ReferralService>(
      std::make_unique<MysqlReferralStore>(&context.pool, expiry),
      std::make_unique<MysqlCatalogueStore>(&context.pool),
      std::move(institutions), options);
  context.server.AddShutdownHook([s = service.get()] { s->Stop(); });
  std::vector<NamedService> services;
  services.push_back(
      {std::move(service), v1::ReferralService::service_full_name()});
  return services;
}

}  // namespace
}  // namespace cmc::referral

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"referral", 50052, 9102},
      /*grpc_service_name=*/
      cmc::referral::v1::ReferralService::service_full_name(),
      /*migrations=*/&cmc::referral::Migrations,
      /*make_services=*/&cmc::referral::MakeServices,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
