// cmc-gateway: wiring only. Admits each caller (token, rate limit, policy; see
// access_control.h), forwards every method of the five domain services
// to its backend and reports each backend's health under that backend's service
// name (see proxy.h, backend_monitor.h and docs/architecture.md). Records
// every forwarded call that changes data or returns unmasked personal data in
// the audit trail (schema cmc_gateway, see audit_writer.h) and serves it, and
// the composed community overview (gateway_service.h).
#include <prometheus/counter.h>

#include <optional>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "cmc/gateway/v1/gateway.grpc.pb.h"
#include "common/config.h"
#include "common/db/pool.h"
#include "common/identity/internal_tls.h"
#include "common/log.h"
#include "common/server/domain_service_main.h"
#include "common/server/server.h"
#include "services/gateway/audit_writer.h"
#include "services/gateway/backend_channels.h"
#include "services/gateway/backend_monitor.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_service.h"
#include "services/gateway/overview_fetcher.h"
#include "services/gateway/proxy.h"

ABSL_DECLARE_FLAG(int, startup_db_wait_ms);  // common/server

namespace cmc::gateway {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::gateway

int main(int argc, char** argv) {
  cmc::BlockTerminationSignals();
  cmc::SetLogService("gateway");
  cmc::ParseFlagsWithEnv(argc, argv,
                         "the public door of a CMC deployment. Flags fall back "
                         "to CMC_<FLAG> environment variables.");
  const cmc::gateway::GatewayConfig config =
      cmc::ValueOrExit(cmc::gateway::GatewayConfigFromFlags(), "cmc-gateway");
  cmc::LogServiceConfig(config.service);
  std::optional<cmc::InternalTls> tls =
      cmc::ValueOrExit(cmc::InternalTlsFromFlags(), "cmc-gateway");
  cmc::LogInternalTls(tls.has_value());
  cmc::UseInternalTls(std::move(tls));
  const cmc::gateway::BackendChannels channels =
      cmc::gateway::CreateBackendChannels(config.routes.backends(),
                                          config.service.max_message_bytes);
  auto pool = cmc::db::Pool::Create(config.service.db);
  absl::Status status = cmc::MigrateWithRetry(
      *pool, "gateway", cmc::gateway::Migrations(),
      absl::Milliseconds(absl::GetFlag(FLAGS_startup_db_wait_ms)));
  if (!status.ok()) {
    cmc::Log(cmc::LogLevel::kError, "startup_failed")
        .Field("message", status.ToString());
    return 1;
  }
  cmc::Server server(cmc::gateway::PublicServerOptions(config));
  prometheus::Counter& dropped =
      prometheus::BuildCounter()
          .Name("cmc_gateway_audit_dropped_total")
          .Help(
              "Audit records lost: queue full, or the database refused "
              "their batch")
          .Register(server.metrics().registry())
          .Add({});
  cmc::gateway::AuditWriterOptions audit_options;
  audit_options.queue_capacity = config.audit_queue_capacity;
  audit_options.retention = config.audit_retention;
  cmc::gateway::AuditWriter audit(pool.get(), audit_options, &dropped);

  cmc::gateway::ProxyOptions proxy_options;
  proxy_options.audit = &audit;
  proxy_options.access_control = config.access.get();
  proxy_options.default_timeout = config.service.default_deadline;
  proxy_options.max_timeout = config.service.max_deadline;
  // Both take only what GatewayConfigFromFlags validated, so a refusal here is
  // still the configuration's.
  const std::unique_ptr<cmc::gateway::Proxy> proxy = cmc::ValueOrExit(
      cmc::gateway::Proxy::Create(config.routes, channels, proxy_options),
      "cmc-gateway");
  const std::unique_ptr<cmc::gateway::OverviewFetcher> overview =
      cmc::ValueOrExit(cmc::gateway::OverviewFetcher::Create(channels),
                       "cmc-gateway");
  cmc::gateway::GatewayService::Options service_options;
  service_options.default_deadline = config.service.default_deadline;
  service_options.max_deadline = config.service.max_deadline;
  service_options.community_members = [fetcher = overview.get()](
                                          const std::string& community_id,
                                          const cmc::Principal& auditor,
                                          absl::Time deadline) {
    return fetcher->MemberInstitutions(community_id, auditor, deadline);
  };
  cmc::gateway::GatewayService gateway_service(pool.get(), config.access.get(),
                                               service_options, overview.get());
  server.AddService(&gateway_service,
                    cmc::gateway::v1::GatewayService::service_full_name());
  server.AddGenericService(proxy.get());
  server.metrics().SetPoolStatsSource([p = pool.get()] { return p->Stats(); });
  audit.Start();
  status = server.Start();
  if (!status.ok()) {
    cmc::Log(cmc::LogLevel::kError, "startup_failed")
        .Field("message", status.ToString());
    return 1;
  }
  cmc::gateway::BackendMonitorOptions monitor_options;
  monitor_options.interval = config.backend_check_interval;
  cmc::gateway::BackendMonitor monitor(config.routes.backends(), channels,
                                       server.health(), monitor_options);
  monitor.Start();
  server.AddShutdownHook([&monitor] { monitor.Stop(); });
  server.RunUntilSignal();
  // After the drain, not in a shutdown hook (hooks run before it), so the
  // calls that finish while draining are recorded too.
  audit.Stop();
  return 0;
}
