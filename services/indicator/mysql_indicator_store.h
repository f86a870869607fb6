// IndicatorStore over MySQL (schema cmc_indicator, migrations/): all the
// service's SQL, prepared statements only, writes in db::RunInTransaction.
#ifndef CMC_SERVICES_INDICATOR_MYSQL_INDICATOR_STORE_H_
#define CMC_SERVICES_INDICATOR_MYSQL_INDICATOR_STORE_H_

#include <memory>

#include "common/db/pool.h"
#include "services/indicator/indicator_store.h"

namespace cmc::indicator {

// A store on `pool`, which must outlive it.
std::unique_ptr<IndicatorStore> NewMysqlIndicatorStore(db::Pool* pool);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_MYSQL_INDICATOR_STORE_H_
