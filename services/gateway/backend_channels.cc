#include "services/gateway/backend_channels.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

namespace cmc::gateway {

BackendChannels CreateInsecureChannels(const std::vector<Backend>& backends) {
  BackendChannels channels;
  for (const Backend& backend : backends) {
    channels[backend.name] = grpc::CreateChannel(
        backend.address, grpc::InsecureChannelCredentials());
  }
  return channels;
}

}  // namespace cmc::gateway
