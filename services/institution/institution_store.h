// All SQL of the institution service: communities, institutions and
// memberships in schema cmc_institution, with their outbox events.
//
//   InstitutionStore store(&pool);
//   CMC_ASSIGN_OR_RETURN(v1::Institution created,
//       store.CreateInstitution(claim, institution, actor, deadline));
//
// Every write runs in one transaction (db::RunInTransaction: READ COMMITTED,
// deadlocks retried) that also appends the change's event to the outbox, so an
// event exists exactly when its change committed. Checks that need stored data
// (the parent's tier, an overlapping membership, a stale version) run inside
// that transaction on rows locked FOR UPDATE, so concurrent writers cannot both
// pass them. Statuses: NOT_FOUND / INVALID_ARGUMENT naming the request field,
// ALREADY_EXISTS for a taken business key, ABORTED for a stale version,
// FAILED_PRECONDITION when stored state forbids the change, UNAVAILABLE when
// the database is unreachable (retryable). Thread-safe; the pool must outlive
// the store.
//
// History: every write that stores an institution's parent or status, or a
// staff member's employer, status, qualification, title code or GP flag, also
// records those values as the version holding from `today` (the caller's
// civil day in Asia/Shanghai) in the same transaction (history_rules.h,
// migrations/0005_history.sql); reads "as of" a day before today use those
// versions.
#ifndef CMC_SERVICES_INSTITUTION_INSTITUTION_STORE_H_
#define CMC_SERVICES_INSTITUTION_INSTITUTION_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/institution/v1/institution.pb.h"
#include "common/db/pool.h"
#include "services/institution/org_tree.h"

namespace cmc::institution {

namespace v1 = ::cmc::institution::v1;

// The idempotency key of a create: the client's request_id, the method, and a
// digest of the request without its request_id. A repeat of a committed
// create with the same key returns the first response; a different method or
// digest under the same request_id is INVALID_ARGUMENT naming "request_id".
struct CreateClaim {
  std::string request_id;
  std::string method;          // "CreateInstitution"
  std::string payload_sha256;  // lower-case hex
};

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

class InstitutionStore {
 public:
  explicit InstitutionStore(db::Pool* pool) : pool_(pool) {}

  // Stores a validated new community (id, version and timestamps are minted
  // here). A lead, when given, must exist (NOT_FOUND
  // "community.lead_institution_id") and be a lead hospital kind
  // (INVALID_ARGUMENT). ALREADY_EXISTS "community.code" when the code is taken.
  absl::StatusOr<v1::Community> CreateCommunity(const CreateClaim& claim,
                                                const v1::Community& community,
                                                const Actor& actor,
                                                absl::Time deadline);
  // NOT_FOUND naming `field` when `id` is unknown.
  absl::StatusOr<v1::Community> GetCommunity(const std::string& id,
                                             absl::string_view field,
                                             absl::Time deadline);
  // Loads community `id` (NOT_FOUND "community.id"), checks `version` (ABORTED
  // when stale), applies `mutate`, re-checks a changed lead as on create, and
  // stores the result with version + 1.
  absl::StatusOr<v1::Community> UpdateCommunity(
      const std::string& id, int64_t version,
      const Mutation<v1::Community>& mutate, const Actor& actor,
      absl::Time deadline);
  absl::StatusOr<PageOf<v1::Community>> ListCommunities(
      const CommunityFilter& filter, const PageQuery& page,
      absl::Time deadline);

