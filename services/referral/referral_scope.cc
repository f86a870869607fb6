#include "services/referral/referral_scope.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace cmc::referral {
namespace {

using v1::Referral;

bool UnclaimedTierOpen(const Referral& referral) {
  return referral.to_case() == Referral::kToTier &&
         referral.receiving_institution_id().empty();
}

absl::Status OutsideReferral(const Referral& referral, absl::string_view role,
                             const std::string& institution_id) {
  return OutOfScope("id", absl::StrCat("the ", role, " ", institution_id,
                                       " of referral ", referral.id()));
}

}  // namespace

OrgScope::OrgScope(
    const Principal& principal,
    const std::map<std::string, std::set<std::string>>& community_members,
    std::set<common::v1::Tier> covered_tiers)
    : unrestricted_(principal.unrestricted()),
      has_community_(!principal.communities.empty()),
      institutions_(principal.institutions),
      tiers_(std::move(covered_tiers)) {
  // No referral is open to "no tier"; an institution without one covers none.
  tiers_.erase(common::v1::TIER_UNSPECIFIED);
  for (const std::string& community : principal.communities) {
    auto it = community_members.find(community);
    if (it == community_members.end()) continue;
    institutions_.insert(it->second.begin(), it->second.end());
    community_institutions_.insert(it->second.begin(), it->second.end());
  }
}

bool OrgScope::Covers(absl::string_view id) const {
  return unrestricted_ || (!id.empty() && institutions_.count(std::string(id)));
}

bool OrgScope::CoversThroughCommunity(absl::string_view id) const {
  return unrestricted_ ||
         (!id.empty() && community_institutions_.count(std::string(id)));
}

std::vector<std::string> OrgScope::InstitutionIds() const {
  return {institutions_.begin(), institutions_.end()};
}

bool OrgScope::CanSee(const Referral& referral) const {
  // Least privilege: a referral open to a tier is addressed to the
  // institutions of that tier, so only a scope holding one of them (which
  // could claim it) sees it before it is claimed.
  return Covers(referral.from_institution_id()) ||
         Covers(referral.receiving_institution_id()) ||
         (UnclaimedTierOpen(referral) && tiers_.count(referral.to_tier()) > 0);
}

bool OrgScope::NeedsTiersFor(const Referral& referral) const {
  return !unrestricted_ && UnclaimedTierOpen(referral) &&
         !Covers(referral.from_institution_id());
}

absl::Status AuthorizeAction(const OrgScope& scope, const Referral& referral,
                             const ActionRequest& request) {
  if (scope.unrestricted()) return absl::OkStatus();
  const std::string& sender = referral.from_institution_id();
  switch (RequiredSide(referral.status(), request.action)) {
    case Side::kSystem:
      return absl::OkStatus();
    case Side::kSender:
      if (scope.Covers(sender)) return absl::OkStatus();
      return OutsideReferral(referral, "sending institution", sender);
    case Side::kApprover:
      if (scope.CoversThroughCommunity(sender)) return absl::OkStatus();
      return OutOfScope(
          "id", absl::StrCat("approval needs a community scope covering the "
                             "sending institution; ",
                             sender, " of referral ", referral.id()));
    case Side::kReceiver:
      break;
  }
  if (referral.to_case() == Referral::kToExternalHospital) {
    if (scope.Covers(sender)) return absl::OkStatus();
    return OutsideReferral(referral, "sending institution", sender);
  }
  if (UnclaimedTierOpen(referral)) {
    // Elsewhere the side's coverage implies that the scope sees the referral;
    // here the acting institution's does not.
    if (!scope.CanSee(referral)) {
      return OutOfScope("id", absl::StrCat("referral ", referral.id()));
    }
    if (scope.Covers(request.institution_id)) return absl::OkStatus();
    return OutOfScope("actor.institution_id",
                      absl::StrCat("institution ", request.institution_id));
  }
  const std::string& receiver = referral.receiving_institution_id();
  if (scope.Covers(receiver)) return absl::OkStatus();
  return OutsideReferral(referral, "receiving institution", receiver);
}

bool ShowsResidentId(const Principal& principal, const OrgScope& scope,
                     const Referral& referral) {
  if (principal.anonymous() || !principal.HasRole("clinician")) return false;
  return scope.Covers(referral.from_institution_id()) ||
         scope.Covers(referral.receiving_institution_id());
}

}  // namespace cmc::referral
