// The main() of every domain service (institution, referral, dispatch, finance,
// indicator): read and validate configuration, open the database pool, apply
// the outbox and the service's migrations, register the service's gRPC services
// plus EventFeed, health, reflection and metrics, serve until SIGTERM/SIGINT,
// and stop gracefully.
//
//   int main(int argc, char** argv) {
//     return cmc::RunDomainService(argc, argv, {
//         /*defaults=*/{"referral", 50052, 9102},
//         /*grpc_service_name=*/"cmc.referral.v1.ReferralService",
//         /*migrations=*/&cmc::referral::Migrations,
//         /*make_services=*/[](cmc::DomainServiceContext& ctx) { ... }});
//   }
//
// Exit status: 0 after a graceful stop, 1 when start-up fails (database
// unreachable past
// --startup_db_wait_ms, a changed migration, a port in use), 2 for bad
// configuration.
#ifndef CMC_COMMON_SERVER_DOMAIN_SERVICE_MAIN_H_
#define CMC_COMMON_SERVER_DOMAIN_SERVICE_MAIN_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/server/server.h"

namespace cmc {

// What a service's factory gets to build its handlers from.
struct DomainServiceContext {
  const ServiceConfig& config;
  db::Pool& pool;
  Server& server;
};

// A gRPC service with the name the health service reports it under.
struct NamedService {
  std::unique_ptr<grpc::Service> service;
  std::string name;
};

struct DomainServiceSpec {
  ServiceDefaults defaults;
  // Full name of the area's service, reported by health even before it has
  // methods.
  std::string grpc_service_name;
  const std::vector<db::Migration>& (*migrations)();
  // Builds the area's handlers; none yet for an area whose capability is not
  // built.
  std::function<std::vector<NamedService>(DomainServiceContext&)> make_services;
};

int RunDomainService(int argc, char** argv, const DomainServiceSpec& spec);

// Logs the process's internal TLS mode (a warning when off).
void LogInternalTls(bool enabled);

// Applies the outbox's, the request claims' (common/service/idempotency.h)
// and then the service's migrations, retrying while the
// database is unreachable until `wait` has passed. Other errors are returned at
// once.
absl::Status MigrateWithRetry(db::Pool& pool, const std::string& component,
                              const std::vector<db::Migration>& migrations,
                              absl::Duration wait);

}  // namespace cmc

#endif  // CMC_COMMON_SERVER_DOMAIN_SERVICE_MAIN_H_
