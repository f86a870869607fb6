// MysqlStaffStore: staff of member institutions, in schema cmc_institution,
// with their history (mysql_history.cc). InsertStaff is shared with the
// imports.
#include "services/institution/mysql_staff_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/mysql_rows.h"
#include "services/institution/staff_rules.h"

namespace cmc::institution {
namespace {

// The employer must exist and operate.
absl::Status CheckEmployer(sql::Connection& conn, const std::string& id) {
  std::optional<v1::Institution> employer =
      internal::LoadInstitution(conn, id, /*for_update=*/false);
  if (!employer.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, "staff.institution_id",
                      absl::StrCat("institution ", id, " not found"));
  }
  if (employer->status() != v1::INSTITUTION_STATUS_ACTIVE) {
    return FieldError(absl::StatusCode::kFailedPrecondition,
                      "staff.institution_id",
                      absl::StrCat("institution ", id, " is closed"));
  }
  return absl::OkStatus();
}

}  // namespace

namespace internal {

void RedactStaff(v1::Staff& staff) { MaskStaffResidentId(staff); }

absl::StatusOr<v1::Staff> InsertStaff(sql::Connection& conn,
                                      const v1::Staff& staff,
                                      absl::CivilDay today) {
  CMC_RETURN_IF_ERROR(CheckEmployer(conn, staff.institution_id()));
  const std::string id = NewId("stf-");
  try {
    std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
        "INSERT INTO staff (id, resident_id, name, gender, birth_date, "
        "qualification, title_code, general_practitioner, "
        "licence_number, institution_id, department, status, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"));
    insert->setString(1, id);
    insert->setString(2, staff.resident_id());
    insert->setString(3, staff.name());
    insert->setInt(4, staff.gender());
    insert->setString(5, staff.birth_date().value());
    insert->setInt(6, staff.qualification());
    insert->setString(7, staff.title_code());
    insert->setInt(8, staff.general_practitioner() ? 1 : 0);
    insert->setString(9, staff.licence_number());
    insert->setString(10, staff.institution_id());
    insert->setString(11, staff.department());
    insert->setInt(12, v1::STAFF_STATUS_ACTIVE);
    insert->executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErDupEntry) throw;
    return FieldError(
        absl::StatusCode::kAlreadyExists, "staff.resident_id",
        absl::StrCat("resident ID ", MaskResidentId(staff.resident_id()),
                     " is already registered"));
  }
  v1::Staff stored = *LoadStaff(conn, id, /*for_update=*/false);
  CMC_RETURN_IF_ERROR(RecordStaffVersion(conn, stored, today, /*is_new=*/true));
  return stored;
}

}  // namespace internal

MysqlStaffStore::MysqlStaffStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<v1::Staff> MysqlStaffStore::CreateStaff(
    const RequestClaim& claim, const v1::Staff& staff, absl::CivilDay today,
    const Actor& actor, absl::Time deadline) {
  return internal::RunCreate<v1::Staff>(
      *pool_, deadline, claim, "institution.StaffCreated", "Staff", actor,
      [&](sql::Connection& conn, v1::Staff& out) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(out, internal::InsertStaff(conn, staff, today));
        return absl::OkStatus();
      },
      &internal::RedactStaff);
}

absl::StatusOr<v1::Staff> MysqlStaffStore::GetStaff(const std::string& id,
                                                    absl::string_view field,
                                                    absl::Time deadline) {
  std::optional<v1::Staff> found;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        found = internal::LoadStaff(conn, id, /*for_update=*/false);
        return absl::OkStatus();
      }));
  if (!found.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      absl::StrCat("staff ", id, " not found"));
  }
  return *std::move(found);
}

absl::StatusOr<v1::Staff> MysqlStaffStore::UpdateStaff(
    const std::string& id, int64_t version, const Guard<v1::Staff>& guard,
    const Mutation<v1::Staff>& mutate, absl::CivilDay effective_day,
    const Actor& actor, absl::Time deadline) {
  v1::Staff result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        std::optional<v1::Staff> current =
            internal::LoadStaff(conn, id, /*for_update=*/true);
        if (!current.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "staff.id",
                            absl::StrCat("staff ", id, " not found"));
        }
        if (guard) CMC_RETURN_IF_ERROR(guard(*current));
        if (current->version() != version) {
          return FieldError(
              absl::StatusCode::kAborted, "staff.version",
              absl::StrCat(version, " is stale; the staff member is at ",
                           current->version(), "; read it again and reapply"));
        }
        const std::string old_employer = current->institution_id();
        CMC_RETURN_IF_ERROR(mutate(*current));
        if (current->institution_id() != old_employer) {
          CMC_RETURN_IF_ERROR(CheckEmployer(conn, current->institution_id()));
        }
        std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
            "UPDATE staff SET name = ?, qualification = ?, title_code = ?, "
            "general_practitioner = ?, licence_number = ?, "
            "institution_id = ?, department = ?, status = ?, "
            "version = version + 1, update_time = CURRENT_TIMESTAMP(6) "
            "WHERE id = ?"));
        update->setString(1, current->name());
        update->setInt(2, current->qualification());
        update->setString(3, current->title_code());
        update->setInt(4, current->general_practitioner() ? 1 : 0);
        update->setString(5, current->licence_number());
        update->setString(6, current->institution_id());
        update->setString(7, current->department());
        update->setInt(8, current->status());
        update->setString(9, id);
        update->executeUpdate();
        result = *internal::LoadStaff(conn, id, /*for_update=*/false);
        CMC_RETURN_IF_ERROR(internal::RecordStaffVersion(
            conn, result, effective_day, /*is_new=*/false));
        v1::Staff payload = result;
        internal::RedactStaff(payload);
        outbox::Append(conn, {"institution.StaffUpdated", "Staff", id,
                              actor.subject, &payload});
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<PageOf<v1::Staff>> MysqlStaffStore::ListStaff(
    const StaffFilter& filter, const PageQuery& page, absl::Time deadline) {
  internal::Conditions conditions;
  if (!filter.institution_id.empty()) {
    conditions.AddString("institution_id = ?", filter.institution_id);
  }
  if (!filter.community_id.empty()) {
    // At most one membership holds on any day, so EXISTS never duplicates.
    conditions.Add(
        "EXISTS (SELECT 1 FROM memberships m "
        "WHERE m.institution_id = staff.institution_id AND m.community_id = ? "
        "AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to >= ?))");
    conditions.BindString(filter.community_id);
    conditions.BindString(FormatCivilDate(filter.as_of));
    conditions.BindString(FormatCivilDate(filter.as_of));
  }
  if (filter.scope.has_value()) {
    conditions.AddAnyIn({"institution_id"}, {&filter.scope->institutions});
  }
  if (filter.qualification.has_value()) {
    conditions.AddInt("qualification = ?", *filter.qualification);
  }
  if (filter.status.has_value()) {
    conditions.AddInt("status = ?", *filter.status);
  }
  if (filter.general_practitioner.has_value()) {
    conditions.AddInt("general_practitioner = ?",
                      *filter.general_practitioner ? 1 : 0);
  }
  if (!filter.name_contains.empty()) {
    conditions.AddString("name LIKE ? ESCAPE '!'",
                         internal::ContainsPattern(filter.name_contains));
  }
  PageOf<v1::Staff> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result = internal::ReadPage(conn, internal::kStaffColumns, "staff",
                                    conditions, page, &internal::StaffFromRow);
        return absl::OkStatus();
      }));
  return result;
}

}  // namespace cmc::institution
