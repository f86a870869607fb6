#include "services/referral/referral_scope.h"

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

bool CanSee(const OrgScope& scope, const Referral& referral) {
  // Least privilege: a referral open to a tier is addressed to the
  // institutions of that tier, so only a scope holding one of them (which
  // could claim it) sees it before it is claimed.
  return scope.CoversInstitution(referral.from_institution_id()) ||
         scope.CoversInstitution(referral.receiving_institution_id()) ||
         (UnclaimedTierOpen(referral) && scope.CoversTier(referral.to_tier()));
}

bool NeedsTiersFor(const OrgScope& scope, const Referral& referral) {
  return !scope.unrestricted() && UnclaimedTierOpen(referral) &&
         !scope.CoversInstitution(referral.from_institution_id());
}

absl::Status AuthorizeAction(const OrgScope& scope, const Referral& referral,
                             const ActionRequest& request) {
  if (scope.unrestricted()) return absl::OkStatus();
  const std::string& sender = referral.from_institution_id();
  switch (RequiredSide(referral.status(), request.action)) {
    case Side::kSystem:
      return absl::OkStatus();
    case Side::kSender:
      if (scope.CoversInstitution(sender)) return absl::OkStatus();
      return OutsideReferral(referral, "sending institution", sender);
    case Side::kApprover:
      if (!scope.CoversThroughCommunity(sender)) {
        return OutOfScope(
            "id", absl::StrCat("approval needs a community scope covering the "
                               "sending institution; ",
                               sender, " of referral ", referral.id()));
      }
      // The approver acts as one of its own institutions (the county-tier
      // member whose medical office approves), never as another's.
      if (scope.CoversInstitution(request.institution_id)) {
        return absl::OkStatus();
      }
      return OutOfScope("actor.institution_id",
                        absl::StrCat("institution ", request.institution_id));
    case Side::kReceiver:
      break;
  }
  if (referral.to_case() == Referral::kToExternalHospital) {
    if (scope.CoversInstitution(sender)) return absl::OkStatus();
    return OutsideReferral(referral, "sending institution", sender);
  }
  if (UnclaimedTierOpen(referral)) {
    // Elsewhere the side's coverage implies that the scope sees the referral;
    // here the acting institution's does not.
    if (!CanSee(scope, referral)) {
      return OutOfScope("id", absl::StrCat("referral ", referral.id()));
    }
    if (scope.CoversInstitution(request.institution_id))
      return absl::OkStatus();
    return OutOfScope("actor.institution_id",
                      absl::StrCat("institution ", request.institution_id));
  }
  const std::string& receiver = referral.receiving_institution_id();
  if (scope.CoversInstitution(receiver)) return absl::OkStatus();
  return OutsideReferral(referral, "receiving institution", receiver);
}

bool ShowsResidentId(const Principal& principal, const OrgScope& scope,
                     const Referral& referral) {
  if (principal.anonymous() || !principal.HasRole("clinician")) return false;
  return scope.CoversInstitution(referral.from_institution_id()) ||
         scope.CoversInstitution(referral.receiving_institution_id());
}

}  // namespace cmc::referral
