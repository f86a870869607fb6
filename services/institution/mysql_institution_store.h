// InstitutionStore over MySQL (schema cmc_institution, migrated), the
// implementation main.cc wires: every write runs in one transaction
// (db::RunInTransaction: READ COMMITTED, deadlocks retried) that also appends
// the change's event to the outbox, and checks needing stored data run in it on
// rows locked FOR UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlInstitutionStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_INSTITUTION_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_INSTITUTION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/db/pool.h"
#include "services/institution/institution_store.h"

namespace cmc::institution {

class MysqlInstitutionStore final : public InstitutionStore {
 public:
  explicit MysqlInstitutionStore(db::Pool* pool);

  absl::StatusOr<v1::Institution> CreateInstitution(
      const RequestClaim& claim, const v1::Institution& institution,
      const std::optional<Joining>& joining, absl::CivilDay today,
      const Actor& actor, absl::Time deadline) override;
  absl::StatusOr<v1::Institution> GetInstitution(const std::string& id,
                                                 absl::string_view field,
                                                 absl::Time deadline) override;
  absl::StatusOr<v1::Institution> UpdateInstitution(
      const std::string& id, int64_t version,
      const Mutation<v1::Institution>& mutate, absl::CivilDay today,
      absl::CivilDay effective_day, const Actor& actor,
      absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Institution>> ListInstitutions(
      const InstitutionFilter& filter, const PageQuery& page,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Institution>> BatchGetInstitutions(
      const std::vector<std::string>& ids, absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_INSTITUTION_STORE_H_
