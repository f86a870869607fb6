// MysqlInstitutionStore: institutions in schema cmc_institution, with their
// history (mysql_history.cc). InsertInstitution is shared with the imports.
#include "services/institution/mysql_institution_store.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/institution_rules.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution {
namespace {

using internal::BindNullable;

constexpr char kParentField[] = "institution.parent_institution_id";

// A parent must exist, differ from the child and be of a higher tier.
absl::Status CheckParent(sql::Connection& conn, const v1::Institution& child) {
  const std::string& parent_id = child.parent_institution_id();
  if (parent_id == child.id()) {
    return InvalidField(kParentField,
                        "an institution cannot be its own parent");
  }
  std::optional<v1::Institution> parent =
      internal::LoadInstitution(conn, parent_id, /*for_update=*/false);
  if (!parent.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, kParentField,
                      absl::StrCat("institution ", parent_id, " not found"));
  }
  return CheckParentTier(child.tier(), parent->tier(), kParentField);
}

// Institutions reporting to `institution` must stay of a lower tier after a
// change of its tier.
absl::Status CheckChildrenTiers(sql::Connection& conn,
                                const v1::Institution& institution) {
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      "SELECT id, tier FROM institutions WHERE parent_institution_id = ?"));
  select->setString(1, institution.id());
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  while (rows->next()) {
    const auto child_tier = static_cast<Tier>(rows->getInt("tier"));
    if (!CheckParentTier(child_tier, institution.tier(), "institution.tier")
             .ok()) {
      return FieldError(
          absl::StatusCode::kFailedPrecondition, "institution.tier",
          absl::StrCat("institution ", std::string(rows->getString("id")),
                       " reports to this one and would no longer be of a "
                       "lower tier; move it first"));
    }
  }
  return absl::OkStatus();
}

// A member's division code must stay inside the county of every community it
// belongs to on `today` or later.
absl::Status CheckDivisionInMemberCounties(sql::Connection& conn,
                                           const v1::Institution& institution,
                                           absl::CivilDay today) {
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      "SELECT DISTINCT c.county_division_code FROM memberships m "
      "JOIN communities c ON c.id = m.community_id "
      "WHERE m.institution_id = ? AND (m.valid_to IS NULL OR m.valid_to >= "
      "?)"));
  select->setString(1, institution.id());
  select->setString(2, FormatCivilDate(today));
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  while (rows->next()) {
    CMC_RETURN_IF_ERROR(CheckDivisionInCounty(institution.division_code(),
                                              rows->getString(1).asStdString(),
                                              "institution.division_code"));
  }
  return absl::OkStatus();
}

bool IsDuplicate(const sql::SQLException& e) {
  return e.getErrorCode() == db::kErDupEntry;
}

}  // namespace

namespace internal {

absl::StatusOr<v1::Institution> InsertInstitution(
    sql::Connection& conn, const v1::Institution& institution,
    absl::CivilDay today) {
  v1::Institution row = institution;
  row.set_id(NewId("ins-"));
  if (!row.parent_institution_id().empty()) {
    CMC_RETURN_IF_ERROR(CheckParent(conn, row));
  }
  try {
    std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
        "INSERT INTO institutions (id, uscc, name, kind, tier, "
        "division_code, parent_institution_id, beds, shared_centers, "
        "status, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"));
    insert->setString(1, row.id());
    insert->setString(2, row.uscc());
    insert->setString(3, row.name());
    insert->setString(4, row.kind());
    insert->setInt(5, row.tier());
    insert->setString(6, row.division_code());
    BindNullable(*insert, 7, row.parent_institution_id());
    insert->setInt(8, row.beds());
    insert->setString(9, EncodeSharedCenters(row));
    insert->setInt(10, v1::INSTITUTION_STATUS_ACTIVE);
    insert->executeUpdate();
  } catch (const sql::SQLException& e) {
    if (!IsDuplicate(e)) throw;
    return FieldError(
        absl::StatusCode::kAlreadyExists, "institution.uscc",
        absl::StrCat("USCC ", row.uscc(), " is already registered"));
  }
  v1::Institution stored =
      *LoadInstitution(conn, row.id(), /*for_update=*/false);
  CMC_RETURN_IF_ERROR(
      RecordInstitutionVersion(conn, stored, today, /*is_new=*/true));
  return stored;
}

}  // namespace internal

MysqlInstitutionStore::MysqlInstitutionStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<v1::Institution> MysqlInstitutionStore::CreateInstitution(
    const RequestClaim& claim, const v1::Institution& institution,
    const std::optional<Joining>& joining, absl::CivilDay today,
    const Actor& actor, absl::Time deadline) {
  std::optional<v1::Membership> joined;
  return internal::RunCreate<v1::Institution>(
      *pool_, deadline, claim, "institution.InstitutionCreated", "Institution",
      actor,
      [&](sql::Connection& conn, v1::Institution& out) -> absl::Status {
        joined.reset();
        CMC_ASSIGN_OR_RETURN(
            out, internal::InsertInstitution(conn, institution, today));
        if (joining.has_value()) {
          CMC_ASSIGN_OR_RETURN(
              joined, internal::JoinCommunity(conn, out.id(), *joining));
        }
        return absl::OkStatus();
      },
      nullptr,
      [&](sql::Connection& conn) {
        if (!joined.has_value()) return;
        outbox::Append(conn, {"institution.MembershipAdded", "Membership",
                              joined->id(), actor.subject, &*joined});
      });
}

