// cmc-finance: wiring only (see common/server/domain_service_main.h).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "cmc/finance/v1/finance.grpc.pb.h"
#include "common/log.h"
#include "common/server/domain_service_main.h"
#include "common/service/community_directory.h"
#include "common/service/feed_consumer.h"
#include "common/service/institution_directory.h"
#include "services/finance/finance_service.h"
#include "services/finance/subsidy_consumer.h"

// Each flag also reads CMC_<FLAG> from the environment (e.g.
// CMC_INSTITUTION_ADDR), like every CMC flag.
ABSL_FLAG(std::string, institution_addr, "127.0.0.1:50051",
          "host:port of cmc-institution (community memberships)");
ABSL_FLAG(std::string, dispatch_addr, "127.0.0.1:50053",
          "host:port of cmc-dispatch, whose event feed pays touring and "
          "stationing subsidies (dispatch.ServiceDaysCounted)");
ABSL_FLAG(bool, pay_subsidies, true,
          "Follow the dispatch feed and post subsidies to the ledger");
ABSL_FLAG(int, institution_cache_ttl_ms, 30000,
          "How long what the institution service answered is reused before "
          "it is asked again");

namespace cmc::finance {
const std::vector<db::Migration>& Migrations();  // generated from migrations/

namespace {

// Follows the dispatch feed for the life of the process; stopped by the
// server's shutdown hook before the pool goes away.
std::unique_ptr<FeedConsumer>& Subsidies() {
  static auto* consumer = new std::unique_ptr<FeedConsumer>();
  return *consumer;
}

std::vector<NamedService> MakeServices(DomainServiceContext& context) {
  const int ttl_ms = absl::GetFlag(FLAGS_institution_cache_ttl_ms);
  if (ttl_ms <= 0) {
    std::fprintf(stderr,
                 "cmc-finance: bad configuration: --institution_cache_ttl_ms "
                 "must be > 0\n");
    std::exit(2);
  }
  const std::string address = absl::GetFlag(FLAGS_institution_addr);
  Log(LogLevel::kInfo, "finance_config")
      .Field("institution_addr", address)
      .Field("institution_cache_ttl_ms", ttl_ms);
  auto channel = NewInstitutionChannel(address);
  CallOptions call;
  call.default_deadline = context.config.default_deadline;
  call.max_deadline = context.config.max_deadline;
  auto service = std::make_unique<FinanceService>(
      FinanceService::MysqlStores(&context.pool),
      NewCachingCommunityDirectory(NewGrpcCommunityDirectory(channel),
                                   absl::Milliseconds(ttl_ms)),
      call);
  if (absl::GetFlag(FLAGS_pay_subsidies)) {
    const std::string dispatch = absl::GetFlag(FLAGS_dispatch_addr);
    Log(LogLevel::kInfo, "finance_subsidies").Field("dispatch_addr", dispatch);
    FeedConsumerOptions feed;
    feed.source = "dispatch";
    feed.consumer = "subsidies";
    Subsidies() = std::make_unique<FeedConsumer>(
        context.pool, NewInternalChannel(dispatch), feed, SubsidyApplier());
    Subsidies()->Start();
    context.server.AddShutdownHook([] { Subsidies()->Stop(); });
  }
  std::vector<NamedService> services;
  services.push_back(
      {std::move(service), v1::FinanceService::service_full_name()});
  return services;
}

}  // namespace
}  // namespace cmc::finance

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"finance", 50054, 9104},
      /*grpc_service_name=*/
      cmc::finance::v1::FinanceService::service_full_name(),
      /*migrations=*/&cmc::finance::Migrations,
      /*make_services=*/&cmc::finance::MakeServices,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
