// Touring and coverage of the reference county end to end: the institution
// and dispatch services and the gateway as child processes, the county loaded
// through the gateway (reference_county_loader.h). Before any touring the
// villages without a resident doctor are blank spots, exactly those; the rota
// the community's administrator proposes for the next calendar quarter covers
// every one of them and, accepted, leaves no blank spot in the quarter; a
// clinic whose doctors leave makes its village a blank spot again, named by
// GetCoverage.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "cmc/dispatch/v1/dispatch.grpc.pb.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/testing/reference_county.h"
#include "common/testing/reference_county_loader.h"
#include "common/testing/stack.h"

namespace cmc::dispatch {
namespace {

namespace inst = ::cmc::institution::v1;
namespace ref = ::cmc::institution::reference;
using testing::Stack;

std::string SourceDir() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/e2e/"));
}

// The calendar quarter after the one holding today (Asia/Shanghai), e.g.
// "2027Q1": wholly in the future, so every day of it may be planned.
std::string NextQuarter() {
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  const int quarter = (today.month() - 1) / 3;  // 0..3
  return quarter == 3 ? absl::StrCat(today.year() + 1, "Q1")
                      : absl::StrCat(today.year(), "Q", quarter + 2);
}

// Village indices (Village(v)) with no resident doctor: no clinic, or a
// clinic none of whose staff is a physician.
std::set<int> VillagesWithoutADoctor() {
  std::set<int> clinics_with_doctor;
  const std::vector<std::string> ids(ref::kInstitutions, "ins");
  for (int s = 0; s < ref::kStaff; ++s) {
    const int employer = ref::EmployerIndex(s);
    if (employer >= ref::ClinicIndex(0) &&
        ref::Staff(s, ids).qualification() ==
            inst::QUALIFICATION_PRACTISING_PHYSICIAN) {
      clinics_with_doctor.insert(employer);
    }
  }
  std::set<int> villages;
  for (int v = 0; v < ref::kVillages; ++v) {
    if (v >= ref::kClinics || !clinics_with_doctor.count(ref::ClinicIndex(v))) {
      villages.insert(v);
    }
  }
  return villages;
}

class DispatchE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::StackOptions options(CMC_BINARY_DIR, SourceDir());
    options.areas = {"institution", "dispatch"};
    options.env["gateway"] = {{"CMC_RATE_LIMIT_PER_S", "5000"},
                              {"CMC_RATE_LIMIT_BURST", "5000"}};
    stack_ = std::make_unique<Stack>(options);
    const absl::Status started = stack_->Start();
    ASSERT_TRUE(started.ok()) << started << "\n" << stack_->Logs();
    institutions_ = inst::InstitutionService::NewStub(stack_->GatewayChannel());
    dispatch_ = v1::DispatchService::NewStub(stack_->GatewayChannel());
  }

  // Village ids with a blank day in `period`, from GetCoverage.
  std::set<std::string> BlankVillages(const std::string& token,
                                      const std::string& community_id,
                                      const std::string& period,
                                      v1::CoverageReport* report) {
    v1::GetCoverageRequest request;
    request.set_community_id(community_id);
    request.mutable_period()->set_value(period);
    request.set_blank_only(true);
    request.mutable_page()->set_page_size(1);
    const grpc::Status status = dispatch_->GetCoverage(
        Stack::Context(token, absl::Seconds(120)).get(), request, report);
    EXPECT_TRUE(status.ok())
        << status.error_code() << " " << status.error_message();
    std::set<std::string> villages;
    for (const v1::BlankSpot& spot : report->blank_spots()) {
      villages.insert(spot.village_id());
    }
    EXPECT_EQ(static_cast<int>(villages.size()),
              report->villages_with_blank_days());
    return villages;
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<inst::InstitutionService::Stub> institutions_;
  std::unique_ptr<v1::DispatchService::Stub> dispatch_;
};

