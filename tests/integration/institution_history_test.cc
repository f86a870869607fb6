// Effective-dated history: ListSubtree and GetStaffingSummary on a past day
// see the parents, statuses, employers, qualifications, titles and GP flags
// of that day; history is written with the change and only with it; the
// migration backfills existing rows.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

// "name[CLOSED](children...)": the tree with statuses, for comparisons.
std::string Render(const v1::SubtreeNode& node) {
  std::string text = node.institution().name();
  if (node.institution().status() == v1::INSTITUTION_STATUS_CLOSED) {
    text += "[CLOSED]";
  }
  if (node.children_size() > 0) {
    text += "(";
    for (int i = 0; i < node.children_size(); ++i) {
      text += (i > 0 ? " " : "") + Render(node.children(i));
    }
    text += ")";
  }
  return text;
}

// One statement's single number.
int64_t QueryNumber(db::Pool& pool, const std::string& sql,
                    const std::string& arg) {
  int64_t n = -1;
  EXPECT_TRUE(db::RunOnConnection(pool, absl::Now() + absl::Seconds(5),
                                  [&](sql::Connection& conn) {
                                    std::unique_ptr<sql::PreparedStatement> s(
                                        conn.prepareStatement(sql));
                                    s->setString(1, arg);
                                    std::unique_ptr<sql::ResultSet> rows(
                                        s->executeQuery());
                                    if (rows->next()) n = rows->getInt64(1);
                                    return absl::OkStatus();
                                  })
                  .ok());
  return n;
}

// Registered on 2025-06-01 in a community its members joined on 2025-01-01:
// a county hospital, two township centers under it, two village clinics under
// the first center, and four physicians/nurses. On 2026-01-10 (the change
// day) a physician leaves, a nurse moves to the second center, another
// physician becomes a GP with a new title, the first clinic is moved under
// the second center and the second clinic closes. Today is 2026-02-01.
class HistoryTest : public InstitutionTest {
 protected:
  void SetUp() override {
    InstitutionTest::SetUp();
    SetToday(absl::CivilDay(2025, 6, 1));
    community_ = NewCommunity("YGT-H");
    hospital_ = Member(500, "县医院", "A100", TIER_COUNTY, kTown, "");
    town1_ = Member(501, "甲镇", "C210", TIER_TOWNSHIP, kTown, hospital_.id());
    town2_ = Member(502, "乙镇", "C220", TIER_TOWNSHIP, kTown, hospital_.id());
    clinic_ =
        Member(503, "甲村室", "D600", TIER_VILLAGE, kVillage, town1_.id());
    clinic2_ =
        Member(504, "乙村室", "D600", TIER_VILLAGE, kVillage, town1_.id());
    leaver_ = NewStaff(MakeStaff(
        51, hospital_.id(), v1::QUALIFICATION_PRACTISING_PHYSICIAN, "233"));
    mover_ = NewStaff(
        MakeStaff(52, town1_.id(), v1::QUALIFICATION_REGISTERED_NURSE, "254"));
    gp_ = NewStaff(MakeStaff(53, town1_.id(),
                             v1::QUALIFICATION_PRACTISING_PHYSICIAN, "234"));
    stayer_ = NewStaff(MakeStaff(
        54, hospital_.id(), v1::QUALIFICATION_PRACTISING_PHYSICIAN, "232"));
  }

  v1::Institution Member(int n, const char* name, const char* kind,
                         common::v1::Tier tier, const char* division,
                         const std::string& parent) {
    v1::Institution wanted = MakeInstitution(n, name, kind, tier, division);
    wanted.set_parent_institution_id(parent);
    const v1::Institution created = NewInstitution(wanted);
    v1::Membership m;
    EXPECT_TRUE(AddMembership(
                    "req-m-" + std::to_string(n),
                    MakeMembership(created.id(), community_.id(), "2025-01-01"),
                    &m)
                    .ok());
    return created;
  }

