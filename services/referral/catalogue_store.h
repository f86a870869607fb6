// The in-county condition catalogue's storage. The handlers hold this
// interface; the MySQL implementation is MysqlCatalogueStore
// (mysql_catalogue_store.h), and handler tests use an in-memory fake.
//
//   std::unique_ptr<CatalogueStore> catalogue =
//       std::make_unique<MysqlCatalogueStore>(&pool);
//   CMC_ASSIGN_OR_RETURN(v1::InCountyCondition written,
//                        catalogue->Upsert(condition, expected, actor,
//                                          deadline));
//
// Every write comes with its event (an event exists if and only if its change
// does). Implementations are thread-safe.
#ifndef CMC_SERVICES_REFERRAL_CATALOGUE_STORE_H_
#define CMC_SERVICES_REFERRAL_CATALOGUE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/referral/v1/referral.pb.h"
#include "services/referral/in_county_catalogue.h"

namespace cmc::referral {

// One page of catalogue entries, in code order.
struct ConditionPage {
  std::vector<v1::InCountyCondition> conditions;
  // True when more entries match after this page.
  bool more = false;
};

class CatalogueStore {
 public:
  virtual ~CatalogueStore() = default;

  // Creates or replaces the entry of `condition` (validated) as
  // CheckUpsertVersion allows, with version, times and updated_by =
  // `principal`, and appends referral.InCountyConditionCreated or
  // referral.InCountyConditionUpdated. The errors of CheckUpsertVersion;
  // UNAVAILABLE, DEADLINE_EXCEEDED or INTERNAL from the database.
  virtual absl::StatusOr<v1::InCountyCondition> Upsert(
      v1::InCountyCondition condition, std::optional<int64_t> expected_version,
      const std::string& principal, absl::Time deadline) = 0;

  // Removes the entry `icd10_code` at `version` and appends
  // referral.InCountyConditionDeleted; returns the entry as it was. NOT_FOUND
  // "icd10_code"; ABORTED "version" when it is at another version.
  virtual absl::StatusOr<v1::InCountyCondition> Delete(
      const std::string& icd10_code, int64_t version,
      const std::string& principal, absl::Time deadline) = 0;

  // Entries matching `filter`, in code order.
  virtual absl::StatusOr<ConditionPage> List(const ConditionFilter& filter,
                                             absl::Time deadline) = 0;

  // The entries whose code is one of `codes` (any order).
  virtual absl::StatusOr<std::vector<v1::InCountyCondition>> FindByCodes(
      const std::vector<std::string>& codes, absl::Time deadline) = 0;

  // Every entry (a county lists hundreds; INTERNAL beyond 100,000).
  virtual absl::StatusOr<std::vector<v1::InCountyCondition>> All(
      absl::Time deadline) = 0;
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_CATALOGUE_STORE_H_
