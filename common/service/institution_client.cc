#include "common/service/institution_client.h"

namespace cmc {

InstitutionClient NewInstitutionClient(const std::string& address,
                                       absl::Duration ttl) {
  auto channel = NewInstitutionChannel(address);
  InstitutionClient client;
  client.communities =
      NewCachingCommunityDirectory(NewGrpcCommunityDirectory(channel), ttl);
  client.institutions =
      NewCachingDirectory(NewGrpcInstitutionDirectory(channel), ttl);
  return client;
}

}  // namespace cmc
