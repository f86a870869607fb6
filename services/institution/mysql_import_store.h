// ImportStore over MySQL (schema cmc_institution, migrated), the implementation
// main.cc wires: every write runs in one transaction (db::RunInTransaction:
// READ COMMITTED, deadlocks retried) that also appends the change's event to
// the outbox, and checks needing stored data run in it on rows locked FOR
// UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlImportStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_IMPORT_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_IMPORT_STORE_H_

#include <vector>

#include "common/db/pool.h"
#include "services/institution/import_store.h"

namespace cmc::institution {

class MysqlImportStore final : public ImportStore {
 public:
  explicit MysqlImportStore(db::Pool* pool);

  absl::StatusOr<v1::ImportResponse> ImportInstitutions(
      const std::vector<ImportRow<v1::Institution>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline) override;
  absl::StatusOr<v1::ImportResponse> ImportStaff(
      const std::vector<ImportRow<v1::Staff>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_IMPORT_STORE_H_
