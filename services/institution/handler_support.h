// Internal to InstitutionService: what every handler file shares (the
// caller as the events' actor, idempotency claims of creates, list paging and
// replies). Header-only; pure apart from reading the clock in TodayInChina.
#ifndef CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_
#define CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_

#include <google/protobuf/message.h>
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
#include "services/institution/institution_store.h"
#include "services/institution/org_scope.h"
#include "services/institution/paging.h"

// Returns the gRPC form of `expr`'s status (an absl::Status) from a handler
// when it is not OK.
#define CMC_RETURN_IF_ERROR_GRPC(expr)                                        \
  do {                                                                        \
    const ::absl::Status cmc_grpc_status_ = (expr);                           \
    if (!cmc_grpc_status_.ok()) return ::cmc::ToGrpcStatus(cmc_grpc_status_); \
  } while (false)

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

template <typename T, typename Response>
void FillPage(const PageOf<T>& page, const std::string& fingerprint,
              Response* response) {
  response->mutable_page()->set_total_size(page.total);
  if (page.more) {
    response->mutable_page()->set_next_page_token(
        NextPageToken(page.last_row, fingerprint));
  }
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

}  // namespace cmc::institution::internal

#endif  // CMC_SERVICES_INSTITUTION_HANDLER_SUPPORT_H_
