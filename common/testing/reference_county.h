// The reference county of ../shared/domain.md §1 as generated master data
// (pure, deterministic, thread-safe), shared by the institution benchmark and
// the end-to-end test that loads it through the gateway:
//   1 lead hospital (A100) and 3 public-health institutions (J100, K100,
//   G100) at the county seat; 9 township centers (3 C210, 6 C220) reporting to
//   the hospital; 322 village clinics and stations (every tenth B200, else
//   D600) reporting to the township centers in turn; 330 villages (322 with a
//   clinic and a resident village doctor); 5,248 staff: 1,991 practising
//   physicians (titles 231-235 in turn, every seventh a GP), 1,659 registered
//   nurses (251-255), the rest QUALIFICATION_OTHER; half employed at the county
//   tier, a third at the township centers, the rest in the villages, each
//   tier's institutions in turn (every township center and clinic has
//   physicians).
//
//   const std::vector<reference::InstitutionRow> rows =
//   reference::Institutions();
//   ... create rows[i].institution (parent: rows[rows[i].parent]) ...
//   v1::Village v = reference::Village(0, community_id, ids);
#ifndef CMC_COMMON_TESTING_REFERENCE_COUNTY_H_
#define CMC_COMMON_TESTING_REFERENCE_COUNTY_H_

#include <string>
#include <vector>

#include "cmc/institution/v1/institution.pb.h"

namespace cmc::institution::reference {

namespace v1 = ::cmc::institution::v1;

inline constexpr char kCountyCode[] = "360426";
inline constexpr int kCountyTier = 4;  // the hospital, then public health
inline constexpr int kTownships = 9;
inline constexpr int kClinics = 322;
inline constexpr int kInstitutions = kCountyTier + kTownships + kClinics;
inline constexpr int kVillages = 330;
inline constexpr int kStaff = 5248;
inline constexpr int kPhysicians = 1991;
inline constexpr int kNurses = 1659;

// Index in Institutions() of township center t (0..8) and clinic c (0..321).
inline constexpr int TownshipIndex(int t) { return kCountyTier + t; }
inline constexpr int ClinicIndex(int c) { return kCountyTier + kTownships + c; }

// A valid USCC (GB 32100) of the county for each n; Institutions() uses
// n = 1..4 (county), 10..18 (townships), 100..421 (clinics).
std::string Uscc(int n);
// A distinct valid resident ID (GB 11643) of the county for each n in
// 0..99999 (born 1960-01-01 + n / 10 days).
std::string ResidentId(int n);
// The 12-digit division codes: township t's seat and village v.
std::string TownshipCode(int t);
std::string VillageCode(int v);

// One institution of the county; `parent` is the index of its parent in
// Institutions() (-1 for none), always lower than its own.
struct InstitutionRow {
  v1::Institution institution;  // uscc, name, kind, tier, division_code
  int parent = -1;
};
// The kInstitutions institutions, parents first.
std::vector<InstitutionRow> Institutions();

// Village v (0..kVillages-1) of `community_id`; `institution_ids[i]` is the id
// of Institutions()[i].
v1::Village Village(int v, const std::string& community_id,
                    const std::vector<std::string>& institution_ids);

// Staff member s (0..kStaff-1); its employer is named by `institution_ids`
// (as for Village).
v1::Staff Staff(int s, const std::vector<std::string>& institution_ids);
// The index in Institutions() of staff member s's employer.
int EmployerIndex(int s);

}  // namespace cmc::institution::reference

#endif  // CMC_COMMON_TESTING_REFERENCE_COUNTY_H_
