// Who may tell a service who the caller is. Behind the gateway every hop is
// mutual TLS with the deployment's own CA (scripts/make-certs): a service
// believes the x-cmc-principal-* headers only from the gateway's certificate
// (CN cmc-gateway), gives another CMC service the system identity its
// certificate names ("system:cmc-referral", the whole county), and refuses
// everything else, and every call without a principal, as UNAUTHENTICATED.
//
//   SetPeerTrust(PeerTrust::kCertificates);            // once, at start
//   CMC_ASSIGN_OR_RETURN(Principal who, AuthenticatePrincipal(*context));
//
// PeerTrust::kHeaders (the default) believes the headers from anyone and takes
// a call without them as unrestricted: only for a deployment without internal
// TLS (handler tests, local experiments); the runner logs it as insecure.
#ifndef CMC_COMMON_IDENTITY_PEER_H_
#define CMC_COMMON_IDENTITY_PEER_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/identity/principal.h"

namespace cmc {

inline constexpr char kGatewayPeer[] = "cmc-gateway";

enum class PeerTrust {
  kHeaders,       // no internal TLS: the headers are believed (insecure)
  kCertificates,  // internal mutual TLS: only verified peers count
};

// The process-wide rule; set once at start, before serving. Thread-safe.
void SetPeerTrust(PeerTrust trust);
PeerTrust GetPeerTrust();

// The subject CN of the call's verified client certificate, or "" over
// plaintext or without a verified certificate.
std::string PeerCommonName(const grpc::ServerContextBase& context);

// The principal of the call under the process's rule, given the peer's
// verified certificate CN `peer` ("" = none) and the call's headers `headers`:
//   kHeaders:       the headers (anonymous when absent).
//   kCertificates:  peer cmc-gateway: the headers, which must name a subject;
//                   peer cmc-<service> for a domain service: "system:<peer>",
//                   whole county, role "service" (the headers are ignored);
//                   anything else: UNAUTHENTICATED.
absl::StatusOr<Principal> PrincipalOfPeer(absl::string_view peer,
                                          const Principal& headers,
                                          PeerTrust trust);
absl::StatusOr<Principal> AuthenticatePrincipal(
    const grpc::ServerContextBase& context);

}  // namespace cmc

#endif  // CMC_COMMON_IDENTITY_PEER_H_
