// Which institutions are members of a community, asked of the institution
// service (which owns memberships): what resolves a principal's
// "community:<id>" scope to institutions.
//
//   auto communities = NewCachingCommunityDirectory(
//       NewGrpcCommunityDirectory(channel), absl::Seconds(30));
//   CMC_ASSIGN_OR_RETURN(std::set<std::string> members,
//                        communities->Members("com-1", deadline));
//
// The interface lets handler tests use fixed memberships and fault tests make
// the institution service unreachable.
#ifndef CMC_COMMON_SERVICE_COMMUNITY_DIRECTORY_H_
#define CMC_COMMON_SERVICE_COMMUNITY_DIRECTORY_H_

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cmc {

class CommunityDirectory {
 public:
  virtual ~CommunityDirectory() = default;

  // The ids of the member institutions of `community_id` today; empty for a
  // community the institution service does not know (a scope naming it covers
  // nobody). UNAVAILABLE when the institution service cannot answer by
  // `deadline` or fails. Thread-safe.
  virtual absl::StatusOr<std::set<std::string>> Members(
      const std::string& community_id, absl::Time deadline) = 0;
};

// Pages through cmc.institution.v1.InstitutionService/ListInstitutions
// (community_id, as of today) on `channel`, each call bounded by the caller's
// deadline and `call_timeout`.
std::unique_ptr<CommunityDirectory> NewGrpcCommunityDirectory(
    std::shared_ptr<grpc::Channel> channel,
    absl::Duration call_timeout = absl::Seconds(2));

// Remembers each community's members from `inner` for `ttl`; failures are not
// remembered. Memberships change rarely (a reorganisation), so scope decisions
// may lag a change by up to `ttl`. `now` is the clock (for tests).
std::unique_ptr<CommunityDirectory> NewCachingCommunityDirectory(
    std::unique_ptr<CommunityDirectory> inner, absl::Duration ttl,
    std::function<absl::Time()> now = absl::Now);

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_COMMUNITY_DIRECTORY_H_
