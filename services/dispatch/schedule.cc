#include "services/dispatch/schedule.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validators/validators.h"

namespace cmc::dispatch {
namespace {

using Kind = Booking::Kind;

bool IsPlacement(const Booking& b) {
  return b.kind == Kind::kStationing || b.kind == Kind::kPosting;
}

bool Clashes(const Booking& a, const Booking& b) {
  if (a.kind == Kind::kPosting && b.kind == Kind::kPosting) return false;
  if (a.kind == Kind::kVisit && b.kind == Kind::kVisit) {
    return a.plan_id != b.plan_id;
  }
  if (a.kind == Kind::kVisit || b.kind == Kind::kVisit) {
    const Booking& visit = a.kind == Kind::kVisit ? a : b;
    const Booking& placement = a.kind == Kind::kVisit ? b : a;
    return placement.place_institution_id.empty() ||
           placement.place_institution_id != visit.organiser_id;
  }
  if (a.kind == Kind::kStationing && b.kind == Kind::kStationing) return true;
  // A stationing and a posting: the same placement when the posting's host
  // is the stationing's destination institution.
  return IsPlacement(a) && IsPlacement(b) &&
         (a.place_institution_id.empty() ||
          a.place_institution_id != b.place_institution_id);
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kVisit:
      return "visit";
    case Kind::kStationing:
      return "stationing assignment";
    case Kind::kPosting:
      return "posting";
  }
  return "record";
}

}  // namespace

std::optional<Booking> FindClash(const std::vector<Booking>& existing,
                                 const Booking& proposed) {
  for (const Booking& b : existing) {
    if (b.staff_id != proposed.staff_id || b.id == proposed.id) continue;
    if (!b.span.Overlaps(proposed.span)) continue;
    if (Clashes(proposed, b)) return b;
  }
  return std::nullopt;
}

absl::Status ClashError(absl::string_view field, const Booking& clash) {
  const std::string days =
      clash.span.first == clash.span.last
          ? FormatCivilDate(clash.span.first)
          : absl::StrCat(FormatCivilDate(clash.span.first), " to ",
                         clash.span.last == kOpenEnd
                             ? std::string("open end")
                             : FormatCivilDate(clash.span.last));
  return WithErrorInfo(
      FieldError(absl::StatusCode::kFailedPrecondition, field,
                 absl::StrCat("staff member ", clash.staff_id,
                              " is already booked: ", KindName(clash.kind), " ",
                              clash.id, " on ", days)),
      "SCHEDULE_CLASH", "clashes_with", clash.id);
}

int VisitsOnDay(const std::vector<Booking>& existing,
                const std::string& staff_id, absl::CivilDay day,
                const std::string& except_id) {
  int count = 0;
  for (const Booking& b : existing) {
    if (b.kind == Kind::kVisit && b.staff_id == staff_id && b.id != except_id &&
        b.span.Contains(day)) {
      ++count;
    }
  }
  return count;
}

}  // namespace cmc::dispatch
