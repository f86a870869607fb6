#include "services/indicator/indicator_service.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/service/handler.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "services/indicator/catalogue.h"

namespace cmc::indicator {
namespace {

// Resolves community scopes through the OrgDirectory, so the service has one
// dependency on the institution service.
class OrgCommunities final : public CommunityDirectory {
 public:
  explicit OrgCommunities(OrgDirectory* orgs) : orgs_(orgs) {}
  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time deadline) override {
    return orgs_->Members(community_id, deadline);
  }

 private:
  OrgDirectory* orgs_;
};

absl::Status RequireUnrestricted(const OrgScope& scope,
                                 absl::string_view field) {
  if (scope.unrestricted()) return absl::OkStatus();
  return OutOfScope(field, "the whole county");
}

absl::StatusOr<std::string> CountyCode(const std::string& code,
                                       absl::string_view field) {
  v1::OrgUnit unit;
  unit.set_division_code(code);
  auto key = ParseOrgUnit(unit, field);
  if (!key.ok() || DivisionLevel(code) != v1::ORG_LEVEL_COUNTY) {
    return InvalidField(field, "not a 6-digit county code");
  }
  return code;
}

absl::StatusOr<ReportingPeriod> ApprovalPeriod(
    const v1::ApprovePeriodRequest& request) {
  CMC_ASSIGN_OR_RETURN(ReportingPeriod period,
                       ParsePeriod(request.period().value(), "period"));
  if (period.kind() != PeriodKind::kMonth &&
      period.kind() != PeriodKind::kYear) {
    return InvalidField("period", "must be a month or a year");
  }
  return period;
}

v1::DataValue ToProto(const StoredValue& v) {
  v1::DataValue out;
  out.set_element_code(v.element_code);
  *out.mutable_org_unit() = ToProto(v.org_unit);
  out.mutable_period()->set_value(v.period.ToString());
  out.set_value(v.value);
  out.set_source(v.source);
  out.set_provenance(v.provenance);
  const int64_t micros = absl::ToUnixMicros(v.update_time);
  out.mutable_updated_at()->set_seconds(micros / 1000000);
  out.mutable_updated_at()->set_nanos(static_cast<int32_t>(micros % 1000000) *
                                      1000);
  return out;
}

// One row of a submission, checked.
struct CheckedRow {
  int64_t index = 0;
  absl::Status error;
  ValueWrite write;
};

void AddRowError(v1::SubmitDataValuesResponse& response, int64_t index,
                 const absl::Status& error) {
  response.set_rejected(response.rejected() + 1);
  if (response.errors_size() >= kMaxListedRowErrors) return;
  v1::RowError* e = response.add_errors();
  e->set_index(index);
  e->set_field(BadField(error));
  e->set_code(absl::StatusCodeToString(error.code()));
  e->set_message(std::string(error.message()));
}

}  // namespace

IndicatorService::IndicatorService(
    std::unique_ptr<IndicatorStore> store, std::unique_ptr<OrgDirectory> orgs,
    CallOptions call, std::vector<std::unique_ptr<FeedConsumer>> feeds)
    : store_(std::move(store)),
      orgs_(std::move(orgs)),
      communities_(std::make_unique<OrgCommunities>(orgs_.get())),
      scopes_(communities_.get(), nullptr),
      call_(call),
      feeds_(std::move(feeds)) {}

IndicatorService::~IndicatorService() = default;

absl::Status RequireOrgUnit(const OrgScope& scope, const OrgUnitKey& unit,
                            absl::string_view field) {
  switch (unit.kind) {
    case OrgKind::kInstitution:
      return scope.RequireInstitution(unit.id, field);
    case OrgKind::kCommunity:
      return scope.RequireCommunity(unit.id, field);
    case OrgKind::kDivision:
      return RequireUnrestricted(scope, field);
  }
  return RequireUnrestricted(scope, field);
}

