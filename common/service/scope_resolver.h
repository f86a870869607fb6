// Builds the caller's OrgScope (org_scope.h): resolves the principal's
// communities to their member institutions through a CommunityDirectory and,
// when a rule needs them, the tiers of the covered institutions through an
// InstitutionDirectory. Both normally ask the institution service (cached; see
// community_directory.h and institution_directory.h); the institution service
// itself passes directories over its own store.
//
//   ScopeResolver scopes(communities.get(), institutions.get());
//   CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes.Resolve(call));
//   if (NeedsTiers(scope, referral)) {
//     CMC_ASSIGN_OR_RETURN(scope, scopes.AddTiers(scope, call.deadline()));
//   }
#ifndef CMC_COMMON_SERVICE_SCOPE_RESOLVER_H_
#define CMC_COMMON_SERVICE_SCOPE_RESOLVER_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/identity/principal.h"
#include "common/service/call_context.h"
#include "common/service/community_directory.h"
#include "common/service/institution_directory.h"
#include "common/service/org_scope.h"

namespace cmc {

class ScopeResolver {
 public:
  enum class Tiers { kSkip, kResolve };

  // `communities` must outlive the resolver; `institutions` too, and may be
  // null when the service never resolves tiers.
  ScopeResolver(CommunityDirectory* communities,
                InstitutionDirectory* institutions)
      : communities_(communities), institutions_(institutions) {}

  // The scope of `who`, asking only for what a restricted scope needs: no
  // call at all for an unrestricted principal, one Members call per
  // community, and with kResolve one tier lookup for the covered
  // institutions. UNAVAILABLE when a directory cannot answer by `deadline`.
  absl::StatusOr<OrgScope> Resolve(const Principal& who, absl::Time deadline,
                                   Tiers tiers = Tiers::kSkip) const;
  absl::StatusOr<OrgScope> Resolve(const CallContext& call,
                                   Tiers tiers = Tiers::kSkip) const {
    return Resolve(call.principal(), call.deadline(), tiers);
  }

  // `scope` with the tiers of its institutions (unchanged when they are
  // known already). FAILED_PRECONDITION without an InstitutionDirectory.
  absl::StatusOr<OrgScope> AddTiers(const OrgScope& scope,
                                    absl::Time deadline) const;

 private:
  CommunityDirectory* communities_;
  InstitutionDirectory* institutions_;
};

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_SCOPE_RESOLVER_H_
