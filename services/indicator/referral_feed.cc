#include "services/indicator/referral_feed.h"

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "cmc/referral/v1/referral.pb.h"
#include "common/service/county_time.h"

namespace cmc::indicator {

namespace ref = cmc::referral::v1;

std::optional<Derivation> ReferralDerivation(const common::v1::Event& event) {
  if (event.type() != "referral.ReferralCompleted") return std::nullopt;
  ref::Referral referral;
  if (!event.payload().UnpackTo(&referral)) return std::nullopt;
  if (referral.from_institution_id().empty()) return std::nullopt;
  std::string direction;
  switch (referral.direction()) {
    case ref::REFERRAL_DIRECTION_DOWN:
      direction = "DOWN_REFERRALS_";
      break;
    case ref::REFERRAL_DIRECTION_UP:
      direction = "UP_REFERRALS_";
      break;
    default:
      return std::nullopt;
  }
  std::string type;
  switch (referral.type()) {
    case ref::REFERRAL_TYPE_OUTPATIENT:
      type = "OUTPATIENT";
      break;
    case ref::REFERRAL_TYPE_INPATIENT:
      type = "INPATIENT";
      break;
    default:
      return std::nullopt;
  }
  const absl::CivilDay day = CountyDay(FromProtoTime(event.occurred_at()));
  return Derivation{
      direction + type, referral.from_institution_id(),
      ReportingPeriod::Month(static_cast<int>(day.year()), day.month()), 1};
}

}  // namespace cmc::indicator
