// CatalogueStore on MySQL / MariaDB (table in_county_conditions,
// migrations/0002_in_county_catalogue.sql): all of the catalogue's SQL. Every
// write runs in one transaction with its outbox event; writes lock the entry
// they judge (SELECT ... FOR UPDATE).
//
//   MysqlCatalogueStore catalogue(&pool);
//
// Thread-safe.
#ifndef CMC_SERVICES_REFERRAL_MYSQL_CATALOGUE_STORE_H_
#define CMC_SERVICES_REFERRAL_MYSQL_CATALOGUE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/db/pool.h"
#include "services/referral/catalogue_store.h"

namespace cmc::referral {

class MysqlCatalogueStore final : public CatalogueStore {
 public:
  // `pool` (schema migrated) must outlive the store.
  explicit MysqlCatalogueStore(db::Pool* pool);

  absl::StatusOr<v1::InCountyCondition> Upsert(
      v1::InCountyCondition condition, std::optional<int64_t> expected_version,
      const std::string& principal, absl::Time deadline) override;
  absl::StatusOr<v1::InCountyCondition> Delete(const std::string& icd10_code,
                                               int64_t version,
                                               const std::string& principal,
                                               absl::Time deadline) override;
  absl::StatusOr<ConditionPage> List(const ConditionFilter& filter,
                                     absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::InCountyCondition>> FindByCodes(
      const std::vector<std::string>& codes, absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::InCountyCondition>> All(
      absl::Time deadline) override;

 private:
  db::Pool* const pool_;
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_MYSQL_CATALOGUE_STORE_H_
