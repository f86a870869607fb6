#include "services/institution/mysql_rows.h"

#include <algorithm>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/db/params.h"
#include "common/db/row_values.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/institution/staff_rules.h"

namespace cmc::institution::internal {
namespace {

template <typename T>
std::optional<T> LoadOne(sql::Connection& conn, const char* columns,
                         const char* table, const std::string& id,
                         bool for_update, T (*from_row)(sql::ResultSet&)) {
  const std::string query =
      absl::StrCat("SELECT ", columns, " FROM ", table, " WHERE id = ?",
                   for_update ? " FOR UPDATE" : "");
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(query));
  select->setString(1, id);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  if (!rows->next()) return std::nullopt;
  return from_row(*rows);
}

}  // namespace

const char kCommunityColumns[] =
    "row_no, id, code, name, county_division_code, lead_institution_id, "
    "status, version, create_time, update_time";
const char kInstitutionColumns[] =
    "row_no, id, uscc, name, kind, tier, division_code, "
    "parent_institution_id, beds, shared_centers, status, version, "
    "create_time, update_time";
const char kMembershipColumns[] =
    "row_no, id, institution_id, community_id, kind, valid_from, valid_to, "
    "create_time, update_time";
const char kVillageColumns[] =
    "row_no, id, community_id, division_code, name, population, "
    "township_center_id, village_clinic_id, has_resident_village_doctor, "
    "version, create_time, update_time";
const char kStaffColumns[] =
    "row_no, id, resident_id, name, gender, birth_date, qualification, "
    "title_code, general_practitioner, licence_number, institution_id, "
    "department, status, version, create_time, update_time";
const char kPostingColumns[] =
    "row_no, id, staff_id, from_institution_id, to_institution_id, "
    "start_date, end_date, create_time, update_time";

v1::Community CommunityFromRow(sql::ResultSet& row) {
  v1::Community c;
  c.set_id(row.getString("id"));
  c.set_code(row.getString("code"));
  c.set_name(row.getString("name"));
  c.set_county_division_code(row.getString("county_division_code"));
  c.set_lead_institution_id(db::NullableString(row, "lead_institution_id"));
  c.set_status(static_cast<v1::CommunityStatus>(row.getInt("status")));
  c.set_version(row.getInt64("version"));
  *c.mutable_create_time() = db::TimestampFromDb(row.getString("create_time"));
  *c.mutable_update_time() = db::TimestampFromDb(row.getString("update_time"));
  return c;
}

v1::Institution InstitutionFromRow(sql::ResultSet& row) {
  v1::Institution i;
  i.set_id(row.getString("id"));
  i.set_uscc(row.getString("uscc"));
  i.set_name(row.getString("name"));
  i.set_kind(row.getString("kind"));
  i.set_tier(static_cast<common::v1::Tier>(row.getInt("tier")));
  i.set_division_code(row.getString("division_code"));
  i.set_parent_institution_id(db::NullableString(row, "parent_institution_id"));
  i.set_beds(row.getInt("beds"));
  for (absl::string_view part :
       absl::StrSplit(std::string(row.getString("shared_centers")), ',',
                      absl::SkipEmpty())) {
    int number = 0;
    if (absl::SimpleAtoi(part, &number)) {
      i.add_shared_centers(static_cast<v1::SharedCenter>(number));
    }
  }
  i.set_status(static_cast<v1::InstitutionStatus>(row.getInt("status")));
  i.set_version(row.getInt64("version"));
  *i.mutable_create_time() = db::TimestampFromDb(row.getString("create_time"));
  *i.mutable_update_time() = db::TimestampFromDb(row.getString("update_time"));
  return i;
}

v1::Membership MembershipFromRow(sql::ResultSet& row) {
  v1::Membership m;
  m.set_id(row.getString("id"));
  m.set_institution_id(row.getString("institution_id"));
  m.set_community_id(row.getString("community_id"));
  m.set_kind(static_cast<v1::MembershipKind>(row.getInt("kind")));
  m.mutable_valid_from()->set_value(row.getString("valid_from"));
  if (!row.isNull("valid_to")) {
    m.mutable_valid_to()->set_value(row.getString("valid_to"));
  }
  *m.mutable_create_time() = db::TimestampFromDb(row.getString("create_time"));
  *m.mutable_update_time() = db::TimestampFromDb(row.getString("update_time"));
  return m;
}

v1::Village VillageFromRow(sql::ResultSet& row) {
  v1::Village v;
  v.set_id(row.getString("id"));
  v.set_community_id(row.getString("community_id"));
  v.set_division_code(row.getString("division_code"));
  v.set_name(row.getString("name"));
  v.set_population(row.getInt("population"));
  v.set_township_center_id(row.getString("township_center_id"));
  v.set_village_clinic_id(db::NullableString(row, "village_clinic_id"));
  v.set_has_resident_village_doctor(row.getInt("has_resident_village_doctor") !=
                                    0);
  v.set_version(row.getInt64("version"));
  *v.mutable_create_time() = db::TimestampFromDb(row.getString("create_time"));
  *v.mutable_update_time() = db::TimestampFromDb(row.getString("update_time"));
  return v;
}

