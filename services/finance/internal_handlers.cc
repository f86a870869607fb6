// FinanceService: internal settlement between members and the shared
// centers (price lists, service records, monthly statements).
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/outbox/outbox.h"
#include "common/service/county_time.h"
#include "common/service/handler.h"
#include "common/service/idempotency.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/finance_service.h"
#include "services/finance/internal_statement.h"
#include "services/finance/ledger_rules.h"

namespace cmc::finance {
namespace {

absl::Status CheckId(const std::string& id, absl::string_view prefix,
                     const std::string& field) {
  if (!absl::StartsWith(id, prefix) || id.size() <= prefix.size() ||
      id.size() > 64) {
    return InvalidField(field, absl::StrCat("must be an id ", prefix, "..."));
  }
  return absl::OkStatus();
}

absl::StatusOr<PeriodRange> Month(const cmc::common::v1::Period& period,
                                  const std::string& field) {
  const std::string& month = period.value();
  if (month.size() != 7 || month[4] != '-') {
    return InvalidField(field, "must be a month YYYY-MM");
  }
  return ParsePeriod(month, field);
}

// The version in force on `day` among `lists` (oldest first), or null.
const v1::PriceList* InForce(const std::vector<v1::PriceList>& lists,
                             const std::string& day) {
  const v1::PriceList* found = nullptr;
  for (const v1::PriceList& list : lists) {
    if (list.effective_from().value() <= day) found = &list;
  }
  return found;
}

}  // namespace

grpc::Status FinanceService::GetPriceList(
    Context* context, const v1::GetPriceListRequest* request,
    v1::PriceList* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::PriceList> {
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "com-", "community_id"));
        absl::CivilDay on = call.today();
        if (!request->on().value().empty()) {
          CMC_ASSIGN_OR_RETURN(on, ParseCivilDate(request->on().value(), "on"));
        }
        if (request->version() < 0) {
          return InvalidField("version", "must not be negative");
        }
        CMC_ASSIGN_OR_RETURN(std::vector<v1::PriceList> lists,
                             stores_.internal->PriceLists(
                                 request->community_id(), call.deadline()));
        if (request->version() > 0) {
          if (request->version() > static_cast<int64_t>(lists.size())) {
            return FieldError(absl::StatusCode::kNotFound, "version",
                              "no such version");
          }
          return lists[static_cast<size_t>(request->version() - 1)];
        }
        const v1::PriceList* list = InForce(lists, FormatCivilDate(on));
        if (list == nullptr) {
          return FieldError(absl::StatusCode::kNotFound, "community_id",
                            "no price list in force");
        }
        return *list;
      });
}

grpc::Status FinanceService::UpdatePriceList(
    Context* context, const v1::UpdatePriceListRequest* request,
    v1::PriceList* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::PriceList> {
        v1::PriceList list = request->price_list();
        CMC_RETURN_IF_ERROR(
            CheckId(list.community_id(), "com-", "price_list.community_id"));
        if (list.effective_from().value().empty()) {
          return InvalidField("price_list.effective_from", "is required");
        }
        CMC_RETURN_IF_ERROR(ParseCivilDate(list.effective_from().value(),
                                           "price_list.effective_from")
                                .status());
        if (list.items_size() == 0) {
          return InvalidField("price_list.items", "must not be empty");
        }
        std::set<int> seen;
        for (int i = 0; i < list.items_size(); ++i) {
          const v1::PriceItem& item = list.items(i);
          const std::string at = absl::StrCat("price_list.items[", i, "]");
          if (item.item() == v1::SERVICE_ITEM_UNSPECIFIED ||
              !v1::ServiceItem_IsValid(item.item())) {
            return InvalidField(absl::StrCat(at, ".item"), "is required");
          }
          if (!seen.insert(item.item()).second) {
            return InvalidField("price_list.items",
                                absl::StrCat(v1::ServiceItem_Name(item.item()),
                                             " listed twice"));
          }
          if (item.price().fen() <= 0) {
            return InvalidField(absl::StrCat(at, ".price"), "must be positive");
          }
          if (item.center_share_bp() < 0 || item.center_share_bp() > kBpOne) {
            return InvalidField(absl::StrCat(at, ".center_share_bp"),
                                "must be 0-10000");
          }
        }
        if (list.version() < 0) {
          return InvalidField("price_list.version", "must not be negative");
        }
        CMC_RETURN_IF_ERROR(RequireCommunity(call, list.community_id(),
                                             "price_list.community_id"));
        list.set_version(list.version() + 1);
        ToProtoTime(call.now(), list.mutable_updated_at());
        return stores_.internal->AddPriceList(
            std::move(list), call.Actor("system"), call.deadline());
      });
}