absl::StatusOr<v1::Institution> MysqlInstitutionStore::GetInstitution(
    const std::string& id, absl::string_view field, absl::Time deadline) {
  std::optional<v1::Institution> found;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        found = internal::LoadInstitution(conn, id, /*for_update=*/false);
        return absl::OkStatus();
      }));
  if (!found.has_value()) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      absl::StrCat("institution ", id, " not found"));
  }
  return *std::move(found);
}

absl::StatusOr<v1::Institution> MysqlInstitutionStore::UpdateInstitution(
    const std::string& id, int64_t version,
    const Mutation<v1::Institution>& mutate, absl::CivilDay today,
    absl::CivilDay effective_day, const Actor& actor, absl::Time deadline) {
  v1::Institution result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        std::optional<v1::Institution> current =
            internal::LoadInstitution(conn, id, /*for_update=*/true);
        if (!current.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "institution.id",
                            absl::StrCat("institution ", id, " not found"));
        }
        if (current->version() != version) {
          return FieldError(
              absl::StatusCode::kAborted, "institution.version",
              absl::StrCat(version, " is stale; the institution is at ",
                           current->version(), "; read it again and reapply"));
        }
        const v1::Institution before = *current;
        CMC_RETURN_IF_ERROR(mutate(*current));
        const bool tier_changed = current->tier() != before.tier();
        if (!current->parent_institution_id().empty() &&
            (tier_changed || current->parent_institution_id() !=
                                 before.parent_institution_id())) {
          CMC_RETURN_IF_ERROR(CheckParent(conn, *current));
        }
        if (tier_changed)
          CMC_RETURN_IF_ERROR(CheckChildrenTiers(conn, *current));
        if (current->division_code() != before.division_code()) {
          CMC_RETURN_IF_ERROR(
              CheckDivisionInMemberCounties(conn, *current, today));
        }
        std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
            "UPDATE institutions SET name = ?, kind = ?, tier = ?, "
            "division_code = ?, parent_institution_id = ?, beds = ?, "
            "shared_centers = ?, status = ?, version = version + 1, "
            "update_time = CURRENT_TIMESTAMP(6) WHERE id = ?"));
        update->setString(1, current->name());
        update->setString(2, current->kind());
        update->setInt(3, current->tier());
        update->setString(4, current->division_code());
        BindNullable(*update, 5, current->parent_institution_id());
        update->setInt(6, current->beds());
        update->setString(7, internal::EncodeSharedCenters(*current));
        update->setInt(8, current->status());
        update->setString(9, id);
        update->executeUpdate();
        result = *internal::LoadInstitution(conn, id, /*for_update=*/false);
        CMC_RETURN_IF_ERROR(internal::RecordInstitutionVersion(
            conn, result, effective_day, /*is_new=*/false));
        outbox::Append(conn, {"institution.InstitutionUpdated", "Institution",
                              id, actor.subject, &result});
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<PageOf<v1::Institution>> MysqlInstitutionStore::ListInstitutions(
    const InstitutionFilter& filter, const PageQuery& page,
    absl::Time deadline) {
  internal::Conditions conditions;
  if (!filter.community_id.empty()) {
    // At most one membership holds on any day, so EXISTS never duplicates.
    conditions.Add(
        "EXISTS (SELECT 1 FROM memberships m "
        "WHERE m.institution_id = institutions.id AND m.community_id = ? "
        "AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to >= ?))");
    conditions.BindString(filter.community_id);
    conditions.BindString(FormatCivilDate(filter.as_of));
    conditions.BindString(FormatCivilDate(filter.as_of));
  }
  if (filter.scope.has_value()) {
    conditions.AddAnyIn({"id"}, {&filter.scope->institutions});
  }
  if (filter.tier.has_value()) conditions.AddInt("tier = ?", *filter.tier);
  if (!filter.kind.empty()) conditions.AddString("kind = ?", filter.kind);
  if (filter.status.has_value())
    conditions.AddInt("status = ?", *filter.status);
  if (!filter.name_contains.empty()) {
    conditions.AddString("name LIKE ? ESCAPE '!'",
                         internal::ContainsPattern(filter.name_contains));
  }
  PageOf<v1::Institution> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result = internal::ReadPage(conn, internal::kInstitutionColumns,
                                    "institutions", conditions, page,
                                    &internal::InstitutionFromRow);
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<std::vector<v1::Institution>>
MysqlInstitutionStore::BatchGetInstitutions(const std::vector<std::string>& ids,
                                            absl::Time deadline) {
  std::map<std::string, v1::Institution> by_id;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        by_id.clear();
        std::string placeholders;
        for (size_t i = 0; i < ids.size(); ++i) {
          absl::StrAppend(&placeholders, i == 0 ? "?" : ", ?");
        }
        std::unique_ptr<sql::PreparedStatement> select(
            conn.prepareStatement(absl::StrCat(
                "SELECT ", internal::kInstitutionColumns,
                " FROM institutions WHERE id IN (", placeholders, ")")));
        for (size_t i = 0; i < ids.size(); ++i) {
          select->setString(static_cast<int>(i + 1), ids[i]);
        }
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          v1::Institution institution = internal::InstitutionFromRow(*rows);
          std::string key = institution.id();
          by_id.emplace(std::move(key), std::move(institution));
        }
        return absl::OkStatus();
      }));
  std::vector<v1::Institution> result;
  result.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = by_id.find(ids[i]);
    if (it == by_id.end()) {
      return FieldError(absl::StatusCode::kNotFound,
                        absl::StrCat("ids[", i, "]"),
                        absl::StrCat("institution ", ids[i], " not found"));
    }
    result.push_back(it->second);
  }
  return result;
}

}  // namespace cmc::institution
