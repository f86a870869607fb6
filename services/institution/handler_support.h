// Internal to InstitutionService: what every handler file shares (the
// caller as the events' actor, idempotency claims of creates, list paging and
// replies, the checks of list filters). Header-only; pure apart from reading
// the clock in TodayInChina and the store reads of the RequireKnown* checks.
//
//   CMC_ASSIGN_OR_RETURN_GRPC(const ListPage page, ParseListPage(*request));
//   ...
//   return ReplyPage(store_.ListVillages(filter, page.query, deadline), page,
//                    response->mutable_villages(), response);
#ifndef CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_
#define CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cmc/common/v1/types.pb.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/community_store.h"
#include "services/institution/institution_store.h"
#include "services/institution/org_scope.h"
#include "services/institution/paging.h"
#include "services/institution/staff_store.h"
#include "services/institution/store_types.h"

// Returns the gRPC form of `expr`'s status (an absl::Status) from a handler
// when it is not OK.
#define CMC_RETURN_IF_ERROR_GRPC(expr)                                        \
  do {                                                                        \
    const ::absl::Status cmc_grpc_status_ = (expr);                           \
    if (!cmc_grpc_status_.ok()) return ::cmc::ToGrpcStatus(cmc_grpc_status_); \
  } while (false)

// `lhs = std::move(value)` of `expr` (an absl::StatusOr), or returns its
// status in gRPC form from a handler. `lhs` may declare a variable.
#define CMC_ASSIGN_OR_RETURN_GRPC(lhs, expr) \
  CMC_ASSIGN_OR_RETURN_GRPC_IMPL_(           \
      CMC_STATUS_CONCAT_(cmc_grpc_statusor_, __LINE__), lhs, expr)
#define CMC_ASSIGN_OR_RETURN_GRPC_IMPL_(statusor, lhs, expr)         \
  auto statusor = (expr);                                            \
  if (!statusor.ok()) return ::cmc::ToGrpcStatus(statusor.status()); \
  lhs = std::move(statusor).value()

namespace cmc::institution::internal {

// The longest name_contains filter: 100 CJK characters of 4 bytes.
inline constexpr size_t kMaxNameContainsBytes = 400;

// Today in the county's time zone: China Standard Time is UTC+8 all year.
inline absl::CivilDay TodayInChina() {
  return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 60 * 60));
}

inline Actor ActorOf(const grpc::ServerContext& context) {
  return Actor{PrincipalFromContext(context).subject};
}

// The idempotency key of a create: `normalized` holds only the fields the
// create uses, so ignored output-only fields cannot make a repeat look like a
// different request.
inline CreateClaim ClaimOf(const std::string& request_id, const char* method,
                           const google::protobuf::Message& normalized) {
  return CreateClaim{request_id, method, MessageDigest(normalized)};
}

// What identifies a list query apart from its page: the request without it.
template <typename Request>
std::string QueryFingerprint(const Request& request) {
  Request query = request;
  query.clear_page();
  return MessageDigest(query).substr(0, 16);
}

// The page a List request asks for, and the fingerprint of its query that
// the next page token carries.
struct ListPage {
  std::string fingerprint;
  PageQuery query;
};

// The page `request` (a List request with a `page` field) asks for.
// INVALID_ARGUMENT "page.page_size" outside 0..1000, "page.page_token" for a
// malformed token or one issued for another query.
template <typename Request>
absl::StatusOr<ListPage> ParseListPage(const Request& request) {
  ListPage page{QueryFingerprint(request), PageQuery{}};
  CMC_ASSIGN_OR_RETURN(page.query,
                       ParsePageRequest(request.page(), page.fingerprint));
  return page;
}

// Moves the rows of `page` to the end of `rows` (the response's repeated
// field) and sets response->page: the total, and the token of the next page
// of `list` when more rows follow.
template <typename T, typename Response>
void FillPage(PageOf<T> page, const ListPage& list,
              google::protobuf::RepeatedPtrField<T>* rows, Response* response) {
  for (T& row : page.items) *rows->Add() = std::move(row);
  response->mutable_page()->set_total_size(page.total);
  if (page.more) {
    response->mutable_page()->set_next_page_token(
        NextPageToken(page.last_row, list.fingerprint));
  }
}

// The reply of a List handler: the error of `result` in gRPC form, or OK
// after FillPage.
template <typename T, typename Response>
grpc::Status ReplyPage(absl::StatusOr<PageOf<T>> result, const ListPage& list,
                       google::protobuf::RepeatedPtrField<T>* rows,
                       Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  FillPage(*std::move(result), list, rows, response);
  return grpc::Status::OK;
}

template <typename T>
grpc::Status Reply(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
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
