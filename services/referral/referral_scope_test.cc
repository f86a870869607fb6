#include "services/referral/referral_scope.h"

#include <gtest/gtest.h>

#include <string>

#include "common/status.h"

namespace cmc::referral {
namespace {

using v1::Referral;

// Scopes of the tables below. Community "com-1" has members ins-county,
// ins-town and ins-village; "com-2" has ins-other.
Principal Who(const std::string& scope_text) {
  Principal who;
  if (scope_text == "anonymous") return who;
  who.subject = "user:test";
  who.roles = {"clinician"};
  if (scope_text == "county") who.whole_county = true;
  if (scope_text.rfind("community:", 0) == 0) {
    who.communities.insert(scope_text.substr(10));
  }
  if (scope_text.rfind("institution:", 0) == 0) {
    who.institutions.insert(scope_text.substr(12));
  }
  return who;
}

OrgScope ScopeOf(const std::string& scope_text) {
  return OrgScope(Who(scope_text),
                  {{"com-1", {"ins-county", "ins-town", "ins-village"}},
                   {"com-2", {"ins-other"}}});
}

Referral Direct(const std::string& from, const std::string& to,
                v1::ReferralStatus status = v1::REFERRAL_STATUS_REQUESTED) {
  Referral referral;
  referral.set_id("ref-1");
  referral.set_from_institution_id(from);
  referral.set_to_institution_id(to);
  referral.set_receiving_institution_id(to);
  referral.set_status(status);
  return referral;
}

Referral OpenToTownships() {
  Referral referral;
  referral.set_id("ref-2");
  referral.set_from_institution_id("ins-village");
  referral.set_to_tier(common::v1::TIER_TOWNSHIP);
  referral.set_status(v1::REFERRAL_STATUS_REQUESTED);
  return referral;
}

Referral External(v1::ReferralStatus status) {
  Referral referral;
  referral.set_id("ref-3");
  referral.set_from_institution_id("ins-county");
  referral.mutable_to_external_hospital()->set_name("省人民医院");
  referral.set_status(status);
  return referral;
}

TEST(OrgScopeTest, CoversExplicitInstitutionsAndCommunityMembers) {
  struct Case {
    const char* scope;
    const char* institution;
    bool covers;
    bool through_community;
  };
  const Case cases[] = {
      {"anonymous", "ins-anything", true, true},
      {"county", "ins-anything", true, true},
      {"institution:ins-town", "ins-town", true, false},
      {"institution:ins-town", "ins-village", false, false},
      {"community:com-1", "ins-village", true, true},
      {"community:com-1", "ins-other", false, false},
      {"community:com-unknown", "ins-town", false, false},
      {"institution:ins-town", "", false, false},
  };
  for (const Case& c : cases) {
    const OrgScope scope = ScopeOf(c.scope);
    EXPECT_EQ(scope.Covers(c.institution), c.covers)
        << c.scope << " / " << c.institution;
    EXPECT_EQ(scope.CoversThroughCommunity(c.institution), c.through_community)
        << c.scope << " / " << c.institution;
  }
  EXPECT_TRUE(ScopeOf("community:com-1").HasCommunityReach());
  EXPECT_TRUE(ScopeOf("anonymous").HasCommunityReach());
  EXPECT_FALSE(ScopeOf("institution:ins-town").HasCommunityReach());
  EXPECT_EQ(
      ScopeOf("community:com-1").InstitutionIds(),
      (std::vector<std::string>{"ins-county", "ins-town", "ins-village"}));
}

TEST(OrgScopeTest, SeesReferralsOfItsSendersAndReceiversAndUnclaimedOpenOnes) {
  struct Case {
    const char* scope;
    Referral referral;
    bool sees;
  };
  Referral claimed = OpenToTownships();
  claimed.set_receiving_institution_id("ins-other");
  const Case cases[] = {
      {"institution:ins-village", Direct("ins-village", "ins-town"), true},
      {"institution:ins-town", Direct("ins-village", "ins-town"), true},
      {"institution:ins-county", Direct("ins-village", "ins-town"), false},
      {"community:com-2", Direct("ins-village", "ins-town"), false},
      {"community:com-1", Direct("ins-other", "ins-town"), true},
      {"institution:ins-county", OpenToTownships(), true},
      {"institution:ins-county", claimed, false},
      {"institution:ins-other", claimed, true},
      {"county", Direct("ins-a", "ins-b"), true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ScopeOf(c.scope).CanSee(c.referral), c.sees)
        << c.scope << " / " << c.referral.ShortDebugString();
  }
}

TEST(AuthorizeActionTest, EachActionNeedsItsSideInScope) {
  struct Case {
    const char* name;
    const char* scope;
    Referral referral;
    Action action;
    const char* actor;
    const char* denied_field;  // "" when allowed
  };
  const Referral sent = Direct("ins-village", "ins-town");
  const Case cases[] = {
      {"receiver accepts", "institution:ins-town", sent, Action::kAccept,
       "ins-town", ""},
      {"sender cannot accept", "institution:ins-village", sent, Action::kAccept,
       "ins-town", "id"},
      {"outsider cannot receive", "institution:ins-county", sent,
       Action::kReceive, "ins-town", "id"},
      {"community receives for a member", "community:com-1", sent,
       Action::kReceive, "ins-town", ""},
      {"other community cannot reject", "community:com-2", sent,
       Action::kReject, "ins-town", "id"},
      {"sender cancels", "institution:ins-village", sent, Action::kCancel,
       "ins-village", ""},
      {"receiver cannot cancel", "institution:ins-town", sent, Action::kCancel,
       "ins-village", "id"},
      {"claiming an open referral for itself", "institution:ins-town",
       OpenToTownships(), Action::kReceive, "ins-town", ""},
      {"claiming an open referral for another", "institution:ins-town",
       OpenToTownships(), Action::kAccept, "ins-town2", "actor.institution_id"},
      {"external: the sender records the answer", "institution:ins-county",
       External(v1::REFERRAL_STATUS_REQUESTED), Action::kAccept, "ins-county",
       ""},
      {"external: nobody else", "institution:ins-town",
       External(v1::REFERRAL_STATUS_REQUESTED), Action::kAccept, "ins-county",
       "id"},
      {"approval by the sender's community", "community:com-1",
       External(v1::REFERRAL_STATUS_APPROVAL_PENDING), Action::kApprove,
       "ins-county", ""},
      {"approval needs a community, not the institution",
       "institution:ins-county", External(v1::REFERRAL_STATUS_APPROVAL_PENDING),
       Action::kApprove, "ins-county", "id"},
      {"rejecting approval needs the community too", "institution:ins-county",
       External(v1::REFERRAL_STATUS_APPROVAL_PENDING), Action::kReject,
       "ins-county", "id"},
      {"approval by another community", "community:com-2",
       External(v1::REFERRAL_STATUS_APPROVAL_PENDING), Action::kApprove,
       "ins-county", "id"},
      {"county approves", "county",
       External(v1::REFERRAL_STATUS_APPROVAL_PENDING), Action::kApprove,
       "ins-county", ""},
      {"anonymous does anything", "anonymous", sent, Action::kCancel,
       "ins-village", ""},
  };
  for (const Case& c : cases) {
    ActionRequest request;
    request.action = c.action;
    request.institution_id = c.actor;
    const absl::Status status =
        AuthorizeAction(ScopeOf(c.scope), c.referral, request);
    if (std::string(c.denied_field).empty()) {
      EXPECT_TRUE(status.ok()) << c.name << ": " << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << c.name;
      EXPECT_EQ(BadField(status), c.denied_field) << c.name;
    }
  }
}

TEST(ShowsResidentIdTest, OnlyClinicianWhoseScopeCoversASide) {
  struct Case {
    const char* scope;
    const char* role;
    bool shows;
  };
  const Case cases[] = {
      {"institution:ins-town", "clinician", true},
      {"institution:ins-village", "clinician", true},
      {"community:com-1", "clinician", true},
      {"institution:ins-county", "clinician", false},
      {"institution:ins-town", "auditor", false},
      {"county", "clinician", true},
      {"anonymous", "", false},
  };
  const Referral referral = Direct("ins-village", "ins-town");
  for (const Case& c : cases) {
    Principal who = Who(c.scope);
    if (!who.anonymous()) who.roles = {c.role};
    EXPECT_EQ(ShowsResidentId(who, ScopeOf(c.scope), referral), c.shows)
        << c.scope << " / " << c.role;
  }
}

}  // namespace
}  // namespace cmc::referral
