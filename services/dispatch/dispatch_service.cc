#include "services/dispatch/dispatch_service.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/service/handler.h"
#include "services/dispatch/dispatch_scope.h"
#include "services/dispatch/handler_support.h"
#include "services/dispatch/mysql_record_store.h"
#include "services/dispatch/policy.h"
#include "services/dispatch/record_facts.h"
#include "services/dispatch/request_checks.h"

namespace cmc::dispatch {

namespace inst = institution::v1;

namespace {
// The longest period of a touring frequency (a quarter), in days.
constexpr int kLongestPeriodDays = 92;
}  // namespace

DispatchService::Stores DispatchService::MysqlStores(db::Pool* pool) {
  Stores s;
  s.policies = NewMysqlPolicyStore(pool);
  s.plans = std::make_unique<MysqlRecordStore<v1::TouringPlan>>(
      pool, "touring_plans", "TouringPlan");
  s.visits =
      std::make_unique<MysqlRecordStore<v1::Visit>>(pool, "visits", "Visit");
  s.assignments = std::make_unique<MysqlRecordStore<v1::StationingAssignment>>(
      pool, "assignments", "StationingAssignment");
  s.extensions = std::make_unique<MysqlRecordStore<v1::NeighbourExtension>>(
      pool, "extensions", "NeighbourExtension");
  s.settlements = std::make_unique<MysqlRecordStore<v1::RelocationSettlement>>(
      pool, "settlements", "RelocationSettlement");
  s.rotas = std::make_unique<MysqlRecordStore<v1::RotaProposal>>(
      pool, "rota_proposals", "RotaProposal");
  s.months = NewMysqlServiceMonthStore(pool);
  return s;
}

DispatchService::DispatchService(
    Stores stores, std::unique_ptr<InstitutionReader> reader,
    std::unique_ptr<CommunityDirectory> communities, CallOptions call)
    : stores_(std::move(stores)),
      reader_(std::move(reader)),
      communities_(std::move(communities)),
      scopes_(communities_.get(), nullptr),
      call_(std::move(call)) {}

// ---------------------------------------------------------------- loading

absl::StatusOr<inst::Staff> DispatchService::StaffAt(const std::string& id,
                                                     const std::string& field,
                                                     absl::Time deadline) {
  absl::StatusOr<inst::Staff> staff = reader_->StaffMember(id, deadline);
  if (!staff.ok()) return Renamed(staff.status(), field, "such staff member");
  return staff;
}

absl::StatusOr<inst::Village> DispatchService::VillageAt(
    const std::string& id, const std::string& field, absl::Time deadline) {
  absl::StatusOr<inst::Village> village = reader_->Village(id, deadline);
  if (!village.ok()) return Renamed(village.status(), field, "such village");
  return village;
}

absl::StatusOr<inst::Institution> DispatchService::InstitutionAt(
    const std::string& id, const std::string& field, absl::Time deadline) {
  absl::StatusOr<std::vector<inst::Institution>> found =
      reader_->Institutions({id}, deadline);
  if (!found.ok()) return Renamed(found.status(), field, "such institution");
  if (found->size() != 1) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      "the institution service knows no such institution");
  }
  return found->front();
}

absl::StatusOr<std::string> DispatchService::CommunityOfInstitution(
    const std::string& id, const OrgScope& scope, absl::Time deadline) {
  const std::string known = scope.CommunityOf(id);
  if (!known.empty()) return known;
  return reader_->CommunityOf(id, deadline);
}

