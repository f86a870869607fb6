// The dispatch policy's national defaults and rules over it (pure,
// thread-safe). The figures are the national guidance's (国卫基层发〔2023〕5号,
// domain.md §4); a community changes them by UpdatePolicy, which makes a new
// version.
//
//   const v1::DispatchPolicy policy = NationalDefaultPolicy();
//   CMC_RETURN_IF_ERROR(CheckPolicy(policy, "policy"));
//   if (IsShortStay(stay, policy.min_stationing_months())) ...
#ifndef CMC_SERVICES_DISPATCH_POLICY_H_
#define CMC_SERVICES_DISPATCH_POLICY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "services/dispatch/calendar.h"

namespace cmc::dispatch {

// The national default (community_id "", version 1): the policy the service's
// migration installs. Tests compare the installed row with it.
v1::DispatchPolicy NationalDefaultPolicy();

// OK when every figure of `policy` is in range (see UpdatePolicy in
// dispatch.proto); else INVALID_ARGUMENT naming "<prefix>.<field>".
absl::Status CheckPolicy(const v1::DispatchPolicy& policy,
                         absl::string_view prefix);

// The frequency villages without a fixed doctor must be toured at: that of
// the policy's most frequent rule with destination LEVEL_VILLAGE, weekly when
// it has none.
v1::Frequency VillageTouringFrequency(const v1::DispatchPolicy& policy);

// The last day of the shortest stay without a reason that starts on `start`:
// the day before the same day `months` calendar months later (a stay from
// 2026-01-31 for 1 month ends on 2026-02-28 or later).
absl::CivilDay MinimumStayLastDay(absl::CivilDay start, int months);

// True when `stay` ends before MinimumStayLastDay(stay.first, months).
bool IsShortStay(const DaySpan& stay, int months);

// The level of an institution tier (TIER_COUNTY -> LEVEL_COUNTY, ...).
v1::Level LevelOf(common::v1::Tier tier);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_POLICY_H_
