#include "services/referral/referral_scope.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "common/status.h"

namespace cmc::referral {
namespace {

using common::v1::Tier;
using v1::Referral;

// Scopes of the tables below. Community "com-1" has members ins-county,
// ins-town and ins-village (every tier); "com-2" has ins-other (a township);
// "com-3" has ins-county3 and ins-village3 (no township).
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

const std::map<std::string, std::set<std::string>>& Communities() {
  static const auto* communities =
      new std::map<std::string, std::set<std::string>>{
          {"com-1", {"ins-county", "ins-town", "ins-village"}},
          {"com-2", {"ins-other"}},
          {"com-3", {"ins-county3", "ins-village3"}}};
  return *communities;
}

// The scope as the service builds it without tiers (ScopeOf, Tiers::kSkip).
OrgScope ScopeWithoutTiers(const std::string& scope_text) {
  return OrgScope::Of(Who(scope_text), Communities());
}

// The scope with the tiers of its institutions, as the service resolves them
// (TiersOf); "ins-nowhere" is unknown and has no tier.
OrgScope ScopeOf(const std::string& scope_text) {
  static const auto* tier_of = new std::map<std::string, Tier>{
      {"ins-county", common::v1::TIER_COUNTY},
      {"ins-county3", common::v1::TIER_COUNTY},
      {"ins-town", common::v1::TIER_TOWNSHIP},
      {"ins-town2", common::v1::TIER_TOWNSHIP},
      {"ins-other", common::v1::TIER_TOWNSHIP},
      {"ins-village", common::v1::TIER_VILLAGE},
      {"ins-village3", common::v1::TIER_VILLAGE}};
  std::set<Tier> tiers;
  for (const std::string& id : ScopeWithoutTiers(scope_text).InstitutionIds()) {
    auto it = tier_of->find(id);
    if (it != tier_of->end()) tiers.insert(it->second);
  }
  return OrgScope::Of(Who(scope_text), Communities(), tiers);
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

Referral OpenTo(Tier tier, const std::string& from = "ins-village") {
  Referral referral;
  referral.set_id("ref-2");
  referral.set_from_institution_id(from);
  referral.set_to_tier(tier);
  referral.set_status(v1::REFERRAL_STATUS_REQUESTED);
  return referral;
}

Referral OpenToTownships() { return OpenTo(common::v1::TIER_TOWNSHIP); }

Referral ClaimedBy(Referral referral, const std::string& receiver) {
  referral.set_receiving_institution_id(receiver);
  referral.set_status(v1::REFERRAL_STATUS_RECEIVED);
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
    EXPECT_EQ(scope.CoversInstitution(c.institution), c.covers)
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
      {"institution:ins-county", claimed, false},
      {"institution:ins-other", claimed, true},
      {"county", Direct("ins-a", "ins-b"), true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CanSee(ScopeOf(c.scope), c.referral), c.sees)
        << c.scope << " / " << c.referral.ShortDebugString();
  }
}

// Every kind of scope against every kind of target: an unclaimed referral
// open to a tier is seen by the scopes covering an institution of that tier
// (which could claim it), by its sender's, and by unrestricted callers.
TEST(OrgScopeTest, SeesAnUnclaimedTierOpenReferralOnlyWhenCoveringThatTier) {
  // The referrals, in the order of Case::sees; "ins-far" is in no scope.
  const Referral open_to_townships =
      OpenTo(common::v1::TIER_TOWNSHIP, "ins-far");
  const Referral referrals[] = {
      open_to_townships,
      ClaimedBy(open_to_townships, "ins-other"),
      OpenTo(common::v1::TIER_COUNTY, "ins-far"),
      OpenTo(common::v1::TIER_VILLAGE, "ins-far"),
      OpenTo(common::v1::TIER_TOWNSHIP, "ins-village"),
      Direct("ins-village", "ins-town"),
      External(v1::REFERRAL_STATUS_REQUESTED),
  };
  struct Case {
    const char* scope;
    // '1' when the scope sees referrals[i]: 0 open to townships, 1 the same
    // claimed by ins-other, 2 open to counties, 3 open to villages, 4 open to
    // townships sent by ins-village, 5 ins-village -> ins-town, 6 external
    // from ins-county.
    const char* sees;
  };
  const Case cases[] = {
      {"anonymous", "1111111"},
      {"county", "1111111"},
      {"institution:ins-county", "0010001"},
      {"institution:ins-town", "1000110"},
      {"institution:ins-town2", "1000100"},
      {"institution:ins-village", "0001110"},
      {"institution:ins-nowhere", "0000000"},
      {"community:com-1", "1011111"},
      {"community:com-2", "1100100"},
      {"community:com-3", "0011000"},
      {"community:com-unknown", "0000000"},
  };
  for (const Case& c : cases) {
    const OrgScope scope = ScopeOf(c.scope);
    std::string sees;
    for (const Referral& referral : referrals) {
      sees += CanSee(scope, referral) ? '1' : '0';
    }
    EXPECT_EQ(sees, c.sees) << c.scope;
  }
}

TEST(OrgScopeTest, WithoutTiersFailsClosedExactlyWhereTiersDecide) {
  struct Case {
    const char* scope;
    Referral referral;
    bool needs_tiers;
    bool sees_without_tiers;
  };
  const Case cases[] = {
      {"institution:ins-town", OpenToTownships(), true, false},
      {"community:com-2", OpenToTownships(), true, false},
      {"institution:ins-village", OpenToTownships(), false, true},  // sender
      {"community:com-1", OpenToTownships(), false, true},
      {"institution:ins-town", ClaimedBy(OpenToTownships(), "ins-town"), false,
       true},
      {"institution:ins-county", ClaimedBy(OpenToTownships(), "ins-town"),
       false, false},
      {"institution:ins-town", Direct("ins-village", "ins-town"), false, true},
      {"institution:ins-county", Direct("ins-village", "ins-town"), false,
       false},
      {"anonymous", OpenToTownships(), false, true},
      {"county", OpenToTownships(), false, true},
  };
  for (const Case& c : cases) {
    const OrgScope without = ScopeWithoutTiers(c.scope);
    EXPECT_EQ(NeedsTiersFor(without, c.referral), c.needs_tiers)
        << c.scope << " / " << c.referral.ShortDebugString();
    EXPECT_EQ(CanSee(without, c.referral), c.sees_without_tiers)
        << c.scope << " / " << c.referral.ShortDebugString();
    if (!c.needs_tiers) {
      EXPECT_EQ(CanSee(ScopeOf(c.scope), c.referral), c.sees_without_tiers)
          << "tiers change nothing here: " << c.scope;
    }
  }
  EXPECT_TRUE(ScopeWithoutTiers("institution:ins-town").Tiers().empty());
  EXPECT_EQ(
      ScopeOf("community:com-3").Tiers(),
      (std::set<Tier>{common::v1::TIER_COUNTY, common::v1::TIER_VILLAGE}));
  EXPECT_TRUE(OrgScope::Of(Who("institution:ins-nowhere"), {},
                           std::set<Tier>{common::v1::TIER_UNSPECIFIED})
                  .Tiers()
                  .empty())
      << "an institution without a tier covers none";
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
      {"a village cannot claim what it cannot see", "institution:ins-village",
       OpenTo(common::v1::TIER_TOWNSHIP, "ins-far"), Action::kReceive,
       "ins-village", "id"},
      {"nor accept it for itself", "institution:ins-village",
       OpenTo(common::v1::TIER_TOWNSHIP, "ins-far"), Action::kAccept,
       "ins-village", "id"},
      {"nor reject it", "institution:ins-county",
       OpenTo(common::v1::TIER_TOWNSHIP, "ins-far"), Action::kReject,
       "ins-county", "id"},
      {"unseen: refused for the referral before the actor",
       "institution:ins-village", OpenTo(common::v1::TIER_TOWNSHIP, "ins-far"),
       Action::kReceive, "ins-town", "id"},
      {"a community claims for its township", "community:com-1",
       OpenTo(common::v1::TIER_TOWNSHIP, "ins-far"), Action::kAccept,
       "ins-town", ""},
      {"a community without a township cannot claim", "community:com-3",
       OpenTo(common::v1::TIER_TOWNSHIP, "ins-far"), Action::kReceive,
       "ins-village3", "id"},
      {"a scope seeing it only as sender claims nothing for others",
       "institution:ins-village", OpenToTownships(), Action::kReceive,
       "ins-town", "actor.institution_id"},
      {"the sender cancels its open referral", "institution:ins-village",
       OpenToTownships(), Action::kCancel, "ins-village", ""},
      {"a claimed one is the claimer's", "institution:ins-town2",
       ClaimedBy(OpenToTownships(), "ins-town"), Action::kAccept, "ins-town2",
       "id"},
      {"external: the sender records the answer", "institution:ins-county",
       External(v1::REFERRAL_STATUS_REQUESTED), Action::kAccept, "ins-county",
       ""},
      {"external: nobody else", "institution:ins-town",
       External(v1::REFERRAL_STATUS_REQUESTED), Action::kAccept, "ins-county",
       "id"},
      {"approval by the sender's community", "community:com-1",
       External(v1::REFERRAL_STATUS_APPROVAL_PENDING), Action::kApprove,
       "ins-county", ""},
      {"approval as another community's hospital", "community:com-1",
       External(v1::REFERRAL_STATUS_APPROVAL_PENDING), Action::kApprove,
       "ins-county3", "actor.institution_id"},
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