absl::StatusOr<DispatchService::CommunityFacts> DispatchService::LoadCommunity(
    const std::string& community_id, const DaySpan& days, absl::Time deadline) {
  CommunityFacts out;
  absl::StatusOr<std::vector<inst::Village>> villages =
      reader_->Villages(community_id, deadline);
  if (!villages.ok()) {
    return Renamed(villages.status(), "community_id", "such community");
  }
  out.villages = *std::move(villages);
  CMC_ASSIGN_OR_RETURN(out.members, reader_->Members(community_id, deadline));
  CMC_ASSIGN_OR_RETURN(std::vector<inst::Staff> staff,
                       reader_->Staff(community_id, deadline));
  ComplianceFacts& f = out.facts;
  f.community_id = community_id;
  for (const inst::Institution& i : out.members) {
    out.levels[i.id()] = LevelOf(i.tier());
    f.tiers[i.id()] = i.tier();
    if (i.tier() == common::v1::TIER_TOWNSHIP &&
        i.status() == inst::INSTITUTION_STATUS_ACTIVE) {
      f.township_center_ids.push_back(i.id());
    }
  }
  std::set<std::string> clinics;
  for (const inst::Village& v : out.villages) {
    f.villages.push_back(ToFact(v));
    if (!v.village_clinic_id().empty()) clinics.insert(v.village_clinic_id());
  }
  for (const inst::Staff& s : staff) f.coverage.staff.push_back(ToFact(s));
  // Postings matter where they move a village doctor away from or into a
  // clinic.
  std::set<std::string> seen;
  for (const std::string& clinic : clinics) {
    CMC_ASSIGN_OR_RETURN(std::vector<inst::Posting> postings,
                         reader_->PostingsAt(clinic, deadline));
    for (const inst::Posting& p : postings) {
      if (seen.insert(p.id()).second) f.coverage.postings.push_back(ToFact(p));
    }
  }
  RecordQuery query;
  query.community_id = community_id;
  // Before: how long blank spots have lasted. After: a visit later in the
  // last day's week (month, quarter) covers that day too.
  query.overlapping =
      DaySpan{days.first - kBlankLookbackDays, days.last + kLongestPeriodDays};
  CMC_ASSIGN_OR_RETURN(auto assignments,
                       stores_.assignments->List(query, deadline));
  for (const auto& a : assignments) {
    f.coverage.assignments.push_back(ToFact(a.record));
  }
  CMC_ASSIGN_OR_RETURN(auto extensions,
                       stores_.extensions->List(query, deadline));
  for (const auto& e : extensions) {
    f.coverage.extensions.push_back(ToFact(e.record));
  }
  CMC_ASSIGN_OR_RETURN(auto settlements,
                       stores_.settlements->List(query, deadline));
  for (const auto& s : settlements) {
    f.coverage.settlements.push_back(ToFact(s.record));
  }
  CMC_ASSIGN_OR_RETURN(auto visits, stores_.visits->List(query, deadline));
  for (const auto& v : visits) {
    f.coverage.visits.push_back(ToFact(v.record, out.levels));
  }
  return out;
}

