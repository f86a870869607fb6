// The county's clock and calendar. Every civil date CMC stores or compares
// ("today", the first day of a posting, the period of a report) is a day in the
// county's time zone, Asia/Shanghai, which has been UTC+8 all year since 1991.
// A fixed offset keeps the services free of the tz database in containers.
//
//   CountyClock clock;                           // the real time
//   CountyClock fixed = CountyClock::FixedDay(absl::CivilDay(2026, 3, 1));
//   absl::CivilDay today = clock.Today();
//   absl::Time from = CountyDayStart(today);     // 00:00 in the county
#ifndef CMC_COMMON_SERVICE_COUNTY_TIME_H_
#define CMC_COMMON_SERVICE_COUNTY_TIME_H_

#include <google/protobuf/timestamp.pb.h>

#include <functional>
#include <utility>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace cmc {

// China Standard Time, UTC+8.
absl::TimeZone CountyTimeZone();

// The county's civil day at `time`.
absl::CivilDay CountyDay(absl::Time time);

// The instant the county's `day` begins (00:00 UTC+8).
absl::Time CountyDayStart(absl::CivilDay day);

// The county's "now" and "today". Copyable and thread-safe; the default reads
// the system clock, tests inject a fixed or a moving one.
class CountyClock {
 public:
  using NowFunction = std::function<absl::Time()>;

  // The system clock.
  CountyClock() : now_(absl::Now) {}
  explicit CountyClock(NowFunction now) : now_(std::move(now)) {}

  // A clock standing at noon of `day` in the county.
  static CountyClock FixedDay(absl::CivilDay day);

  absl::Time Now() const { return now_(); }
  absl::CivilDay Today() const { return CountyDay(now_()); }

 private:
  NowFunction now_;
};

// Conversions between absl::Time and google.protobuf.Timestamp (microsecond
// precision, as the database keeps).
void ToProtoTime(absl::Time time, google::protobuf::Timestamp* out);
google::protobuf::Timestamp ToProtoTime(absl::Time time);
absl::Time FromProtoTime(const google::protobuf::Timestamp& time);

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_COUNTY_TIME_H_
