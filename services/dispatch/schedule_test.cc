#include "services/dispatch/schedule.h"

#include <gtest/gtest.h>

#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

using Kind = Booking::Kind;

absl::CivilDay Day(const char* text) { return *ParseCivilDate(text, "day"); }

Booking Visit(const char* id, const char* day, const char* plan,
              const char* organiser) {
  return {Kind::kVisit, id, "stf-1", {Day(day), Day(day)}, "", plan, organiser};
}
Booking Stationing(const char* id, const char* first, const char* last,
                   const char* place) {
  return {
      Kind::kStationing, id, "stf-1", {Day(first), Day(last)}, place, "", ""};
}
Booking Posting(const char* id, const char* first, const char* last,
                const char* host) {
  return {Kind::kPosting, id, "stf-1", {Day(first), Day(last)}, host, "", ""};
}

TEST(ScheduleTest, OnePersonOnePlaceADay) {
  const std::vector<Booking> existing = {
      Visit("vis-1", "2026-03-02", "tpl-1", "ins-town"),
      Stationing("asg-1", "2026-04-01", "2026-09-30", "ins-town"),
      Posting("pst-1", "2026-11-01", "2026-11-30", "ins-other"),
      Stationing("asg-2", "2026-12-01", "2026-12-31", ""),  // in a village
  };
  const struct {
    const char* name;
    Booking proposed;
    const char* clash;  // "" for none
  } cases[] = {
      {"same plan same day", Visit("vis-9", "2026-03-02", "tpl-1", "ins-town"),
       ""},
      {"other plan same day", Visit("vis-9", "2026-03-02", "tpl-2", "ins-town"),
       "vis-1"},
      {"other plan next day", Visit("vis-9", "2026-03-03", "tpl-2", "ins-town"),
       ""},
      {"visit on the stationing's first day for another organiser",
       Visit("vis-9", "2026-04-01", "tpl-2", "ins-county"), "asg-1"},
      {"visit on the stationing's last day for another organiser",
       Visit("vis-9", "2026-09-30", "tpl-2", "ins-county"), "asg-1"},
      {"visit the day after the stationing",
       Visit("vis-9", "2026-10-01", "tpl-2", "ins-county"), ""},
      {"touring for the center one is stationed at",
       Visit("vis-9", "2026-05-01", "tpl-2", "ins-town"), ""},
      {"visit during a posting elsewhere",
       Visit("vis-9", "2026-11-15", "tpl-2", "ins-town"), "pst-1"},
      {"touring for the posting's host",
       Visit("vis-9", "2026-11-15", "tpl-2", "ins-other"), ""},
      {"visit while stationed in a village",
       Visit("vis-9", "2026-12-15", "tpl-2", "ins-town"), "asg-2"},
      {"stationing over a visit",
       Stationing("asg-9", "2026-03-01", "2026-03-31", "ins-x"), "vis-1"},
      {"stationing overlapping a stationing",
       Stationing("asg-9", "2026-09-30", "2026-10-31", "ins-x"), "asg-1"},
      {"stationing with the matching posting",
       Stationing("asg-9", "2026-11-01", "2026-11-20", "ins-other"), ""},
      {"stationing over another posting",
       Stationing("asg-9", "2026-11-20", "2026-11-25", "ins-x"), "pst-1"},
      {"an update of the same stationing",
       Stationing("asg-1", "2026-04-01", "2026-10-31", "ins-town"), ""},
      {"posting over a posting is the institution service's",
       Posting("pst-9", "2026-11-10", "2026-11-12", "ins-x"), ""},
  };
  for (const auto& c : cases) {
    const std::optional<Booking> clash = FindClash(existing, c.proposed);
    EXPECT_EQ(clash ? clash->id : "", c.clash) << c.name;
  }
  Booking other = Visit("vis-9", "2026-03-02", "tpl-2", "ins-town");
  other.staff_id = "stf-2";
  EXPECT_FALSE(FindClash(existing, other).has_value());
}

TEST(ScheduleTest, ClashErrorNamesTheRecord) {
  const absl::Status status =
      ClashError("assignment.start_date",
                 Stationing("asg-1", "2026-04-01", "2026-09-30", "ins-town"));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BadField(status), "assignment.start_date");
  EXPECT_NE(status.message().find("asg-1"), absl::string_view::npos);
  EXPECT_NE(status.message().find("2026-04-01 to 2026-09-30"),
            absl::string_view::npos);
  EXPECT_TRUE(status.GetPayload(kErrorInfoTypeUrl).has_value());
}

TEST(ScheduleTest, VisitsOnDayCountsOnePersonsVisits) {
  const std::vector<Booking> existing = {
      Visit("vis-1", "2026-03-02", "tpl-1", "ins-town"),
      Visit("vis-2", "2026-03-02", "tpl-1", "ins-town"),
      Visit("vis-3", "2026-03-03", "tpl-1", "ins-town"),
  };
  EXPECT_EQ(VisitsOnDay(existing, "stf-1", Day("2026-03-02"), ""), 2);
  EXPECT_EQ(VisitsOnDay(existing, "stf-1", Day("2026-03-02"), "vis-1"), 1);
  EXPECT_EQ(VisitsOnDay(existing, "stf-2", Day("2026-03-02"), ""), 0);
}

}  // namespace
}  // namespace cmc::dispatch
