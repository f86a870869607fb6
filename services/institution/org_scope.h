// The caller's org scope inside the institution service, as a value (pure,
// thread-safe): which communities and institutions a call may read or change.
// Built once per call from the caller's principal and, for a community scope,
// the community's members on the day the call is about (one query, made by the
// handler through MembershipStore::MembersOf).
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
//   OrgScope scope = OrgScope::Restricted(who, members);
//   CMC_RETURN_IF_ERROR(scope.RequireInstitution(id, "id"));
#ifndef CMC_SERVICES_INSTITUTION_ORG_SCOPE_H_
#define CMC_SERVICES_INSTITUTION_ORG_SCOPE_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cmc/institution/v1/institution.pb.h"
#include "common/identity/principal.h"
#include "services/institution/org_tree.h"

namespace cmc::institution {

namespace v1 = ::cmc::institution::v1;

class OrgScope {
 public:
  // Covers everything.
  static OrgScope Unrestricted();
  // The scope of a restricted principal (!who.unrestricted()): its communities
  // and institutions, with `members` mapping each institution that is a member
  // of one of who.communities on the day to that community.
  static OrgScope Restricted(const Principal& who,
                             std::map<std::string, std::string> members);
  // Unrestricted() for an unrestricted principal, else Restricted(who,
  // members).
  static OrgScope Of(const Principal& who,
                     std::map<std::string, std::string> members);

  bool unrestricted() const { return unrestricted_; }

  bool CoversCommunity(absl::string_view community_id) const;
  bool CoversInstitution(absl::string_view institution_id) const;
  bool CoversVillage(const v1::Village& village) const;
  bool CoversStaff(const v1::Staff& staff) const;
  bool CoversMembership(const v1::Membership& membership) const;
  // Reads: the from or the to institution is covered.
  bool CoversPosting(const v1::Posting& posting) const;
  // Changes: the from institution (the employer) is covered.
  bool MayChangePosting(const v1::Posting& posting) const;

  // The community `institution_id` belongs to through this scope (a member of
  // one of the principal's communities on the day), or "" when none.
  std::string CommunityOf(absl::string_view institution_id) const;

  // Every institution covered, for restricting queries (meaningless when
  // unrestricted()): the principal's institutions and the members.
  std::set<std::string> Institutions() const;
  const std::set<std::string>& Communities() const { return communities_; }

  // OK when covered, else cmc::OutOfScope(field, ...) (PERMISSION_DENIED naming
  // `field`, ErrorInfo OUT_OF_SCOPE).
  absl::Status RequireCommunity(absl::string_view community_id,
                                absl::string_view field) const;
  absl::Status RequireInstitution(absl::string_view institution_id,
                                  absl::string_view field) const;
  // The same for a List request's optional filter: an empty id (no filter) is
  // OK.
  absl::Status RequireCommunityFilter(absl::string_view community_id,
                                      absl::string_view field) const;
  absl::Status RequireInstitutionFilter(absl::string_view institution_id,
                                        absl::string_view field) const;
  absl::Status RequireVillage(const v1::Village& village,
                              absl::string_view field) const;
  absl::Status RequireStaff(const v1::Staff& staff,
                            absl::string_view field) const;
  absl::Status RequireMembership(const v1::Membership& membership,
                                 absl::string_view field) const;
  absl::Status RequirePostingRead(const v1::Posting& posting,
                                  absl::string_view field) const;
  absl::Status RequirePostingChange(const v1::Posting& posting,
                                    absl::string_view field) const;

  // Removes the institutions and villages not covered from `contents` (a
  // subtree's rows); an institution whose parent is removed becomes a root.
  void Prune(OrgContents& contents) const;

 private:
  bool unrestricted_ = false;
  std::set<std::string> communities_;
  std::set<std::string> institutions_;
  std::map<std::string, std::string> members_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_ORG_SCOPE_H_
