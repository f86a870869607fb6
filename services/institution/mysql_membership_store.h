// MembershipStore over MySQL (schema cmc_institution, migrated), the
// implementation main.cc wires: every write runs in one transaction
// (db::RunInTransaction: READ COMMITTED, deadlocks retried) that also appends
// the change's event to the outbox, and checks needing stored data run in it on
// rows locked FOR UPDATE. Thread-safe; the pool must outlive the store.
//
//   MysqlMembershipStore store(&pool);
#ifndef CMC_SERVICES_INSTITUTION_MYSQL_MEMBERSHIP_STORE_H_
#define CMC_SERVICES_INSTITUTION_MYSQL_MEMBERSHIP_STORE_H_

#include <map>
#include <set>
#include <string>

#include "common/db/pool.h"
#include "services/institution/membership_store.h"

namespace cmc::institution {

class MysqlMembershipStore final : public MembershipStore {
 public:
  explicit MysqlMembershipStore(db::Pool* pool);

  absl::StatusOr<v1::Membership> AddMembership(const RequestClaim& claim,
                                               const v1::Membership& membership,
                                               const Actor& actor,
                                               absl::Time deadline) override;
  absl::StatusOr<v1::Membership> EndMembership(
      const std::string& id, absl::CivilDay last_day,
      const Guard<v1::Membership>& guard, const Actor& actor,
      absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Membership>> ListMemberships(
      const MembershipFilter& filter, const PageQuery& page,
      absl::Time deadline) override;
  absl::StatusOr<std::map<std::string, std::string>> MembersOf(
      const std::set<std::string>& community_ids, absl::CivilDay day,
      absl::Time deadline) override;

 private:
  db::Pool* pool_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_MYSQL_MEMBERSHIP_STORE_H_
