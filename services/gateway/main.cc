// cmc-gateway: wiring only. Admits each caller (token, rate limit, policy; see
// access_control.h), forwards every method of the five domain services
// to its backend and reports each backend's health under that backend's service
// name (see proxy.h, backend_monitor.h and docs/architecture.md). Records
// every forwarded call that changes data or returns unmasked personal data in
// the audit trail (schema cmc_gateway, see audit_writer.h) and serves it, and
// the composed community overview (gateway_service.h).
#include <prometheus/counter.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "common/config.h"
#include "common/db/pool.h"
#include "common/log.h"
#include "common/server/domain_service_main.h"
#include "common/server/server.h"
#include "services/gateway/access_flags.h"
#include "services/gateway/audit_writer.h"
#include "services/gateway/backend_channels.h"
#include "services/gateway/backend_monitor.h"
#include "services/gateway/gateway_service.h"
#include "services/gateway/overview_fetcher.h"
#include "services/gateway/proxy.h"
#include "services/gateway/routing.h"

ABSL_DECLARE_FLAG(int, startup_db_wait_ms);  // common/server

ABSL_FLAG(std::string, institution_addr, "127.0.0.1:50051",
          "host:port of cmc-institution");
ABSL_FLAG(std::string, referral_addr, "127.0.0.1:50052",
          "host:port of cmc-referral");
ABSL_FLAG(std::string, dispatch_addr, "127.0.0.1:50053",
          "host:port of cmc-dispatch");
ABSL_FLAG(std::string, finance_addr, "127.0.0.1:50054",
          "host:port of cmc-finance");
ABSL_FLAG(std::string, indicator_addr, "127.0.0.1:50055",
          "host:port of cmc-indicator");
ABSL_FLAG(int, backend_check_interval_ms, 1000,
          "How often each backend's health is checked");
ABSL_FLAG(int, audit_retention_days, 183,
          "Audit records older than this many days are purged (hourly)");
ABSL_FLAG(int, audit_queue_capacity, 10000,
          "Audit records waiting to be written at most; more are dropped and "
          "counted in cmc_gateway_audit_dropped_total");

