// Loads the reference county (reference_county.h) through the public API of a
// running stack, as a county administrator would: CreateCommunity, one
// all-or-nothing ImportInstitutions stream (every institution joining the
// community), one CreateVillage per village, one ImportStaff stream.
//
//   absl::StatusOr<LoadedCounty> county = LoadReferenceCounty(
//       *stub, stack.Token("user:county-admin", "community_admin", "county"));
#ifndef CMC_COMMON_TESTING_REFERENCE_COUNTY_LOADER_H_
#define CMC_COMMON_TESTING_REFERENCE_COUNTY_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cmc/institution/v1/institution.grpc.pb.h"

namespace cmc::institution::reference {

struct LoadedCounty {
  v1::Community community;
  // institution_ids[i] is the id of Institutions()[i].
  std::vector<std::string> institution_ids;
  // village_ids[v] is the id of Village(v, ...).
  std::vector<std::string> village_ids;
  // staff_ids[s] is the id of Staff(s, ...).
  std::vector<std::string> staff_ids;
};

// `county_admin` is a bearer token with role community_admin and scope
// county. An error names the step and the first failing row.
absl::StatusOr<LoadedCounty> LoadReferenceCounty(
    v1::InstitutionService::Stub& stub, const std::string& county_admin);

}  // namespace cmc::institution::reference

#endif  // CMC_COMMON_TESTING_REFERENCE_COUNTY_LOADER_H_
