// Internal to InstitutionService: what the handler files share and only the
// institution service needs (the caller as the events' actor, list pages in
// the stores' terms, the membership a create adds on the side, the checks of
// list filters). Header-only; pure apart from the store reads of the
// RequireKnown* checks. Handler shape, paging tokens, digests and the org
// scope come from the service kit (common/service/).
//
//   CMC_ASSIGN_OR_RETURN(const RowCursor page, ParseRowPage(*request));
//   CMC_ASSIGN_OR_RETURN(auto rows, villages->ListVillages(
//                                       filter, QueryOf(page), deadline));
//   FillPage(std::move(rows), page, out.mutable_villages(), &out);
#ifndef CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_
#define CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_

#include <google/protobuf/repeated_ptr_field.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/common/v1/types.pb.h"
#include "common/service/call_context.h"
#include "common/service/org_scope.h"
#include "common/service/paging.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/community_store.h"
#include "services/institution/institution_store.h"
#include "services/institution/org_scope.h"
#include "services/institution/staff_store.h"
#include "services/institution/store_types.h"

namespace cmc::institution::internal {

// The longest name_contains filter: 100 CJK characters of 4 bytes.
inline constexpr size_t kMaxNameContainsBytes = 400;

inline Actor ActorOf(const CallContext& call) {
  return Actor{call.principal().subject};
}

// The store's page for the page a List request asked for.
inline PageQuery QueryOf(const RowCursor& page) {
  return PageQuery{page.size, page.row};
}

// Moves the rows of `page` to the end of `rows` (the response's repeated
// field) and sets response->page: the total, and the token of the next page
// of the query of `cursor` when more rows follow.
template <typename T, typename Response>
void FillPage(PageOf<T> page, const RowCursor& cursor,
              google::protobuf::RepeatedPtrField<T>* rows, Response* response) {
  for (T& row : page.items) *rows->Add() = std::move(row);
  response->mutable_page()->set_total_size(page.total);
  if (page.more) {
    response->mutable_page()->set_next_page_token(
        NextPageToken(cursor.fingerprint, page.last_row));
  }
}

// The rows of a list a restricted caller may see; nullopt when unrestricted.
inline std::optional<ScopeFilter> ScopeFilterOf(const OrgScope& scope) {
  if (scope.unrestricted()) return std::nullopt;
  return ScopeFilter{scope.Communities(), scope.Institutions()};
}

// The membership a create asks for on the side (community_id and
// membership_kind of CreateInstitutionRequest and ImportInstitutionsRequest):
// none without a community; a community needs a valid kind, named by
// `kind_field`, and a kind needs a community. The membership starts `today`.
inline absl::StatusOr<std::optional<Joining>> CheckJoining(
    const std::string& community_id, v1::MembershipKind kind,
    absl::string_view community_field, absl::string_view kind_field,
    absl::CivilDay today) {
  if (community_id.empty()) {
    if (kind != v1::MEMBERSHIP_KIND_UNSPECIFIED) {
      return InvalidField(kind_field,
                          absl::StrCat("set only with ", community_field));
    }
    return std::nullopt;
  }
  if (kind == v1::MEMBERSHIP_KIND_UNSPECIFIED ||
      !v1::MembershipKind_IsValid(kind)) {
    return InvalidField(kind_field,
                        absl::StrCat("required with ", community_field,
                                     ": CLOSE_KNIT or LOOSE"));
  }
  return Joining{community_id, kind, today};
}

// OK when the caller may create an institution that joins `community_id` ("" =
// none): an unrestricted caller always, a restricted one only into a community
// of its scope. PERMISSION_DENIED naming `field` otherwise.
inline absl::Status CheckNewInstitutionScope(const OrgScope& scope,
                                             const std::string& community_id,
                                             absl::string_view field) {
  if (scope.unrestricted()) return absl::OkStatus();
  if (community_id.empty()) {
    return OutOfScope(field,
                      "an institution in none of the caller's "
                      "communities");
  }
  return scope.RequireCommunity(community_id, field);
}

// A day given as an optional CivilDate filter: unset means `fallback`.
inline absl::StatusOr<absl::CivilDay> DayOr(bool has_day,
                                            const common::v1::CivilDate& day,
                                            absl::string_view field,
                                            absl::CivilDay fallback) {
  if (!has_day) return fallback;
  return ParseCivilDate(day.value(), field);
}

// A day given as an optional CivilDate filter: unset means none (nullopt).
// INVALID_ARGUMENT naming `field` when set but not a valid date.
inline absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(
    bool has_day, const common::v1::CivilDate& day, absl::string_view field) {
  if (!has_day) return std::nullopt;
  return ParseCivilDate(day.value(), field);
}

// The RequireKnown*Filter checks: a List filter naming an unknown id is
// reported rather than answered with an empty page, since an unknown id is a
// typo far more often than an institution, community or person without rows.
// Each is OK when `id` is empty (no filter); NOT_FOUND naming `field` when
// nothing is stored under `id`, or the store's error.
inline absl::Status RequireKnownInstitutionFilter(InstitutionStore& store,
                                                  const std::string& id,
                                                  absl::string_view field,
                                                  absl::Time deadline) {
  if (id.empty()) return absl::OkStatus();
  return store.GetInstitution(id, field, deadline).status();
}
inline absl::Status RequireKnownCommunityFilter(CommunityStore& store,
                                                const std::string& id,
                                                absl::string_view field,
                                                absl::Time deadline) {
  if (id.empty()) return absl::OkStatus();
  return store.GetCommunity(id, field, deadline).status();
}
inline absl::Status RequireKnownStaffFilter(StaffStore& store,
                                            const std::string& id,
                                            absl::string_view field,
                                            absl::Time deadline) {
  if (id.empty()) return absl::OkStatus();
  return store.GetStaff(id, field, deadline).status();
}

// The institution_id and community_id filters of ListMemberships and
// ListStaff ("" = unset), checked in this order: PERMISSION_DENIED
// "institution_id", then "community_id", when outside `scope`; then NOT_FOUND
// "institution_id", then "community_id", when unknown.
inline absl::Status RequireInstitutionAndCommunityFilters(
    const OrgScope& scope, InstitutionStore& institutions,
    CommunityStore& communities, const std::string& institution_id,
    const std::string& community_id, absl::Time deadline) {
  CMC_RETURN_IF_ERROR(
      scope.RequireInstitutionFilter(institution_id, "institution_id"));
  CMC_RETURN_IF_ERROR(
      scope.RequireCommunityFilter(community_id, "community_id"));
  CMC_RETURN_IF_ERROR(RequireKnownInstitutionFilter(
      institutions, institution_id, "institution_id", deadline));
  return RequireKnownCommunityFilter(communities, community_id, "community_id",
                                     deadline);
}

}  // namespace cmc::institution::internal

#endif  // CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_
