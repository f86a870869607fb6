#include "services/finance/mysql_ledger_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/ledger_store.h"

namespace cmc::finance {
namespace {

std::unique_ptr<sql::ResultSet> Query(sql::PreparedStatement& statement) {
  return std::unique_ptr<sql::ResultSet>(statement.executeQuery());
}

class MysqlLedgerStore final : public LedgerStore {
 public:
  explicit MysqlLedgerStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<v1::JournalEntry> Post(v1::JournalEntry entry,
                                        const std::string& key_field,
                                        absl::Time deadline) override {
    v1::JournalEntry out;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          CMC_ASSIGN_OR_RETURN(out, PostEntryOn(conn, entry, key_field));
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::JournalEntry> Get(const std::string& id,
                                       absl::Time deadline) override {
    v1::JournalEntry out;
    bool found = false;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
              "SELECT record FROM journal_entries WHERE id = ?"));
          select->setString(1, id);
          auto rs = Query(*select);
          found = rs->next();
          if (found) out.ParseFromString(rs->getString("record"));
          return absl::OkStatus();
        }));
    if (!found) {
      return FieldError(absl::StatusCode::kNotFound, "id", "no such entry");
    }
    return out;
  }

  absl::StatusOr<std::map<v1::AccountPurpose, AccountTotals>> Totals(
      const std::string& owner_id, absl::CivilDay last_day,
      absl::Time deadline) override {
    std::map<v1::AccountPurpose, AccountTotals> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
              "SELECT purpose, side, SUM(amount) AS total FROM journal_lines "
              "WHERE owner_id = ? AND entry_date <= ? GROUP BY purpose, side"));
          select->setString(1, owner_id);
          select->setString(2, FormatCivilDate(last_day));
          auto rs = Query(*select);
          while (rs->next()) {
            AccountTotals& t =
                out[static_cast<v1::AccountPurpose>(rs->getInt("purpose"))];
            const int64_t total = rs->getInt64("total");
            if (rs->getInt("side") == v1::SIDE_DEBIT) {
              t.debits += total;
            } else {
              t.credits += total;
            }
          }
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<std::vector<LedgerLine>> Lines(const std::string& owner_id,
                                                v1::AccountPurpose purpose,
                                                absl::CivilDay first_day,
                                                absl::CivilDay last_day,
                                                absl::Time deadline) override {
    std::vector<LedgerLine> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
              "SELECT l.side, l.amount, e.id, e.record FROM journal_lines l "
              "JOIN journal_entries e ON e.row_no = l.entry_row "
              "WHERE l.owner_id = ? AND l.purpose = ? AND l.entry_date "
              "BETWEEN ? AND ? ORDER BY l.entry_date, l.entry_row, l.line_no"));
          select->setString(1, owner_id);
          select->setInt(2, purpose);
          select->setString(3, FormatCivilDate(first_day));
          select->setString(4, FormatCivilDate(last_day));
          auto rs = Query(*select);
          while (rs->next()) {
            v1::JournalEntry entry;
            entry.ParseFromString(rs->getString("record"));
            out.push_back({entry.id(), entry.entry_date().value(),
                           entry.description(),
                           static_cast<v1::Side>(rs->getInt("side")),
                           rs->getInt64("amount")});
          }
          return absl::OkStatus();
        }));
    return out;
  }

 private:
  db::Pool* pool_;
};

void WriteRecord(sql::Connection& conn, const v1::JournalEntry& entry) {
  std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
      "UPDATE journal_entries SET reversed_by = ?, record = ? WHERE id = ?"));
  update->setString(1, entry.reversed_by_entry_id());
  std::istringstream blob(entry.SerializeAsString());
  update->setBlob(2, &blob);
  update->setString(3, entry.id());
  update->executeUpdate();
}

}  // namespace

absl::StatusOr<v1::JournalEntry> PostEntryOn(sql::Connection& conn,
                                             v1::JournalEntry entry,
                                             const std::string& key_field) {
  {
    std::unique_ptr<sql::PreparedStatement> existing(conn.prepareStatement(
        "SELECT record FROM journal_entries WHERE community_id = ? AND "
        "external_key = ? FOR UPDATE"));
    existing->setString(1, entry.community_id());
    existing->setString(2, entry.external_key());
    auto rs = Query(*existing);
    if (rs->next()) {
      v1::JournalEntry stored;
      stored.ParseFromString(rs->getString("record"));
      if (SameEntryContent(stored, entry)) return stored;
      return FieldError(absl::StatusCode::kAlreadyExists, key_field,
                        absl::StrCat("entry ", stored.id(),
                                     " was posted with this key and other "
                                     "content"));
    }
  }
  if (!entry.reverses_entry_id().empty()) {
    std::unique_ptr<sql::PreparedStatement> original(conn.prepareStatement(
        "SELECT record FROM journal_entries WHERE id = ? FOR UPDATE"));
    original->setString(1, entry.reverses_entry_id());
    auto rs = Query(*original);
    if (!rs->next()) {
      return FieldError(absl::StatusCode::kNotFound, "entry_id",
                        "no such entry");
    }
    v1::JournalEntry stored;
    stored.ParseFromString(rs->getString("record"));
    if (!stored.reversed_by_entry_id().empty()) {
      return FieldError(
          absl::StatusCode::kFailedPrecondition, "entry_id",
          absl::StrCat("already reversed by ", stored.reversed_by_entry_id()));
    }
    stored.set_reversed_by_entry_id(entry.id());
    WriteRecord(conn, stored);
  }
  std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
      "INSERT INTO journal_entries (id, community_id, external_key, "
      "entry_date, create_time, record) VALUES (?, ?, ?, ?, ?, ?)"));
  insert->setString(1, entry.id());
  insert->setString(2, entry.community_id());
  insert->setString(3, entry.external_key());
  insert->setString(4, entry.entry_date().value());
  insert->setString(5, db::DbTime(FromProtoTime(entry.posted_at())));
  std::istringstream blob(entry.SerializeAsString());
  insert->setBlob(6, &blob);
  insert->executeUpdate();
  std::unique_ptr<sql::PreparedStatement> row(
      conn.prepareStatement("SELECT LAST_INSERT_ID() AS row_no"));
  auto rs = Query(*row);
  rs->next();
  const int64_t entry_row = rs->getInt64("row_no");
  std::unique_ptr<sql::PreparedStatement> line(conn.prepareStatement(
      "INSERT INTO journal_lines (entry_row, line_no, owner_id, purpose, "
      "entry_date, side, amount) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  for (int i = 0; i < entry.lines_size(); ++i) {
    const v1::JournalLine& l = entry.lines(i);
    line->setInt64(1, entry_row);
    line->setInt(2, i);
    line->setString(3, l.owner_id());
    line->setInt(4, l.purpose());
    line->setString(5, entry.entry_date().value());
    line->setInt(6, l.side());
    line->setInt64(7, l.amount().fen());
    line->executeUpdate();
  }
  outbox::EventDraft draft;
  draft.type = "finance.JournalEntryPosted";
  draft.aggregate_type = "JournalEntry";
  draft.aggregate_id = entry.id();
  draft.actor = entry.posted_by().empty() ? "system" : entry.posted_by();
  draft.payload = &entry;
  outbox::Append(conn, draft);
  return entry;
}

std::unique_ptr<LedgerStore> NewMysqlLedgerStore(db::Pool* pool) {
  return std::make_unique<MysqlLedgerStore>(pool);
}

}  // namespace cmc::finance
