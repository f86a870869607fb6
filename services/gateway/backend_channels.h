// The gRPC channels from the gateway to its backends, one per backend, shared
// by the proxy (which forwards calls) and the backend monitor (which checks
// their health).
//
//   BackendChannels channels = CreateBackendChannels(routes.backends());
//   Proxy proxy(routes, channels, ProxyOptions());
#ifndef CMC_SERVICES_GATEWAY_BACKEND_CHANNELS_H_
#define CMC_SERVICES_GATEWAY_BACKEND_CHANNELS_H_

#include <grpcpp/impl/channel_interface.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "services/gateway/routing.h"

namespace cmc::gateway {

// Backend name -> channel. Channels are thread-safe; the map is not modified
// after it is built.
using BackendChannels =
    std::map<std::string, std::shared_ptr<grpc::ChannelInterface>>;

// One channel per backend: mutual TLS with the gateway's certificate when the
// process has internal TLS (common/identity/internal_tls.h; the backends then
// believe the principal the gateway attaches), plaintext without.
// Idempotent reads are retried after UNAVAILABLE (retry_policy.h).
// `max_message_bytes` bounds a backend's response, as the services' own
// --max_message_bytes bounds what they send.
BackendChannels CreateBackendChannels(const std::vector<Backend>& backends,
                                      int max_message_bytes = 16 << 20);

}  // namespace cmc::gateway

#endif  // CMC_SERVICES_GATEWAY_BACKEND_CHANNELS_H_
