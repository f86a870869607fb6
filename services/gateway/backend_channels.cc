#include "services/gateway/backend_channels.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <string>

#include "common/identity/internal_tls.h"
#include "services/gateway/retry_policy.h"

namespace cmc::gateway {

BackendChannels CreateBackendChannels(const std::vector<Backend>& backends,
                                      int max_message_bytes) {
  // Backends sit on the deployment's own network: reconnect quickly after a
  // backend restarts instead of gRPC's default backoff (up to two minutes),
  // during which every call to that backend would fail at once. Round robin
  // spreads calls over every address a backend's name resolves to (its
  // replicas).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetLoadBalancingPolicyName("round_robin");
  args.SetMaxReceiveMessageSize(max_message_bytes);
  args.SetMaxSendMessageSize(max_message_bytes);
  // Idempotent reads that the backend refused with UNAVAILABLE (a replica
  // restarting, a dropped connection) are tried again, at most 3 attempts,
  // within the caller's deadline; writes never (see retry_policy.h).
  static const std::string* const kServiceConfig =
      new std::string(ReadRetryServiceConfig(PublishedServices()));
  args.SetServiceConfigJSON(*kServiceConfig);
  BackendChannels channels;
  for (const Backend& backend : backends) {
    channels[backend.name] = grpc::CreateCustomChannel(
        backend.address, InternalChannelCredentials(), args);
  }
  return channels;
}

}  // namespace cmc::gateway
