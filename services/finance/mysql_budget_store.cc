#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <functional>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "services/finance/budget_store.h"
#include "services/finance/mysql_ledger_store.h"

namespace cmc::finance {
namespace {

using Statement = std::unique_ptr<sql::PreparedStatement>;
using Rows = std::unique_ptr<sql::ResultSet>;

void SetRecord(sql::PreparedStatement& statement, int index,
               const google::protobuf::Message& record,
               std::istringstream& holder) {
  holder.str(record.SerializeAsString());
  statement.setBlob(index, &holder);
}

// The `record` column of the first row of `select`, or false.
template <typename Message>
bool ReadFirst(sql::PreparedStatement& select, Message& out) {
  Rows rs(select.executeQuery());
  if (!rs->next()) return false;
  out.ParseFromString(rs->getString("record"));
  return true;
}

bool YearFinalized(sql::Connection& conn, const std::string& community_id,
                   int year, bool lock) {
  Statement select(conn.prepareStatement(absl::StrCat(
      "SELECT 1 FROM settlements WHERE community_id = ? AND year = ?",
      lock ? " LOCK IN SHARE MODE" : "")));
  select->setString(1, community_id);
  select->setInt(2, year);
  Rows rs(select->executeQuery());
  return rs->next();
}

int64_t LatestPolicyVersion(sql::Connection& conn,
                            const std::string& community_id, int year) {
  Statement select(conn.prepareStatement(
      "SELECT COALESCE(MAX(version), 0) AS v FROM policies WHERE "
      "community_id = ? AND year = ?"));
  select->setString(1, community_id);
  select->setInt(2, year);
  Rows rs(select->executeQuery());
  rs->next();
  return rs->getInt64("v");
}

void AppendEvent(sql::Connection& conn, const char* type,
                 const char* aggregate_type, const std::string& aggregate_id,
                 const std::string& actor,
                 const google::protobuf::Message& payload) {
  outbox::EventDraft draft;
  draft.type = type;
  draft.aggregate_type = aggregate_type;
  draft.aggregate_id = aggregate_id;
  draft.actor = actor;
  draft.payload = &payload;
  outbox::Append(conn, draft);
}

class MysqlBudgetStore final : public BudgetStore {
 public:
  explicit MysqlBudgetStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::optional<v1::SettlementPolicy>> Policy(
      const std::string& community_id, int year, int64_t version,
      absl::Time deadline) override {
    std::optional<v1::SettlementPolicy> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.reset();
          Statement select(conn.prepareStatement(
              version == 0
                  ? "SELECT record FROM policies WHERE community_id = ? AND "
                    "year = ? ORDER BY version DESC LIMIT 1"
                  : "SELECT record FROM policies WHERE community_id = ? AND "
                    "year = ? AND version = ?"));
          select->setString(1, community_id);
          select->setInt(2, year);
          if (version != 0) select->setInt64(3, version);
          v1::SettlementPolicy policy;
          if (ReadFirst(*select, policy)) out = policy;
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::SettlementPolicy> AddPolicy(v1::SettlementPolicy policy,
                                                 const std::string& actor,
                                                 absl::Time deadline) override {
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          if (YearFinalized(conn, policy.community_id(), policy.year(), true)) {
            return FieldError(absl::StatusCode::kFailedPrecondition,
                              "policy.year",
                              "the year's settlement is finalized");
          }
          if (LatestPolicyVersion(conn, policy.community_id(), policy.year()) +
                  1 !=
              policy.version()) {
            return FieldError(absl::StatusCode::kAborted, "policy.version",
                              "a newer version exists: read again");
          }
          Statement insert(conn.prepareStatement(
              "INSERT INTO policies (community_id, year, version, "
              "create_time, record) VALUES (?, ?, ?, ?, ?)"));
          insert->setString(1, policy.community_id());
          insert->setInt(2, policy.year());
          insert->setInt64(3, policy.version());
          insert->setString(4, db::DbTime(FromProtoTime(policy.updated_at())));
          std::istringstream blob;
          SetRecord(*insert, 5, policy, blob);
          insert->executeUpdate();
          AppendEvent(conn, "finance.PolicyUpdated", "SettlementPolicy",
                      absl::StrCat(policy.community_id(), "/", policy.year()),
                      actor, policy);
          return absl::OkStatus();
        }));
    return policy;
  }

