// PostingStore over MySQL (schema cmc_institution, migrated), the
// implementation main.cc wires: every write runs in one transaction
// (db::RunInTransaction: READ COMMITTED, deadlocks retried) that also appends
// the change's event to the outbox, and checks needing stored data run in it on
// rows locked FOR UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlPostingStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_POSTING_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_POSTING_STORE_H_

#include <string>

#include "common/db/pool.h"
#include "services/institution/posting_store.h"

namespace cmc::institution {

class MysqlPostingStore final : public PostingStore {
 public:
  explicit MysqlPostingStore(db::Pool* pool);

  absl::StatusOr<v1::Posting> CreatePosting(const RequestClaim& claim,
                                            const v1::Posting& posting,
                                            const Guard<v1::Staff>& guard,
                                            const Actor& actor,
                                            absl::Time deadline) override;
  absl::StatusOr<v1::Posting> EndPosting(const std::string& id,
                                         absl::CivilDay last_day,
                                         const Guard<v1::Posting>& guard,
                                         const Actor& actor,
                                         absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Posting>> ListPostings(
      const PostingFilter& filter, const PageQuery& page,
      absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_POSTING_STORE_H_
