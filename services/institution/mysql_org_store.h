// OrgStore over MySQL (schema cmc_institution, migrated), the implementation
// main.cc wires: every write runs in one transaction (db::RunInTransaction:
// READ COMMITTED, deadlocks retried) that also appends the change's event to
// the outbox, and checks needing stored data run in it on rows locked FOR
// UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlOrgStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_ORG_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_ORG_STORE_H_

#include <vector>

#include "common/db/pool.h"
#include "services/institution/org_store.h"

namespace cmc::institution {

class MysqlOrgStore final : public OrgStore {
 public:
  explicit MysqlOrgStore(db::Pool* pool);

  absl::StatusOr<OrgContents> LoadOrgContents(const common::v1::OrgRef& org,
                                              absl::CivilDay as_of,
                                              absl::CivilDay today,
                                              absl::Time deadline) override;
  absl::StatusOr<std::vector<StaffingRow>> CountActiveStaff(
      const common::v1::OrgRef& org, absl::CivilDay as_of, absl::CivilDay today,
      absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_ORG_STORE_H_
