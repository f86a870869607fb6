#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/internal_store.h"
#include "services/finance/mysql_ledger_store.h"

namespace cmc::finance {
namespace {

using Statement = std::unique_ptr<sql::PreparedStatement>;
using Rows = std::unique_ptr<sql::ResultSet>;

void Announce(sql::Connection& conn, const char* type, const char* aggregate,
              const std::string& id, const std::string& actor,
              const google::protobuf::Message& payload) {
  outbox::EventDraft draft;
  draft.type = type;
  draft.aggregate_type = aggregate;
  draft.aggregate_id = id;
  draft.actor = actor;
  draft.payload = &payload;
  outbox::Append(conn, draft);
}

bool MonthPosted(sql::Connection& conn, const std::string& community_id,
                 const std::string& month) {
  Statement select(conn.prepareStatement(
      "SELECT 1 FROM internal_statements WHERE community_id = ? AND month = ? "
      "LOCK IN SHARE MODE"));
  select->setString(1, community_id);
  select->setString(2, month);
  Rows rs(select->executeQuery());
  return rs->next();
}

class MysqlInternalStore final : public InternalStore {
 public:
  explicit MysqlInternalStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::PriceList>> PriceLists(
      const std::string& community_id, absl::Time deadline) override {
    std::vector<v1::PriceList> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              "SELECT record FROM price_lists WHERE community_id = ? ORDER BY "
              "version"));
          select->setString(1, community_id);
          Rows rs(select->executeQuery());
          while (rs->next()) {
            out.emplace_back().ParseFromString(rs->getString("record"));
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::PriceList> AddPriceList(v1::PriceList list,
                                             const std::string& actor,
                                             absl::Time deadline) override {
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          Statement latest(conn.prepareStatement(
              "SELECT record FROM price_lists WHERE community_id = ? ORDER BY "
              "version DESC LIMIT 1 FOR UPDATE"));
          latest->setString(1, list.community_id());
          Rows rs(latest->executeQuery());
          v1::PriceList stored;
          if (rs->next()) stored.ParseFromString(rs->getString("record"));
          if (list.version() != stored.version() + 1) {
            return FieldError(absl::StatusCode::kAborted, "price_list.version",
                              "a newer version exists: read again");
          }
          if (list.effective_from().value() < stored.effective_from().value()) {
            return InvalidField("price_list.effective_from",
                                "before the latest version's effective_from");
          }
          Statement insert(conn.prepareStatement(
              "INSERT INTO price_lists (community_id, version, effective_from, "
              "create_time, record) VALUES (?, ?, ?, ?, ?)"));
          insert->setString(1, list.community_id());
          insert->setInt64(2, list.version());
          insert->setString(3, list.effective_from().value());
          insert->setString(4, db::DbTime(absl::Now()));
          std::istringstream blob(list.SerializeAsString());
          insert->setBlob(5, &blob);
          insert->executeUpdate();
          Announce(conn, "finance.PriceListUpdated", "PriceList",
                   list.community_id(), actor, list);
          return absl::OkStatus();
        }));
    return list;
  }

  absl::StatusOr<v1::ServiceRecord> AddServiceRecord(
      const RequestClaim& claim, v1::ServiceRecord record,
      const std::string& actor, absl::Time deadline) override {
    v1::ServiceRecord out;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          CMC_ASSIGN_OR_RETURN(std::optional<ClaimedRequest> first,
                               ClaimRequest(conn, claim));
          if (first.has_value()) {
            out.ParseFromString(first->response);
            return absl::OkStatus();
          }
          if (MonthPosted(conn, record.community_id(),
                          record.date().value().substr(0, 7))) {
            return FieldError(absl::StatusCode::kFailedPrecondition,
                              "record.date",
                              "the month's internal statements are posted");
          }
          Statement insert(conn.prepareStatement(
              "INSERT INTO service_records (id, community_id, date, "
              "create_time, record) VALUES (?, ?, ?, ?, ?)"));
          insert->setString(1, record.id());
          insert->setString(2, record.community_id());
          insert->setString(3, record.date().value());
          insert->setString(4, db::DbTime(absl::Now()));
          std::istringstream blob(record.SerializeAsString());
          insert->setBlob(5, &blob);
          insert->executeUpdate();
          RecordClaimResult(conn, claim, record.id(), &record);
          Announce(conn, "finance.ServiceRecorded", "ServiceRecord",
                   record.id(), actor, record);
          out = record;
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<std::vector<v1::ServiceRecord>> Records(
      const std::string& community_id, absl::CivilDay first_day,
      absl::CivilDay last_day, absl::Time deadline) override {
    std::vector<v1::ServiceRecord> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              "SELECT record FROM service_records WHERE community_id = ? AND "
              "date BETWEEN ? AND ? ORDER BY date, row_no"));
          select->setString(1, community_id);
          select->setString(2, FormatCivilDate(first_day));
          select->setString(3, FormatCivilDate(last_day));
          Rows rs(select->executeQuery());
          while (rs->next()) {
            out.emplace_back().ParseFromString(rs->getString("record"));
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<std::optional<v1::InternalStatementBatch>> Posted(
      const std::string& community_id, const std::string& month,
      absl::Time deadline) override {
    std::optional<v1::InternalStatementBatch> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.reset();
          Statement select(conn.prepareStatement(
              "SELECT record FROM internal_statements WHERE community_id = ? "
              "AND month = ?"));
          select->setString(1, community_id);
          select->setString(2, month);
          Rows rs(select->executeQuery());
          if (rs->next()) {
            out.emplace().ParseFromString(rs->getString("record"));
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::InternalStatementBatch> PostMonth(
      v1::InternalStatementBatch batch, std::optional<v1::JournalEntry> entry,
      const std::string& actor, absl::Time deadline) override {
    v1::InternalStatementBatch out;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out = batch;
          Statement select(conn.prepareStatement(
              "SELECT record FROM internal_statements WHERE community_id = ? "
              "AND month = ? FOR UPDATE"));
          select->setString(1, out.community_id());
          select->setString(2, out.month().value());
          Rows rs(select->executeQuery());
          if (rs->next()) {
            out.ParseFromString(rs->getString("record"));
            return absl::OkStatus();
          }
          if (entry.has_value()) {
            CMC_ASSIGN_OR_RETURN(v1::JournalEntry posted,
                                 PostEntryOn(conn, *entry, "month"));
            out.set_journal_entry_id(posted.id());
          }
          for (v1::InternalStatement& s : *out.mutable_statements()) {
            s.set_posted(true);
            s.set_journal_entry_id(out.journal_entry_id());
          }
          Statement insert(conn.prepareStatement(
              "INSERT INTO internal_statements (community_id, month, "
              "create_time, record) VALUES (?, ?, ?, ?)"));
          insert->setString(1, out.community_id());
          insert->setString(2, out.month().value());
          insert->setString(3, db::DbTime(absl::Now()));
          std::istringstream blob(out.SerializeAsString());
          insert->setBlob(4, &blob);
          insert->executeUpdate();
          Announce(conn, "finance.InternalStatementPosted",
                   "InternalStatementBatch",
                   absl::StrCat(out.community_id(), "/", out.month().value()),
                   actor, out);
          return absl::OkStatus();
        }));
    return out;
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<InternalStore> NewMysqlInternalStore(db::Pool* pool) {
  return std::make_unique<MysqlInternalStore>(pool);
}

}  // namespace cmc::finance