  // The changes of 2026-01-10, then today is 2026-02-01.
  void ChangeOnChangeDay() {
    SetToday(absl::CivilDay(2026, 1, 10));
    v1::Staff s = leaver_;
    s.set_status(v1::STAFF_STATUS_LEFT);
    ASSERT_TRUE(UpdateStaff(s, {"status"}, &leaver_).ok());
    s = mover_;
    s.set_institution_id(town2_.id());
    ASSERT_TRUE(UpdateStaff(s, {"institution_id"}, &mover_).ok());
    // Two changes on one day make one version.
    s = gp_;
    s.set_general_practitioner(true);
    ASSERT_TRUE(UpdateStaff(s, {"general_practitioner"}, &gp_).ok());
    s = gp_;
    s.set_title_code("233");
    ASSERT_TRUE(UpdateStaff(s, {"title_code"}, &gp_).ok());
    v1::Institution i = clinic_;
    i.set_parent_institution_id(town2_.id());
    ASSERT_TRUE(UpdateInstitution(i, {"parent_institution_id"}, &clinic_).ok());
    i = clinic2_;
    i.set_status(v1::INSTITUTION_STATUS_CLOSED);
    ASSERT_TRUE(UpdateInstitution(i, {"status"}, &clinic2_).ok());
    SetToday(absl::CivilDay(2026, 2, 1));
  }

  // "QUALIFICATION/TITLE_LEVEL/GP=n" cells of the summary of `org` on
  // `as_of` (nullptr: today), and its total.
  std::pair<int, std::vector<std::string>> Summary(
      const common::v1::OrgRef& org, const char* as_of) {
    v1::GetStaffingSummaryRequest request;
    *request.mutable_org() = org;
    if (as_of != nullptr) request.mutable_as_of()->set_value(as_of);
    v1::GetStaffingSummaryResponse summary;
    const grpc::Status status =
        Call(&Stub::GetStaffingSummary, request, &summary);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> cells;
    for (const auto& c : summary.counts()) {
      cells.push_back(absl::StrFormat(
          "%s/%s/%s=%d", v1::Qualification_Name(c.qualification()),
          v1::TitleLevel_Name(c.title_level()),
          c.general_practitioner() ? "GP" : "-", c.count()));
    }
    return {summary.total(), cells};
  }

  std::vector<std::string> Tree(const common::v1::OrgRef& org,
                                const char* as_of) {
    v1::ListSubtreeRequest request;
    *request.mutable_org() = org;
    if (as_of != nullptr) request.mutable_as_of()->set_value(as_of);
    v1::ListSubtreeResponse tree;
    const grpc::Status status = Call(&Stub::ListSubtree, request, &tree);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> roots;
    for (const auto& root : tree.roots()) roots.push_back(Render(root));
    return roots;
  }

  int64_t StaffVersions(const std::string& staff_id) {
    return QueryNumber(*pool_,
                       "SELECT COUNT(*) FROM staff_history WHERE staff_id = ?",
                       staff_id);
  }
  int64_t InstitutionVersions(const std::string& institution_id) {
    return QueryNumber(
        *pool_,
        "SELECT COUNT(*) FROM institution_history WHERE institution_id = ?",
        institution_id);
  }

  static common::v1::OrgRef CommunityOrg(const v1::Community& community) {
    common::v1::OrgRef org;
    org.set_community_id(community.id());
    return org;
  }
  static common::v1::OrgRef InstitutionOrg(const v1::Institution& institution) {
    common::v1::OrgRef org;
    org.set_institution_id(institution.id());
    return org;
  }

  v1::Community community_;
  v1::Institution hospital_, town1_, town2_, clinic_, clinic2_;
  v1::Staff leaver_, mover_, gp_, stayer_;
};

constexpr char kPhysAssocSenior[] =
    "QUALIFICATION_PRACTISING_PHYSICIAN/TITLE_LEVEL_ASSOCIATE_SENIOR/-=1";
constexpr char kPhysIntermediate[] =
    "QUALIFICATION_PRACTISING_PHYSICIAN/TITLE_LEVEL_INTERMEDIATE/-=1";