absl::StatusOr<OrgScope> IndicatorService::Scope(
    const CallContext& call) const {
  return scopes_.Resolve(call);
}

// ---- Data elements and sets ----

grpc::Status IndicatorService::CreateDataElement(
    grpc::ServerContext* context, const v1::CreateDataElementRequest* request,
    v1::DataElement* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::DataElement> {
        CMC_RETURN_IF_ERROR(CheckDataElement(request->element()));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(RequireUnrestricted(scope, "element.code"));
        return store_->CreateDataElement(request->element(), call.now(),
                                         call.deadline());
      });
}

grpc::Status IndicatorService::ListDataElements(
    grpc::ServerContext* context, const v1::ListDataElementsRequest*,
    v1::ListDataElementsResponse* response) {
  return Serve(context, call_, response,
               [&](const CallContext& call)
                   -> absl::StatusOr<v1::ListDataElementsResponse> {
                 CMC_ASSIGN_OR_RETURN(
                     auto elements, store_->ListDataElements(call.deadline()));
                 v1::ListDataElementsResponse out;
                 for (auto& e : elements) *out.add_elements() = std::move(e);
                 return out;
               });
}

grpc::Status IndicatorService::SaveIndicatorSet(
    grpc::ServerContext* context, const v1::SaveIndicatorSetRequest* request,
    v1::IndicatorSet* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::IndicatorSet> {
        CMC_ASSIGN_OR_RETURN(auto elements,
                             store_->ListDataElements(call.deadline()));
        std::set<std::string> known;
        for (const auto& e : elements) known.insert(e.code());
        CMC_RETURN_IF_ERROR(
            CheckIndicatorSet(request->set(), [&](absl::string_view code) {
              return known.count(std::string(code)) > 0;
            }));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        if (!scope.HasCommunityReach()) {
          return OutOfScope("set.code", "an indicator set of the county");
        }
        return store_->SaveIndicatorSet(request->set(), call.Actor("system"),
                                        call.now(), call.deadline());
      });
}

grpc::Status IndicatorService::GetIndicatorSet(
    grpc::ServerContext* context, const v1::GetIndicatorSetRequest* request,
    v1::IndicatorSet* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::IndicatorSet> {
        if (!IsCode(request->code())) {
          return InvalidField("code", "not a set code");
        }
        if (request->version() < 0) {
          return InvalidField("version", "negative");
        }
        return store_->GetIndicatorSet(request->code(), request->version(),
                                       call.deadline());
      });
}

grpc::Status IndicatorService::ListIndicatorSets(
    grpc::ServerContext* context, const v1::ListIndicatorSetsRequest*,
    v1::ListIndicatorSetsResponse* response) {
  return Serve(context, call_, response,
               [&](const CallContext& call)
                   -> absl::StatusOr<v1::ListIndicatorSetsResponse> {
                 CMC_ASSIGN_OR_RETURN(
                     auto sets, store_->ListIndicatorSets(call.deadline()));
                 v1::ListIndicatorSetsResponse out;
                 for (auto& s : sets) *out.add_sets() = std::move(s);
                 return out;
               });
}

// ---- Data values ----

absl::StatusOr<std::optional<std::string>> IndicatorService::CountyOf(
    const OrgUnitKey& unit, absl::Time deadline) const {
  switch (unit.kind) {
    case OrgKind::kInstitution:
      return orgs_->InstitutionCounty(unit.id, deadline);
    case OrgKind::kCommunity:
      return orgs_->CommunityCounty(unit.id, deadline);
    case OrgKind::kDivision:
      return std::optional<std::string>(
          DivisionLevel(unit.id) == v1::ORG_LEVEL_COUNTY ? unit.id : "");
  }
  return std::optional<std::string>("");
}

