// The communities (医共体) of the county: the contract of their storage
// (store_types.h lists what every store shares). MysqlCommunityStore is the
// implementation; tests use a fake.
//
//   CMC_ASSIGN_OR_RETURN(v1::Community created,
//                        communities->CreateCommunity(claim, wanted, actor,
//                                                     deadline));
#ifndef CMC_SERVICES_INSTITUTION_COMMUNITY_STORE_H_
#define CMC_SERVICES_INSTITUTION_COMMUNITY_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

class CommunityStore {
 public:
  virtual ~CommunityStore() = default;

  // Stores a validated new community (id, version and timestamps are minted
  // here). A lead, when given, must exist (NOT_FOUND
  // "community.lead_institution_id") and be a lead hospital kind
  // (INVALID_ARGUMENT). ALREADY_EXISTS "community.code" when the code is taken.
  virtual absl::StatusOr<v1::Community> CreateCommunity(
      const RequestClaim& claim, const v1::Community& community,
      const Actor& actor, absl::Time deadline) = 0;
  // NOT_FOUND naming `field` when `id` is unknown.
  virtual absl::StatusOr<v1::Community> GetCommunity(const std::string& id,
                                                     absl::string_view field,
                                                     absl::Time deadline) = 0;
  // Loads community `id` (NOT_FOUND "community.id"), checks `version` (ABORTED
  // when stale), applies `mutate`, re-checks a changed lead as on create, and
  // stores the result with version + 1.
  virtual absl::StatusOr<v1::Community> UpdateCommunity(
      const std::string& id, int64_t version,
      const Mutation<v1::Community>& mutate, const Actor& actor,
      absl::Time deadline) = 0;
  // The communities matching `filter`, one page in creation order.
  virtual absl::StatusOr<PageOf<v1::Community>> ListCommunities(
      const CommunityFilter& filter, const PageQuery& page,
      absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_COMMUNITY_STORE_H_
