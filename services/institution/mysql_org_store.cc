// MysqlOrgStore: whole organisation trees and staffing counts, read across
// the tables of schema cmc_institution and their history.
#include "services/institution/mysql_org_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/params.h"
#include "common/db/transaction.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/history_rules.h"
#include "services/institution/mysql_rows.h"

namespace cmc::institution {
namespace {

// Members of a community on a day: institutions.id must be in scope.
constexpr char kMemberOnDay[] =
    "EXISTS (SELECT 1 FROM memberships m WHERE m.institution_id = %s "
    "AND m.community_id = ? AND m.valid_from <= ? "
    "AND (m.valid_to IS NULL OR m.valid_to >= ?))";

std::string MemberOnDay(const char* institution_column) {
  std::string sql = kMemberOnDay;
  sql.replace(sql.find("%s"), 2, institution_column);
  return sql;
}

// Binds community, day, day from `index`; returns the next index.
int BindMemberOnDay(sql::PreparedStatement& stmt, int index,
                    const std::string& community_id, absl::CivilDay day) {
  stmt.setString(index++, community_id);
  stmt.setString(index++, FormatCivilDate(day));
  stmt.setString(index++, FormatCivilDate(day));
  return index;
}

absl::Status CheckOrgSet(const common::v1::OrgRef& org) {
  switch (org.kind_case()) {
    case common::v1::OrgRef::kCommunityId:
      if (org.community_id().empty()) {
        return InvalidField("org.community_id", "required");
      }
      return absl::OkStatus();
    case common::v1::OrgRef::kInstitutionId:
      if (org.institution_id().empty()) {
        return InvalidField("org.institution_id", "required");
      }
      return absl::OkStatus();
    default:
      return InvalidField("org", "set community_id or institution_id");
  }
}

absl::Status CommunityNotFound(const std::string& id) {
  return FieldError(absl::StatusCode::kNotFound, "org.community_id",
                    absl::StrCat("community ", id, " not found"));
}

absl::Status InstitutionNotFound(const std::string& id) {
  return FieldError(absl::StatusCode::kNotFound, "org.institution_id",
                    absl::StrCat("institution ", id, " not found"));
}

// The institution versions holding on a day, joined to institutions as
// `hv` (columns h_id, h_parent, h_status); binds the day twice.
std::string VersionsJoin() {
  return absl::StrCat(
      " JOIN (SELECT h.institution_id AS h_id, h.parent_institution_id AS "
      "h_parent, h.status AS h_status FROM institution_history h WHERE ",
      internal::VersionOnDay("h"), ") hv ON hv.h_id = institutions.id");
}

int BindDay(sql::PreparedStatement& stmt, int index, absl::CivilDay day) {
  stmt.setString(index++, FormatCivilDate(day));
  stmt.setString(index++, FormatCivilDate(day));
  return index;
}

// An institution row, with the parent and status of the version joined as
// `hv` when `versioned`.
v1::Institution InstitutionOf(sql::ResultSet& row, bool versioned) {
  v1::Institution institution = internal::InstitutionFromRow(row);
  if (versioned) {
    institution.set_parent_institution_id(
        row.isNull("h_parent") ? "" : row.getString("h_parent").asStdString());
    institution.set_status(
        static_cast<v1::InstitutionStatus>(row.getInt("h_status")));
  }
  return institution;
}

// Members on `day`; with `history` (a day before today, = `day`), with the
// parents and statuses of the history on that day.
void LoadCommunityContents(sql::Connection& conn, const std::string& id,
                           absl::CivilDay day,
                           std::optional<absl::CivilDay> history,
                           OrgContents& contents) {
  std::unique_ptr<sql::PreparedStatement> members(conn.prepareStatement(
      absl::StrCat("SELECT ", internal::kInstitutionColumns,
                   history.has_value() ? ", hv.h_parent, hv.h_status" : "",
                   " FROM institutions",
                   history.has_value() ? VersionsJoin() : "", " WHERE ",
                   MemberOnDay("institutions.id"), " ORDER BY tier, row_no")));
  int index = 1;
  if (history.has_value()) index = BindDay(*members, index, *history);
  BindMemberOnDay(*members, index, id, day);
  std::unique_ptr<sql::ResultSet> rows(members->executeQuery());
  while (rows->next()) {
    contents.institutions.push_back(InstitutionOf(*rows, history.has_value()));
  }
  std::unique_ptr<sql::PreparedStatement> villages(conn.prepareStatement(
      absl::StrCat("SELECT ", internal::kVillageColumns,
                   " FROM villages WHERE community_id = ? ORDER BY row_no")));
  villages->setString(1, id);
  rows.reset(villages->executeQuery());
  while (rows->next()) {
    contents.villages.push_back(internal::VillageFromRow(*rows));
  }
}

// The root's descendants, level by level (at most two levels below a county
// institution, since parents are of a higher tier), by the parents of the
// history on `history` when set (a day before today), else by today's.
void LoadInstitutionContents(sql::Connection& conn, v1::Institution root,
                             std::optional<absl::CivilDay> history,
                             OrgContents& contents) {
  if (history.has_value()) {
    std::unique_ptr<sql::PreparedStatement> version(conn.prepareStatement(
        absl::StrCat("SELECT ", internal::kInstitutionColumns,
                     ", hv.h_parent, hv.h_status FROM institutions",
                     VersionsJoin(), " WHERE institutions.id = ?")));
    const int index = BindDay(*version, 1, *history);
    version->setString(index, root.id());
    std::unique_ptr<sql::ResultSet> rows(version->executeQuery());
    if (rows->next()) root = InstitutionOf(*rows, /*versioned=*/true);
  }
  std::set<std::string> seen = {root.id()};
  std::vector<std::string> frontier = {root.id()};
  contents.institutions.push_back(std::move(root));
  while (!frontier.empty()) {
    std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
        history.has_value()
            ? absl::StrCat("SELECT ", internal::kInstitutionColumns,
                           ", hv.h_parent, hv.h_status FROM institutions",
                           VersionsJoin(), " WHERE hv.h_parent IN (",
                           db::Placeholders(frontier.size()),
                           ") ORDER BY tier, row_no")
            : absl::StrCat(
                  "SELECT ", internal::kInstitutionColumns,
                  " FROM institutions WHERE parent_institution_id IN (",
                  db::Placeholders(frontier.size()),
                  ") ORDER BY tier, row_no")));
    int index = 1;
    if (history.has_value()) index = BindDay(*select, index, *history);
    for (const std::string& id : frontier) select->setString(index++, id);
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    frontier.clear();
    while (rows->next()) {
      v1::Institution child = InstitutionOf(*rows, history.has_value());
      if (!seen.insert(child.id()).second) continue;
      frontier.push_back(child.id());
      contents.institutions.push_back(std::move(child));
    }
  }
  const std::string in = db::Placeholders(seen.size());
  std::unique_ptr<sql::PreparedStatement> villages(conn.prepareStatement(
      absl::StrCat("SELECT ", internal::kVillageColumns,
                   " FROM villages WHERE township_center_id IN (", in,
                   ") OR village_clinic_id IN (", in, ") ORDER BY row_no")));
  int index = 1;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& id : seen) villages->setString(index++, id);
  }
  std::unique_ptr<sql::ResultSet> rows(villages->executeQuery());
  while (rows->next()) {
    contents.villages.push_back(internal::VillageFromRow(*rows));
  }
}