constexpr char kPhysIntermediateGp[] =
    "QUALIFICATION_PRACTISING_PHYSICIAN/TITLE_LEVEL_INTERMEDIATE/GP=1";
constexpr char kPhysJunior[] =
    "QUALIFICATION_PRACTISING_PHYSICIAN/TITLE_LEVEL_JUNIOR/-=1";
constexpr char kNurseJunior[] =
    "QUALIFICATION_REGISTERED_NURSE/TITLE_LEVEL_JUNIOR/-=1";

TEST_F(HistoryTest, StaffingSummaryCountsStaffAsTheyWereOnTheDay) {
  ChangeOnChangeDay();
  struct Case {
    const char* name;
    common::v1::OrgRef org;
    const char* as_of;  // nullptr: today
    int total;
    std::vector<std::string> cells;
  };
  const Case cases[] = {
      {"community before the changes",
       CommunityOrg(community_),
       "2025-12-31",
       4,
       {kPhysAssocSenior, kPhysIntermediate, kPhysJunior, kNurseJunior}},
      // Registration holds on earlier days too (the registry knows no
      // earlier state); the memberships bound the community.
      {"community before registration",
       CommunityOrg(community_),
       "2025-03-01",
       4,
       {kPhysAssocSenior, kPhysIntermediate, kPhysJunior, kNurseJunior}},
      {"community before the memberships",
       CommunityOrg(community_),
       "2024-12-31",
       0,
       {}},
      {"community on the change day",
       CommunityOrg(community_),
       "2026-01-10",
       3,
       {kPhysAssocSenior, kPhysIntermediateGp, kNurseJunior}},
      {"community today",
       CommunityOrg(community_),
       nullptr,
       3,
       {kPhysAssocSenior, kPhysIntermediateGp, kNurseJunior}},
      {"first center before",
       InstitutionOrg(town1_),
       "2025-12-31",
       2,
       {kPhysJunior, kNurseJunior}},
      {"first center today",
       InstitutionOrg(town1_),
       nullptr,
       1,
       {kPhysIntermediateGp}},
      {"second center before", InstitutionOrg(town2_), "2025-12-31", 0, {}},
      {"second center today",
       InstitutionOrg(town2_),
       nullptr,
       1,
       {kNurseJunior}},
      {"hospital before",
       InstitutionOrg(hospital_),
       "2026-01-09",
       2,
       {kPhysAssocSenior, kPhysIntermediate}},
      {"hospital today",
       InstitutionOrg(hospital_),
       nullptr,
       1,
       {kPhysAssocSenior}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto [total, cells] = Summary(c.org, c.as_of);
    EXPECT_EQ(total, c.total);
    EXPECT_EQ(cells, c.cells);
  }
}

TEST_F(HistoryTest, SubtreeNestsByTheParentsAndStatusesOfTheDay) {
  ChangeOnChangeDay();
  struct Case {
    const char* name;
    common::v1::OrgRef org;
    const char* as_of;
    std::vector<std::string> roots;
  };
  const Case cases[] = {
      {"community before",
       CommunityOrg(community_),
       "2025-12-31",
       {"县医院(甲镇(甲村室 乙村室) 乙镇)"}},
      {"community before registration",
       CommunityOrg(community_),
       "2025-03-01",
       {"县医院(甲镇(甲村室 乙村室) 乙镇)"}},
      {"community on the change day",
       CommunityOrg(community_),
       "2026-01-10",
       {"县医院(甲镇(乙村室[CLOSED]) 乙镇(甲村室))"}},
      {"community today",
       CommunityOrg(community_),
       nullptr,
       {"县医院(甲镇(乙村室[CLOSED]) 乙镇(甲村室))"}},
      {"first center before",
       InstitutionOrg(town1_),
       "2026-01-09",
       {"甲镇(甲村室 乙村室)"}},
      {"first center today",
       InstitutionOrg(town1_),
       nullptr,
       {"甲镇(乙村室[CLOSED])"}},
      {"second center before", InstitutionOrg(town2_), "2025-12-31", {"乙镇"}},
      {"second center today",
       InstitutionOrg(town2_),
       nullptr,
       {"乙镇(甲村室)"}},
      {"closed clinic before",
       InstitutionOrg(clinic2_),
       "2025-12-31",
       {"乙村室"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Tree(c.org, c.as_of), c.roots);
  }
  // The tree carries the parent of the day, the other fields as now.
  v1::ListSubtreeRequest request;
  request.mutable_org()->set_institution_id(clinic_.id());
  request.mutable_as_of()->set_value("2025-12-31");
  v1::ListSubtreeResponse tree;
  ASSERT_TRUE(Call(&Stub::ListSubtree, request, &tree).ok());
  ASSERT_EQ(tree.roots_size(), 1);
  v1::Institution expected = clinic_;
  expected.set_parent_institution_id(town1_.id());
  EXPECT_EQ(tree.roots(0).institution().SerializeAsString(),
            expected.SerializeAsString());
}

TEST_F(HistoryTest, VersionsAreWrittenWithTheChangeAndOnlyThen) {
  // One version each after registration.
  EXPECT_EQ(StaffVersions(leaver_.id()), 1);
  EXPECT_EQ(InstitutionVersions(clinic_.id()), 1);
  SetToday(absl::CivilDay(2026, 1, 10));
  // A stale update is refused and writes nothing.
  v1::Staff stale = leaver_;
  stale.set_version(leaver_.version() + 1);
  stale.set_status(v1::STAFF_STATUS_LEFT);
  v1::Staff out;
  ExpectError(UpdateStaff(stale, {"status"}, &out), StatusCode::ABORTED,
              "staff.version");
  v1::Institution stale_clinic = clinic_;
  stale_clinic.set_version(clinic_.version() + 1);
  stale_clinic.set_parent_institution_id(town2_.id());
  v1::Institution clinic_out;
  ExpectError(
      UpdateInstitution(stale_clinic, {"parent_institution_id"}, &clinic_out),
      StatusCode::ABORTED, "institution.version");
  // A move to a closed employer is refused after the row was locked and the
  // change applied in memory: still nothing is written.
  v1::Institution closed = clinic2_;
  closed.set_status(v1::INSTITUTION_STATUS_CLOSED);
  ASSERT_TRUE(UpdateInstitution(closed, {"status"}, &clinic2_).ok());
  v1::Staff to_closed = mover_;
  to_closed.set_institution_id(clinic2_.id());
  ExpectError(UpdateStaff(to_closed, {"institution_id"}, &out),
              StatusCode::FAILED_PRECONDITION, "staff.institution_id");
  EXPECT_EQ(StaffVersions(leaver_.id()), 1);
  EXPECT_EQ(StaffVersions(mover_.id()), 1);
  EXPECT_EQ(InstitutionVersions(clinic_.id()), 1);
  EXPECT_EQ(InstitutionVersions(clinic2_.id()), 2);
  SetToday(absl::CivilDay(2026, 2, 1));
  EXPECT_EQ(Summary(InstitutionOrg(hospital_), "2026-01-20").first, 2);
  EXPECT_EQ(Summary(InstitutionOrg(town1_), "2026-01-20").first, 2);
  // A change of fields without history (name, department) writes no
  // version.
  v1::Staff renamed = leaver_;
  renamed.set_name("李医生");
  renamed.set_department("内科");
  ASSERT_TRUE(UpdateStaff(renamed, {"name", "department"}, &leaver_).ok());
  EXPECT_EQ(StaffVersions(leaver_.id()), 1);
  // A real change on a later day closes the open version the day before.
  v1::Staff left = leaver_;
  left.set_status(v1::STAFF_STATUS_LEFT);
  ASSERT_TRUE(UpdateStaff(left, {"status"}, &leaver_).ok());
  EXPECT_EQ(StaffVersions(leaver_.id()), 2);
  EXPECT_EQ(QueryNumber(*pool_,
                        "SELECT COUNT(*) FROM staff_history WHERE staff_id = ? "
                        "AND valid_to = '2026-01-31' AND is_first = 1",
                        leaver_.id()),
            1);
  EXPECT_EQ(Summary(InstitutionOrg(hospital_), "2026-01-31").first, 2);
  EXPECT_EQ(Summary(InstitutionOrg(hospital_), nullptr).first, 1);
}

TEST_F(HistoryTest, EffectiveDateRecordsAChangeLate) {
  SetToday(absl::CivilDay(2026, 1, 20));
  auto update_staff = [&](const v1::Staff& staff, const char* path,
                          const char* effective, v1::Staff* out) {
    v1::UpdateStaffRequest request;
    *request.mutable_staff() = staff;
    request.mutable_update_mask()->add_paths(path);
    if (effective != nullptr) {
      request.mutable_effective_date()->set_value(effective);
    }
    return Call(&Stub::UpdateStaff, request, out);
  };
  auto update_institution = [&](const v1::Institution& institution,
                                const char* path, const char* effective,
                                v1::Institution* out) {
    v1::UpdateInstitutionRequest request;
    *request.mutable_institution() = institution;
    request.mutable_update_mask()->add_paths(path);
    if (effective != nullptr) {
      request.mutable_effective_date()->set_value(effective);
    }
    return Call(&Stub::UpdateInstitution, request, out);
  };
  v1::Staff left = leaver_;
  left.set_status(v1::STAFF_STATUS_LEFT);
  v1::Staff out;
  // Refused before anything is written: after today, malformed, before the
  // registration (the current values hold since 2025-06-01).
  ExpectError(update_staff(left, "status", "2026-01-21", &out),
              StatusCode::INVALID_ARGUMENT, "effective_date");
  ExpectError(update_staff(left, "status", "2026-01-32", &out),
              StatusCode::INVALID_ARGUMENT, "effective_date");
  ExpectError(update_staff(left, "status", "2025-05-31", &out),
              StatusCode::FAILED_PRECONDITION, "effective_date");
  EXPECT_EQ(StaffVersions(leaver_.id()), 1);
  v1::Staff read;
  v1::GetStaffRequest get;
  get.set_id(leaver_.id());
  ASSERT_TRUE(Call(&Stub::GetStaff, get, &read).ok());
  EXPECT_EQ(read.status(), v1::STAFF_STATUS_ACTIVE);
  EXPECT_EQ(read.version(), leaver_.version());
  // Left on 2026-01-15, recorded on 2026-01-20.
  ASSERT_TRUE(update_staff(left, "status", "2026-01-15", &leaver_).ok());
  EXPECT_EQ(Summary(InstitutionOrg(hospital_), "2026-01-14").first, 2);
  EXPECT_EQ(Summary(InstitutionOrg(hospital_), "2026-01-15").first, 1);
  EXPECT_EQ(Summary(InstitutionOrg(hospital_), nullptr).first, 1);
  // A later change cannot go back past that one.
  v1::Staff back = leaver_;
  back.set_status(v1::STAFF_STATUS_ACTIVE);
  ExpectError(update_staff(back, "status", "2026-01-14", &out),
              StatusCode::FAILED_PRECONDITION, "effective_date");
  EXPECT_EQ(StaffVersions(leaver_.id()), 2);
  // Re-parented on 2026-01-15, recorded today.
  v1::Institution moved = clinic_;
  moved.set_parent_institution_id(town2_.id());
  ASSERT_TRUE(
      update_institution(moved, "parent_institution_id", "2026-01-15", &clinic_)
          .ok());
  EXPECT_EQ(Tree(InstitutionOrg(town2_), "2026-01-14"),
            std::vector<std::string>{"乙镇"});
  EXPECT_EQ(Tree(InstitutionOrg(town2_), "2026-01-15"),
            std::vector<std::string>{"乙镇(甲村室)"});
  v1::Institution closed = clinic_;
  closed.set_status(v1::INSTITUTION_STATUS_CLOSED);
  v1::Institution institution_out;
  ExpectError(
      update_institution(closed, "status", "2026-01-10", &institution_out),
      StatusCode::FAILED_PRECONDITION, "effective_date");
  EXPECT_EQ(InstitutionVersions(clinic_.id()), 2);
  // A change of fields without history ignores the date.
  v1::Institution renamed = clinic_;
  renamed.set_name("甲村卫生室");
  ASSERT_TRUE(update_institution(renamed, "name", "2025-01-01", &clinic_).ok());
  EXPECT_EQ(InstitutionVersions(clinic_.id()), 2);
}

TEST_F(HistoryTest, ImportsStartHistories) {
  SetToday(absl::CivilDay(2026, 1, 10));
  grpc::ClientContext context;
  v1::ImportResponse imported;
  auto writer = stub_->ImportStaff(&context, &imported);
  v1::ImportStaffRequest row;
  row.set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
  *row.mutable_staff() = MakeStaff(61, town2_.id());
  ASSERT_TRUE(writer->Write(row));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(imported.ids_size(), 1);
  EXPECT_EQ(StaffVersions(imported.ids(0)), 1);
  // Counted at its employer on a past day too (registration extends back).
  EXPECT_EQ(Summary(InstitutionOrg(town2_), "2025-12-31").first, 1);
}

// The migration gives rows registered before it their first version, from
// their registration day in Asia/Shanghai.
TEST(HistoryMigrationTest, BackfillsExistingRows) {
  std::unique_ptr<db::Pool> pool =
      db::Pool::Create(testing::MariaDb::Shared().NewDatabase("inst_backfill"));
  ASSERT_TRUE(db::ApplyMigrations(*pool, "outbox", outbox::Migrations()).ok());
  ASSERT_TRUE(
      db::ApplyMigrations(*pool, "requests", requests::Migrations()).ok());
  std::vector<db::Migration> before;
  for (const db::Migration& m : Migrations()) {
    if (m.version < 5) before.push_back(m);
  }
  ASSERT_EQ(before.size(), 4u);
  ASSERT_TRUE(db::ApplyMigrations(*pool, "institution", before).ok());
  const absl::Status seeded = db::RunOnConnection(
      *pool, absl::Now() + absl::Seconds(10), [&](sql::Connection& conn) {
        std::unique_ptr<sql::Statement> s(conn.createStatement());
        // 20:00 UTC is the next day in Asia/Shanghai.
        s->execute(absl::StrCat(
            "INSERT INTO institutions (id, uscc, name, kind, tier, "
            "division_code, parent_institution_id, beds, shared_centers, "
            "status, version, create_time) VALUES "
            "('ins-a', '",
            MakeUscc(1), "', 'A', 'A100', 1, '", kTown,
            "', NULL, 0, '', 1, 1, '2024-05-01 20:00:00'), ('ins-b', '",
            MakeUscc(2), "', 'B', 'C210', 2, '", kTown,
            "', 'ins-a', 0, '', 2, 3, '2024-05-01 10:00:00')"));
        s->execute(absl::StrCat(
            "INSERT INTO staff (id, resident_id, name, gender, birth_date, "
            "qualification, title_code, general_practitioner, licence_number, "
            "institution_id, department, status, version, create_time) "
            "VALUES ('stf-a', '",
            MakeResidentId(1), "', 'S', 1, '1985-03-15', 1, '233', 1, '', ",
            "'ins-b', '', 1, 1, '2024-06-30 17:30:00')"));
        return absl::OkStatus();
      });
  ASSERT_TRUE(seeded.ok()) << seeded;
  ASSERT_TRUE(db::ApplyMigrations(*pool, "institution", Migrations()).ok());
  std::vector<std::string> versions;
  ASSERT_TRUE(
      db::RunOnConnection(
          *pool, absl::Now() + absl::Seconds(10),
          [&](sql::Connection& conn) {
            std::unique_ptr<sql::Statement> s(conn.createStatement());
            std::unique_ptr<sql::ResultSet> rows(s->executeQuery(
                "SELECT CONCAT_WS('/', institution_id, "
                "IFNULL(parent_institution_id, '-'), status, valid_from, "
                "IFNULL(valid_to, '-'), is_first) FROM institution_history "
                "ORDER BY institution_id"));
            while (rows->next())
              versions.push_back(rows->getString(1).asStdString());
            rows.reset(s->executeQuery(
                "SELECT CONCAT_WS('/', staff_id, institution_id, status, "
                "qualification, title_code, general_practitioner, valid_from, "
                "IFNULL(valid_to, '-'), is_first) FROM staff_history"));
            while (rows->next())
              versions.push_back(rows->getString(1).asStdString());
            return absl::OkStatus();
          })
          .ok());
  EXPECT_EQ(versions,
            (std::vector<std::string>{"ins-a/-/1/2024-05-02/-/1",
                                      "ins-b/ins-a/2/2024-05-01/-/1",
                                      "stf-a/ins-b/1/1/233/1/2024-07-01/-/1"}));
}

// Migration 0007: no TIMESTAMP column is left in the schema (they end in
// 2038), and the times stored before it read back unchanged.
TEST(DatetimeMigrationTest, NoTimestampColumnIsLeftAndTimesKeepTheirValue) {
  std::unique_ptr<db::Pool> pool =
      db::Pool::Create(testing::MariaDb::Shared().NewDatabase("inst_datetime"));
  ASSERT_TRUE(db::ApplyMigrations(*pool, "outbox", outbox::Migrations()).ok());
  ASSERT_TRUE(
      db::ApplyMigrations(*pool, "requests", requests::Migrations()).ok());
  std::vector<db::Migration> before;
  for (const db::Migration& m : Migrations()) {
    if (m.version < 7) before.push_back(m);
  }
  ASSERT_EQ(before.size(), 6u);
  ASSERT_TRUE(db::ApplyMigrations(*pool, "institution", before).ok());
  const auto query = [&](const std::string& sql) {
    std::vector<std::string> out;
    EXPECT_TRUE(db::RunOnConnection(
                    *pool, absl::Now() + absl::Seconds(10),
                    [&](sql::Connection& conn) {
                      std::unique_ptr<sql::Statement> s(conn.createStatement());
                      std::unique_ptr<sql::ResultSet> rows(
                          s->executeQuery(sql));
                      while (rows->next()) {
                        out.push_back(rows->getString(1).asStdString());
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  };
  const std::string timestamps =
      "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) FROM "
      "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
      "DATA_TYPE = 'timestamp' ORDER BY 1";
  ASSERT_FALSE(query(timestamps).empty()) << "0001-0004 had TIMESTAMP columns";
  ASSERT_TRUE(db::RunOnConnection(
                  *pool, absl::Now() + absl::Seconds(10),
                  [&](sql::Connection& conn) {
                    std::unique_ptr<sql::Statement> s(conn.createStatement());
                    s->execute(
                        "INSERT INTO communities (id, code, name, "
                        "county_division_code, status, version, create_time, "
                        "update_time) VALUES ('com-a', 'A', 'A', '360426', 1, "
                        "1, '2031-05-01 20:00:00.123456', "
                        "'2032-01-01 00:00:00')");
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(db::ApplyMigrations(*pool, "institution", Migrations()).ok());
  EXPECT_EQ(query(timestamps), std::vector<std::string>{});
  EXPECT_EQ(query("SELECT CONCAT(create_time, '/', update_time) FROM "
                  "communities"),
            std::vector<std::string>{
                "2031-05-01 20:00:00.123456/2032-01-01 00:00:00.000000"});
  // Past 2038, which a TIMESTAMP refuses.
  ASSERT_TRUE(db::RunOnConnection(
                  *pool, absl::Now() + absl::Seconds(10),
                  [&](sql::Connection& conn) {
                    std::unique_ptr<sql::Statement> s(conn.createStatement());
                    s->execute(
                        "UPDATE communities SET update_time = "
                        "'2040-02-29 12:00:00' WHERE id = 'com-a'");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(query("SELECT update_time FROM communities"),
            std::vector<std::string>{"2040-02-29 12:00:00.000000"});
}

}  // namespace
}  // namespace cmc::institution