grpc::Status IndicatorService::SubmitDataValues(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::SubmitDataValuesRequest>* reader,
    v1::SubmitDataValuesResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::SubmitDataValuesResponse> {
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_ASSIGN_OR_RETURN(auto element_list,
                             store_->ListDataElements(call.deadline()));
        std::map<std::string, v1::DataElement> elements;
        for (auto& e : element_list) elements[e.code()] = std::move(e);
        // What the institution service said of each unit in this call.
        std::map<OrgUnitKey, std::optional<std::string>> counties;
        v1::SubmitDataValuesResponse out;
        out.set_submission_id(absl::StrCat("sub-", outbox::NewUuid()));
        const std::string provenance = absl::StrCat(
            "submission ", out.submission_id(), " by ", call.Actor("system"));
        int64_t next_index = 0;
        v1::SubmitDataValuesRequest message;
        while (reader->Read(&message)) {
          if (message.rows_size() > kMaxRowsPerMessage ||
              next_index + message.rows_size() > kMaxRowsPerCall) {
            return InvalidField(
                "rows", absl::StrCat("at most ", kMaxRowsPerMessage,
                                     " rows a message and ", kMaxRowsPerCall,
                                     " a call"));
          }
          std::vector<CheckedRow> rows;
          for (const v1::DataValueInput& input : message.rows()) {
            CheckedRow row;
            row.index = next_index++;
            auto check = [&]() -> absl::Status {
              auto element = elements.find(input.element_code());
              if (element == elements.end()) {
                return FieldError(absl::StatusCode::kNotFound, "element_code",
                                  absl::StrCat("no data element \"",
                                               input.element_code(), "\""));
              }
              if (element->second.source() == v1::VALUE_SOURCE_DERIVED) {
                return InvalidField("element_code",
                                    "derived from event feeds; not submitted");
              }
              CMC_ASSIGN_OR_RETURN(OrgUnitKey unit,
                                   ParseOrgUnit(input.org_unit(), "org_unit"));
              CMC_ASSIGN_OR_RETURN(ReportingPeriod period,
                                   ParsePeriod(input.period().value()));
              if (!period.IsDataPeriod()) {
                return InvalidField("period", "must be a day or a month");
              }
              if (input.value() < 0 &&
                  element->second.value_type() != v1::VALUE_TYPE_INTEGER) {
                return InvalidField("value", "negative");
              }
              CMC_RETURN_IF_ERROR(RequireOrgUnit(scope, unit, "org_unit"));
              auto known = counties.find(unit);
              if (known == counties.end()) {
                CMC_ASSIGN_OR_RETURN(auto county,
                                     CountyOf(unit, call.deadline()));
                known = counties.emplace(unit, county).first;
              }
              if (!known->second.has_value()) {
                return FieldError(absl::StatusCode::kNotFound, "org_unit",
                                  absl::StrCat("unknown to the institution "
                                               "service: ",
                                               unit.id));
              }
              row.write.county_division_code = *known->second;
              row.write.value = StoredValue{input.element_code(),
                                            unit,
                                            period,
                                            input.value(),
                                            v1::VALUE_SOURCE_REPORTED,
                                            provenance,
                                            call.now()};
              return absl::OkStatus();
            };
            row.error = check();
            if (absl::IsUnavailable(row.error)) return row.error;
            rows.push_back(std::move(row));
          }
          std::vector<ValueWrite> writes;
          std::vector<int64_t> write_index;
          for (CheckedRow& row : rows) {
            if (!row.error.ok()) continue;
            writes.push_back(std::move(row.write));
            write_index.push_back(row.index);
          }
          CMC_ASSIGN_OR_RETURN(std::vector<size_t> locked,
                               store_->PutValues(writes, call.deadline()));
          std::set<int64_t> locked_index;
          for (size_t i : locked) locked_index.insert(write_index[i]);
          for (const CheckedRow& row : rows) {
            if (!row.error.ok()) {
              AddRowError(out, row.index, row.error);
            } else if (locked_index.count(row.index)) {
              AddRowError(
                  out, row.index,
                  FieldError(absl::StatusCode::kFailedPrecondition, "period",
                             "the county has approved this period"));
            } else {
              out.set_accepted(out.accepted() + 1);
            }
          }
        }
        return out;
      });
}

