// What the caller's org scope (cmc::OrgScope, common/service/org_scope.h)
// covers among the institution service's own resources (pure, thread-safe).
// The scope is built once per call from the caller's principal and, for a
// community scope, the community's members on the day the call is about,
// read from the service's own MembershipStore (no call to itself).
//
//   "county" or an anonymous call   everything (unrestricted())
//   "community:<C>"                 community C and every institution that is
//                                   a member of C on the day
//   "institution:<I>"               institution I only (not its children)
//
// What follows from an institution being covered:
//   - a village: its township center or its village clinic is covered, or
//     the community it is registered in;
//   - a staff member: the employer is covered;
//   - a posting: read when the from (employer) or the to (host) institution is
//     covered, changed when the from institution is covered;
//   - a membership: its community or its institution is covered.
//
//   const OrgScope scope = ScopeOf(who, members);
//   CMC_RETURN_IF_ERROR(RequireVillage(scope, village, "id"));
#ifndef CMC_SERVICES_INSTITUTION_ORG_SCOPE_H_
#define CMC_SERVICES_INSTITUTION_ORG_SCOPE_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/institution/v1/institution.pb.h"
#include "common/identity/principal.h"
#include "common/service/org_scope.h"
#include "services/institution/org_tree.h"

namespace cmc::institution {

namespace v1 = ::cmc::institution::v1;

// The scope of `who`, with `members` mapping each institution that is a
// member of one of who.communities on the day to that community (entries of
// other communities are ignored). Unrestricted for an unrestricted principal.
OrgScope ScopeOf(const Principal& who,
                 const std::map<std::string, std::string>& members);

bool CoversVillage(const OrgScope& scope, const v1::Village& village);
bool CoversStaff(const OrgScope& scope, const v1::Staff& staff);
bool CoversMembership(const OrgScope& scope, const v1::Membership& membership);
// Reads: the from or the to institution is covered.
bool CoversPosting(const OrgScope& scope, const v1::Posting& posting);
// Changes: the from institution (the employer) is covered.
bool MayChangePosting(const OrgScope& scope, const v1::Posting& posting);

// OK when covered, else cmc::OutOfScope(field, ...) (PERMISSION_DENIED naming
// `field`, ErrorInfo OUT_OF_SCOPE).
absl::Status RequireVillage(const OrgScope& scope, const v1::Village& village,
                            absl::string_view field);
absl::Status RequireStaff(const OrgScope& scope, const v1::Staff& staff,
                          absl::string_view field);
absl::Status RequireMembership(const OrgScope& scope,
                               const v1::Membership& membership,
                               absl::string_view field);
absl::Status RequirePostingRead(const OrgScope& scope,
                                const v1::Posting& posting,
                                absl::string_view field);
absl::Status RequirePostingChange(const OrgScope& scope,
                                  const v1::Posting& posting,
                                  absl::string_view field);

// Removes the institutions and villages `scope` does not cover from
// `contents` (a subtree's rows); an institution whose parent is removed
// becomes a root.
void Prune(const OrgScope& scope, OrgContents& contents);

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_ORG_SCOPE_H_
