#include "common/service/county_time.h"

#include <cstdint>

namespace cmc {

absl::TimeZone CountyTimeZone() { return absl::FixedTimeZone(8 * 60 * 60); }

absl::CivilDay CountyDay(absl::Time time) {
  return absl::ToCivilDay(time, CountyTimeZone());
}

absl::Time CountyDayStart(absl::CivilDay day) {
  return absl::FromCivil(day, CountyTimeZone());
}

CountyClock CountyClock::FixedDay(absl::CivilDay day) {
  const absl::Time noon = CountyDayStart(day) + absl::Hours(12);
  return CountyClock([noon] { return noon; });
}

void ToProtoTime(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {  // before 1970: nanos must be non-negative
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

google::protobuf::Timestamp ToProtoTime(absl::Time time) {
  google::protobuf::Timestamp out;
  ToProtoTime(time, &out);
  return out;
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) +
         absl::Nanoseconds(time.nanos());
}

}  // namespace cmc
