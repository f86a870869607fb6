#include "common/service/county_time.h"

#include <gtest/gtest.h>

namespace cmc {
namespace {

TEST(CountyTimeTest, TheCountyDayTurnsAtSixteenUtc) {
  struct Case {
    const char* utc;
    absl::CivilDay day;
  };
  const Case cases[] = {
      {"2026-03-01T15:59:59Z", absl::CivilDay(2026, 3, 1)},
      {"2026-03-01T16:00:00Z", absl::CivilDay(2026, 3, 2)},
      {"2026-12-31T16:00:00Z", absl::CivilDay(2027, 1, 1)},
      {"2024-02-28T16:30:00Z", absl::CivilDay(2024, 2, 29)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.utc);
    absl::Time t;
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, c.utc, &t, &error));
    EXPECT_EQ(CountyDay(t), c.day);
    EXPECT_LE(CountyDayStart(c.day), t);
    EXPECT_GT(CountyDayStart(c.day + 1), t);
  }
  EXPECT_EQ(CountyDayStart(absl::CivilDay(2026, 3, 2)),
            absl::FromUnixSeconds(1772380800));  // 2026-03-01T16:00:00Z
}

TEST(CountyTimeTest, AFixedDayClockStandsStill) {
  const CountyClock clock = CountyClock::FixedDay(absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(clock.Today(), absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(clock.Now(), clock.Now());
  EXPECT_EQ(CountyClock().Today(), CountyDay(absl::Now()));
}

TEST(CountyTimeTest, ProtoTimesRoundTripToTheMicrosecond) {
  const absl::Time cases[] = {
      absl::UnixEpoch(),
      absl::FromUnixMicros(1772380800123456),
      absl::FromUnixMicros(-1),  // before 1970: nanos stay non-negative
      absl::FromUnixMicros(-1500001),
  };
  for (const absl::Time t : cases) {
    SCOPED_TRACE(absl::FormatTime(t));
    const google::protobuf::Timestamp proto = ToProtoTime(t);
    EXPECT_GE(proto.nanos(), 0);
    EXPECT_LT(proto.nanos(), 1000000000);
    EXPECT_EQ(FromProtoTime(proto), t);
  }
}

}  // namespace
}  // namespace cmc