grpc::Status FinanceService::CreateServiceRecord(
    Context* context, const v1::CreateServiceRecordRequest* request,
    v1::ServiceRecord* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ServiceRecord> {
        CMC_RETURN_IF_ERROR(
            CheckExternalKey(request->request_id(), "request_id"));
        v1::ServiceRecord record = request->record();
        CMC_RETURN_IF_ERROR(
            CheckId(record.community_id(), "com-", "record.community_id"));
        if (record.item() == v1::SERVICE_ITEM_UNSPECIFIED ||
            !v1::ServiceItem_IsValid(record.item())) {
          return InvalidField("record.item", "is required");
        }
        CMC_RETURN_IF_ERROR(CheckId(record.requesting_institution_id(), "ins-",
                                    "record.requesting_institution_id"));
        CMC_RETURN_IF_ERROR(CheckId(record.center_institution_id(), "ins-",
                                    "record.center_institution_id"));
        if (record.center_institution_id() ==
            record.requesting_institution_id()) {
          return InvalidField("record.center_institution_id",
                              "is the requester itself");
        }
        if (record.date().value().empty()) {
          return InvalidField("record.date", "is required");
        }
        CMC_RETURN_IF_ERROR(
            ParseCivilDate(record.date().value(), "record.date").status());
        if (record.quantity() < 1 || record.quantity() > 100000) {
          return InvalidField("record.quantity", "must be 1-100000");
        }
        if (!call.principal().unrestricted()) {
          CMC_ASSIGN_OR_RETURN(const OrgScope scope, scopes_.Resolve(call));
          if (!scope.CoversCommunity(record.community_id())) {
            CMC_RETURN_IF_ERROR(scope.RequireInstitution(
                record.center_institution_id(), "record.community_id"));
          }
        }
        CMC_ASSIGN_OR_RETURN(
            std::set<std::string> members,
            MembersOf(record.community_id(), "record.community_id", call));
        for (const auto& [id, field] :
             {std::make_pair(record.requesting_institution_id(),
                             "record.requesting_institution_id"),
              std::make_pair(record.center_institution_id(),
                             "record.center_institution_id")}) {
          if (members.count(id) == 0) {
            return FieldError(absl::StatusCode::kFailedPrecondition, field,
                              "not a member of the community");
          }
        }
        CMC_ASSIGN_OR_RETURN(std::vector<v1::PriceList> lists,
                             stores_.internal->PriceLists(record.community_id(),
                                                          call.deadline()));
        const v1::PriceList* list = InForce(lists, record.date().value());
        const v1::PriceItem* price = nullptr;
        for (int i = 0; list != nullptr && i < list->items_size(); ++i) {
          if (list->items(i).item() == record.item()) price = &list->items(i);
        }
        if (price == nullptr) {
          return FieldError(absl::StatusCode::kFailedPrecondition,
                            "record.date",
                            "no price list in force that day lists the item");
        }
        v1::CreateServiceRecordRequest normalized;
        normalized.set_request_id(request->request_id());
        *normalized.mutable_record() = record;
        normalized.mutable_record()->clear_id();
        normalized.mutable_record()->clear_price_list_version();
        normalized.mutable_record()->clear_amount();
        const RequestClaim claim =
            ClaimOf(call.principal().subject, request->request_id(),
                    "CreateServiceRecord", normalized);
        record.set_id(absl::StrCat("svc-", outbox::NewUuid()));
        record.set_price_list_version(list->version());
        record.mutable_amount()->set_fen(ServiceAmount(
            price->price().fen(), record.quantity(), price->center_share_bp()));
        return stores_.internal->AddServiceRecord(
            claim, std::move(record), call.Actor("system"), call.deadline());
      });
}

grpc::Status FinanceService::ListServiceRecords(
    Context* context, const v1::ListServiceRecordsRequest* request,
    v1::ListServiceRecordsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::ListServiceRecordsResponse> {
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "com-", "community_id"));
        if (!request->institution_id().empty()) {
          CMC_RETURN_IF_ERROR(
              CheckId(request->institution_id(), "ins-", "institution_id"));
        }
        PeriodRange range{absl::CivilDay(1900, 1, 1),
                          absl::CivilDay(2999, 12, 31)};
        if (!request->period().value().empty()) {
          CMC_ASSIGN_OR_RETURN(
              range, ParsePeriod(request->period().value(), "period"));
        }
        CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
        std::optional<OrgScope> scope;
        if (!call.principal().unrestricted()) {
          CMC_ASSIGN_OR_RETURN(scope, scopes_.Resolve(call));
          if (!scope->CoversCommunity(request->community_id())) {
            CMC_RETURN_IF_ERROR(scope->RequireInstitutionFilter(
                request->institution_id(), "institution_id"));
          }
        }
        CMC_ASSIGN_OR_RETURN(
            std::vector<v1::ServiceRecord> records,
            stores_.internal->Records(request->community_id(), range.first,
                                      range.last, call.deadline()));
        v1::ListServiceRecordsResponse out;
        int64_t row = 0;
        for (v1::ServiceRecord& r : records) {
          const bool involves =
              request->institution_id().empty() ||
              r.requesting_institution_id() == request->institution_id() ||
              r.center_institution_id() == request->institution_id();
          const bool visible =
              !scope.has_value() ||
              scope->CoversCommunity(request->community_id()) ||
              scope->CoversInstitution(r.requesting_institution_id()) ||
              scope->CoversInstitution(r.center_institution_id());
          if (!involves || !visible) continue;
          ++row;
          if (row <= page.row) continue;
          if (out.records_size() == page.size) {
            out.mutable_page()->set_next_page_token(
                NextPageToken(page.fingerprint, row - 1));
            break;
          }
          *out.add_records() = std::move(r);
        }
        out.mutable_page()->set_total_size(-1);
        return out;
      });
}

