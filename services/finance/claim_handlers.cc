// FinanceService: the insurer's claims (ingest and query).
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/service/handler.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/claim_rules.h"
#include "services/finance/finance_service.h"

namespace cmc::finance {
namespace {

constexpr int kMaxBatchRows = 10000;

v1::ClaimRowError RowError(int64_t index, const absl::Status& status) {
  v1::ClaimRowError error;
  error.set_index(index);
  error.set_field(BadField(status));
  error.set_message(std::string(status.message()));
  error.set_code(absl::StatusCodeToString(status.code()));
  return error;
}

// Whether `who` sees resident IDs of `community_id` in full (finance.proto,
// "Personal data").
bool SeesResidentIds(const Principal& who, const std::string& community_id) {
  if (who.anonymous()) return true;
  return who.HasRole("insurer") && who.CoversCommunity(community_id);
}

}  // namespace

grpc::Status FinanceService::IngestClaims(
    Context* context, grpc::ServerReader<v1::IngestClaimsRequest>* reader,
    v1::IngestClaimsResponse* response) {
  return ServeStatus(
      context, call_, [&](const CallContext& call) -> absl::Status {
        v1::IngestClaimsResponse out;
        std::map<std::string, std::set<std::string>> members_of;
        std::map<std::pair<std::string, int>, bool> finalized;
        int64_t next_index = 0;
        v1::IngestClaimsRequest batch;
        while (reader->Read(&batch)) {
          const int64_t first_index = next_index;
          next_index += batch.claims_size();
          out.set_batches(out.batches() + 1);
          const std::string& community = batch.community_id();
          if (community.compare(0, 4, "com-") != 0 || community.size() < 5 ||
              community.size() > 64) {
            return InvalidField("community_id",
                                "must be a community id (com-...)");
          }
          if (batch.claims_size() > kMaxBatchRows) {
            return InvalidField(
                "claims",
                absl::StrCat("at most ", kMaxBatchRows, " rows per message"));
          }
          if (members_of.count(community) == 0) {
            CMC_RETURN_IF_ERROR(
                RequireCommunity(call, community, "community_id"));
            CMC_ASSIGN_OR_RETURN(members_of[community],
                                 MembersOf(community, "community_id", call));
          }
          const std::set<std::string>& members = members_of[community];
          std::vector<ClaimRow> rows;
          bool bad = false;
          for (int i = 0; i < batch.claims_size(); ++i) {
            const int64_t index = first_index + i;
            const std::string prefix = absl::StrCat("claims[", index, "]");
            v1::Claim claim = batch.claims(i);
            claim.set_community_id(community);
            claim.set_resident_id_masked(false);
            absl::Status status = CheckClaimRow(claim, prefix);
            if (status.ok() &&
                claim.location() == v1::CARE_LOCATION_IN_COUNTY &&
                members.count(claim.institution_id()) == 0) {
              status = FieldError(absl::StatusCode::kFailedPrecondition,
                                  absl::StrCat(prefix, ".institution_id"),
                                  "not a member of the community");
            }
            if (status.ok()) {
              const auto key = std::make_pair(community, ClaimYear(claim));
              if (finalized.count(key) == 0) {
                CMC_ASSIGN_OR_RETURN(
                    auto settled, stores_.budgets->Finalized(
                                      community, key.second, call.deadline()));
                finalized[key] = settled.has_value();
              }
              if (finalized[key]) {
                status = FieldError(absl::StatusCode::kFailedPrecondition,
                                    absl::StrCat(prefix, ".end_date"),
                                    absl::StrCat("the settlement of ",
                                                 key.second, " is finalized"));
              }
            }
            if (!status.ok()) {
              *out.add_errors() = RowError(index, status);
              bad = true;
              continue;
            }
            rows.push_back({index, std::move(claim)});
          }
          if (bad) {
            out.set_rejected(out.rejected() + batch.claims_size());
            continue;
          }
          CMC_ASSIGN_OR_RETURN(
              BatchOutcome outcome,
              stores_.claims->Ingest(community, rows, call.Actor("system"),
                                     call.deadline()));
          if (!outcome.conflicts.empty()) {
            for (v1::ClaimConflict& conflict : outcome.conflicts) {
              *out.add_conflicts() = std::move(conflict);
            }
            out.set_rejected(out.rejected() + batch.claims_size());
            continue;
          }
          out.set_inserted(out.inserted() + outcome.inserted);
          out.set_duplicates(out.duplicates() + outcome.duplicates);
          out.set_batches_applied(out.batches_applied() + 1);
        }
        *response = std::move(out);
        return absl::OkStatus();
      });
}

grpc::Status FinanceService::ListClaims(Context* context,
                                        const v1::ListClaimsRequest* request,
                                        v1::ListClaimsResponse* response) {
  return Serve(
      context, call_, response,
      [&](const CallContext& call) -> absl::StatusOr<v1::ListClaimsResponse> {
        const std::string& community = request->community_id();
        if (community.compare(0, 4, "com-") != 0 || community.size() < 5 ||
            community.size() > 64) {
          return InvalidField("community_id", "must be a community id");
        }
        ClaimFilter filter;
        filter.community_id = community;
        if (!request->period().value().empty()) {
          CMC_ASSIGN_OR_RETURN(
              PeriodRange range,
              ParsePeriod(request->period().value(), "period"));
          filter.first_day = FormatCivilDate(range.first);
          filter.last_day = FormatCivilDate(range.last);
        }
        if (!request->institution_id().empty() &&
            (request->institution_id().compare(0, 4, "ins-") != 0 ||
             request->institution_id().size() > 64)) {
          return InvalidField("institution_id", "must be an institution id");
        }
        filter.institution_id = request->institution_id();
        if (!v1::CareLocation_IsValid(request->location())) {
          return InvalidField("location", "unknown location");
        }
        filter.location = request->location();
        CMC_ASSIGN_OR_RETURN(const PageCursor page, ParsePage(*request));
        CMC_RETURN_IF_ERROR(RequireCommunity(call, community, "community_id"));
        CMC_ASSIGN_OR_RETURN(
            std::vector<v1::Claim> claims,
            stores_.claims->List(filter, page.position, page.size + 1,
                                 call.deadline()));
        v1::ListClaimsResponse out;
        const bool full = SeesResidentIds(call.principal(), community);
        for (size_t i = 0; i < claims.size() && static_cast<int>(i) < page.size;
             ++i) {
          v1::Claim& claim = claims[i];
          if (!full) {
            claim.set_resident_id(MaskResidentId(claim.resident_id()));
            claim.set_resident_id_masked(true);
          }
          *out.add_claims() = std::move(claim);
        }
        if (static_cast<int>(claims.size()) > page.size) {
          out.mutable_page()->set_next_page_token(NextPageToken(
              page.fingerprint, out.claims(page.size - 1).claim_id()));
        }
        out.mutable_page()->set_total_size(-1);
        if (full && out.claims_size() > 0 && !call.principal().anonymous()) {
          call.MarkPersonalDataRead("resident_id");
        }
        return out;
      });
}

}  // namespace cmc::finance
