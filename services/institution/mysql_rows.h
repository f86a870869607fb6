// Internal to the MySQL stores (mysql_*_store.h): row <-> proto mapping,
// loading single rows, request-id claims and the WHERE clauses of list queries.
// Every function takes a connection the caller owns and throws
// sql::SQLException on database errors (the transaction helper maps and retries
// them).
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_ROWS_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_ROWS_H_

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "services/institution/store_types.h"

namespace cmc::institution::internal {

// Column lists of the SELECTs the mappers below read (by column name).
extern const char kCommunityColumns[];
extern const char kInstitutionColumns[];
extern const char kMembershipColumns[];
extern const char kVillageColumns[];
extern const char kStaffColumns[];
extern const char kPostingColumns[];

v1::Community CommunityFromRow(sql::ResultSet& row);
v1::Institution InstitutionFromRow(sql::ResultSet& row);
v1::Membership MembershipFromRow(sql::ResultSet& row);
v1::Village VillageFromRow(sql::ResultSet& row);
// Gender, birth date and title level included; the resident ID in full.
v1::Staff StaffFromRow(sql::ResultSet& row);
v1::Posting PostingFromRow(sql::ResultSet& row);

// The row with `id`, or nullopt. `for_update` locks it until the transaction
// ends.
std::optional<v1::Community> LoadCommunity(sql::Connection& conn,
                                           const std::string& id,
                                           bool for_update);
std::optional<v1::Institution> LoadInstitution(sql::Connection& conn,
                                               const std::string& id,
                                               bool for_update);
std::optional<v1::Membership> LoadMembership(sql::Connection& conn,
                                             const std::string& id,
                                             bool for_update);
std::optional<v1::Village> LoadVillage(sql::Connection& conn,
                                       const std::string& id, bool for_update);
std::optional<v1::Staff> LoadStaff(sql::Connection& conn, const std::string& id,
                                   bool for_update);
std::optional<v1::Posting> LoadPosting(sql::Connection& conn,
                                       const std::string& id, bool for_update);

// Inserts a validated new institution (parent checked as CreateInstitution
// documents; ALREADY_EXISTS "institution.uscc") with its first history
// version from `today`, and reads it back.
absl::StatusOr<v1::Institution> InsertInstitution(
    sql::Connection& conn, const v1::Institution& institution,
    absl::CivilDay today);

// Inserts a validated new staff member with derived facts (employer checked;
// ALREADY_EXISTS "staff.resident_id") with its first history version from
// `today`, and reads it back, resident ID in full.
absl::StatusOr<v1::Staff> InsertStaff(sql::Connection& conn,
                                      const v1::Staff& staff,
                                      absl::CivilDay today);

// History (mysql_history.cc, migrations/0005_history.sql). Each records the
// values a write has just stored (an institution's parent and status; a staff
// member's employer, status, qualification, title code and GP flag) as the
// version holding from `day` (today, or an update's effective date), in the
// caller's transaction, with the resource row locked by the caller, or just
// inserted (`is_new`: its first version). FAILED_PRECONDITION
// "effective_date" when the values changed and the current version began
// after `day`.
absl::Status RecordInstitutionVersion(sql::Connection& conn,
                                      const v1::Institution& institution,
                                      absl::CivilDay day, bool is_new);
absl::Status RecordStaffVersion(sql::Connection& conn, const v1::Staff& staff,
                                absl::CivilDay day, bool is_new);
// The condition that a row of a history table aliased `alias` is the version
// holding on a day; bind that day ("YYYY-MM-DD") to its two placeholders.
std::string VersionOnDay(absl::string_view alias);

// Masks the resident ID of an event payload.
void RedactStaff(v1::Staff& staff);

// Field names a membership's errors are reported under: those of
// AddMembership ("membership.institution_id", ...) or of a request that adds
// the membership on the side (CreateInstitution's "community_id").
struct MembershipFields {
  const char* institution = "membership.institution_id";
  const char* community = "membership.community_id";
  const char* valid_from = "membership.valid_from";
};

// Checks a new membership as AddMembership documents (locking the institution
// row) and inserts it; returns it as stored.
absl::StatusOr<v1::Membership> InsertMembership(
    sql::Connection& conn, const v1::Membership& membership,
    const MembershipFields& fields);

// Makes the institution just inserted a member as `joining` says, errors
// naming "community_id" (and "institution.division_code" when the
// institution lies outside the community's county).
absl::StatusOr<v1::Membership> JoinCommunity(sql::Connection& conn,
                                             const std::string& institution_id,
                                             const Joining& joining);

// Binds `value`, or NULL when it is empty (optional references).
void BindNullable(sql::PreparedStatement& stmt, int index,
                  const std::string& value);

// "ins-" + a random UUID, and so on.
std::string NewId(absl::string_view prefix);

// Runs a create in one transaction under `claim`: a repeat of a committed
// request returns the first response without running `create`; otherwise
// `create` fills the new resource (inserted and read back), the response is
// recorded for repeats, and event `event_type` with the resource as payload is
// appended last (see outbox.h on why last). `redact`, when given, edits a copy
// of the resource that becomes the payload (e.g. masking a resident ID).
// `more_events`, when given, appends further events right after that one.
template <typename T>
absl::StatusOr<T> RunCreate(
    db::Pool& pool, absl::Time deadline, const RequestClaim& claim,
    const char* event_type, const char* aggregate_type, const Actor& actor,
    const std::function<absl::Status(sql::Connection&, T&)>& create,
    const std::function<void(T&)>& redact = nullptr,
    const std::function<void(sql::Connection&)>& more_events = nullptr) {
  T result;
  const absl::Status status = db::RunInTransaction(
      pool, deadline, [&](sql::Connection& conn) -> absl::Status {
        result.Clear();
        CMC_ASSIGN_OR_RETURN(std::optional<ClaimedRequest> first,
                             ClaimRequest(conn, claim));
        if (first.has_value()) {
          if (!result.ParseFromString(first->response)) {
            return absl::InternalError("stored response is unreadable");
          }
          return absl::OkStatus();
        }
        CMC_RETURN_IF_ERROR(create(conn, result));
        RecordClaimResult(conn, claim, result.id(), &result);
        T payload = result;
        if (redact) redact(payload);
        outbox::Append(conn, {event_type, aggregate_type, result.id(),
                              actor.subject, &payload});
        if (more_events) more_events(conn);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

// The comma-separated SharedCenter numbers stored in institutions, ascending.
std::string EncodeSharedCenters(const v1::Institution& institution);

// A conjunction of conditions with "?" placeholders and their values, bound in
// order. Only fixed SQL fragments are concatenated; every value is a bound
// parameter.
class Conditions {
 public:
  // A condition; its placeholders take the values bound next, in order.
  void Add(const char* fragment);
  void BindString(std::string value);
  void BindInt(int64_t value);
  // A condition with one placeholder and its value.
  void AddString(const char* fragment, std::string value);
  void AddInt(const char* fragment, int64_t value);
  // "(a IN (?, ...) OR b IN (?, ...))" over `columns` (fixed names) paired with
  // the value sets in `values` (same length); a pair with no values is left
  // out, and a condition no row can meet ("FALSE") when every set is empty.
  void AddAnyIn(const std::vector<const char*>& columns,
                const std::vector<const std::set<std::string>*>& values);
  // " WHERE a AND b" or "" when empty.
  std::string Where() const;
  // Binds the values from parameter index `first` on; returns the next index.
  int Bind(sql::PreparedStatement& stmt, int first) const;

 private:
  struct Value {
    bool is_int;
    int64_t number;
    std::string text;
  };
  std::string sql_;  // " AND "-joined after the first
  std::vector<Value> values_;
  int count_ = 0;
};

// One page of `table` in row_no order: the rows matching `conditions` after
// page.after_row, at most page.size, plus whether more follow and how many
// match in all.
template <typename T>
PageOf<T> ReadPage(sql::Connection& conn, const char* columns,
                   const char* table, Conditions conditions,
                   const PageQuery& page, T (*from_row)(sql::ResultSet&)) {
  PageOf<T> result;
  {
    std::unique_ptr<sql::PreparedStatement> count(conn.prepareStatement(
        absl::StrCat("SELECT COUNT(*) FROM ", table, conditions.Where())));
    conditions.Bind(*count, 1);
    std::unique_ptr<sql::ResultSet> rows(count->executeQuery());
    result.total = rows->next() ? rows->getInt64(1) : 0;
  }
  conditions.AddInt("row_no > ?", page.after_row);
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      absl::StrCat("SELECT ", columns, " FROM ", table, conditions.Where(),
                   " ORDER BY row_no LIMIT ?")));
  const int next = conditions.Bind(*select, 1);
  // One extra row tells whether another page follows.
  select->setInt(next, page.size + 1);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  while (rows->next()) {
    if (static_cast<int>(result.items.size()) == page.size) {
      result.more = true;
      break;
    }
    result.items.push_back(from_row(*rows));
    result.last_row = rows->getInt64("row_no");
  }
  return result;
}

// Escapes '!', '%' and '_' for LIKE ... ESCAPE '!' and wraps in '%'.
std::string ContainsPattern(absl::string_view text);

}  // namespace cmc::institution::internal

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_ROWS_H_
