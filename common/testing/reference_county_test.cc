#include "common/testing/reference_county.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/validators/validators.h"

namespace cmc::institution::reference {
namespace {

TEST(ReferenceCountyDataTest, InstitutionsMatchTheDomainModel) {
  const std::vector<InstitutionRow> rows = Institutions();
  ASSERT_EQ(static_cast<int>(rows.size()), kInstitutions);
  std::map<common::v1::Tier, int> tiers;
  std::set<std::string> usccs;
  for (int i = 0; i < kInstitutions; ++i) {
    SCOPED_TRACE(i);
    const v1::Institution& institution = rows[i].institution;
    ++tiers[institution.tier()];
    EXPECT_TRUE(ValidateUscc(institution.uscc(), "uscc").ok());
    EXPECT_TRUE(usccs.insert(institution.uscc()).second);
    EXPECT_LT(rows[i].parent, i);  // parents first
    if (rows[i].parent >= 0) {
      EXPECT_LT(rows[rows[i].parent].institution.tier(), institution.tier());
    }
  }
  EXPECT_EQ(tiers[common::v1::TIER_COUNTY], 4);
  EXPECT_EQ(tiers[common::v1::TIER_TOWNSHIP], 9);
  EXPECT_EQ(tiers[common::v1::TIER_VILLAGE], 322);
  EXPECT_EQ(rows[TownshipIndex(0)].institution.tier(),
            common::v1::TIER_TOWNSHIP);
  EXPECT_EQ(rows[ClinicIndex(0)].institution.tier(), common::v1::TIER_VILLAGE);
}

TEST(ReferenceCountyDataTest, VillagesAndStaffAreDistinctAndPlaced) {
  std::vector<std::string> ids;
  for (int i = 0; i < kInstitutions; ++i)
    ids.push_back("ins-" + std::to_string(i));
  std::set<std::string> codes;
  for (int v = 0; v < kVillages; ++v) {
    const v1::Village village = Village(v, "com-1", ids);
    EXPECT_TRUE(codes.insert(village.division_code()).second);
    EXPECT_EQ(village.village_clinic_id().empty(), v >= kClinics);
  }
  std::set<std::string> residents;
  std::map<v1::Qualification, int> qualifications;
  for (int s = 0; s < kStaff; ++s) {
    const v1::Staff staff = Staff(s, ids);
    EXPECT_TRUE(residents.insert(staff.resident_id()).second);
    ++qualifications[staff.qualification()];
    EXPECT_EQ(staff.institution_id(), ids[EmployerIndex(s)]);
  }
  EXPECT_EQ(qualifications[v1::QUALIFICATION_PRACTISING_PHYSICIAN], 1991);
  EXPECT_EQ(qualifications[v1::QUALIFICATION_REGISTERED_NURSE], 1659);
  EXPECT_EQ(qualifications[v1::QUALIFICATION_OTHER], 5248 - 1991 - 1659);
}

TEST(ReferenceCountyDataTest, EveryTownshipCenterAndClinicHasPhysicians) {
  std::vector<std::string> ids(kInstitutions, "ins");
  std::map<int, int> physicians;  // institution index -> physicians
  std::map<int, int> staff;
  for (int s = 0; s < kStaff; ++s) {
    ++staff[EmployerIndex(s)];
    if (Staff(s, ids).qualification() ==
        v1::QUALIFICATION_PRACTISING_PHYSICIAN) {
      ++physicians[EmployerIndex(s)];
    }
  }
  for (int t = 0; t < kTownships; ++t) {
    EXPECT_GE(physicians[TownshipIndex(t)], 70) << "township " << t;
    EXPECT_GE(staff[TownshipIndex(t)], 190) << "township " << t;
  }
  for (int c = 0; c < kClinics; ++c) {
    EXPECT_GE(physicians[ClinicIndex(c)], 1) << "clinic " << c;
  }
  for (int i = 0; i < kCountyTier; ++i) EXPECT_GE(staff[i], 600) << i;
}

}  // namespace
}  // namespace cmc::institution::reference
