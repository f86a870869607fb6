// StaffStore over MySQL (schema cmc_institution, migrated), the implementation
// main.cc wires: every write runs in one transaction (db::RunInTransaction:
// READ COMMITTED, deadlocks retried) that also appends the change's event to
// the outbox, and checks needing stored data run in it on rows locked FOR
// UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlStaffStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_STAFF_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_STAFF_STORE_H_

#include <cstdint>
#include <string>

#include "common/db/pool.h"
#include "services/institution/staff_store.h"

namespace cmc::institution {

class MysqlStaffStore final : public StaffStore {
 public:
  explicit MysqlStaffStore(db::Pool* pool);

  absl::StatusOr<v1::Staff> CreateStaff(const RequestClaim& claim,
                                        const v1::Staff& staff,
                                        absl::CivilDay today,
                                        const Actor& actor,
                                        absl::Time deadline) override;
  absl::StatusOr<v1::Staff> GetStaff(const std::string& id,
                                     absl::string_view field,
                                     absl::Time deadline) override;
  absl::StatusOr<v1::Staff> UpdateStaff(const std::string& id, int64_t version,
                                        const Guard<v1::Staff>& guard,
                                        const Mutation<v1::Staff>& mutate,
                                        absl::CivilDay effective_day,
                                        const Actor& actor,
                                        absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Staff>> ListStaff(const StaffFilter& filter,
                                              const PageQuery& page,
                                              absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_STAFF_STORE_H_
