// What the referral service's events add to the derived data elements (pure,
// thread-safe): a completed referral counts one for its sending institution
// in the month (county time) it was completed, by direction and type.
//
//   for (const common::v1::Event& event : page) {
//     if (auto d = ReferralDerivation(event)) ... add d->amount ...
//   }
#ifndef CMC_SERVICES_INDICATOR_REFERRAL_FEED_H_
#define CMC_SERVICES_INDICATOR_REFERRAL_FEED_H_

#include <optional>
#include <string>

#include "cmc/common/v1/event.pb.h"
#include "services/indicator/period.h"

namespace cmc::indicator {

// The feed's source name, and this consumer's.
inline constexpr char kReferralSource[] = "referral";
inline constexpr char kReferralConsumer[] = "indicator";

// One derived amount from one event.
struct Derivation {
  std::string element_code;
  std::string institution_id;
  ReportingPeriod month = ReportingPeriod::Month(2000, 1);
  int64_t amount = 0;
};

// The derivation of `event`, or nullopt for an event that changes no element:
// "referral.ReferralCompleted" with a Referral payload counts 1 in
// DOWN_REFERRALS_OUTPATIENT / _INPATIENT or UP_REFERRALS_OUTPATIENT /
// _INPATIENT for the sender in the month of occurred_at (Asia/Shanghai).
// Emergency referrals count in neither: the national indicator counts
// outpatient and inpatient referrals.
std::optional<Derivation> ReferralDerivation(const common::v1::Event& event);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_REFERRAL_FEED_H_
