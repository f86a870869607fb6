#include "common/identity/peer.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>

#include <atomic>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"

namespace cmc {
namespace {

std::atomic<PeerTrust> g_trust{PeerTrust::kHeaders};

// The CMC processes that call others on their own account.
bool IsServicePeer(absl::string_view peer) {
  for (absl::string_view name :
       {"cmc-institution", "cmc-referral", "cmc-dispatch", "cmc-finance",
        "cmc-indicator"}) {
    if (peer == name) return true;
  }
  return false;
}

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat(
      "this service accepts calls only through the gateway: ", why));
}

}  // namespace

void SetPeerTrust(PeerTrust trust) { g_trust.store(trust); }
PeerTrust GetPeerTrust() { return g_trust.load(); }

std::string PeerCommonName(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  const std::vector<grpc::string_ref> names =
      auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  if (names.empty()) return "";
  return std::string(names.front().data(), names.front().size());
}

absl::StatusOr<Principal> PrincipalOfPeer(absl::string_view peer,
                                          const Principal& headers,
                                          PeerTrust trust) {
  if (trust == PeerTrust::kHeaders) return headers;
  if (peer == kGatewayPeer) {
    if (headers.anonymous()) return Unauthenticated("no principal");
    return headers;
  }
  if (IsServicePeer(peer)) {
    Principal system;
    system.subject = absl::StrCat("system:", peer);
    system.roles = {"service"};
    system.whole_county = true;
    return system;
  }
  return Unauthenticated(peer.empty() ? "no verified client certificate"
                                      : "an unknown client certificate");
}

absl::StatusOr<Principal> AuthenticatePrincipal(
    const grpc::ServerContextBase& context) {
  const PeerTrust trust = GetPeerTrust();
  const Principal headers = PrincipalFromMetadata(context.client_metadata());
  if (trust == PeerTrust::kHeaders) return headers;
  return PrincipalOfPeer(PeerCommonName(context), headers, trust);
}

}  // namespace cmc
