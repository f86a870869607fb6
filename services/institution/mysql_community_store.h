// CommunityStore over MySQL (schema cmc_institution, migrated), the
// implementation main.cc wires: every write runs in one transaction
// (db::RunInTransaction: READ COMMITTED, deadlocks retried) that also appends
// the change's event to the outbox, and checks needing stored data run in it on
// rows locked FOR UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlCommunityStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_COMMUNITY_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_COMMUNITY_STORE_H_

#include <cstdint>
#include <string>

#include "common/db/pool.h"
#include "services/institution/community_store.h"

namespace cmc::institution {

class MysqlCommunityStore final : public CommunityStore {
 public:
  explicit MysqlCommunityStore(db::Pool* pool);

  absl::StatusOr<v1::Community> CreateCommunity(const RequestClaim& claim,
                                                const v1::Community& community,
                                                const Actor& actor,
                                                absl::Time deadline) override;
  absl::StatusOr<v1::Community> GetCommunity(const std::string& id,
                                             absl::string_view field,
                                             absl::Time deadline) override;
  absl::StatusOr<v1::Community> UpdateCommunity(
      const std::string& id, int64_t version,
      const Mutation<v1::Community>& mutate, const Actor& actor,
      absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Community>> ListCommunities(
      const CommunityFilter& filter, const PageQuery& page,
      absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_COMMUNITY_STORE_H_
