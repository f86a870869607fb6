// cmc-gateway: wiring only. Admits each caller (token, rate limit, policy; see
// access_control.h), forwards every method of the five domain services
// to its backend and reports each backend's health under that backend's service
// name (see proxy.h, backend_monitor.h and docs/architecture.md).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/log.h"
#include "common/server/server.h"
#include "services/gateway/access_flags.h"
#include "services/gateway/backend_channels.h"
#include "services/gateway/backend_monitor.h"
#include "services/gateway/proxy.h"
#include "services/gateway/routing.h"

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

int main(int argc, char** argv) {
  cmc::BlockTerminationSignals();
  cmc::SetLogService("gateway");
  cmc::ParseFlagsWithEnv(argc, argv,
                         "the public door of a CMC deployment. Flags fall back "
                         "to CMC_<FLAG> environment variables.");
  const cmc::ServiceDefaults defaults{"gateway", 50050, 9100,
                                      /*needs_database=*/false};
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
  cmc::gateway::ProxyOptions proxy_options;
  proxy_options.access_control = access->get();
  proxy_options.default_timeout = config->default_deadline;
  proxy_options.max_timeout = config->max_deadline;
  auto proxy = cmc::gateway::Proxy::Create(*routes, channels, proxy_options);
  if (!proxy.ok()) {
    std::fprintf(stderr, "cmc-gateway: %s\n",
                 std::string(proxy.status().message()).c_str());
    return 2;
  }

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      cmc::gateway::ServerCredentialsFromFlags();
  if (!credentials.ok()) {
    std::fprintf(stderr, "cmc-gateway: bad configuration: %s\n",
                 std::string(credentials.status().message()).c_str());
    return 2;
  }
  cmc::ServerOptions server_options = cmc::ServerOptions::FromConfig(*config);
  server_options.credentials = *credentials;
  cmc::Server server(server_options);
  server.AddGenericService(proxy->get());
  absl::Status status = server.Start();
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
  return 0;
}
