// cmc-indicator: wiring only (see common/server/domain_service_main.h).
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "cmc/indicator/v1/indicator.grpc.pb.h"
#include "common/log.h"
#include "common/server/domain_service_main.h"
#include "common/service/feed_consumer.h"
#include "common/service/institution_directory.h"
#include "services/indicator/indicator_service.h"
#include "services/indicator/mysql_indicator_store.h"
#include "services/indicator/org_directory.h"
#include "services/indicator/referral_feed.h"

// Each flag also reads CMC_<FLAG> from the environment (e.g.
// CMC_INSTITUTION_ADDR), like every CMC flag.
ABSL_FLAG(std::string, institution_addr, "127.0.0.1:50051",
          "host:port of cmc-institution (communities, institutions, "
          "memberships: the org tree)");
ABSL_FLAG(std::string, referral_addr, "127.0.0.1:50052",
          "host:port of cmc-referral, whose event feed the derived referral "
          "counts come from");

namespace cmc::indicator {
const std::vector<db::Migration>& Migrations();  // generated from migrations/

namespace {

std::vector<NamedService> MakeServices(DomainServiceContext& context) {
  const std::string address = absl::GetFlag(FLAGS_institution_addr);
  const std::string referral = absl::GetFlag(FLAGS_referral_addr);
  Log(LogLevel::kInfo, "indicator_config")
      .Field("institution_addr", address)
      .Field("referral_addr", referral);
  CallOptions call;
  call.default_deadline = context.config.default_deadline;
  call.max_deadline = context.config.max_deadline;
  // One consumer per followed feed, each with its own durable cursor.
  FeedConsumerOptions referral_feed;
  referral_feed.source = kReferralSource;
  referral_feed.consumer = kReferralConsumer;
  std::vector<std::unique_ptr<FeedConsumer>> feeds;
  feeds.push_back(
      std::make_unique<FeedConsumer>(context.pool, NewInternalChannel(referral),
                                     referral_feed, &ApplyReferralEvents));
  for (auto& feed : feeds) feed->Start();
  auto service = std::make_unique<IndicatorService>(
      NewMysqlIndicatorStore(&context.pool),
      NewGrpcOrgDirectory(NewInstitutionChannel(address)), call,
      std::move(feeds));
  std::vector<NamedService> services;
  services.push_back(
      {std::move(service), v1::IndicatorService::service_full_name()});
  return services;
}

}  // namespace
}  // namespace cmc::indicator

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"indicator", 50055, 9105},
      /*grpc_service_name=*/
      cmc::indicator::v1::IndicatorService::service_full_name(),
      /*migrations=*/&cmc::indicator::Migrations,
      /*make_services=*/&cmc::indicator::MakeServices,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