grpc::Status IndicatorService::QueryDataValues(
    grpc::ServerContext* context, const v1::QueryDataValuesRequest* request,
    v1::QueryDataValuesResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::QueryDataValuesResponse> {
        CMC_ASSIGN_OR_RETURN(const OrgUnitKey root,
                             ParseOrgUnit(request->org_unit(), "org_unit"));
        CMC_ASSIGN_OR_RETURN(const ReportingPeriod period,
                             ParsePeriod(request->period().value()));
        for (int i = 0; i < request->element_codes_size(); ++i) {
          if (!IsCode(request->element_codes(i))) {
            return InvalidField(absl::StrCat("element_codes[", i, "]"),
                                "not an element code");
          }
        }
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(RequireOrgUnit(scope, root, "org_unit"));
        CMC_ASSIGN_OR_RETURN(const UnitTree tree,
                             BuildTree(root, call.deadline()));
        ValueQuery query;
        for (const auto& [id, key] : tree.keys) query.units.push_back(key);
        if (root.kind == OrgKind::kDivision) query.divisions_within = root.id;
        query.first = period.first_day();
        query.last = period.last_day();
        query.element_codes.assign(request->element_codes().begin(),
                                   request->element_codes().end());
        CMC_ASSIGN_OR_RETURN(std::vector<StoredValue> values,
                             store_->ReadValues(query, call.deadline()));
        v1::QueryDataValuesResponse out;
        const int64_t end =
            std::min<int64_t>(values.size(), page.row + page.size);
        for (int64_t i = page.row; i < end; ++i) {
          *out.add_values() = ToProto(values[i]);
        }
        out.mutable_page()->set_total_size(static_cast<int64_t>(values.size()));
        if (end < static_cast<int64_t>(values.size())) {
          out.mutable_page()->set_next_page_token(
              NextPageToken(page.fingerprint, end));
        }
        return out;
      });
}

// ---- Approval ----

grpc::Status IndicatorService::ApprovePeriod(
    grpc::ServerContext* context, const v1::ApprovePeriodRequest* request,
    v1::PeriodApproval* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::PeriodApproval> {
        CMC_ASSIGN_OR_RETURN(const std::string county,
                             CountyCode(request->county_division_code(),
                                        "county_division_code"));
        CMC_ASSIGN_OR_RETURN(const ReportingPeriod period,
                             ApprovalPeriod(*request));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(RequireUnrestricted(scope, "county_division_code"));
        return store_->Approve(county, period, call.Actor("system"), call.now(),
                               call.deadline());
      });
}

grpc::Status IndicatorService::RevokeApproval(
    grpc::ServerContext* context, const v1::RevokeApprovalRequest* request,
    v1::PeriodApproval* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::PeriodApproval> {
        CMC_ASSIGN_OR_RETURN(const std::string county,
                             CountyCode(request->county_division_code(),
                                        "county_division_code"));
        v1::ApprovePeriodRequest as_approval;
        *as_approval.mutable_period() = request->period();
        CMC_ASSIGN_OR_RETURN(const ReportingPeriod period,
                             ApprovalPeriod(as_approval));
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(RequireUnrestricted(scope, "county_division_code"));
        return store_->Revoke(county, period, call.Actor("system"), call.now(),
                              call.deadline());
      });
}

grpc::Status IndicatorService::ListApprovals(
    grpc::ServerContext* context, const v1::ListApprovalsRequest* request,
    v1::ListApprovalsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListApprovalsResponse> {
        CMC_ASSIGN_OR_RETURN(const std::string county,
                             CountyCode(request->county_division_code(),
                                        "county_division_code"));
        CMC_ASSIGN_OR_RETURN(auto approvals,
                             store_->ListApprovals(county, call.deadline()));
        v1::ListApprovalsResponse out;
        for (auto& a : approvals) *out.add_approvals() = std::move(a);
        return out;
      });
}

