// Effective-dated history of institutions and staff, for the MySQL stores:
// the versions written with every change, in its transaction.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/db/params.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/history_rules.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution::internal {
namespace {

// A history table: the resource id column and the columns of the tracked
// values, in the order of HistoryValues.
struct HistoryTable {
  const char* table;
  const char* key;
  std::vector<const char*> columns;
};

// Tracked values as text (numbers in decimal); nullopt is SQL NULL.
using HistoryValues = std::vector<std::optional<std::string>>;

const HistoryTable kInstitutionHistory = {"institution_history",
                                          "institution_id",
                                          {"parent_institution_id", "status"}};
const HistoryTable kStaffHistory = {
    "staff_history",
    "staff_id",
    {"institution_id", "status", "qualification", "title_code",
     "general_practitioner"}};

void BindValues(sql::PreparedStatement& stmt, int first,
                const HistoryValues& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const int index = first + static_cast<int>(i);
    if (values[i].has_value()) {
      stmt.setString(index, *values[i]);
    } else {
      stmt.setNull(index, 0);
    }
  }
}

void InsertVersion(sql::Connection& conn, const HistoryTable& table,
                   const std::string& id, const HistoryValues& values,
                   absl::CivilDay from, bool first) {
  std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
      absl::StrCat("INSERT INTO ", table.table, " (", table.key, ", ",
                   absl::StrJoin(table.columns, ", "),
                   ", valid_from, valid_to, is_first) VALUES (",
                   db::Placeholders(values.size() + 2), ", NULL, ?)")));
  insert->setString(1, id);
  BindValues(*insert, 2, values);
  const int next = 2 + static_cast<int>(values.size());
  insert->setString(next, FormatCivilDate(from));
  insert->setInt(next + 1, first ? 1 : 0);
  insert->executeUpdate();
}

// Moves the history of resource `id` to `values` from `day` on (see
// NextHistoryStep). The caller holds the resource row locked (or has just
// inserted it, `is_new`: it has no versions, and one round trip is saved), so
// the open version cannot change under us. FAILED_PRECONDITION naming
// "effective_date" when the open version began after `day`.
absl::Status RecordVersion(sql::Connection& conn, const HistoryTable& table,
                           const std::string& id, const HistoryValues& values,
                           absl::CivilDay day, bool is_new) {
  if (is_new) {
    InsertVersion(conn, table, id, values, day, /*first=*/true);
    return absl::OkStatus();
  }
  std::unique_ptr<sql::PreparedStatement> select(
      conn.prepareStatement(absl::StrCat(
          "SELECT row_no, valid_from, ", absl::StrJoin(table.columns, ", "),
          " FROM ", table.table, " WHERE ", table.key,
          " = ? AND valid_to IS NULL FOR UPDATE")));
  select->setString(1, id);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  std::optional<OpenVersion> open;
  int64_t open_row = 0;
  if (rows->next()) {
    open_row = rows->getInt64("row_no");
    absl::CivilDay from;
    // DATE columns read as YYYY-MM-DD.
    const std::string stored_from = rows->getString("valid_from").asStdString();
    if (!absl::ParseCivilTime(stored_from, &from)) {
      return absl::InternalError(absl::StrCat(table.table, " of ", id,
                                              " has valid_from ", stored_from));
    }
    bool same = true;
    for (size_t i = 0; i < values.size(); ++i) {
      const uint32_t column = static_cast<uint32_t>(i + 3);
      std::optional<std::string> stored;
      if (!rows->isNull(column)) stored = rows->getString(column).asStdString();
      if (stored != values[i]) same = false;
    }
    open = OpenVersion{from, same};
  }
  switch (NextHistoryStep(open, day)) {
    case HistoryStep::kKeep:
      return absl::OkStatus();
    case HistoryStep::kRefuse:
      return FieldError(
          absl::StatusCode::kFailedPrecondition, "effective_date",
          absl::StrCat("the current values hold since ",
                       FormatCivilDate(open->valid_from),
                       "; a change cannot take effect before that (",
                       FormatCivilDate(day), ")"));
    case HistoryStep::kOpenFirst:
      InsertVersion(conn, table, id, values, day, /*first=*/true);
      return absl::OkStatus();
    case HistoryStep::kReplaceOpen: {
      std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
          absl::StrCat("UPDATE ", table.table, " SET ",
                       absl::StrJoin(table.columns, " = ?, "),
                       " = ? WHERE row_no = ?")));
      BindValues(*update, 1, values);
      update->setInt64(1 + static_cast<int>(values.size()), open_row);
      update->executeUpdate();
      return absl::OkStatus();
    }
    case HistoryStep::kCloseAndOpen: {
      std::unique_ptr<sql::PreparedStatement> close(
          conn.prepareStatement(absl::StrCat(
              "UPDATE ", table.table, " SET valid_to = ? WHERE row_no = ?")));
      close->setString(1, FormatCivilDate(day - 1));
      close->setInt64(2, open_row);
      close->executeUpdate();
      InsertVersion(conn, table, id, values, day, /*first=*/false);
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown history step");
}

std::optional<std::string> NullIfEmpty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace

absl::Status RecordInstitutionVersion(sql::Connection& conn,
                                      const v1::Institution& institution,
                                      absl::CivilDay day, bool is_new) {
  return RecordVersion(conn, kInstitutionHistory, institution.id(),
                       {NullIfEmpty(institution.parent_institution_id()),
                        absl::StrCat(institution.status())},
                       day, is_new);
}

absl::Status RecordStaffVersion(sql::Connection& conn, const v1::Staff& staff,
                                absl::CivilDay day, bool is_new) {
  return RecordVersion(conn, kStaffHistory, staff.id(),
                       {staff.institution_id(), absl::StrCat(staff.status()),
                        absl::StrCat(staff.qualification()), staff.title_code(),
                        absl::StrCat(staff.general_practitioner() ? 1 : 0)},
                       day, is_new);
}

std::string VersionOnDay(absl::string_view alias) {
  return absl::StrCat("(", alias, ".valid_from <= ? OR ", alias,
                      ".is_first = 1) AND (", alias, ".valid_to IS NULL OR ",
                      alias, ".valid_to >= ?)");
}

}  // namespace cmc::institution::internal
