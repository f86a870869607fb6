// Whole organisation trees and staffing counts (InstitutionStore, continued).
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/institution_store.h"
#include "services/institution/store_rows.h"

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

std::string Placeholders(size_t n) {
  std::string text;
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&text, i == 0 ? "?" : ", ?");
  return text;
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

void LoadCommunityContents(sql::Connection& conn, const std::string& id,
                           absl::CivilDay as_of, OrgContents& contents) {
  std::unique_ptr<sql::PreparedStatement> members(
      conn.prepareStatement(absl::StrCat(
          "SELECT ", internal::kInstitutionColumns, " FROM institutions WHERE ",
          MemberOnDay("institutions.id"), " ORDER BY tier, row_no")));
  BindMemberOnDay(*members, 1, id, as_of);
  std::unique_ptr<sql::ResultSet> rows(members->executeQuery());
  while (rows->next()) {
    contents.institutions.push_back(internal::InstitutionFromRow(*rows));
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
// institution, since parents are of a higher tier).
void LoadInstitutionContents(sql::Connection& conn, v1::Institution root,
                             OrgContents& contents) {
  std::set<std::string> seen = {root.id()};
  std::vector<std::string> frontier = {root.id()};
  contents.institutions.push_back(std::move(root));
  while (!frontier.empty()) {
    std::unique_ptr<sql::PreparedStatement> select(
        conn.prepareStatement(absl::StrCat(
            "SELECT ", internal::kInstitutionColumns,
            " FROM institutions WHERE parent_institution_id IN (",
            Placeholders(frontier.size()), ") ORDER BY tier, row_no")));
    for (size_t i = 0; i < frontier.size(); ++i) {
      select->setString(static_cast<int>(i + 1), frontier[i]);
    }
    std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
    frontier.clear();
    while (rows->next()) {
      v1::Institution child = internal::InstitutionFromRow(*rows);
      if (!seen.insert(child.id()).second) continue;
      frontier.push_back(child.id());
      contents.institutions.push_back(std::move(child));
    }
  }
  const std::string in = Placeholders(seen.size());
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

}  // namespace

absl::StatusOr<OrgContents> InstitutionStore::LoadOrgContents(
    const common::v1::OrgRef& org, absl::CivilDay as_of, absl::Time deadline) {
  CMC_RETURN_IF_ERROR(CheckOrgSet(org));
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
          LoadCommunityContents(conn, org.community_id(), as_of, contents);
          return absl::OkStatus();
        }
        std::optional<v1::Institution> root = internal::LoadInstitution(
            conn, org.institution_id(), /*for_update=*/false);
        if (!root.has_value()) return InstitutionNotFound(org.institution_id());
        LoadInstitutionContents(conn, *std::move(root), contents);
        return absl::OkStatus();
      }));
  return contents;
}

absl::StatusOr<std::vector<StaffingRow>> InstitutionStore::CountActiveStaff(
    const common::v1::OrgRef& org, absl::CivilDay as_of, absl::Time deadline) {
  CMC_RETURN_IF_ERROR(CheckOrgSet(org));
  std::vector<StaffingRow> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result.clear();
        std::unique_ptr<sql::PreparedStatement> select;
        const char* kGroup =
            " GROUP BY qualification, title_code, general_practitioner";
        const char* kCount =
            "SELECT qualification, title_code, general_practitioner, "
            "COUNT(*) AS n FROM staff WHERE status = ? AND ";
        if (org.has_community_id()) {
          if (!internal::LoadCommunity(conn, org.community_id(),
                                       /*for_update=*/false)) {
            return CommunityNotFound(org.community_id());
          }
          select.reset(conn.prepareStatement(absl::StrCat(
              kCount, MemberOnDay("staff.institution_id"), kGroup)));
          select->setInt(1, v1::STAFF_STATUS_ACTIVE);
          BindMemberOnDay(*select, 2, org.community_id(), as_of);
        } else {
          if (!internal::LoadInstitution(conn, org.institution_id(),
                                         /*for_update=*/false)) {
            return InstitutionNotFound(org.institution_id());
          }
          select.reset(conn.prepareStatement(
              absl::StrCat(kCount, "institution_id = ?", kGroup)));
          select->setInt(1, v1::STAFF_STATUS_ACTIVE);
          select->setString(2, org.institution_id());
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
