// MysqlImportStore: bulk imports of institutions and staff, each row inserted
// as its create inserts it.
#include "services/institution/mysql_import_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution {
namespace {

template <typename T>
using RowInsert =
    std::function<absl::StatusOr<T>(sql::Connection&, const ImportRow<T>&)>;

// What an import reports instead of failing: the caller's errors, which name
// a field of the row.
bool IsRowError(const absl::Status& status) {
  return !status.ok() && !BadField(status).empty();
}

v1::ImportRowError ErrorOf(int64_t line, const absl::Status& status) {
  v1::ImportRowError error;
  error.set_line(line);
  error.set_field(BadField(status));
  error.set_code(absl::StatusCodeToString(status.code()));
  error.set_message(std::string(status.message()));
  return error;
}

struct ImportEvent {
  const char* type;
  const char* aggregate_type;
  void (*redact)(v1::Staff&);  // staff payloads only
  // Further events of the item with this id, appended right after its own.
  std::function<void(sql::Connection&, const std::string&)> more;
};

template <typename T>
void AppendEvent(sql::Connection& conn, const ImportEvent& event,
                 const Actor& actor, const T& item) {
  T payload = item;
  if constexpr (std::is_same_v<T, v1::Staff>) {
    if (event.redact != nullptr) event.redact(payload);
  }
  outbox::Append(conn, {event.type, event.aggregate_type, item.id(),
                        actor.subject, &payload});
  if (event.more) event.more(conn, item.id());
}

// All rows in one transaction; rolled back when any row is bad. Events are
// appended after the last insert (see outbox.h on why last).
template <typename T>
absl::Status ImportAllOrNothing(db::Pool& pool, absl::Time deadline,
                                const std::vector<ImportRow<T>>& rows,
                                const RowInsert<T>& insert,
                                const ImportEvent& event, const Actor& actor,
                                v1::ImportResponse& response) {
  std::vector<v1::ImportRowError> errors;
  std::vector<std::string> ids;
  bool rolled_back = false;
  const absl::Status status = db::RunInTransaction(
      pool, deadline, [&](sql::Connection& conn) -> absl::Status {
        errors.clear();
        ids.clear();
        rolled_back = false;
        std::vector<T> created;
        for (const ImportRow<T>& row : rows) {
          if (!row.error.ok()) {
            errors.push_back(ErrorOf(row.line, row.error));
            continue;
          }
          absl::StatusOr<T> item = insert(conn, row);
          if (!item.ok()) {
            if (!IsRowError(item.status())) return item.status();
            errors.push_back(ErrorOf(row.line, item.status()));
            continue;
          }
          created.push_back(*std::move(item));
        }
        if (!errors.empty()) {
          rolled_back = true;
          return absl::CancelledError("bad rows: nothing imported");
        }
        for (const T& item : created) {
          ids.push_back(item.id());
          AppendEvent(conn, event, actor, item);
        }
        return absl::OkStatus();
      });
  if (!status.ok() && !rolled_back) return status;
  for (v1::ImportRowError& error : errors) {
    *response.add_errors() = std::move(error);
  }
  for (std::string& id : ids) response.add_ids(std::move(id));
  response.set_imported(static_cast<int32_t>(ids.size()));
  return absl::OkStatus();
}

// Each row in its own transaction; bad rows are reported and skipped.
template <typename T>
absl::Status ImportBestEffort(db::Pool& pool, absl::Time deadline,
                              const std::vector<ImportRow<T>>& rows,
                              const RowInsert<T>& insert,
                              const ImportEvent& event, const Actor& actor,
                              v1::ImportResponse& response) {
  for (const ImportRow<T>& row : rows) {
    if (!row.error.ok()) {
      *response.add_errors() = ErrorOf(row.line, row.error);
      continue;
    }
    T created;
    const absl::Status status = db::RunInTransaction(
        pool, deadline, [&](sql::Connection& conn) -> absl::Status {
          CMC_ASSIGN_OR_RETURN(created, insert(conn, row));
          AppendEvent(conn, event, actor, created);
          return absl::OkStatus();
        });
    if (!status.ok()) {
      if (!IsRowError(status)) return status;
      *response.add_errors() = ErrorOf(row.line, status);
      continue;
    }
    response.add_ids(created.id());
  }
  response.set_imported(response.ids_size());
  return absl::OkStatus();
}

template <typename T>
absl::StatusOr<v1::ImportResponse> RunImport(
    db::Pool& pool, absl::Time deadline, v1::ImportMode mode,
    const std::vector<ImportRow<T>>& rows, const RowInsert<T>& insert,
    const ImportEvent& event, const Actor& actor) {
  v1::ImportResponse response;
  response.set_rows(static_cast<int32_t>(rows.size()));
  const absl::Status status =
      mode == v1::IMPORT_MODE_ALL_OR_NOTHING
          ? ImportAllOrNothing(pool, deadline, rows, insert, event, actor,
                               response)
          : ImportBestEffort(pool, deadline, rows, insert, event, actor,
                             response);
  if (!status.ok()) return status;
  return response;
}

// The id of the institution with `uscc`, registered before or earlier in
// this import's transaction.
absl::StatusOr<std::string> InstitutionIdOfUscc(sql::Connection& conn,
                                                const std::string& uscc) {
  std::unique_ptr<sql::PreparedStatement> select(
      conn.prepareStatement("SELECT id FROM institutions WHERE uscc = ?"));
  select->setString(1, uscc);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  if (!rows->next()) {
    return FieldError(absl::StatusCode::kNotFound, "parent_uscc",
                      absl::StrCat("no institution with USCC ", uscc,
                                   " is registered before this line"));
  }
  return rows->getString("id").asStdString();
}

}  // namespace