namespace cmc::gateway {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::gateway

int main(int argc, char** argv) {
  cmc::BlockTerminationSignals();
  cmc::SetLogService("gateway");
  cmc::ParseFlagsWithEnv(argc, argv,
                         "the public door of a CMC deployment. Flags fall back "
                         "to CMC_<FLAG> environment variables.");
  const cmc::ServiceDefaults defaults{"gateway", 50050, 9100,
                                      /*needs_database=*/true};
  auto config = cmc::ServiceConfigFromFlags(defaults);
  if (!config.ok()) {
    std::fprintf(stderr, "cmc-gateway: bad configuration: %s\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }
  cmc::LogServiceConfig(*config);
  const int check_interval_ms = absl::GetFlag(FLAGS_backend_check_interval_ms);
  if (check_interval_ms < 10 || check_interval_ms > 600000) {
    std::fprintf(stderr,
                 "cmc-gateway: bad configuration: --backend_check_interval_ms: "
                 "must be in "
                 "10..600000, got %d\n",
                 check_interval_ms);
    return 2;
  }
  const int retention_days = absl::GetFlag(FLAGS_audit_retention_days);
  const int queue_capacity = absl::GetFlag(FLAGS_audit_queue_capacity);
  if (retention_days < 1 || queue_capacity < 1) {
    std::fprintf(stderr,
                 "cmc-gateway: bad configuration: --audit_retention_days and "
                 "--audit_queue_capacity must be > 0\n");
    return 2;
  }

  const std::vector<cmc::gateway::Backend> backends = {
      {"institution", absl::GetFlag(FLAGS_institution_addr)},
      {"referral", absl::GetFlag(FLAGS_referral_addr)},
      {"dispatch", absl::GetFlag(FLAGS_dispatch_addr)},
      {"finance", absl::GetFlag(FLAGS_finance_addr)},
      {"indicator", absl::GetFlag(FLAGS_indicator_addr)},
  };
  auto routes = cmc::gateway::RouteTable::Create(backends);
  if (!routes.ok()) {
    std::fprintf(stderr, "cmc-gateway: bad configuration: %s\n",
                 std::string(routes.status().message()).c_str());
    return 2;
  }
  const cmc::gateway::BackendChannels channels =
      cmc::gateway::CreateInsecureChannels(backends, config->max_message_bytes);
  absl::StatusOr<std::unique_ptr<cmc::gateway::AccessControl>> access =
      cmc::gateway::AccessControlFromFlags();
  if (!access.ok()) {
    std::fprintf(stderr, "cmc-gateway: bad configuration: %s\n",
                 std::string(access.status().message()).c_str());
    return 2;
  }
  auto pool = cmc::db::Pool::Create(config->db);
  absl::Status status = cmc::MigrateWithRetry(
      *pool, "gateway", cmc::gateway::Migrations(),
      absl::Milliseconds(absl::GetFlag(FLAGS_startup_db_wait_ms)));
  if (!status.ok()) {
    cmc::Log(cmc::LogLevel::kError, "startup_failed")
        .Field("message", status.ToString());
    return 1;
  }
  cmc::ServerOptions server_options = cmc::ServerOptions::FromConfig(*config);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      cmc::gateway::ServerCredentialsFromFlags();
  if (!credentials.ok()) {
    std::fprintf(stderr, "cmc-gateway: bad configuration: %s\n",
                 std::string(credentials.status().message()).c_str());
    return 2;
  }
  server_options.credentials = *credentials;
  cmc::Server server(server_options);
  prometheus::Counter& dropped =
      prometheus::BuildCounter()
          .Name("cmc_gateway_audit_dropped_total")
          .Help(
              "Audit records lost: queue full, or the database refused "
              "their batch")
          .Register(server.metrics().registry())
          .Add({});
  cmc::gateway::AuditWriterOptions audit_options;
  audit_options.queue_capacity = static_cast<size_t>(queue_capacity);
  audit_options.retention = absl::Hours(24 * retention_days);
  cmc::gateway::AuditWriter audit(pool.get(), audit_options, &dropped);

  cmc::gateway::ProxyOptions proxy_options;
  proxy_options.audit = &audit;
  proxy_options.access_control = access->get();
  proxy_options.default_timeout = config->default_deadline;
  proxy_options.max_timeout = config->max_deadline;
  auto proxy = cmc::gateway::Proxy::Create(*routes, channels, proxy_options);
  if (!proxy.ok()) {
    std::fprintf(stderr, "cmc-gateway: %s\n",
                 std::string(proxy.status().message()).c_str());
    return 2;
  }

  auto overview = cmc::gateway::OverviewFetcher::Create(channels);
  if (!overview.ok()) {
    std::fprintf(stderr, "cmc-gateway: %s\n",
                 std::string(overview.status().message()).c_str());
    return 2;
  }
  cmc::gateway::GatewayService::Options service_options;
  service_options.default_deadline = config->default_deadline;
  service_options.max_deadline = config->max_deadline;
  cmc::gateway::GatewayService gateway_service(
      pool.get(), access->get(), service_options, overview->get());
  server.AddService(&gateway_service,
                    cmc::gateway::v1::GatewayService::service_full_name());
  server.AddGenericService(proxy->get());
  server.metrics().SetPoolStatsSource([p = pool.get()] { return p->Stats(); });
  audit.Start();
  status = server.Start();
  if (!status.ok()) {
    cmc::Log(cmc::LogLevel::kError, "startup_failed")
        .Field("message", status.ToString());
    return 1;
  }
  cmc::gateway::BackendMonitorOptions monitor_options;
  monitor_options.interval =
      absl::Milliseconds(absl::GetFlag(FLAGS_backend_check_interval_ms));
  cmc::gateway::BackendMonitor monitor(backends, channels, server.health(),
                                       monitor_options);
  monitor.Start();
  server.AddShutdownHook([&monitor] { monitor.Stop(); });
  server.RunUntilSignal();
  // After the drain, not in a shutdown hook (hooks run before it), so the
  // calls that finish while draining are recorded too.
  audit.Stop();
  return 0;
}
