#include "services/dispatch/record_facts.h"

#include "common/validators/validators.h"

namespace cmc::dispatch {

absl::CivilDay DayOf(const common::v1::CivilDate& date) {
  absl::StatusOr<absl::CivilDay> day = ParseCivilDate(date.value(), "day");
  return day.ok() ? *day : absl::CivilDay(1970, 1, 1);
}

absl::CivilDay EndOf(const common::v1::CivilDate& date) {
  return date.value().empty() ? kOpenEnd : DayOf(date);
}

absl::CivilDay VisitDay(const v1::Visit& visit) {
  return visit.status() == v1::VISIT_STATUS_DONE ? DayOf(visit.actual_date())
                                                 : DayOf(visit.date());
}

RecordKeys KeysOf(const v1::TouringPlan& plan) {
  RecordKeys k;
  k.community_id = plan.community_id();
  k.days = {DayOf(plan.first_day()), DayOf(plan.last_day())};
  k.status = plan.status();
  k.institution_ids = {plan.organiser_institution_id()};
  return k;
}

RecordKeys KeysOf(const v1::Visit& visit) {
  RecordKeys k;
  k.community_id = visit.community_id();
  k.parent_id = visit.plan_id();
  k.village_id = visit.village_id();
  k.days = {VisitDay(visit), VisitDay(visit)};
  k.status = visit.status();
  for (const v1::TeamMember& m : visit.team())
    k.staff_ids.push_back(m.staff_id());
  k.institution_ids = {visit.organiser_institution_id()};
  if (!visit.institution_id().empty()) {
    k.institution_ids.push_back(visit.institution_id());
  }
  return k;
}

RecordKeys KeysOf(const v1::StationingAssignment& assignment) {
  RecordKeys k;
  k.community_id = assignment.community_id();
  k.village_id = assignment.village_id();
  k.days = {DayOf(assignment.start_date()), DayOf(assignment.end_date())};
  k.staff_ids = {assignment.staff_id()};
  k.institution_ids = {assignment.home_institution_id()};
  if (!assignment.institution_id().empty()) {
    k.institution_ids.push_back(assignment.institution_id());
  }
  return k;
}

RecordKeys KeysOf(const v1::NeighbourExtension& extension) {
  RecordKeys k;
  k.community_id = extension.community_id();
  k.village_id = extension.village_id();
  k.days = {DayOf(extension.start_date()), EndOf(extension.end_date())};
  k.institution_ids = {extension.clinic_id()};
  return k;
}

RecordKeys KeysOf(const v1::RelocationSettlement& settlement) {
  RecordKeys k;
  k.community_id = settlement.community_id();
  k.village_id = settlement.village_id();
  k.days = {DayOf(settlement.start_date()), EndOf(settlement.end_date())};
  return k;
}

RecordKeys KeysOf(const v1::RotaProposal& rota) {
  RecordKeys k;
  k.community_id = rota.community_id();
  k.days = {DayOf(rota.first_day()), DayOf(rota.last_day())};
  k.status = rota.status();
  k.institution_ids.assign(
      rota.constraints().organiser_institution_ids().begin(),
      rota.constraints().organiser_institution_ids().end());
  return k;
}

VillageFact ToFact(const institution::v1::Village& village) {
  return {village.id(), village.township_center_id(),
          village.village_clinic_id()};
}

StaffFact ToFact(const institution::v1::Staff& staff) {
  return {staff.id(), staff.institution_id(), staff.qualification(),
          staff.status() == institution::v1::STAFF_STATUS_ACTIVE};
}

PostingFact ToFact(const institution::v1::Posting& posting) {
  return {posting.id(),
          posting.staff_id(),
          posting.to_institution_id(),
          {DayOf(posting.start_date()), EndOf(posting.end_date())}};
}

AssignmentFact ToFact(const v1::StationingAssignment& a) {
  return {a.id(),
          a.staff_id(),
          a.home_institution_id(),
          a.institution_id(),
          a.village_id(),
          {DayOf(a.start_date()), DayOf(a.end_date())}};
}

ExtensionFact ToFact(const v1::NeighbourExtension& e) {
  return {e.id(),
          e.village_id(),
          e.clinic_id(),
          {DayOf(e.start_date()), EndOf(e.end_date())}};
}

SettlementFact ToFact(const v1::RelocationSettlement& s) {
  return {s.id(), s.village_id(), {DayOf(s.start_date()), EndOf(s.end_date())}};
}

VisitFact ToFact(const v1::Visit& visit,
                 const std::map<std::string, v1::Level>& levels) {
  VisitFact f;
  f.id = visit.id();
  f.plan_id = visit.plan_id();
  f.organiser_id = visit.organiser_institution_id();
  auto it = levels.find(f.organiser_id);
  f.organiser_level = it == levels.end() ? v1::LEVEL_UNSPECIFIED : it->second;
  f.village_id = visit.village_id();
  f.institution_id = visit.institution_id();
  f.day = VisitDay(visit);
  f.status = visit.status();
  for (const v1::TeamMember& m : visit.team())
    f.staff_ids.push_back(m.staff_id());
  return f;
}

std::vector<Booking> BookingsOf(const v1::Visit& visit) {
  std::vector<Booking> out;
  if (visit.status() != v1::VISIT_STATUS_PLANNED &&
      visit.status() != v1::VISIT_STATUS_DONE) {
    return out;
  }
  const absl::CivilDay day = VisitDay(visit);
  for (const v1::TeamMember& m : visit.team()) {
    out.push_back({Booking::Kind::kVisit,
                   visit.id(),
                   m.staff_id(),
                   {day, day},
                   "",
                   visit.plan_id(),
                   visit.organiser_institution_id()});
  }
  return out;
}

Booking BookingOf(const v1::StationingAssignment& a) {
  return {Booking::Kind::kStationing,
          a.id(),
          a.staff_id(),
          {DayOf(a.start_date()), DayOf(a.end_date())},
          a.institution_id(),
          "",
          ""};
}

Booking BookingOf(const institution::v1::Posting& p) {
  return {Booking::Kind::kPosting,
          p.id(),
          p.staff_id(),
          {DayOf(p.start_date()), EndOf(p.end_date())},
          p.to_institution_id(),
          "",
          ""};
}

}  // namespace cmc::dispatch