MysqlImportStore::MysqlImportStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<v1::ImportResponse> MysqlImportStore::ImportInstitutions(
    const std::vector<ImportRow<v1::Institution>>& rows, v1::ImportMode mode,
    absl::CivilDay today, const Actor& actor, absl::Time deadline) {
  // Memberships added with the rows, by institution id, for their events.
  std::map<std::string, v1::Membership> joined;
  const RowInsert<v1::Institution> insert =
      [&joined, today](sql::Connection& conn,
                       const ImportRow<v1::Institution>& row)
      -> absl::StatusOr<v1::Institution> {
    v1::Institution item = row.item;
    if (!row.parent_uscc.empty()) {
      CMC_ASSIGN_OR_RETURN(const std::string parent_id,
                           InstitutionIdOfUscc(conn, row.parent_uscc));
      item.set_parent_institution_id(parent_id);
    }
    CMC_ASSIGN_OR_RETURN(v1::Institution created,
                         internal::InsertInstitution(conn, item, today));
    if (row.joining.has_value()) {
      CMC_ASSIGN_OR_RETURN(
          joined[created.id()],
          internal::JoinCommunity(conn, created.id(), *row.joining));
    }
    return created;
  };
  ImportEvent event{"institution.InstitutionCreated", "Institution", nullptr,
                    nullptr};
  event.more = [&joined, &actor](sql::Connection& conn,
                                 const std::string& institution_id) {
    const auto it = joined.find(institution_id);
    if (it == joined.end()) return;
    outbox::Append(conn, {"institution.MembershipAdded", "Membership",
                          it->second.id(), actor.subject, &it->second});
  };
  return RunImport(*pool_, deadline, mode, rows, insert, event, actor);
}

absl::StatusOr<v1::ImportResponse> MysqlImportStore::ImportStaff(
    const std::vector<ImportRow<v1::Staff>>& rows, v1::ImportMode mode,
    absl::CivilDay today, const Actor& actor, absl::Time deadline) {
  const RowInsert<v1::Staff> insert =
      [today](sql::Connection& conn,
              const ImportRow<v1::Staff>& row) -> absl::StatusOr<v1::Staff> {
    return internal::InsertStaff(conn, row.item, today);
  };
  return RunImport(
      *pool_, deadline, mode, rows, insert,
      {"institution.StaffCreated", "Staff", &internal::RedactStaff, nullptr},
      actor);
}

}  // namespace cmc::institution
