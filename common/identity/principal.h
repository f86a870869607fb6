// The caller's identity inside the county's network. The gateway authenticates
// the caller and forwards the verified principal to backends in request
// metadata; it strips these headers from every outside call, and with
// internal TLS (internal_tls.h) a backend believes them only from the
// gateway's certificate (peer.h). A call without them is anonymous, which
// only a deployment without internal TLS accepts.
//
//   x-cmc-principal-subject    "user:zhang.wei" or "system:his-county-hospital"
//   x-cmc-principal-roles      comma-separated roles, e.g.
//   "clinician,township_admin" x-cmc-principal-scope      comma-separated org
//   scope: "county" (the whole deployment),
//                              "community:<id>", "institution:<id>"
//
//   cmc::Principal who = cmc::PrincipalFromContext(*context);
//   if (!who.HasRole("community_admin")) return PermissionDenied(...);
#ifndef CMC_COMMON_IDENTITY_PRINCIPAL_H_
#define CMC_COMMON_IDENTITY_PRINCIPAL_H_

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cmc {

inline constexpr char kPrincipalHeaderPrefix[] = "x-cmc-principal-";
inline constexpr char kSubjectHeader[] = "x-cmc-principal-subject";
inline constexpr char kRolesHeader[] = "x-cmc-principal-roles";
inline constexpr char kScopeHeader[] = "x-cmc-principal-scope";

struct Principal {
  std::string subject;  // empty = anonymous
  std::set<std::string> roles;
  bool whole_county = false;           // scope "county"
  std::set<std::string> communities;   // scope "community:<id>"
  std::set<std::string> institutions;  // scope "institution:<id>"

  bool anonymous() const { return subject.empty(); }
  // True when no org scope restricts the caller: an anonymous call (one made
  // inside the county's network, by another service; the gateway never
  // forwards an outside call without a principal unless authentication is
  // disabled) or a principal whose scope is the whole county.
  bool unrestricted() const { return anonymous() || whole_county; }
  bool HasRole(absl::string_view role) const {
    return roles.count(std::string(role)) > 0;
  }
  // True when the principal's scope covers the community or institution (whole
  // county covers all).
  bool CoversCommunity(absl::string_view id) const;
  bool CoversInstitution(absl::string_view id) const;
};

// PERMISSION_DENIED for a request that names a resource outside the caller's
// org scope: message "<field>: <what> is outside the caller's scope", a
// BadRequest detail naming `field` and an ErrorInfo with reason OUT_OF_SCOPE.
//   return OutOfScope("institution_id", "institution ins-7");
absl::Status OutOfScope(absl::string_view field, absl::string_view what);

// Trailing metadata a backend sets on a response that carries personal data
// unmasked (a resident ID in full); the value names what was shown, e.g.
// "resident_id". The gateway records every such call in its audit trail.
inline constexpr char kPersonalDataTrailer[] = "x-cmc-personal-data";

// Marks the call's response as carrying unmasked personal data of `kind`.
// Call it at most once per call, before the response is sent.
void MarkPersonalDataRead(grpc::ServerContextBase* context,
                          absl::string_view kind);

// Reads the principal headers; a header that is absent leaves its part empty.
Principal PrincipalFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& md);

// The subject of a call whose peer could not be authenticated (peer.h).
inline constexpr char kUnauthenticatedSubject[] = "unauthenticated";

// The call's principal as AuthenticatePrincipal (peer.h) decides; a call it
// refuses gets a principal with subject kUnauthenticatedSubject, no role and
// no scope, which covers nothing (handlers built on the service kit refuse
// such calls with UNAUTHENTICATED before they run).
Principal PrincipalFromContext(const grpc::ServerContextBase& context);

// Writes `principal` as headers of an outgoing call (used by the gateway and by
// tests).
void AttachPrincipal(const Principal& principal, grpc::ClientContext* context);

}  // namespace cmc

#endif  // CMC_COMMON_IDENTITY_PRINCIPAL_H_