// ---- What the questions share ----

absl::StatusOr<IndicatorService::UnitTree> IndicatorService::BuildTree(
    const OrgUnitKey& root, absl::Time deadline) const {
  UnitTree out;
  out.keys[root.id] = root;
  auto add = [&](const OrgUnitKey& parent, const OrgUnitKey& child) {
    out.tree.Add(parent.id, child.id);
    out.keys[child.id] = child;
  };
  auto add_members = [&](const std::string& community) -> absl::Status {
    CMC_ASSIGN_OR_RETURN(const std::set<std::string> members,
                         orgs_->Members(community, deadline));
    for (const std::string& m : members) {
      add({OrgKind::kCommunity, community}, {OrgKind::kInstitution, m});
    }
    return absl::OkStatus();
  };
  if (root.kind == OrgKind::kCommunity) {
    CMC_RETURN_IF_ERROR(add_members(root.id));
  } else if (root.kind == OrgKind::kDivision) {
    // Counties come from the communities the institution service knows and
    // from values stored at division units (a province's counties).
    std::set<std::string> divisions;
    CMC_ASSIGN_OR_RETURN(auto stored,
                         store_->DivisionsWithValues(root.id, deadline));
    divisions.insert(stored.begin(), stored.end());
    CMC_ASSIGN_OR_RETURN(const std::vector<CommunityPlace> communities,
                         orgs_->CommunitiesWithin(root.id, deadline));
    for (const CommunityPlace& c : communities) {
      divisions.insert(c.county_division_code);
    }
    // Each division below the root hangs under its prefecture and province.
    for (const std::string& code : divisions) {
      std::string child = code;
      while (child != root.id) {
        std::string parent;
        if (DivisionLevel(child) == v1::ORG_LEVEL_COUNTY) {
          parent = child.substr(0, 4) + "00";
        } else if (DivisionLevel(child) == v1::ORG_LEVEL_PREFECTURE) {
          parent = child.substr(0, 2) + "0000";
        } else {
          break;  // a province that is not the root: outside it
        }
        add({OrgKind::kDivision, parent}, {OrgKind::kDivision, child});
        child = parent;
      }
    }
    for (const CommunityPlace& c : communities) {
      add({OrgKind::kDivision, c.county_division_code},
          {OrgKind::kCommunity, c.community_id});
      CMC_RETURN_IF_ERROR(add_members(c.community_id));
    }
  }
  // Tree order: depth first, children by id.
  std::vector<std::string> todo{root.id};
  std::set<std::string> seen;
  while (!todo.empty()) {
    std::string next = std::move(todo.back());
    todo.pop_back();
    if (!seen.insert(next).second) continue;
    out.order.push_back(next);
    std::vector<std::string> children = out.tree.Children(next);
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      todo.push_back(*it);
    }
  }
  return out;
}

