// The org tree above and below institutions and communities, asked of the
// institution service (which owns communities, institutions and
// memberships). The interface lets handler tests use a fixed tree
// (indicator_fakes.h) and fault tests make the institution service
// unreachable. Every method is thread-safe and returns UNAVAILABLE when the
// institution service cannot answer by `deadline`.
#ifndef CMC_SERVICES_INDICATOR_ORG_DIRECTORY_H_
#define CMC_SERVICES_INDICATOR_ORG_DIRECTORY_H_

#include <grpcpp/channel.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cmc::indicator {

// A community and the county it belongs to.
struct CommunityPlace {
  std::string community_id;
  std::string county_division_code;
};

class OrgDirectory {
 public:
  virtual ~OrgDirectory() = default;

  // The county (6-digit code) of a community; nullopt when unknown.
  virtual absl::StatusOr<std::optional<std::string>> CommunityCounty(
      const std::string& community_id, absl::Time deadline) = 0;
  // The county of an institution (the first 6 digits of its division code);
  // nullopt when unknown.
  virtual absl::StatusOr<std::optional<std::string>> InstitutionCounty(
      const std::string& institution_id, absl::Time deadline) = 0;
  // The communities of every county inside division `division` (a county,
  // prefecture or province code), ordered by id.
  virtual absl::StatusOr<std::vector<CommunityPlace>> CommunitiesWithin(
      const std::string& division, absl::Time deadline) = 0;
  // The member institutions of a community today; empty when unknown.
  virtual absl::StatusOr<std::set<std::string>> Members(
      const std::string& community_id, absl::Time deadline) = 0;
};

// Asks cmc.institution.v1.InstitutionService on `channel` (GetCommunity,
// GetInstitution, ListCommunities, ListInstitutions), each call bounded by
// the caller's deadline and `call_timeout`.
std::unique_ptr<OrgDirectory> NewGrpcOrgDirectory(
    std::shared_ptr<grpc::Channel> channel,
    absl::Duration call_timeout = absl::Seconds(2));

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_ORG_DIRECTORY_H_
