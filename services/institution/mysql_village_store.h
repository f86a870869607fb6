// VillageStore over MySQL (schema cmc_institution, migrated), the
// implementation main.cc wires: every write runs in one transaction
// (db::RunInTransaction: READ COMMITTED, deadlocks retried) that also appends
// the change's event to the outbox, and checks needing stored data run in it on
// rows locked FOR UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlVillageStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_VILLAGE_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_VILLAGE_STORE_H_

#include <cstdint>
#include <string>

#include "common/db/pool.h"
#include "services/institution/village_store.h"

namespace cmc::institution {

class MysqlVillageStore final : public VillageStore {
 public:
  explicit MysqlVillageStore(db::Pool* pool);

  absl::StatusOr<v1::Village> CreateVillage(const RequestClaim& claim,
                                            const v1::Village& village,
                                            const Actor& actor,
                                            absl::Time deadline) override;
  absl::StatusOr<v1::Village> GetVillage(const std::string& id,
                                         absl::string_view field,
                                         absl::Time deadline) override;
  absl::StatusOr<v1::Village> UpdateVillage(const std::string& id,
                                            int64_t version,
                                            const Guard<v1::Village>& guard,
                                            const Mutation<v1::Village>& mutate,
                                            const Actor& actor,
                                            absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Village>> ListVillages(
      const VillageFilter& filter, const PageQuery& page,
      absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_VILLAGE_STORE_H_