absl::StatusOr<std::vector<Booking>> DispatchService::BookingsOf(
    const std::string& staff_id, const DaySpan& days, absl::Time deadline) {
  std::vector<Booking> out;
  RecordQuery query;
  query.staff_id = staff_id;
  query.overlapping = days;
  CMC_ASSIGN_OR_RETURN(auto visits, stores_.visits->List(query, deadline));
  for (const auto& v : visits) {
    for (Booking& b : dispatch::BookingsOf(v.record)) {
      if (b.staff_id == staff_id) out.push_back(std::move(b));
    }
  }
  CMC_ASSIGN_OR_RETURN(auto assignments,
                       stores_.assignments->List(query, deadline));
  for (const auto& a : assignments) out.push_back(BookingOf(a.record));
  CMC_ASSIGN_OR_RETURN(std::vector<inst::Posting> postings,
                       reader_->Postings(staff_id, deadline));
  for (const inst::Posting& p : postings) {
    Booking b = BookingOf(p);
    if (b.span.Overlaps(days)) out.push_back(std::move(b));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::vector<Booking>>>
DispatchService::BookingsOfMany(const std::vector<std::string>& staff_ids,
                                const std::set<std::string>& employers,
                                const DaySpan& days, absl::Time deadline) {
  constexpr size_t kChunk = 500;
  std::map<std::string, std::vector<Booking>> out;
  for (const std::string& id : staff_ids) out[id];
  for (size_t start = 0; start < staff_ids.size(); start += kChunk) {
    RecordQuery query;
    query.any_staff_ids.assign(
        staff_ids.begin() + start,
        staff_ids.begin() + std::min(staff_ids.size(), start + kChunk));
    query.overlapping = days;
    CMC_ASSIGN_OR_RETURN(auto visits, stores_.visits->List(query, deadline));
    for (const auto& v : visits) {
      for (Booking& b : dispatch::BookingsOf(v.record)) {
        auto it = out.find(b.staff_id);
        if (it != out.end()) it->second.push_back(std::move(b));
      }
    }
    CMC_ASSIGN_OR_RETURN(auto assignments,
                         stores_.assignments->List(query, deadline));
    for (const auto& a : assignments) {
      Booking b = BookingOf(a.record);
      auto it = out.find(b.staff_id);
      if (it != out.end()) it->second.push_back(std::move(b));
    }
  }
  std::set<std::string> seen_postings;
  for (const std::string& employer : employers) {
    CMC_ASSIGN_OR_RETURN(std::vector<inst::Posting> postings,
                         reader_->PostingsAt(employer, deadline));
    for (const inst::Posting& p : postings) {
      auto it = out.find(p.staff_id());
      if (it == out.end() || !seen_postings.insert(p.id()).second) continue;
      Booking b = BookingOf(p);
      if (b.span.Overlaps(days)) it->second.push_back(std::move(b));
    }
  }
  return out;
}

// ---------------------------------------------------------------- policy

grpc::Status DispatchService::GetPolicy(Context* context,
                                        const v1::GetPolicyRequest* request,
                                        v1::DispatchPolicy* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::DispatchPolicy> {
        const std::string& community = request->community_id();
        CMC_RETURN_IF_ERROR(CheckId(community, "community_id", false));
        if (request->version() < 0) {
          return InvalidField("version", "must not be negative");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        if (!community.empty()) {
          CMC_RETURN_IF_ERROR(
              scope.RequireCommunity(community, "community_id"));
        }
        if (request->version() == 0) {
          return PolicyInForce(*stores_.policies, community, call.deadline());
        }
        CMC_ASSIGN_OR_RETURN(
            std::vector<v1::DispatchPolicy> versions,
            stores_.policies->Versions(community, call.deadline()));
        for (v1::DispatchPolicy& p : versions) {
          if (p.version() == request->version()) return std::move(p);
        }
        return FieldError(absl::StatusCode::kNotFound, "version",
                          "the community has no such version");
      });
}

grpc::Status DispatchService::ListPolicyVersions(
    Context* context, const v1::ListPolicyVersionsRequest* request,
    v1::ListPolicyVersionsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListPolicyVersionsResponse> {
        CMC_RETURN_IF_ERROR(CheckId(request->community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        CMC_RETURN_IF_ERROR(
            scope.RequireCommunity(request->community_id(), "community_id"));
        CMC_ASSIGN_OR_RETURN(std::vector<v1::DispatchPolicy> own,
                             stores_.policies->Versions(request->community_id(),
                                                        call.deadline()));
        v1::ListPolicyVersionsResponse out;
        for (v1::DispatchPolicy& p : own) *out.add_policies() = std::move(p);
        CMC_ASSIGN_OR_RETURN(
            v1::DispatchPolicy national,
            PolicyInForce(*stores_.policies, "", call.deadline()));
        *out.add_policies() = std::move(national);
        return out;
      });
}

grpc::Status DispatchService::UpdatePolicy(
    Context* context, const v1::UpdatePolicyRequest* request,
    v1::DispatchPolicy* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::DispatchPolicy> {
        const v1::DispatchPolicy& given = request->policy();
        if (given.community_id().empty()) {
          return InvalidField("policy.community_id",
                              "required (the national default changes only "
                              "by migration)");
        }
        CMC_RETURN_IF_ERROR(
            CheckId(given.community_id(), "policy.community_id"));
        if (request->update_mask().paths().empty()) {
          return InvalidField("update_mask", "at least one path");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
        if (!scope.unrestricted() &&
            !scope.CoversCommunity(given.community_id())) {
          return OutOfScope("policy.community_id",
                            absl::StrCat("community ", given.community_id()));
        }
        absl::StatusOr<std::vector<inst::Institution>> members =
            reader_->Members(given.community_id(), call.deadline());
        if (!members.ok()) {
          return Renamed(members.status(), "policy.community_id",
                         "such community");
        }
        CMC_ASSIGN_OR_RETURN(
            v1::DispatchPolicy next,
            PolicyInForce(*stores_.policies, given.community_id(),
                          call.deadline()));
        if (given.version() != next.version()) {
          return FieldError(
              absl::StatusCode::kAborted, "policy.version",
              absl::StrCat("the policy in force is version ", next.version()));
        }
        for (const std::string& path : request->update_mask().paths()) {
          if (path == "touring_rules") {
            *next.mutable_touring_rules() = given.touring_rules();
          } else if (path == "min_stationing_months") {
            next.set_min_stationing_months(given.min_stationing_months());
          } else if (path == "township_center_needs_stationed_physician") {
            next.set_township_center_needs_stationed_physician(
                given.township_center_needs_stationed_physician());
          } else if (path == "service_day_credit") {
            *next.mutable_service_day_credit() = given.service_day_credit();
          } else if (path == "subsidies") {
            *next.mutable_subsidies() = given.subsidies();
          } else if (path == "max_visits_per_team_day") {
            next.set_max_visits_per_team_day(given.max_visits_per_team_day());
          } else {
            return InvalidField(
                "update_mask",
                absl::StrCat("unknown or immutable path ", path));
          }
        }
        CMC_RETURN_IF_ERROR(CheckPolicy(next, "policy"));
        // A community's first own version follows the national default's
        // numbering only in the version check above; its own start at 1.
        const bool first_own = next.community_id().empty();
        next.set_community_id(given.community_id());
        next.set_version(first_own ? 1 : next.version() + 1);
        next.clear_create_time();
        return stores_.policies->Add(std::move(next), call.Actor("anonymous"),
                                     call.deadline());
      });
}

}  // namespace cmc::dispatch