TEST_F(DispatchE2eTest, AnAcceptedRotaLeavesNoBlankSpotAndLeaversMakeOne) {
  absl::StatusOr<ref::LoadedCounty> county = ref::LoadReferenceCounty(
      *institutions_,
      stack_->Token("user:county-admin", "community_admin", "county"));
  ASSERT_TRUE(county.ok()) << county.status() << stack_->Logs();
  const std::string community_id = county->community.id();
  const std::string admin = stack_->Token(
      "user:dispatch-admin", "community_admin", "community:" + community_id);
  const std::string quarter = NextQuarter();

  // Before any touring: exactly the villages without a resident doctor.
  std::set<std::string> expected;
  for (int v : VillagesWithoutADoctor())
    expected.insert(county->village_ids[v]);
  ASSERT_FALSE(expected.empty());
  v1::CoverageReport report;
  EXPECT_EQ(BlankVillages(admin, community_id, quarter, &report), expected);
  EXPECT_EQ(report.village_count(), ref::kVillages);
  for (const v1::BlankSpot& spot : report.blank_spots()) {
    EXPECT_EQ(spot.reason(), v1::BLANK_REASON_NOT_TOURED)
        << spot.ShortDebugString();
  }

  // The rota for the quarter covers every village-week that needs a visit.
  v1::ProposeTouringRotaRequest propose;
  propose.set_request_id("e2e-rota");
  propose.set_community_id(community_id);
  propose.mutable_period()->set_value(quarter);
  v1::RotaProposal rota;
  {
    auto context = Stack::Context(admin, absl::Seconds(120));
    const grpc::Status status =
        dispatch_->ProposeTouringRota(context.get(), propose, &rota);
    ASSERT_TRUE(status.ok()) << status.error_message() << stack_->Logs();
  }
  EXPECT_TRUE(rota.complete());
  EXPECT_EQ(rota.uncovered_size(), 0) << rota.uncovered(0).ShortDebugString();
  EXPECT_GE(rota.village_weeks_needed(),
            static_cast<int>(expected.size()) * 13);
  EXPECT_EQ(rota.village_weeks_covered(), rota.village_weeks_needed());
  EXPECT_EQ(rota.visits_size(), rota.village_weeks_needed());
  EXPECT_LE(rota.most_visits_per_person() - rota.fewest_visits_per_person(), 1)
      << "the load is balanced";

  v1::AcceptRotaRequest accept;
  accept.set_id(rota.id());
  accept.set_version(rota.version());
  v1::RotaProposal accepted;
  {
    auto context = Stack::Context(admin, absl::Seconds(120));
    const grpc::Status status =
        dispatch_->AcceptRota(context.get(), accept, &accepted);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(accepted.status(), v1::ROTA_STATUS_ACCEPTED);
  std::set<int> organisers;  // one plan per township center with visits
  for (int v : VillagesWithoutADoctor()) organisers.insert(v % ref::kTownships);
  EXPECT_EQ(accepted.plan_ids_size(), static_cast<int>(organisers.size()));

  EXPECT_TRUE(BlankVillages(admin, community_id, quarter, &report).empty())
      << report.blank_spots(0).ShortDebugString();
  EXPECT_EQ(report.village_count(), ref::kVillages);

  // The physicians of one village's clinic leave: that village, and only it,
  // is a blank spot again (nobody tours a village with a resident doctor).
  int village = -1;
  for (int v = 0; v < ref::kClinics && village < 0; ++v) {
    if (!VillagesWithoutADoctor().count(v)) village = v;
  }
  ASSERT_GE(village, 0);
  const std::string clinic = county->institution_ids[ref::ClinicIndex(village)];
  int left = 0;
  for (int s = 0; s < ref::kStaff; ++s) {
    if (ref::EmployerIndex(s) != ref::ClinicIndex(village)) continue;
    inst::GetStaffRequest get;
    get.set_id(county->staff_ids[s]);
    inst::Staff staff;
    ASSERT_TRUE(
        institutions_->GetStaff(Stack::Context(admin).get(), get, &staff).ok());
    if (staff.qualification() != inst::QUALIFICATION_PRACTISING_PHYSICIAN) {
      continue;
    }
    inst::UpdateStaffRequest update;
    update.mutable_staff()->set_id(staff.id());
    update.mutable_staff()->set_version(staff.version());
    update.mutable_staff()->set_status(inst::STAFF_STATUS_LEFT);
    update.mutable_update_mask()->add_paths("status");
    const grpc::Status status =
        institutions_->UpdateStaff(Stack::Context(admin).get(), update, &staff);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ++left;
  }
  ASSERT_GT(left, 0);
  // Dispatch reuses what the institution service answered for 30 s; a
  // restarted dispatch asks again at once.
  const absl::Status restarted = stack_->Restart("dispatch");
  ASSERT_TRUE(restarted.ok()) << restarted << stack_->Logs();
  EXPECT_EQ(BlankVillages(admin, community_id, quarter, &report),
            std::set<std::string>{county->village_ids[village]})
      << "clinic " << clinic;
  ASSERT_EQ(report.blank_spots_size(), 1);
  EXPECT_EQ(report.blank_spots(0).reason(), v1::BLANK_REASON_NOT_TOURED);
}

}  // namespace
}  // namespace cmc::dispatch
