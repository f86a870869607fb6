#include "common/testing/reference_county.h"

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/validators/validators.h"

namespace cmc::institution::reference {

std::string Uscc(int n) { return MakeUscc(kCountyCode, n); }

std::string ResidentId(int n) {
  return MakeResidentId(kCountyCode, absl::CivilDay(1960, 1, 1) + n / 10,
                        n % 10);
}

std::string TownshipCode(int t) {
  return absl::StrFormat("%s%03d000", kCountyCode, 101 + t);
}

std::string VillageCode(int v) {
  return absl::StrFormat("%s%03d%03d", kCountyCode, 101 + v % kTownships,
                         201 + v / kTownships);
}

namespace {

InstitutionRow Row(int n, const std::string& name, const char* kind,
                   common::v1::Tier tier, const std::string& division,
                   int parent) {
  InstitutionRow row;
  row.institution.set_uscc(Uscc(n));
  row.institution.set_name(name);
  row.institution.set_kind(kind);
  row.institution.set_tier(tier);
  row.institution.set_division_code(division);
  row.parent = parent;
  return row;
}

}  // namespace

std::vector<InstitutionRow> Institutions() {
  std::vector<InstitutionRow> rows;
  rows.reserve(kInstitutions);
  const std::string county_seat = TownshipCode(0);
  rows.push_back(Row(1, "参考县人民医院", "A100", common::v1::TIER_COUNTY,
                     county_seat, -1));
  const char* public_health[] = {"J100", "K100", "G100"};
  for (int i = 0; i < 3; ++i) {
    rows.push_back(Row(2 + i, absl::StrFormat("公共卫生机构%d", i),
                       public_health[i], common::v1::TIER_COUNTY, county_seat,
                       -1));
  }
  for (int t = 0; t < kTownships; ++t) {
    rows.push_back(Row(10 + t, absl::StrFormat("第%d镇中心卫生院", t + 1),
                       t < 3 ? "C210" : "C220", common::v1::TIER_TOWNSHIP,
                       TownshipCode(t), 0));
  }
  for (int c = 0; c < kClinics; ++c) {
    rows.push_back(Row(100 + c, absl::StrFormat("第%d村卫生室", c + 1),
                       c % 10 == 0 ? "B200" : "D600", common::v1::TIER_VILLAGE,
                       VillageCode(c), TownshipIndex(c % kTownships)));
  }
  return rows;
}

v1::Village Village(int v, const std::string& community_id,
                    const std::vector<std::string>& institution_ids) {
  v1::Village village;
  village.set_community_id(community_id);
  village.set_division_code(VillageCode(v));
  village.set_name(absl::StrFormat("第%d村", v + 1));
  village.set_population(2317);  // 764,600 residents / 330 villages
  village.set_township_center_id(
      institution_ids[TownshipIndex(v % kTownships)]);
  if (v < kClinics)
    village.set_village_clinic_id(institution_ids[ClinicIndex(v)]);
  village.set_has_resident_village_doctor(v < kClinics);
  return village;
}

int EmployerIndex(int s) {
  // Of every six people, three work at the county tier, two at township
  // centers and one at a clinic; each tier's institutions are taken in turn,
  // so every institution of a tier gets staff of every qualification.
  const int round = s / 6;
  const int slot = s % 6;
  if (slot < 3) return (round * 3 + slot) % kCountyTier;
  if (slot < 5) return TownshipIndex((round * 2 + slot - 3) % kTownships);
  return ClinicIndex(round % kClinics);
}

v1::Staff Staff(int s, const std::vector<std::string>& institution_ids) {
  v1::Staff staff;
  staff.set_resident_id(ResidentId(s));
  staff.set_name(absl::StrFormat("职工%d", s));
  if (s < kPhysicians) {
    staff.set_qualification(v1::QUALIFICATION_PRACTISING_PHYSICIAN);
    staff.set_title_code(absl::StrFormat("23%d", 1 + s % 5));
    staff.set_general_practitioner(s % 7 == 0);
  } else if (s < kPhysicians + kNurses) {
    staff.set_qualification(v1::QUALIFICATION_REGISTERED_NURSE);
    staff.set_title_code(absl::StrFormat("25%d", 1 + s % 5));
  } else {
    staff.set_qualification(v1::QUALIFICATION_OTHER);
  }
  staff.set_institution_id(institution_ids[EmployerIndex(s)]);
  return staff;
}

}  // namespace cmc::institution::reference