grpc::Status FinanceService::GetInternalStatement(
    Context* context, const v1::GetInternalStatementRequest* request,
    v1::InternalStatement* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::InternalStatement> {
        CMC_RETURN_IF_ERROR(
            CheckId(request->institution_id(), "ins-", "institution_id"));
        CMC_ASSIGN_OR_RETURN(PeriodRange range,
                             Month(request->month(), "month"));
        CMC_RETURN_IF_ERROR(
            CheckId(request->community_id(), "com-", "community_id"));
        CMC_RETURN_IF_ERROR(
            RequireOwner(call, request->institution_id(), "institution_id"));
        CMC_ASSIGN_OR_RETURN(
            std::set<std::string> members,
            MembersOf(request->community_id(), "community_id", call));
        if (members.count(request->institution_id()) == 0) {
          return FieldError(absl::StatusCode::kFailedPrecondition,
                            "institution_id", "not a member of the community");
        }
        CMC_ASSIGN_OR_RETURN(
            std::vector<v1::ServiceRecord> records,
            stores_.internal->Records(request->community_id(), range.first,
                                      range.last, call.deadline()));
        v1::InternalStatement out =
            StatementOf(request->institution_id(), records);
        out.set_community_id(request->community_id());
        *out.mutable_month() = request->month();
        CMC_ASSIGN_OR_RETURN(auto posted,
                             stores_.internal->Posted(request->community_id(),
                                                      request->month().value(),
                                                      call.deadline()));
        if (posted.has_value()) {
          out.set_posted(true);
          out.set_journal_entry_id(posted->journal_entry_id());
        }
        return out;
      });
}

grpc::Status FinanceService::PostInternalStatements(
    Context* context, const v1::PostInternalStatementsRequest* request,
    v1::InternalStatementBatch* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call)
          -> absl::StatusOr<v1::InternalStatementBatch> {
        const std::string& community = request->community_id();
        CMC_RETURN_IF_ERROR(CheckId(community, "com-", "community_id"));
        CMC_ASSIGN_OR_RETURN(PeriodRange range,
                             Month(request->month(), "month"));
        if (range.last >= call.today()) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "month",
                            "the month is not over");
        }
        CMC_RETURN_IF_ERROR(RequireCommunity(call, community, "community_id"));
        CMC_ASSIGN_OR_RETURN(
            std::vector<v1::ServiceRecord> records,
            stores_.internal->Records(community, range.first, range.last,
                                      call.deadline()));
        v1::InternalStatementBatch batch;
        batch.set_community_id(community);
        *batch.mutable_month() = request->month();
        const std::map<std::string, int64_t> nets = NetsOf(records);
        v1::JournalEntry e;
        for (const auto& [member, net] : nets) {
          v1::InternalStatement s = StatementOf(member, records);
          s.set_community_id(community);
          *s.mutable_month() = request->month();
          *batch.add_statements() = std::move(s);
          if (net == 0) continue;
          *e.add_lines() =
              SignedLine(member,
                         net > 0 ? v1::ACCOUNT_PURPOSE_INTERNAL_RECEIVABLE
                                 : v1::ACCOUNT_PURPOSE_INTERNAL_PAYABLE,
                         net, true, "internal statement net");
        }
        std::optional<v1::JournalEntry> entry;
        if (e.lines_size() > 0) {
          e.set_id(absl::StrCat("jnl-", outbox::NewUuid()));
          e.set_community_id(community);
          e.set_external_key(absl::StrCat("internal:", community, ":",
                                          request->month().value()));
          e.mutable_entry_date()->set_value(FormatCivilDate(range.last));
          e.set_description(
              absl::StrCat("internal statements ", request->month().value()));
          e.set_source(v1::ENTRY_SOURCE_INTERNAL_STATEMENT);
          ToProtoTime(call.now(), e.mutable_posted_at());
          e.set_posted_by(call.Actor("system"));
          CMC_RETURN_IF_ERROR(CheckBalanced(e.lines()));
          entry = std::move(e);
        }
        return stores_.internal->PostMonth(std::move(batch), std::move(entry),
                                           call.Actor("system"),
                                           call.deadline());
      });
}

}  // namespace cmc::finance
