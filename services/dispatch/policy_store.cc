#include "services/dispatch/policy_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "services/dispatch/policy.h"

namespace cmc::dispatch {
namespace {

absl::Status VersionTaken(int64_t version) {
  return FieldError(
      absl::StatusCode::kAborted, "policy.version",
      absl::StrCat("version ", version, " was made meanwhile: read again"));
}

class MysqlPolicyStore final : public PolicyStore {
 public:
  explicit MysqlPolicyStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::DispatchPolicy>> Versions(
      const std::string& community_id, absl::Time deadline) override {
    std::vector<v1::DispatchPolicy> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
              "SELECT record FROM policies WHERE community_id = ? "
              "ORDER BY version DESC"));
          select->setString(1, community_id);
          std::unique_ptr<sql::ResultSet> rs(select->executeQuery());
          while (rs->next()) {
            out.emplace_back().ParseFromString(rs->getString("record"));
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::DispatchPolicy> Add(v1::DispatchPolicy policy,
                                         const std::string& actor,
                                         absl::Time deadline) override {
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          std::unique_ptr<sql::PreparedStatement> exists(conn.prepareStatement(
              "SELECT 1 FROM policies WHERE community_id = ? AND version = ? "
              "FOR UPDATE"));
          exists->setString(1, policy.community_id());
          exists->setInt64(2, policy.version());
          std::unique_ptr<sql::ResultSet> rs(exists->executeQuery());
          if (rs->next()) return VersionTaken(policy.version());
          const absl::Time now = absl::Now();
          policy.set_actor(actor);
          ToProtoTime(now, policy.mutable_create_time());
          std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
              "INSERT INTO policies (community_id, version, create_time, "
              "record) VALUES (?, ?, ?, ?)"));
          insert->setString(1, policy.community_id());
          insert->setInt64(2, policy.version());
          insert->setString(3, db::DbTime(now));
          std::istringstream blob(policy.SerializeAsString());
          insert->setBlob(4, &blob);
          insert->executeUpdate();
          outbox::EventDraft draft;
          draft.type = "dispatch.PolicyUpdated";
          draft.aggregate_type = "DispatchPolicy";
          draft.aggregate_id = policy.community_id();
          draft.actor = actor;
          draft.payload = &policy;
          outbox::Append(conn, draft);
          return absl::OkStatus();
        }));
    return policy;
  }

 private:
  db::Pool* pool_;
};

}  // namespace

absl::StatusOr<v1::DispatchPolicy> PolicyInForce(
    PolicyStore& store, const std::string& community_id, absl::Time deadline) {
  if (!community_id.empty()) {
    CMC_ASSIGN_OR_RETURN(std::vector<v1::DispatchPolicy> own,
                         store.Versions(community_id, deadline));
    if (!own.empty()) return own.front();
  }
  CMC_ASSIGN_OR_RETURN(std::vector<v1::DispatchPolicy> national,
                       store.Versions("", deadline));
  if (national.empty()) {
    return absl::InternalError("the national default policy is missing");
  }
  return national.front();
}

std::unique_ptr<PolicyStore> NewMysqlPolicyStore(db::Pool* pool) {
  return std::make_unique<MysqlPolicyStore>(pool);
}

InMemoryPolicyStore::InMemoryPolicyStore() {
  versions_[""].push_back(NationalDefaultPolicy());
}

absl::StatusOr<std::vector<v1::DispatchPolicy>> InMemoryPolicyStore::Versions(
    const std::string& community_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::DispatchPolicy> out = versions_[community_id];
  std::reverse(out.begin(), out.end());
  return out;
}

absl::StatusOr<v1::DispatchPolicy> InMemoryPolicyStore::Add(
    v1::DispatchPolicy policy, const std::string& actor, absl::Time) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::DispatchPolicy>& list = versions_[policy.community_id()];
  for (const v1::DispatchPolicy& p : list) {
    if (p.version() == policy.version()) return VersionTaken(policy.version());
  }
  policy.set_actor(actor);
  list.push_back(policy);
  return policy;
}

}  // namespace cmc::dispatch
