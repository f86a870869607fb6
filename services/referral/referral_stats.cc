#include "services/referral/referral_stats.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "absl/time/time.h"
#include "common/service/county_time.h"
#include "services/referral/referral_rules.h"

namespace cmc::referral {
namespace {

using v1::Referral;

// Seconds from the referral's sending (its last entry into REQUESTED before
// `status`) to its first entry into `status`; nullopt when it never got there.
std::optional<double> SecondsFromSentTo(const Referral& referral,
                                        v1::ReferralStatus status) {
  std::optional<absl::Time> sent;
  for (const v1::ReferralTransition& step : referral.transitions()) {
    const absl::Time time = FromProtoTime(step.time());
    if (step.status() == v1::REFERRAL_STATUS_REQUESTED) sent = time;
    if (step.status() == status && sent.has_value()) {
      return absl::ToDoubleSeconds(time - *sent);
    }
  }
  return std::nullopt;
}

}  // namespace

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

v1::ReferralStats ReferralStatsOf(const std::vector<Referral>& referrals) {
  std::map<std::tuple<int, int, int>, int64_t> cells;
  std::vector<double> to_accept;
  std::vector<double> to_complete;
  v1::ReferralStats stats;
  for (const Referral& referral : referrals) {
    ++cells[{referral.direction(), referral.type(), referral.status()}];
    if (IsFinal(referral.status())) stats.set_closed(stats.closed() + 1);
    if (referral.status() == v1::REFERRAL_STATUS_COMPLETED) {
      stats.set_completed(stats.completed() + 1);
    }
    if (auto seconds =
            SecondsFromSentTo(referral, v1::REFERRAL_STATUS_ACCEPTED)) {
      to_accept.push_back(*seconds);
    }
    if (referral.status() == v1::REFERRAL_STATUS_COMPLETED) {
      if (auto seconds =
              SecondsFromSentTo(referral, v1::REFERRAL_STATUS_COMPLETED)) {
        to_complete.push_back(*seconds);
      }
    }
  }
  for (const auto& [key, count] : cells) {
    v1::ReferralCount* cell = stats.add_counts();
    cell->set_direction(static_cast<v1::ReferralDirection>(std::get<0>(key)));
    cell->set_type(static_cast<v1::ReferralType>(std::get<1>(key)));
    cell->set_status(static_cast<v1::ReferralStatus>(std::get<2>(key)));
    cell->set_count(count);
  }
  stats.set_total(static_cast<int64_t>(referrals.size()));
  if (stats.closed() > 0) {
    stats.set_closed_loop_rate(static_cast<double>(stats.completed()) /
                               static_cast<double>(stats.closed()));
  }
  stats.set_accepted_count(static_cast<int64_t>(to_accept.size()));
  stats.set_median_seconds_to_accept(Median(std::move(to_accept)));
  stats.set_median_seconds_to_complete(Median(std::move(to_complete)));
  return stats;
}

}  // namespace cmc::referral
