// The vocabulary shared by the institution service's stores and handlers:
// who acts, the idempotency key of a create, list pages, list filters and
// the rows of a bulk import. Plain values (thread-compatible); no SQL.
//
// The contract every store interface (community_store.h, ...) shares:
// implementations are thread-safe; a write is atomic with its outbox event;
// a create repeated under the same RequestClaim (common/service/idempotency.h)
// returns the first response.
// Statuses: NOT_FOUND / INVALID_ARGUMENT naming the request field,
// ALREADY_EXISTS for a taken business key, ABORTED for a stale version,
// FAILED_PRECONDITION when stored state forbids the change, UNAVAILABLE when
// the storage is unreachable (retryable).
//
//   StaffFilter filter;
//   filter.institution_id = "ins-1";
//   CMC_ASSIGN_OR_RETURN(PageOf<v1::Staff> page,
//                        staff->ListStaff(filter, PageQuery{}, deadline));
#ifndef CMC_SERVICES_INSTITUTION_STORE_TYPES_H_
#define CMC_SERVICES_INSTITUTION_STORE_TYPES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "cmc/common/v1/types.pb.h"
#include "cmc/institution/v1/institution.pb.h"
#include "common/service/idempotency.h"

namespace cmc::institution {

namespace v1 = ::cmc::institution::v1;

// Who made a change, recorded as the event's actor ("" = "system").
struct Actor {
  std::string subject;
};

// One page of a list: rows after `after_row` in creation order.
struct PageQuery {
  int size = 50;
  int64_t after_row = 0;
};

template <typename T>
struct PageOf {
  std::vector<T> items;
  int64_t last_row = 0;  // row_no of the last item, for the next token
  bool more = false;     // rows follow this page
  int64_t total = 0;     // rows matching the filter
};

// The rows a restricted caller may see (see OrgScope): each list below keeps
// a row when it relates to one of these communities or institutions as that
// list documents. Unset = no restriction.
struct ScopeFilter {
  std::set<std::string> communities;
  std::set<std::string> institutions;
};

struct CommunityFilter {
  std::optional<v1::CommunityStatus> status;
  std::string county_division_code;  // "" = any
  std::optional<ScopeFilter> scope;  // id in scope.communities
};

struct InstitutionFilter {
  std::string community_id;  // "" = any; else members on `as_of`
  absl::CivilDay as_of;
  std::optional<common::v1::Tier> tier;
  std::string kind;  // "" = any
  std::optional<v1::InstitutionStatus> status;
  std::string name_contains;         // "" = any
  std::optional<ScopeFilter> scope;  // id in scope.institutions
};

struct MembershipFilter {
  std::string institution_id;  // at least one of the two is set
  std::string community_id;
  std::optional<absl::CivilDay> as_of;  // only memberships holding that day
  // community in scope.communities or institution in scope.institutions
  std::optional<ScopeFilter> scope;
};

struct VillageFilter {
  std::string community_id;        // "" = any
  std::string township_center_id;  // "" = any
  std::string village_clinic_id;   // "" = any
  std::optional<bool> has_resident_village_doctor;
  std::string name_contains;  // "" = any
  // community in scope.communities, or township center or village clinic in
  // scope.institutions
  std::optional<ScopeFilter> scope;
};

struct StaffFilter {
  std::string institution_id;  // "" = any
  std::string community_id;    // "" = any; else employers that are members
  absl::CivilDay as_of;        // on this day
  std::optional<v1::Qualification> qualification;
  std::optional<v1::StaffStatus> status;
  std::optional<bool> general_practitioner;
  std::string name_contains;         // "" = any
  std::optional<ScopeFilter> scope;  // employer in scope.institutions
};

struct PostingFilter {
  std::string staff_id;                 // at least one of the two is set
  std::string institution_id;           // from or to
  std::optional<absl::CivilDay> as_of;  // only postings holding that day
  // from or to institution in scope.institutions
  std::optional<ScopeFilter> scope;
};

// A membership a create adds on the side, in the same transaction (see
// CreateInstitutionRequest.community_id).
struct Joining {
  std::string community_id;
  v1::MembershipKind kind = v1::MEMBERSHIP_KIND_UNSPECIFIED;
  absl::CivilDay valid_from;
};

// One row of a bulk import: its line, the item as validated by the handler,
// and the handler's verdict (a row with a non-OK `error` is only reported).
template <typename T>
struct ImportRow {
  int64_t line = 0;
  T item;
  std::string parent_uscc;  // institutions only: the parent by USCC
  // institutions only: the community the row joins in the same transaction
  std::optional<Joining> joining;
  absl::Status error;
};

// Applies a caller's changes to the stored resource inside the update's
// transaction, after the version check, and validates what does not need the
// database. A non-OK status aborts the update unchanged.
template <typename T>
using Mutation = std::function<absl::Status(T&)>;

// A caller's check of the stored row a write is about (the caller's scope),
// run inside the write's transaction on the locked row before anything
// changes. A non-OK status aborts the write unchanged. Null = no check.
template <typename T>
using Guard = std::function<absl::Status(const T&)>;

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_STORE_TYPES_H_
