// The question handlers of IndicatorService: QueryIndicators,
// ExplainIndicator, EvaluateCommunity and ExportIndicators.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/identity/principal.h"
#include "common/service/handler.h"
#include "common/status.h"
#include "services/indicator/catalogue.h"
#include "services/indicator/indicator_service.h"

namespace cmc::indicator {
namespace {

// The first and the last of `periods` by their days, and the period before
// the earliest (for growth).
struct Span {
  ReportingPeriod first = ReportingPeriod::Year(2000);
  ReportingPeriod last = ReportingPeriod::Year(2000);
};

Span SpanOf(const std::vector<ReportingPeriod>& periods, bool with_previous) {
  Span span{periods.front(), periods.front()};
  for (const ReportingPeriod& p : periods) {
    if (p.first_day() < span.first.first_day()) span.first = p;
    if (p.last_day() > span.last.last_day()) span.last = p;
    if (with_previous && p.Previous().first_day() < span.first.first_day()) {
      span.first = p.Previous();
    }
  }
  return span;
}

bool AnyGrowth(const IndicatorService::Workspace& work) {
  return std::any_of(work.formulas.begin(), work.formulas.end(),
                     [](const IndicatorFormula& f) { return f.growth; });
}

// The cell of indicator `i` of `work` for `unit` and `period`.
IndicatorResult Compute(const IndicatorService::Workspace& work, size_t i,
                        const IndicatorService::ValueTable& table,
                        const std::set<std::string>& subtree,
                        const ReportingPeriod& period) {
  const ElementTotals now = TotalsOf(work, table, subtree, period);
  if (!work.formulas[i].growth) {
    return ComputeIndicator(work.formulas[i], now, nullptr);
  }
  const ElementTotals before =
      TotalsOf(work, table, subtree, period.Previous());
  return ComputeIndicator(work.formulas[i], now, &before);
}

std::string Number(double v) { return absl::StrFormat("%.10g", v); }

std::string KindName(OrgKind kind) {
  switch (kind) {
    case OrgKind::kInstitution:
      return "institution";
    case OrgKind::kCommunity:
      return "community";
    case OrgKind::kDivision:
      return "county";
  }
  return "";
}

std::string StatusName(v1::TargetStatus status) {
  switch (status) {
    case v1::TARGET_STATUS_MET:
      return "MET";
    case v1::TARGET_STATUS_NOT_MET:
      return "NOT_MET";
    case v1::TARGET_STATUS_NO_TARGET:
      return "NO_TARGET";
    default:
      return "NO_VALUE";
  }
}

// JSON string literal of `s` (UTF-8 passed through).
std::string Json(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

grpc::Status IndicatorService::QueryIndicators(
    grpc::ServerContext* context, const v1::QueryIndicatorsRequest* request,
    v1::QueryIndicatorsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::QueryIndicatorsResponse> {
        CMC_ASSIGN_OR_RETURN(const OrgUnitKey root,
                             ParseOrgUnit(request->org_unit(), "org_unit"));
        if (request->periods().empty() ||
            request->periods_size() > kMaxQueryPeriods) {
          return InvalidField(
              "periods",
              absl::StrCat("must hold 1-", kMaxQueryPeriods, " periods"));
        }
        std::vector<ReportingPeriod> periods;
        for (int i = 0; i < request->periods_size(); ++i) {
          CMC_ASSIGN_OR_RETURN(ReportingPeriod p,
                               ParsePeriod(request->periods(i).value(),
                                           absl::StrCat("periods[", i, "]")));
          periods.push_back(p);
        }
        const v1::OrgLevel down = request->descendants();
        if (down != v1::ORG_LEVEL_UNSPECIFIED &&
            (!v1::OrgLevel_IsValid(down) || down <= LevelOf(root))) {
          return InvalidField("descendants",
                              "must be a level below the org unit's own");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(RequireOrgUnit(scope, root, "org_unit"));
        CMC_ASSIGN_OR_RETURN(
            const Workspace work,
            LoadWorkspace(request->set_code(), request->set_version(),
                          request->indicator_codes(), "indicator_codes",
                          call.deadline()));
        CMC_ASSIGN_OR_RETURN(const UnitTree tree,
                             BuildTree(root, call.deadline()));
        std::vector<std::string> units;
        for (const std::string& id : tree.order) {
          if (id == root.id || (down != v1::ORG_LEVEL_UNSPECIFIED &&
                                LevelOf(tree.keys.at(id)) <= down)) {
            units.push_back(id);
          }
        }
        const int64_t cells = static_cast<int64_t>(units.size()) *
                              static_cast<int64_t>(periods.size()) *
                              static_cast<int64_t>(work.definitions.size());
        if (cells > kMaxQueryCells) {
          return InvalidField(
              "periods",
              absl::StrCat(cells, " cells asked; at most ", kMaxQueryCells));
        }
        const Span span = SpanOf(periods, AnyGrowth(work));
        CMC_ASSIGN_OR_RETURN(
            const ValueTable table,
            ReadTable(tree, work, span.first, span.last, call.deadline()));
        v1::QueryIndicatorsResponse out;
        out.set_set_code(work.set.code());
        out.set_set_version(work.set.version());
        for (const std::string& id : units) {
          const std::set<std::string> subtree = tree.tree.Subtree(id);
          for (const ReportingPeriod& period : periods) {
            for (size_t i = 0; i < work.definitions.size(); ++i) {
              *out.add_cells() =
                  CellOf(tree.keys.at(id), period, work.definitions[i],
                         Compute(work, i, table, subtree, period));
            }
          }
        }
        return out;
      });
}

grpc::Status IndicatorService::ExplainIndicator(
    grpc::ServerContext* context, const v1::ExplainIndicatorRequest* request,
    v1::IndicatorExplanation* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::IndicatorExplanation> {
        CMC_ASSIGN_OR_RETURN(const OrgUnitKey root,
                             ParseOrgUnit(request->org_unit(), "org_unit"));
        CMC_ASSIGN_OR_RETURN(const ReportingPeriod period,
                             ParsePeriod(request->period().value()));
        if (request->indicator_code().empty()) {
          return InvalidField("indicator_code", "missing");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(RequireOrgUnit(scope, root, "org_unit"));
        google::protobuf::RepeatedPtrField<std::string> codes;
        codes.Add(std::string(request->indicator_code()));
        CMC_ASSIGN_OR_RETURN(
            const Workspace work,
            LoadWorkspace(request->set_code(), request->set_version(), codes,
                          "indicator_code", call.deadline()));
        CMC_ASSIGN_OR_RETURN(const UnitTree tree,
                             BuildTree(root, call.deadline()));
        const IndicatorFormula& formula = work.formulas.front();
        const ReportingPeriod first =
            formula.growth ? period.Previous() : period;
        CMC_ASSIGN_OR_RETURN(
            const ValueTable table,
            ReadTable(tree, work, first, period, call.deadline()));
        const std::set<std::string> subtree = tree.tree.Subtree(root.id);
        v1::IndicatorExplanation out;
        out.set_set_code(work.set.code());
        out.set_set_version(work.set.version());
        *out.mutable_definition() = work.definitions.front();
        *out.mutable_cell() = CellOf(root, period, work.definitions.front(),
                                     Compute(work, 0, table, subtree, period));
        const ElementTotals totals = TotalsOf(work, table, subtree, period);
        std::vector<std::string> order = formula.numerator.Elements();
        for (const std::string& code : formula.denominator.Elements()) {
          if (std::find(order.begin(), order.end(), code) == order.end()) {
            order.push_back(code);
          }
        }
        for (const std::string& code : order) {
          v1::ElementContribution* e = out.add_elements();
          e->set_element_code(code);
          e->set_aggregation(work.elements.at(code).aggregation());
          const ElementTotal& total = totals.at(code);
          e->set_aggregated_value(total.value);
          auto stored = table.stored.find(code);
          for (size_t i : total.used) {
            const StoredValue& v = stored->second[i];
            v1::DataValue* dv = e->add_values();
            dv->set_element_code(v.element_code);
            *dv->mutable_org_unit() = ToProto(v.org_unit);
            dv->mutable_period()->set_value(v.period.ToString());
            dv->set_value(v.value);
            dv->set_source(v.source);
            dv->set_provenance(v.provenance);
            const int64_t micros = absl::ToUnixMicros(v.update_time);
            dv->mutable_updated_at()->set_seconds(micros / 1000000);
            dv->mutable_updated_at()->set_nanos(
                static_cast<int32_t>(micros % 1000000) * 1000);
          }
        }
        return out;
      });
}

grpc::Status IndicatorService::EvaluateCommunity(
    grpc::ServerContext* context, const v1::EvaluateCommunityRequest* request,
    v1::CommunityEvaluation* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::CommunityEvaluation> {
        v1::OrgUnit unit;
        unit.set_community_id(request->community_id());
        auto parsed = ParseOrgUnit(unit, "org_unit");
        if (!parsed.ok()) {
          return InvalidField("community_id", "not a community id");
        }
        const OrgUnitKey root = *parsed;
        if (request->year() < 1990 || request->year() > 2100) {
          return InvalidField("year", "must be 1990-2100");
        }
        const ReportingPeriod year = ReportingPeriod::Year(request->year());
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(scope.RequireCommunity(root.id, "community_id"));
        CMC_ASSIGN_OR_RETURN(auto county,
                             orgs_->CommunityCounty(root.id, call.deadline()));
        if (!county.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "community_id",
                            "unknown to the institution service");
        }
        CMC_ASSIGN_OR_RETURN(
            const Workspace work,
            LoadWorkspace(request->set_code(), request->set_version(), {},
                          "indicator_codes", call.deadline()));
        CMC_ASSIGN_OR_RETURN(const UnitTree tree,
                             BuildTree(root, call.deadline()));
        CMC_ASSIGN_OR_RETURN(
            const ValueTable table,
            ReadTable(tree, work, AnyGrowth(work) ? year.Previous() : year,
                      year, call.deadline()));
        const std::set<std::string> subtree = tree.tree.Subtree(root.id);
        v1::CommunityEvaluation out;
        out.set_community_id(root.id);
        out.set_year(request->year());
        out.set_set_code(work.set.code());
        out.set_set_version(work.set.version());
        for (size_t i = 0; i < work.definitions.size(); ++i) {
          const IndicatorResult r = Compute(work, i, table, subtree, year);
          v1::IndicatorEvaluation* e = out.add_indicators();
          *e->mutable_definition() = work.definitions[i];
          *e->mutable_cell() = CellOf(root, year, work.definitions[i], r);
          if (r.has_value && work.definitions[i].has_target()) {
            e->set_gap(r.value - work.definitions[i].target().value());
          }
          if (r.status == v1::TARGET_STATUS_MET) out.set_met(out.met() + 1);
          if (r.status == v1::TARGET_STATUS_NOT_MET) {
            out.set_not_met(out.not_met() + 1);
          }
        }
        return out;
      });
}

grpc::Status IndicatorService::ExportIndicators(
    grpc::ServerContext* context, const v1::ExportIndicatorsRequest* request,
    v1::ExportIndicatorsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ExportIndicatorsResponse> {
        v1::OrgUnit unit;
        unit.set_division_code(request->county_division_code());
        auto parsed = ParseOrgUnit(unit, "county_division_code");
        if (!parsed.ok() || LevelOf(*parsed) != v1::ORG_LEVEL_COUNTY) {
          return InvalidField("county_division_code",
                              "not a 6-digit county code");
        }
        const OrgUnitKey root = *parsed;
        CMC_ASSIGN_OR_RETURN(const ReportingPeriod period,
                             ParsePeriod(request->period().value()));
        if (request->format() != v1::EXPORT_FORMAT_FLAT_CSV &&
            request->format() != v1::EXPORT_FORMAT_FHIR_MEASURE_REPORT) {
          return InvalidField("format", "missing");
        }
        CMC_ASSIGN_OR_RETURN(const OrgScope scope, Scope(call));
        CMC_RETURN_IF_ERROR(
            RequireOrgUnit(scope, root, "county_division_code"));
        CMC_ASSIGN_OR_RETURN(
            const Workspace work,
            LoadWorkspace(request->set_code(), request->set_version(), {},
                          "indicator_codes", call.deadline()));
        CMC_ASSIGN_OR_RETURN(const UnitTree tree,
                             BuildTree(root, call.deadline()));
        CMC_ASSIGN_OR_RETURN(
            const ValueTable table,
            ReadTable(tree, work, AnyGrowth(work) ? period.Previous() : period,
                      period, call.deadline()));
        const bool csv = request->format() == v1::EXPORT_FORMAT_FLAT_CSV;
        std::string body =
            csv ? "county_division_code,org_unit_kind,org_unit_id,period,"
                  "set_code,set_version,indicator_code,numerator,denominator,"
                  "value,target,status\n"
                : "[";
        bool first_report = true;
        for (const std::string& id : tree.order) {
          const OrgUnitKey& key = tree.keys.at(id);
          const std::set<std::string> subtree = tree.tree.Subtree(id);
          for (size_t i = 0; i < work.definitions.size(); ++i) {
            const v1::IndicatorDefinition& d = work.definitions[i];
            const IndicatorResult r = Compute(work, i, table, subtree, period);
            if (csv) {
              absl::StrAppend(&body, root.id, ",", KindName(key.kind), ",",
                              key.id, ",", period.ToString(), ",",
                              work.set.code(), ",", work.set.version(), ",",
                              d.code(), ",", Number(r.numerator), ",",
                              Number(r.denominator), ",",
                              r.has_value ? Number(r.value) : "", ",",
                              d.has_target() ? Number(d.target().value()) : "",
                              ",", StatusName(r.status), "\n");
              continue;
            }
            absl::StrAppend(
                &body, first_report ? "" : ",",
                "{\"resourceType\":\"MeasureReport\",\"status\":\"complete\","
                "\"type\":\"summary\",\"measure\":",
                Json(absl::StrCat("urn:cmc:indicator:", work.set.code(), ":",
                                  work.set.version(), ":", d.code())),
                ",\"subject\":{\"identifier\":{\"system\":\"urn:cmc:org-unit\","
                "\"value\":",
                Json(key.id), "}},\"period\":{\"start\":",
                Json(ReportingPeriod::Day(period.first_day()).ToString()),
                ",\"end\":",
                Json(ReportingPeriod::Day(period.last_day()).ToString()),
                "},\"group\":[{\"population\":[{\"code\":{\"coding\":[{"
                "\"system\":\"http://terminology.hl7.org/CodeSystem/"
                "measure-population\",\"code\":\"numerator\"}]},\"count\":",
                static_cast<int64_t>(r.numerator),
                "},{\"code\":{\"coding\":[{\"system\":\"http://"
                "terminology.hl7.org/CodeSystem/measure-population\",\"code\":"
                "\"denominator\"}]},\"count\":",
                static_cast<int64_t>(r.denominator), "}]",
                r.has_value
                    ? absl::StrCat(
                          ",\"measureScore\":{\"value\":", Number(r.value), "}")
                    : "",
                "}]}");
            first_report = false;
          }
        }
        if (!csv) body += "]";
        v1::ExportIndicatorsResponse out;
        out.set_set_code(work.set.code());
        out.set_set_version(work.set.version());
        out.set_content_type(csv ? "text/csv; charset=utf-8"
                                 : "application/fhir+json");
        out.set_content(std::move(body));
        return out;
      });
}

}  // namespace cmc::indicator
