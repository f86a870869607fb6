// Administrative villages and the township center and village clinic that
// serve each: the contract of their storage (store_types.h lists what every
// store shares). MysqlVillageStore is the implementation; tests use a fake.
//
//   CMC_ASSIGN_OR_RETURN(v1::Village found,
//                        villages->GetVillage(id, "id", deadline));
#ifndef CMC_SERVICES_INSTITUTION_VILLAGE_STORE_H_
#define CMC_SERVICES_INSTITUTION_VILLAGE_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

class VillageStore {
 public:
  virtual ~VillageStore() = default;

  // Stores a validated new village after the checks listed for CreateVillage
  // in institution.proto.
  virtual absl::StatusOr<v1::Village> CreateVillage(const RequestClaim& claim,
                                                    const v1::Village& village,
                                                    const Actor& actor,
                                                    absl::Time deadline) = 0;
  // NOT_FOUND naming `field` when `id` is unknown.
  virtual absl::StatusOr<v1::Village> GetVillage(const std::string& id,
                                                 absl::string_view field,
                                                 absl::Time deadline) = 0;
  // As CommunityStore::UpdateCommunity (NOT_FOUND "village.id", ABORTED
  // "village.version"); changed institutions are re-checked as on create.
  // `guard` sees the stored village before the version check.
  virtual absl::StatusOr<v1::Village> UpdateVillage(
      const std::string& id, int64_t version, const Guard<v1::Village>& guard,
      const Mutation<v1::Village>& mutate, const Actor& actor,
      absl::Time deadline) = 0;
  // The villages matching `filter`, one page in creation order.
  virtual absl::StatusOr<PageOf<v1::Village>> ListVillages(
      const VillageFilter& filter, const PageQuery& page,
      absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_VILLAGE_STORE_H_