v1::Staff StaffFromRow(sql::ResultSet& row) {
  v1::Staff s;
  s.set_id(row.getString("id"));
  s.set_resident_id(row.getString("resident_id"));
  s.set_name(row.getString("name"));
  s.set_gender(static_cast<v1::Gender>(row.getInt("gender")));
  s.mutable_birth_date()->set_value(row.getString("birth_date"));
  s.set_birth_year(YearOfIsoDate(s.birth_date().value()));
  s.set_qualification(
      static_cast<v1::Qualification>(row.getInt("qualification")));
  s.set_title_code(row.getString("title_code"));
  const absl::StatusOr<v1::TitleLevel> level =
      TitleLevelOf(s.title_code(), "title_code");
  s.set_title_level(level.ok() ? *level : v1::TITLE_LEVEL_UNSPECIFIED);
  s.set_general_practitioner(row.getInt("general_practitioner") != 0);
  s.set_licence_number(row.getString("licence_number"));
  s.set_institution_id(row.getString("institution_id"));
  s.set_department(row.getString("department"));
  s.set_status(static_cast<v1::StaffStatus>(row.getInt("status")));
  s.set_version(row.getInt64("version"));
  *s.mutable_create_time() = db::TimestampFromDb(row.getString("create_time"));
  *s.mutable_update_time() = db::TimestampFromDb(row.getString("update_time"));
  return s;
}

v1::Posting PostingFromRow(sql::ResultSet& row) {
  v1::Posting p;
  p.set_id(row.getString("id"));
  p.set_staff_id(row.getString("staff_id"));
  p.set_from_institution_id(row.getString("from_institution_id"));
  p.set_to_institution_id(row.getString("to_institution_id"));
  p.mutable_start_date()->set_value(row.getString("start_date"));
  if (!row.isNull("end_date")) {
    p.mutable_end_date()->set_value(row.getString("end_date"));
  }
  *p.mutable_create_time() = db::TimestampFromDb(row.getString("create_time"));
  *p.mutable_update_time() = db::TimestampFromDb(row.getString("update_time"));
  return p;
}

std::optional<v1::Community> LoadCommunity(sql::Connection& conn,
                                           const std::string& id,
                                           bool for_update) {
  return LoadOne(conn, kCommunityColumns, "communities", id, for_update,
                 &CommunityFromRow);
}

std::optional<v1::Institution> LoadInstitution(sql::Connection& conn,
                                               const std::string& id,
                                               bool for_update) {
  return LoadOne(conn, kInstitutionColumns, "institutions", id, for_update,
                 &InstitutionFromRow);
}

std::optional<v1::Membership> LoadMembership(sql::Connection& conn,
                                             const std::string& id,
                                             bool for_update) {
  return LoadOne(conn, kMembershipColumns, "memberships", id, for_update,
                 &MembershipFromRow);
}

std::optional<v1::Village> LoadVillage(sql::Connection& conn,
                                       const std::string& id, bool for_update) {
  return LoadOne(conn, kVillageColumns, "villages", id, for_update,
                 &VillageFromRow);
}

std::optional<v1::Staff> LoadStaff(sql::Connection& conn, const std::string& id,
                                   bool for_update) {
  return LoadOne(conn, kStaffColumns, "staff", id, for_update, &StaffFromRow);
}

std::optional<v1::Posting> LoadPosting(sql::Connection& conn,
                                       const std::string& id, bool for_update) {
  return LoadOne(conn, kPostingColumns, "postings", id, for_update,
                 &PostingFromRow);
}

void BindNullable(sql::PreparedStatement& stmt, int index,
                  const std::string& value) {
  if (value.empty()) {
    stmt.setNull(index, sql::DataType::VARCHAR);
  } else {
    stmt.setString(index, value);
  }
}

std::string NewId(absl::string_view prefix) {
  return absl::StrCat(prefix, outbox::NewUuid());
}

std::string EncodeSharedCenters(const v1::Institution& institution) {
  std::vector<int> numbers(institution.shared_centers().begin(),
                           institution.shared_centers().end());
  std::sort(numbers.begin(), numbers.end());
  return absl::StrJoin(numbers, ",");
}

void Conditions::Add(const char* fragment) {
  if (count_++ > 0) sql_ += " AND ";
  sql_ += fragment;
}

void Conditions::BindString(std::string value) {
  values_.push_back({false, 0, std::move(value)});
}

void Conditions::BindInt(int64_t value) {
  values_.push_back({true, value, ""});
}

void Conditions::AddString(const char* fragment, std::string value) {
  Add(fragment);
  BindString(std::move(value));
}

void Conditions::AddInt(const char* fragment, int64_t value) {
  Add(fragment);
  BindInt(value);
}

void Conditions::AddAnyIn(
    const std::vector<const char*>& columns,
    const std::vector<const std::set<std::string>*>& values) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (values[i]->empty()) continue;
    for (const std::string& value : *values[i]) BindString(value);
    parts.push_back(absl::StrCat(columns[i], " IN (",
                                 db::Placeholders(values[i]->size()), ")"));
  }
  if (count_++ > 0) sql_ += " AND ";
  sql_ += parts.empty() ? std::string("FALSE")
                        : absl::StrCat("(", absl::StrJoin(parts, " OR "), ")");
}

std::string Conditions::Where() const {
  return count_ == 0 ? std::string() : absl::StrCat(" WHERE ", sql_);
}

int Conditions::Bind(sql::PreparedStatement& stmt, int first) const {
  int index = first;
  for (const Value& value : values_) {
    if (value.is_int) {
      stmt.setInt64(index++, value.number);
    } else {
      stmt.setString(index++, value.text);
    }
  }
  return index;
}

std::string ContainsPattern(absl::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '!' || c == '%' || c == '_') pattern += '!';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

}  // namespace cmc::institution::internal
