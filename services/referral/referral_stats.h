// GetReferralStats as a pure function (no I/O, thread-safe): counts by
// direction x type x status, the closed-loop rate, and the medians of the
// time to accept and to complete, as defined on ReferralStats in
// referral.proto. The store selects the referrals; this only aggregates.
//
//   CMC_ASSIGN_OR_RETURN(std::vector<v1::Referral> referrals,
//                        store.ForStats(ids, from, before, limit, deadline));
//   v1::ReferralStats stats = ReferralStatsOf(referrals);
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_STATS_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_STATS_H_

#include <vector>

#include "cmc/referral/v1/referral.pb.h"

namespace cmc::referral {

// The statistics of `referrals` (each counted once, in any order).
v1::ReferralStats ReferralStatsOf(const std::vector<v1::Referral>& referrals);

// The median of `values` (the mean of the two middle ones for an even
// count); 0 for none.
double Median(std::vector<double> values);

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_STATS_H_
