// Bulk imports of institutions and staff (ImportInstitutions, ImportStaff):
// the contract of their storage (store_types.h lists what every store
// shares). MysqlImportStore is the implementation; tests use a fake.
//
//   CMC_ASSIGN_OR_RETURN(v1::ImportResponse report,
//                        imports->ImportStaff(rows, mode, today, actor,
//                                             deadline));
#ifndef CMC_SERVICES_INSTITUTION_IMPORT_STORE_H_
#define CMC_SERVICES_INSTITUTION_IMPORT_STORE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

class ImportStore {
 public:
  virtual ~ImportStore() = default;

  // Every row is inserted as its Create call would insert it, and a row's
  // error with a named field (a caller's error) is reported in the response
  // with its line. Any other error (the database unreachable) ends the import
  // with that status; in IMPORT_MODE_BEST_EFFORT rows before it stay
  // imported. Histories of imported rows start on `today`.
  virtual absl::StatusOr<v1::ImportResponse> ImportInstitutions(
      const std::vector<ImportRow<v1::Institution>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline) = 0;
  // As ImportInstitutions, for staff (rows as CreateStaff stores them).
  virtual absl::StatusOr<v1::ImportResponse> ImportStaff(
      const std::vector<ImportRow<v1::Staff>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_IMPORT_STORE_H_