  // Stores a validated new institution. A parent, when given, must exist
  // (NOT_FOUND "institution.parent_institution_id") and be of a higher tier
  // (INVALID_ARGUMENT). ALREADY_EXISTS "institution.uscc" for a taken USCC.
  // With `joining`, the institution also becomes a member of that community in
  // the same transaction (checked as AddMembership checks, errors naming
  // "community_id"; event institution.MembershipAdded after
  // institution.InstitutionCreated). Its history starts on `today`.
  absl::StatusOr<v1::Institution> CreateInstitution(
      const CreateClaim& claim, const v1::Institution& institution,
      const std::optional<Joining>& joining, absl::CivilDay today,
      const Actor& actor, absl::Time deadline);
  absl::StatusOr<v1::Institution> GetInstitution(const std::string& id,
                                                 absl::string_view field,
                                                 absl::Time deadline);
  // As UpdateCommunity (NOT_FOUND "institution.id"), and after `mutate`: the
  // parent is re-checked as on create and must not be the institution itself;
  // institutions reporting to this one must stay of a lower tier
  // (FAILED_PRECONDITION "institution.tier"); a changed division code must lie
  // in the county of every community the institution belongs to on `today` or
  // later (INVALID_ARGUMENT "institution.division_code"). A new parent or
  // status holds from `effective_day` (today or earlier) in the history;
  // FAILED_PRECONDITION "effective_date" when the current ones began later.
  absl::StatusOr<v1::Institution> UpdateInstitution(
      const std::string& id, int64_t version,
      const Mutation<v1::Institution>& mutate, absl::CivilDay today,
      absl::CivilDay effective_day, const Actor& actor, absl::Time deadline);
  absl::StatusOr<PageOf<v1::Institution>> ListInstitutions(
      const InstitutionFilter& filter, const PageQuery& page,
      absl::Time deadline);
  // In the order of `ids`; NOT_FOUND "ids[i]" for the first unknown one.
  absl::StatusOr<std::vector<v1::Institution>> BatchGetInstitutions(
      const std::vector<std::string>& ids, absl::Time deadline);

  // Stores a validated new membership after the checks listed for
  // AddMembership in institution.proto.
  absl::StatusOr<v1::Membership> AddMembership(const CreateClaim& claim,
                                               const v1::Membership& membership,
                                               const Actor& actor,
                                               absl::Time deadline);
  // Sets valid_to of open membership `id` to `last_day`. NOT_FOUND "id";
  // FAILED_PRECONDITION when already ended; INVALID_ARGUMENT "valid_to" when
  // before valid_from.
  // `guard` sees the membership before it changes.
  absl::StatusOr<v1::Membership> EndMembership(
      const std::string& id, absl::CivilDay last_day,
      const Guard<v1::Membership>& guard, const Actor& actor,
      absl::Time deadline);
  absl::StatusOr<PageOf<v1::Membership>> ListMemberships(
      const MembershipFilter& filter, const PageQuery& page,
      absl::Time deadline);

  // Stores a validated new village after the checks listed for CreateVillage
  // in institution.proto.
  absl::StatusOr<v1::Village> CreateVillage(const CreateClaim& claim,
                                            const v1::Village& village,
                                            const Actor& actor,
                                            absl::Time deadline);
  absl::StatusOr<v1::Village> GetVillage(const std::string& id,
                                         absl::string_view field,
                                         absl::Time deadline);
  // As UpdateCommunity (NOT_FOUND "village.id", ABORTED "village.version");
  // changed institutions are re-checked as on create. `guard` sees the stored
  // village before the version check.
  absl::StatusOr<v1::Village> UpdateVillage(const std::string& id,
                                            int64_t version,
                                            const Guard<v1::Village>& guard,
                                            const Mutation<v1::Village>& mutate,
                                            const Actor& actor,
                                            absl::Time deadline);
  absl::StatusOr<PageOf<v1::Village>> ListVillages(const VillageFilter& filter,
                                                   const PageQuery& page,
                                                   absl::Time deadline);