absl::StatusOr<IndicatorService::Workspace> IndicatorService::LoadWorkspace(
    const std::string& set_code, int64_t set_version,
    const google::protobuf::RepeatedPtrField<std::string>& codes,
    absl::string_view codes_field, absl::Time deadline) const {
  const std::string code = set_code.empty() ? kDefaultSetCode : set_code;
  if (!IsCode(code)) return InvalidField("set_code", "not a set code");
  if (set_version < 0) return InvalidField("set_version", "negative");
  Workspace work;
  auto set = store_->GetIndicatorSet(code, set_version, deadline);
  if (!set.ok()) {
    if (absl::IsNotFound(set.status())) {
      return FieldError(
          absl::StatusCode::kNotFound,
          BadField(set.status()) == "version" ? "set_version" : "set_code",
          set.status().message());
    }
    return set.status();
  }
  work.set = *std::move(set);
  CMC_ASSIGN_OR_RETURN(auto elements, store_->ListDataElements(deadline));
  for (auto& e : elements) work.elements[e.code()] = std::move(e);
  auto known = [&](absl::string_view c) {
    return work.elements.count(std::string(c)) > 0;
  };
  std::map<std::string, const v1::IndicatorDefinition*> by_code;
  for (const auto& d : work.set.indicators()) by_code[d.code()] = &d;
  if (codes.empty()) {
    work.definitions.assign(work.set.indicators().begin(),
                            work.set.indicators().end());
  } else {
    for (int i = 0; i < codes.size(); ++i) {
      auto it = by_code.find(codes[i]);
      if (it == by_code.end()) {
        return InvalidField(
            codes_field == "indicator_code"
                ? std::string(codes_field)
                : absl::StrCat(codes_field, "[", i, "]"),
            absl::StrCat("\"", codes[i], "\" is not in set ", work.set.code(),
                         " version ", work.set.version()));
      }
      work.definitions.push_back(*it->second);
    }
  }
  for (const auto& d : work.definitions) {
    CMC_ASSIGN_OR_RETURN(IndicatorFormula formula,
                         FormulaOf(d, known, d.code()));
    for (const Expression* e : {&formula.numerator, &formula.denominator}) {
      work.element_codes.insert(e->Elements().begin(), e->Elements().end());
    }
    work.formulas.push_back(std::move(formula));
  }
  return work;
}

absl::StatusOr<IndicatorService::ValueTable> IndicatorService::ReadTable(
    const UnitTree& tree, const Workspace& work, const ReportingPeriod& first,
    const ReportingPeriod& last, absl::Time deadline) const {
  ValueTable table;
  if (work.element_codes.empty()) return table;
  ValueQuery query;
  for (const auto& [id, key] : tree.keys) query.units.push_back(key);
  const OrgUnitKey& root = tree.keys.at(tree.order.front());
  if (root.kind == OrgKind::kDivision) query.divisions_within = root.id;
  query.first = first.first_day();
  query.last = last.last_day();
  query.element_codes.assign(work.element_codes.begin(),
                             work.element_codes.end());
  CMC_ASSIGN_OR_RETURN(std::vector<StoredValue> values,
                       store_->ReadValues(query, deadline));
  for (StoredValue& v : values) {
    table.observations[v.element_code].push_back(
        Observation{v.org_unit.id, v.period, v.value});
    table.stored[v.element_code].push_back(std::move(v));
  }
  return table;
}

ElementTotals TotalsOf(const IndicatorService::Workspace& work,
                       const IndicatorService::ValueTable& table,
                       const std::set<std::string>& subtree,
                       const ReportingPeriod& period) {
  static const std::vector<Observation> kNone;
  ElementTotals totals;
  for (const std::string& code : work.element_codes) {
    auto obs = table.observations.find(code);
    totals[code] = AggregateElement(
        work.elements.at(code).aggregation(),
        obs == table.observations.end() ? kNone : obs->second, subtree, period);
  }
  return totals;
}

v1::IndicatorCell CellOf(const OrgUnitKey& unit, const ReportingPeriod& period,
                         const v1::IndicatorDefinition& definition,
                         const IndicatorResult& result) {
  v1::IndicatorCell cell;
  *cell.mutable_org_unit() = ToProto(unit);
  cell.mutable_period()->set_value(period.ToString());
  cell.set_indicator_code(definition.code());
  cell.set_numerator(result.numerator);
  cell.set_denominator(result.denominator);
  cell.set_has_value(result.has_value);
  cell.set_value(result.value);
  if (definition.has_target()) *cell.mutable_target() = definition.target();
  cell.set_status(result.status);
  cell.set_no_value_reason(result.no_value_reason);
  return cell;
}

}  // namespace cmc::indicator
