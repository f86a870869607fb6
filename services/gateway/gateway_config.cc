#include "services/gateway/gateway_config.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "services/gateway/access_flags.h"

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

ABSL_FLAG(int, public_max_message_bytes, cmc::gateway::kPublicMaxMessageBytes,
          "Largest message a caller may send to or receive from the public "
          "port (65536..16777216); a large import is a stream of small "
          "messages");
ABSL_FLAG(bool, public_reflection, false,
          "Serve gRPC server reflection at the public port, to anyone "
          "(development only)");

namespace cmc::gateway {
namespace {

// The backends in the order of their flags; an empty address names its flag.
absl::StatusOr<RouteTable> RoutesFromFlags() {
  const struct {
    const char* name;
    const absl::Flag<std::string>& flag;
  } areas[] = {
      {"institution", FLAGS_institution_addr},
      {"referral", FLAGS_referral_addr},
      {"dispatch", FLAGS_dispatch_addr},
      {"finance", FLAGS_finance_addr},
      {"indicator", FLAGS_indicator_addr},
  };
  std::vector<Backend> backends;
  for (const auto& area : areas) {
    std::string address = absl::GetFlag(area.flag);
    if (address.empty()) {
      return InvalidField(absl::StrCat("--", area.name, "_addr"),
                          "must not be empty");
    }
    backends.push_back({area.name, std::move(address)});
  }
  return RouteTable::Create(std::move(backends));
}

absl::Status CheckPositive(absl::string_view flag, int value) {
  if (value > 0) return absl::OkStatus();
  return InvalidField(absl::StrCat("--", flag),
                      absl::StrCat("must be > 0, got ", value));
}

}  // namespace

absl::StatusOr<GatewayConfig> GatewayConfigFromFlags() {
  CMC_ASSIGN_OR_RETURN(ServiceConfig service,
                       ServiceConfigFromFlags({"gateway", 50050, 9100,
                                               /*needs_database=*/true}));
  CMC_ASSIGN_OR_RETURN(RouteTable routes, RoutesFromFlags());
  const int check_interval_ms = absl::GetFlag(FLAGS_backend_check_interval_ms);
  if (check_interval_ms < 10 || check_interval_ms > 600000) {
    return InvalidField(
        "--backend_check_interval_ms",
        absl::StrCat("must be in 10..600000, got ", check_interval_ms));
  }
  const int retention_days = absl::GetFlag(FLAGS_audit_retention_days);
  CMC_RETURN_IF_ERROR(CheckPositive("audit_retention_days", retention_days));
  const int queue_capacity = absl::GetFlag(FLAGS_audit_queue_capacity);
  CMC_RETURN_IF_ERROR(CheckPositive("audit_queue_capacity", queue_capacity));
  const int public_max_message_bytes =
      absl::GetFlag(FLAGS_public_max_message_bytes);
  if (public_max_message_bytes < (64 << 10) ||
      public_max_message_bytes > (16 << 20)) {
    return InvalidField("--public_max_message_bytes",
                        absl::StrCat("must be in 65536..16777216, got ",
                                     public_max_message_bytes));
  }
  CMC_ASSIGN_OR_RETURN(std::unique_ptr<AccessControl> access,
                       AccessControlFromFlags());
  CMC_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                       ServerCredentialsFromFlags());
  return GatewayConfig{std::move(service),
                       std::move(routes),
                       absl::Milliseconds(check_interval_ms),
                       absl::Hours(24 * retention_days),
                       static_cast<size_t>(queue_capacity),
                       std::move(access),
                       std::move(credentials),
                       public_max_message_bytes,
                       absl::GetFlag(FLAGS_public_reflection)};
}

ServerOptions PublicServerOptions(const GatewayConfig& config) {
  ServerOptions options = ServerOptions::FromConfig(config.service);
  options.credentials = config.credentials;
  options.max_message_bytes = config.public_max_message_bytes;
  options.max_metadata_bytes = kPublicMaxMetadataBytes;
  options.reflection = config.public_reflection;
  return options;
}

}  // namespace cmc::gateway
