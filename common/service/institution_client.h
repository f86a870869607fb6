// What a domain service other than institution asks the institution service,
// wired once: the members of a community (what a "community:<id>" scope
// covers) and the facts of an institution (tier, active), both over one
// channel that reconnects quickly, both cached for the same period, and the
// ScopeResolver that uses them.
//
//   InstitutionClient institutions =
//       NewInstitutionClient(absl::GetFlag(FLAGS_institution_addr),
//                            absl::Seconds(30));
//   MyService service(store, institutions.Scopes(), ...);
//
// Failure rules (those referral established): a call the institution service
// cannot answer in time is UNAVAILABLE and the caller stores nothing;
// failures are never cached; an unknown institution is NOT_FOUND naming its
// index (NotFoundIndex).
#ifndef CMC_COMMON_SERVICE_INSTITUTION_CLIENT_H_
#define CMC_COMMON_SERVICE_INSTITUTION_CLIENT_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/service/community_directory.h"
#include "common/service/institution_directory.h"
#include "common/service/scope_resolver.h"

namespace cmc {

struct InstitutionClient {
  std::unique_ptr<CommunityDirectory> communities;
  std::unique_ptr<InstitutionDirectory> institutions;

  // A resolver over the two directories; valid while this client lives.
  ScopeResolver Scopes() const {
    return ScopeResolver(communities.get(), institutions.get());
  }
};

// Both directories over one channel to `address` ("host:port"), caching what
// they learn for `ttl` (memberships and tiers change rarely: a
// reorganisation, a closure).
InstitutionClient NewInstitutionClient(const std::string& address,
                                       absl::Duration ttl);

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_INSTITUTION_CLIENT_H_