  absl::StatusOr<std::optional<v1::AnnualBudget>> Budget(
      const std::string& community_id, int year, absl::Time deadline) override {
    std::optional<v1::AnnualBudget> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.reset();
          Statement select(
              conn.prepareStatement("SELECT record FROM budgets WHERE "
                                    "community_id = ? AND year = ?"));
          select->setString(1, community_id);
          select->setInt(2, year);
          v1::AnnualBudget budget;
          if (ReadFirst(*select, budget)) out = budget;
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::AnnualBudget> SetBudget(v1::AnnualBudget budget,
                                             const std::string& actor,
                                             absl::Time deadline) override {
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          if (YearFinalized(conn, budget.community_id(), budget.year(), true)) {
            return FieldError(absl::StatusCode::kFailedPrecondition,
                              "budget.year",
                              "the year's settlement is finalized");
          }
          Statement select(conn.prepareStatement(
              "SELECT record FROM budgets WHERE community_id = ? AND year = ? "
              "FOR UPDATE"));
          select->setString(1, budget.community_id());
          select->setInt(2, budget.year());
          v1::AnnualBudget stored;
          const bool exists = ReadFirst(*select, stored);
          if (budget.version() != (exists ? stored.version() : 0) + 1) {
            return FieldError(absl::StatusCode::kAborted, "budget.version",
                              "the budget changed: read again");
          }
          if (exists && stored.amount().fen() != budget.amount().fen()) {
            Statement prepaid(conn.prepareStatement(
                "SELECT 1 FROM prepayments WHERE community_id = ? AND year = ? "
                "LIMIT 1"));
            prepaid->setString(1, budget.community_id());
            prepaid->setInt(2, budget.year());
            Rows rs(prepaid->executeQuery());
            if (rs->next()) {
              return FieldError(
                  absl::StatusCode::kFailedPrecondition, "budget.year",
                  "prepayments of the year exist: the amount stays");
            }
          }
          Statement write(conn.prepareStatement(
              "REPLACE INTO budgets (community_id, year, version, amount, "
              "update_time, record) VALUES (?, ?, ?, ?, ?, ?)"));
          write->setString(1, budget.community_id());
          write->setInt(2, budget.year());
          write->setInt64(3, budget.version());
          write->setInt64(4, budget.amount().fen());
          write->setString(5, db::DbTime(FromProtoTime(budget.updated_at())));
          std::istringstream blob;
          SetRecord(*write, 6, budget, blob);
          write->executeUpdate();
          AppendEvent(conn, "finance.BudgetSet", "AnnualBudget",
                      absl::StrCat(budget.community_id(), "/", budget.year()),
                      actor, budget);
          return absl::OkStatus();
        }));
    return budget;
  }

  absl::StatusOr<std::vector<v1::Prepayment>> Prepayments(
      const std::string& community_id, int year, absl::Time deadline) override {
    std::vector<v1::Prepayment> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              "SELECT record FROM prepayments WHERE community_id = ? AND "
              "year = ? ORDER BY month"));
          select->setString(1, community_id);
          select->setInt(2, year);
          Rows rs(select->executeQuery());
          while (rs->next()) {
            out.emplace_back().ParseFromString(rs->getString("record"));
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::Prepayment> AddPrepayment(
      v1::Prepayment prepayment, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) override {
    v1::Prepayment out;
    const int year = std::stoi(prepayment.month().value().substr(0, 4));
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out = prepayment;
          Statement select(conn.prepareStatement(
              "SELECT record FROM prepayments WHERE community_id = ? AND "
              "month = ? FOR UPDATE"));
          select->setString(1, prepayment.community_id());
          select->setString(2, prepayment.month().value());
          if (ReadFirst(*select, out)) return absl::OkStatus();
          if (YearFinalized(conn, prepayment.community_id(), year, true)) {
            return FieldError(absl::StatusCode::kFailedPrecondition, "month",
                              "the year's settlement is finalized");
          }
          if (entry.has_value()) {
            CMC_ASSIGN_OR_RETURN(v1::JournalEntry posted,
                                 PostEntryOn(conn, *entry, "month"));
            out.set_journal_entry_id(posted.id());
          }
          Statement insert(conn.prepareStatement(
              "INSERT INTO prepayments (community_id, month, year, amount, "
              "create_time, record) VALUES (?, ?, ?, ?, ?, ?)"));
          insert->setString(1, out.community_id());
          insert->setString(2, out.month().value());
          insert->setInt(3, year);
          insert->setInt64(4, out.amount().fen());
          insert->setString(5, db::DbTime(absl::Now()));
          std::istringstream blob;
          SetRecord(*insert, 6, out, blob);
          insert->executeUpdate();
          AppendEvent(
              conn, "finance.PrepaymentGenerated", "Prepayment",
              absl::StrCat(out.community_id(), "/", out.month().value()), actor,
              out);
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<std::optional<v1::YearEndSettlement>> Finalized(
      const std::string& community_id, int year, absl::Time deadline) override {
    std::optional<v1::YearEndSettlement> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.reset();
          Statement select(conn.prepareStatement(
              "SELECT record FROM settlements WHERE community_id = ? AND "
              "year = ?"));
          select->setString(1, community_id);
          select->setInt(2, year);
          v1::YearEndSettlement settlement;
          if (ReadFirst(*select, settlement)) out = settlement;
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::YearEndSettlement> Finalize(
      v1::YearEndSettlement settlement, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) override {
    v1::YearEndSettlement out;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out = settlement;
          // Serializes finalizations of one community (and policy writes).
          Statement lock(conn.prepareStatement(
              "SELECT 1 FROM settlements WHERE community_id = ? AND year = ? "
              "FOR UPDATE"));
          lock->setString(1, out.community_id());
          lock->setInt(2, out.year());
          Rows held(lock->executeQuery());
          if (held->next()) {
            return FieldError(absl::StatusCode::kFailedPrecondition, "year",
                              absl::StrCat("the settlement of ", out.year(),
                                           " is finalized already"));
          }
          if (LatestPolicyVersion(conn, out.community_id(), out.year()) !=
              out.policy_version()) {
            return FieldError(absl::StatusCode::kAborted,
                              "expected_policy_version",
                              "the policy changed meanwhile: compute again");
          }
          if (entry.has_value()) {
            CMC_ASSIGN_OR_RETURN(v1::JournalEntry posted,
                                 PostEntryOn(conn, *entry, "year"));
            out.set_journal_entry_id(posted.id());
          }
          Statement insert(conn.prepareStatement(
              "INSERT INTO settlements (community_id, year, id, "
              "finalize_time, record) VALUES (?, ?, ?, ?, ?)"));
          insert->setString(1, out.community_id());
          insert->setInt(2, out.year());
          insert->setString(3, out.id());
          insert->setString(4, db::DbTime(FromProtoTime(out.finalized_at())));
          std::istringstream blob;
          SetRecord(*insert, 5, out, blob);
          insert->executeUpdate();
          AppendEvent(conn, "finance.SettlementFinalized", "YearEndSettlement",
                      out.id(), actor, out);
          return absl::OkStatus();
        }));
    return out;
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<BudgetStore> NewMysqlBudgetStore(db::Pool* pool) {
  return std::make_unique<MysqlBudgetStore>(pool);
}

}  // namespace cmc::finance
