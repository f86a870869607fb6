// The reference county of ../shared/domain.md, end to end: the institution
// service and the gateway as child processes (cmc::testing::Stack); a
// community administrator scoped to the community loads the county through the
// gateway with the import streams (institutions joining the community in the
// same transaction) and CreateVillage, and reads it back with ListSubtree and
// GetStaffingSummary; a township administrator scoped to one township center
// sees that center and is refused another's.
#include "common/testing/reference_county.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/identity/principal.h"
#include "common/status.h"
#include "common/testing/reference_county_loader.h"
#include "common/testing/stack.h"

namespace cmc::institution {
namespace {

namespace ref = reference;
using testing::Stack;
using Stub = v1::InstitutionService::Stub;

std::string SourceDir() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/e2e/"));
}

// Institutions, villages (placed under each) by tier, walking the tree.
void Walk(const v1::SubtreeNode& node, std::map<common::v1::Tier, int>* tiers,
          std::map<common::v1::Tier, int>* villages) {
  ++(*tiers)[node.institution().tier()];
  (*villages)[node.institution().tier()] += node.villages_size();
  for (const v1::SubtreeNode& child : node.children()) {
    Walk(child, tiers, villages);
  }
}

class ReferenceCountyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::StackOptions options(CMC_BINARY_DIR, SourceDir());
    options.areas = {"institution"};
    // One administrator loads 330 villages with unary calls.
    options.env["gateway"] = {{"CMC_RATE_LIMIT_PER_S", "5000"},
                              {"CMC_RATE_LIMIT_BURST", "5000"}};
    stack_ = std::make_unique<Stack>(options);
    const absl::Status started = stack_->Start();
    ASSERT_TRUE(started.ok()) << started << "\n" << stack_->Logs();
    stub_ = v1::InstitutionService::NewStub(stack_->GatewayChannel());
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(ReferenceCountyTest, LoadsThroughTheGatewayAndReadsBackWithinScope) {
  // The community (only a county-wide administrator creates one), its
  // institutions by one all-or-nothing import stream (parents by USCC, every
  // row joining the community), 330 villages by CreateVillage and the staff by
  // one import stream: reference_county_loader.cc.
  const std::string county_admin =
      stack_->Token("user:county-admin", "community_admin", "county");
  absl::StatusOr<ref::LoadedCounty> loaded =
      ref::LoadReferenceCounty(*stub_, county_admin);
  ASSERT_TRUE(loaded.ok()) << loaded.status() << stack_->Logs();
  const v1::Community& community = loaded->community;
  const std::vector<std::string>& ids = loaded->institution_ids;
  const std::string admin = stack_->Token("user:ref-admin", "community_admin",
                                          "community:" + community.id());

  // The whole county read back by the community's administrator.
  v1::ListSubtreeRequest subtree;
  subtree.mutable_org()->set_community_id(community.id());
  v1::ListSubtreeResponse tree;
  {
    const grpc::Status status =
        stub_->ListSubtree(Stack::Context(admin).get(), subtree, &tree);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(tree.community().id(), community.id());
  EXPECT_EQ(tree.institution_count(), ref::kInstitutions);
  EXPECT_EQ(tree.village_count(), ref::kVillages);
  EXPECT_EQ(tree.roots_size(), ref::kCountyTier);
  EXPECT_EQ(tree.unplaced_villages_size(), 0);
  std::map<common::v1::Tier, int> tiers;
  std::map<common::v1::Tier, int> villages;
  for (const v1::SubtreeNode& root : tree.roots()) {
    Walk(root, &tiers, &villages);
  }
  EXPECT_EQ(tiers[common::v1::TIER_COUNTY], 4);
  EXPECT_EQ(tiers[common::v1::TIER_TOWNSHIP], 9);
  EXPECT_EQ(tiers[common::v1::TIER_VILLAGE], 322);
  EXPECT_EQ(villages[common::v1::TIER_VILLAGE], 322);  // under their clinic
  EXPECT_EQ(villages[common::v1::TIER_TOWNSHIP], 8);   // no clinic
  EXPECT_EQ(villages[common::v1::TIER_COUNTY], 0);

  // Staffing: every staff member, by qualification, and the GPs.
  int gps = 0;
  std::map<int, int> employed;  // institution index -> staff
  for (int s = 0; s < ref::kStaff; ++s) {
    gps += ref::Staff(s, ids).general_practitioner();
    ++employed[ref::EmployerIndex(s)];
  }
  v1::GetStaffingSummaryRequest summary_request;
  *summary_request.mutable_org() = subtree.org();
  v1::GetStaffingSummaryResponse summary;
  ASSERT_TRUE(stub_
                  ->GetStaffingSummary(Stack::Context(admin).get(),
                                       summary_request, &summary)
                  .ok());
  EXPECT_EQ(summary.total(), ref::kStaff);
  EXPECT_EQ(summary.general_practitioners(), gps);
  std::map<v1::Qualification, int> by_qualification;
  for (const v1::StaffingCount& count : summary.counts()) {
    by_qualification[count.qualification()] += count.count();
  }
  EXPECT_EQ(by_qualification[v1::QUALIFICATION_PRACTISING_PHYSICIAN],
            ref::kPhysicians);
  EXPECT_EQ(by_qualification[v1::QUALIFICATION_REGISTERED_NURSE], ref::kNurses);
  EXPECT_EQ(by_qualification[v1::QUALIFICATION_OTHER],
            ref::kStaff - ref::kPhysicians - ref::kNurses);

  // ListStaff in the community's scope counts everyone; the full resident
  // IDs the administrator sees are marked for the gateway's audit.
  {
    v1::ListStaffRequest request;
    request.mutable_page()->set_page_size(10);
    v1::ListStaffResponse page;
    auto context = Stack::Context(admin);
    ASSERT_TRUE(stub_->ListStaff(context.get(), request, &page).ok());
    EXPECT_EQ(page.page().total_size(), ref::kStaff);
    ASSERT_EQ(page.staff_size(), 10);
    EXPECT_FALSE(page.staff(0).resident_id_masked());
    EXPECT_EQ(context->GetServerTrailingMetadata().count(kPersonalDataTrailer),
              1u);
  }

  // A township administrator scoped to the first township center.
  const std::string own = ids[ref::TownshipIndex(0)];
  const std::string other = ids[ref::TownshipIndex(1)];
  const std::string township_admin =
      stack_->Token("user:town-admin", "township_admin", "institution:" + own);
  v1::GetInstitutionRequest get;
  get.set_id(own);
  v1::Institution institution;
  ASSERT_TRUE(stub_
                  ->GetInstitution(Stack::Context(township_admin).get(), get,
                                   &institution)
                  .ok());
  EXPECT_EQ(institution.id(), own);
  get.set_id(other);
  grpc::Status refused = stub_->GetInstitution(
      Stack::Context(township_admin).get(), get, &institution);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << refused.error_message();
  EXPECT_EQ(BadField(FromGrpcStatus(refused)), "id");

  // Its subtree: the center and the villages it is responsible for; the
  // clinics below it belong to other scopes.
  v1::ListSubtreeRequest own_tree;
  own_tree.mutable_org()->set_institution_id(own);
  ASSERT_TRUE(
      stub_->ListSubtree(Stack::Context(township_admin).get(), own_tree, &tree)
          .ok());
  int own_villages = 0;
  for (int v = 0; v < ref::kVillages; ++v)
    own_villages += v % ref::kTownships == 0;
  EXPECT_EQ(tree.institution_count(), 1);
  EXPECT_EQ(tree.village_count(), own_villages);
  v1::ListInstitutionsRequest list;
  v1::ListInstitutionsResponse listed;
  ASSERT_TRUE(stub_
                  ->ListInstitutions(Stack::Context(township_admin).get(), list,
                                     &listed)
                  .ok());
  ASSERT_EQ(listed.institutions_size(), 1);
  EXPECT_EQ(listed.institutions(0).id(), own);

  v1::GetStaffingSummaryRequest own_summary;
  own_summary.mutable_org()->set_institution_id(own);
  ASSERT_TRUE(stub_
                  ->GetStaffingSummary(Stack::Context(township_admin).get(),
                                       own_summary, &summary)
                  .ok());
  EXPECT_EQ(summary.total(), employed[ref::TownshipIndex(0)]);
  own_summary.mutable_org()->set_institution_id(other);
  refused = stub_->GetStaffingSummary(Stack::Context(township_admin).get(),
                                      own_summary, &summary);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(BadField(FromGrpcStatus(refused)), "org.institution_id");
  subtree.mutable_org()->set_community_id(community.id());
  refused =
      stub_->ListSubtree(Stack::Context(township_admin).get(), subtree, &tree);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(BadField(FromGrpcStatus(refused)), "org.community_id");
}

}  // namespace
}  // namespace cmc::institution
