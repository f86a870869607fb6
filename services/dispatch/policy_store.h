// The versions of each community's dispatch policy, and the national default
// (community_id ""), installed by the migration. Versions are never changed:
// UpdatePolicy adds one. Implementations: MysqlPolicyStore and
// InMemoryPolicyStore. Thread-safe.
#ifndef CMC_SERVICES_DISPATCH_POLICY_STORE_H_
#define CMC_SERVICES_DISPATCH_POLICY_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "common/db/pool.h"

namespace cmc::dispatch {

class PolicyStore {
 public:
  virtual ~PolicyStore() = default;

  // Every version of `community_id`'s own policy, newest first (empty when
  // it has none; "" gives the national default's).
  virtual absl::StatusOr<std::vector<v1::DispatchPolicy>> Versions(
      const std::string& community_id, absl::Time deadline) = 0;

  // Stores `policy` (community_id and version set, create_time set here) and
  // appends dispatch.PolicyUpdated by `actor`. ABORTED "policy.version" when
  // that version exists already (a concurrent update).
  virtual absl::StatusOr<v1::DispatchPolicy> Add(v1::DispatchPolicy policy,
                                                 const std::string& actor,
                                                 absl::Time deadline) = 0;
};

// The policy in force for `community_id`: its newest own version, else the
// national default.
absl::StatusOr<v1::DispatchPolicy> PolicyInForce(
    PolicyStore& store, const std::string& community_id, absl::Time deadline);

std::unique_ptr<PolicyStore> NewMysqlPolicyStore(db::Pool* pool);

// Starts with the national default.
class InMemoryPolicyStore final : public PolicyStore {
 public:
  InMemoryPolicyStore();
  absl::StatusOr<std::vector<v1::DispatchPolicy>> Versions(
      const std::string& community_id, absl::Time deadline) override;
  absl::StatusOr<v1::DispatchPolicy> Add(v1::DispatchPolicy policy,
                                         const std::string& actor,
                                         absl::Time deadline) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, std::vector<v1::DispatchPolicy>> versions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_POLICY_STORE_H_
