// Memberships of institutions in communities, each over a span of days: the
// contract of their storage (store_types.h lists what every store shares).
// MysqlMembershipStore is the implementation; tests use a fake.
//
//   CMC_ASSIGN_OR_RETURN(auto members,
//                        memberships->MembersOf({"com-1"}, today, deadline));
#ifndef CMC_SERVICES_INSTITUTION_MEMBERSHIP_STORE_H_
#define CMC_SERVICES_INSTITUTION_MEMBERSHIP_STORE_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

class MembershipStore {
 public:
  virtual ~MembershipStore() = default;

  // Stores a validated new membership after the checks listed for
  // AddMembership in institution.proto.
  virtual absl::StatusOr<v1::Membership> AddMembership(
      const RequestClaim& claim, const v1::Membership& membership,
      const Actor& actor, absl::Time deadline) = 0;
  // Sets valid_to of open membership `id` to `last_day`. NOT_FOUND "id";
  // FAILED_PRECONDITION when already ended; INVALID_ARGUMENT "valid_to" when
  // before valid_from. `guard` sees the membership before it changes.
  virtual absl::StatusOr<v1::Membership> EndMembership(
      const std::string& id, absl::CivilDay last_day,
      const Guard<v1::Membership>& guard, const Actor& actor,
      absl::Time deadline) = 0;
  // The memberships matching `filter`, one page in creation order.
  virtual absl::StatusOr<PageOf<v1::Membership>> ListMemberships(
      const MembershipFilter& filter, const PageQuery& page,
      absl::Time deadline) = 0;
  // The members of `community_ids` on `day`: institution id -> community id.
  // One query; none for an empty set.
  virtual absl::StatusOr<std::map<std::string, std::string>> MembersOf(
      const std::set<std::string>& community_ids, absl::CivilDay day,
      absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MEMBERSHIP_STORE_H_
