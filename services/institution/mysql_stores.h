// Every store of the institution service over one MySQL pool (schema
// cmc_institution, migrated): what main.cc, the integration tests and the
// benchmark hand to InstitutionService. Thread-safe; the pool must outlive
// it, and it must outlive the service.
//
//   MysqlStores mysql(&pool);
//   InstitutionService service(mysql.stores(), options);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_STORES_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_STORES_H_

#include "common/db/pool.h"
#include "services/institution/institution_service.h"
#include "services/institution/mysql_community_store.h"
#include "services/institution/mysql_import_store.h"
#include "services/institution/mysql_institution_store.h"
#include "services/institution/mysql_membership_store.h"
#include "services/institution/mysql_org_store.h"
#include "services/institution/mysql_posting_store.h"
#include "services/institution/mysql_staff_store.h"
#include "services/institution/mysql_village_store.h"

namespace cmc::institution {

class MysqlStores {
 public:
  explicit MysqlStores(db::Pool* pool)
      : communities_(pool),
        institutions_(pool),
        memberships_(pool),
        villages_(pool),
        staff_(pool),
        postings_(pool),
        orgs_(pool),
        imports_(pool) {}

  MysqlStores(const MysqlStores&) = delete;
  MysqlStores& operator=(const MysqlStores&) = delete;

  // Pointers into this object, valid while it lives.
  InstitutionService::Stores stores() {
    return {&communities_, &institutions_, &memberships_, &villages_,
            &staff_,       &postings_,     &orgs_,        &imports_};
  }

 private:
  MysqlCommunityStore communities_;
  MysqlInstitutionStore institutions_;
  MysqlMembershipStore memberships_;
  MysqlVillageStore villages_;
  MysqlStaffStore staff_;
  MysqlPostingStore postings_;
  MysqlOrgStore orgs_;
  MysqlImportStore imports_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_STORES_H_