// The day to read the history on: `as_of` when before `today`, else none
// (the current rows).
std::optional<absl::CivilDay> HistoryDay(absl::CivilDay as_of,
                                         absl::CivilDay today) {
  if (!ReadsHistory(as_of, today)) return std::nullopt;
  return as_of;
}

}  // namespace

MysqlOrgStore::MysqlOrgStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<OrgContents> MysqlOrgStore::LoadOrgContents(
    const common::v1::OrgRef& org, absl::CivilDay as_of, absl::CivilDay today,
    absl::Time deadline) {
  CMC_RETURN_IF_ERROR(CheckOrgSet(org));
  const std::optional<absl::CivilDay> history = HistoryDay(as_of, today);
  OrgContents contents;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        contents = OrgContents();
        if (org.has_community_id()) {
          contents.community = internal::LoadCommunity(conn, org.community_id(),
                                                       /*for_update=*/false);
          if (!contents.community.has_value()) {
            return CommunityNotFound(org.community_id());
          }
          LoadCommunityContents(conn, org.community_id(), as_of, history,
                                contents);
          return absl::OkStatus();
        }
        std::optional<v1::Institution> root = internal::LoadInstitution(
            conn, org.institution_id(), /*for_update=*/false);
        if (!root.has_value()) return InstitutionNotFound(org.institution_id());
        LoadInstitutionContents(conn, *std::move(root), history, contents);
        return absl::OkStatus();
      }));
  return contents;
}

absl::StatusOr<std::vector<StaffingRow>> MysqlOrgStore::CountActiveStaff(
    const common::v1::OrgRef& org, absl::CivilDay as_of, absl::CivilDay today,
    absl::Time deadline) {
  CMC_RETURN_IF_ERROR(CheckOrgSet(org));
  const std::optional<absl::CivilDay> history = HistoryDay(as_of, today);
  // Before today, the versions holding on as_of stand in for the staff rows.
  const std::string from =
      history.has_value() ? absl::StrCat("staff_history h WHERE ",
                                         internal::VersionOnDay("h"), " AND ")
                          : "staff h WHERE ";
  std::vector<StaffingRow> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result.clear();
        const char* kGroup =
            " GROUP BY h.qualification, h.title_code, h.general_practitioner";
        const std::string count = absl::StrCat(
            "SELECT h.qualification, h.title_code, h.general_practitioner, "
            "COUNT(*) AS n FROM ",
            from, "h.status = ? AND ");
        std::unique_ptr<sql::PreparedStatement> select;
        if (org.has_community_id()) {
          if (!internal::LoadCommunity(conn, org.community_id(),
                                       /*for_update=*/false)) {
            return CommunityNotFound(org.community_id());
          }
          select.reset(conn.prepareStatement(
              absl::StrCat(count, MemberOnDay("h.institution_id"), kGroup)));
        } else {
          if (!internal::LoadInstitution(conn, org.institution_id(),
                                         /*for_update=*/false)) {
            return InstitutionNotFound(org.institution_id());
          }
          select.reset(conn.prepareStatement(
              absl::StrCat(count, "h.institution_id = ?", kGroup)));
        }
        int index = 1;
        if (history.has_value()) index = BindDay(*select, index, *history);
        select->setInt(index++, v1::STAFF_STATUS_ACTIVE);
        if (org.has_community_id()) {
          BindMemberOnDay(*select, index, org.community_id(), as_of);
        } else {
          select->setString(index, org.institution_id());
        }
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          result.push_back(StaffingRow{
              static_cast<v1::Qualification>(rows->getInt("qualification")),
              rows->getString("title_code").asStdString(),
              rows->getInt("general_practitioner") != 0, rows->getInt64("n")});
        }
        return absl::OkStatus();
      }));
  return result;
}

}  // namespace cmc::institution
