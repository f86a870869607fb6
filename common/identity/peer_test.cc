#include "common/identity/peer.h"

#include <gtest/gtest.h>

#include <string>

namespace cmc {
namespace {

Principal User() {
  Principal who;
  who.subject = "user:li";
  who.roles = {"clinician"};
  who.institutions = {"ins-1"};
  return who;
}

TEST(PeerTest, UnderCertificatesOnlyTheGatewayMayNameThePrincipal) {
  struct Case {
    const char* name;
    const char* peer;
    Principal headers;
    PeerTrust trust;
    bool ok;
    const char* subject;
    bool whole_county;
  };
  const Case cases[] = {
      {"headers believed without TLS", "", User(), PeerTrust::kHeaders, true,
       "user:li", false},
      {"anonymous without TLS is unrestricted", "", Principal{},
       PeerTrust::kHeaders, true, "", false},
      {"gateway forwards the user", "cmc-gateway", User(),
       PeerTrust::kCertificates, true, "user:li", false},
      {"gateway without a principal", "cmc-gateway", Principal{},
       PeerTrust::kCertificates, false, "", false},
      {"a service is itself, whatever it claims", "cmc-referral", User(),
       PeerTrust::kCertificates, true, "system:cmc-referral", true},
      {"forged headers without a certificate", "", User(),
       PeerTrust::kCertificates, false, "", false},
      {"cmcctl's certificate is no caller", "cmc-cmcctl", User(),
       PeerTrust::kCertificates, false, "", false},
      {"a stranger", "evil", User(), PeerTrust::kCertificates, false, "",
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Principal> who = PrincipalOfPeer(c.peer, c.headers, c.trust);
    ASSERT_EQ(who.ok(), c.ok) << who.status();
    if (!c.ok) {
      EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
      continue;
    }
    EXPECT_EQ(who->subject, c.subject);
    EXPECT_EQ(who->whole_county, c.whole_county);
  }
}

}  // namespace
}  // namespace cmc