  // Stores a validated new staff member (gender, birth date and title level
  // derived by the caller) after the checks listed for CreateStaff in
  // institution.proto. Results carry the full resident ID; the event payload
  // carries it masked. Its history starts on `today`.
  absl::StatusOr<v1::Staff> CreateStaff(const CreateClaim& claim,
                                        const v1::Staff& staff,
                                        absl::CivilDay today,
                                        const Actor& actor,
                                        absl::Time deadline);
  absl::StatusOr<v1::Staff> GetStaff(const std::string& id,
                                     absl::string_view field,
                                     absl::Time deadline);
  // As UpdateCommunity (NOT_FOUND "staff.id", ABORTED "staff.version"); a
  // changed employer is checked as on create. `guard` sees the stored staff
  // member before the version check. Changed history values hold from
  // `effective_day` (today or earlier); FAILED_PRECONDITION "effective_date"
  // when the current ones began later.
  absl::StatusOr<v1::Staff> UpdateStaff(const std::string& id, int64_t version,
                                        const Guard<v1::Staff>& guard,
                                        const Mutation<v1::Staff>& mutate,
                                        absl::CivilDay effective_day,
                                        const Actor& actor,
                                        absl::Time deadline);
  absl::StatusOr<PageOf<v1::Staff>> ListStaff(const StaffFilter& filter,
                                              const PageQuery& page,
                                              absl::Time deadline);
  // The members of `community_ids` on `day`: institution id -> community id.
  // One query; none for an empty set.
  absl::StatusOr<std::map<std::string, std::string>> MembersOf(
      const std::set<std::string>& community_ids, absl::CivilDay day,
      absl::Time deadline);

  // Stores a validated new posting after the checks listed for CreatePosting
  // in institution.proto, with the staff row locked so that concurrent
  // postings of one person cannot both pass the overlap check. `guard` sees
  // the staff member (locked) before the other checks.
  absl::StatusOr<v1::Posting> CreatePosting(const CreateClaim& claim,
                                            const v1::Posting& posting,
                                            const Guard<v1::Staff>& guard,
                                            const Actor& actor,
                                            absl::Time deadline);
  // Sets end_date of posting `id` to `last_day` (see EndPosting in
  // institution.proto).
  // `guard` sees the posting before it changes.
  absl::StatusOr<v1::Posting> EndPosting(const std::string& id,
                                         absl::CivilDay last_day,
                                         const Guard<v1::Posting>& guard,
                                         const Actor& actor,
                                         absl::Time deadline);
  absl::StatusOr<PageOf<v1::Posting>> ListPostings(const PostingFilter& filter,
                                                   const PageQuery& page,
                                                   absl::Time deadline);

  // The institutions and villages of ListSubtree for `org` on `as_of`:
  // memberships, and for a day before `today` the parents and statuses of
  // the history (institutions carry those; their other fields and the
  // villages are as stored now). NOT_FOUND "org.community_id" /
  // "org.institution_id"; an org with neither id set is INVALID_ARGUMENT
  // "org".
  absl::StatusOr<OrgContents> LoadOrgContents(const common::v1::OrgRef& org,
                                              absl::CivilDay as_of,
                                              absl::CivilDay today,
                                              absl::Time deadline);
  // Active staff of `org` on `as_of` (as GetStaffingSummary documents)
  // grouped by qualification, title code and GP flag: for a day before
  // `today` from the history. Errors as LoadOrgContents.
  absl::StatusOr<std::vector<StaffingRow>> CountActiveStaff(
      const common::v1::OrgRef& org, absl::CivilDay as_of, absl::CivilDay today,
      absl::Time deadline);

  // Bulk imports as ImportInstitutions and ImportStaff in institution.proto
  // document: every row is inserted as its Create call would insert it, and
  // a row's error with a named field (a caller's error) is reported in the
  // response with its line. Any other error (the database unreachable) ends
  // the import with that status; in IMPORT_MODE_BEST_EFFORT rows before it
  // stay imported. Histories of imported rows start on `today`.
  absl::StatusOr<v1::ImportResponse> ImportInstitutions(
      const std::vector<ImportRow<v1::Institution>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline);
  absl::StatusOr<v1::ImportResponse> ImportStaff(
      const std::vector<ImportRow<v1::Staff>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline);

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_INSTITUTION_STORE_H_
