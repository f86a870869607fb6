#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/params.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"
#include "common/validators/validators.h"
#include "services/finance/claim_rules.h"
#include "services/finance/claim_store.h"

namespace cmc::finance {
namespace {

using Statement = std::unique_ptr<sql::PreparedStatement>;
using Rows = std::unique_ptr<sql::ResultSet>;

// Rows per multi-row statement: large enough to amortize a round trip, small
// enough to stay far below max_allowed_packet with 64 KiB records.
constexpr size_t kChunk = 500;

struct Sums {
  int64_t count = 0, total = 0, fund = 0, patient = 0;
};

// Claims stored under any of `ids`, locked until the transaction ends.
std::map<std::string, v1::Claim> StoredClaims(
    sql::Connection& conn, const std::vector<ClaimRow>& rows) {
  std::map<std::string, v1::Claim> stored;
  std::vector<std::string> ids;
  for (const ClaimRow& row : rows) ids.push_back(row.claim.claim_id());
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - start);
    Statement select(conn.prepareStatement(
        absl::StrCat("SELECT record FROM claims WHERE claim_id IN (",
                     db::Placeholders(n), ") FOR UPDATE")));
    for (size_t i = 0; i < n; ++i) {
      select->setString(static_cast<unsigned>(i + 1), ids[start + i]);
    }
    Rows rs(select->executeQuery());
    while (rs->next()) {
      v1::Claim claim;
      claim.ParseFromString(rs->getString("record"));
      stored[claim.claim_id()] = std::move(claim);
    }
  }
  return stored;
}

void InsertClaims(sql::Connection& conn,
                  const std::vector<const ClaimRow*>& fresh) {
  for (size_t start = 0; start < fresh.size(); start += kChunk) {
    const size_t n = std::min(kChunk, fresh.size() - start);
    std::string sql =
        "INSERT INTO claims (claim_id, community_id, location, "
        "institution_id, end_date, total_cost, fund_paid, patient_paid, "
        "record) VALUES ";
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&sql, i ? ", " : "", "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    Statement insert(conn.prepareStatement(sql));
    std::vector<std::istringstream> blobs(n);
    unsigned p = 1;
    for (size_t i = 0; i < n; ++i) {
      const v1::Claim& c = fresh[start + i]->claim;
      insert->setString(p++, c.claim_id());
      insert->setString(p++, c.community_id());
      insert->setInt(p++, c.location());
      insert->setString(p++, c.institution_id());
      insert->setString(p++, c.end_date().value());
      insert->setInt64(p++, c.total_cost().fen());
      insert->setInt64(p++, c.fund_paid().fen());
      insert->setInt64(p++, c.patient_paid().fen());
      blobs[i].str(c.SerializeAsString());
      insert->setBlob(p++, &blobs[i]);
    }
    insert->executeUpdate();
  }
}

void AddToTotals(sql::Connection& conn, const std::string& community_id,
                 const std::map<SpendKey, Sums>& added) {
  std::vector<std::pair<SpendKey, Sums>> rows(added.begin(), added.end());
  for (size_t start = 0; start < rows.size(); start += kChunk) {
    const size_t n = std::min(kChunk, rows.size() - start);
    std::string sql =
        "INSERT INTO claim_totals (community_id, location, institution_id, "
        "month, claim_count, total_cost, fund_paid, patient_paid) VALUES ";
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&sql, i ? ", " : "", "(?, ?, ?, ?, ?, ?, ?, ?)");
    }
    absl::StrAppend(&sql,
                    " ON DUPLICATE KEY UPDATE claim_count = claim_count + "
                    "VALUES(claim_count), total_cost = total_cost + "
                    "VALUES(total_cost), fund_paid = fund_paid + "
                    "VALUES(fund_paid), patient_paid = patient_paid + "
                    "VALUES(patient_paid)");
    Statement upsert(conn.prepareStatement(sql));
    unsigned p = 1;
    for (size_t i = 0; i < n; ++i) {
      const auto& [key, sums] = rows[start + i];
      upsert->setString(p++, community_id);
      upsert->setInt(p++, std::get<0>(key));
      upsert->setString(p++, std::get<1>(key));
      upsert->setString(p++, std::get<2>(key));
      upsert->setInt64(p++, sums.count);
      upsert->setInt64(p++, sums.total);
      upsert->setInt64(p++, sums.fund);
      upsert->setInt64(p++, sums.patient);
    }
    upsert->executeUpdate();
  }
}

void AnnounceTotals(sql::Connection& conn, const std::string& community_id,
                    const std::map<SpendKey, Sums>& changed,
                    const std::string& actor) {
  Statement select(conn.prepareStatement(
      "SELECT claim_count, total_cost, fund_paid, patient_paid FROM "
      "claim_totals WHERE community_id = ? AND location = ? AND "
      "institution_id = ? AND month = ?"));
  for (const auto& [key, unused] : changed) {
    select->setString(1, community_id);
    select->setInt(2, std::get<0>(key));
    select->setString(3, std::get<1>(key));
    select->setString(4, std::get<2>(key));
    Rows rs(select->executeQuery());
    if (!rs->next()) continue;
    v1::FundSpending spending;
    spending.set_community_id(community_id);
    spending.set_location(static_cast<v1::CareLocation>(std::get<0>(key)));
    spending.set_institution_id(std::get<1>(key));
    spending.mutable_month()->set_value(std::get<2>(key));
    spending.set_claim_count(rs->getInt64("claim_count"));
    spending.mutable_total_cost()->set_fen(rs->getInt64("total_cost"));
    spending.mutable_fund_paid()->set_fen(rs->getInt64("fund_paid"));
    spending.mutable_patient_paid()->set_fen(rs->getInt64("patient_paid"));
    outbox::EventDraft draft;
    draft.type = "finance.FundSpendingRecorded";
    draft.aggregate_type = "FundSpending";
    draft.aggregate_id = absl::StrCat(
        community_id, "/",
        std::get<1>(key).empty() ? "out-of-county" : std::get<1>(key), "/",
        std::get<2>(key));
    draft.actor = actor;
    draft.payload = &spending;
    outbox::Append(conn, draft);
  }
}

v1::SpendBreakdown BreakdownOf(sql::ResultSet& rs) {
  v1::SpendBreakdown row;
  row.set_location(static_cast<v1::CareLocation>(rs.getInt("location")));
  row.set_institution_id(rs.getString("institution_id"));
  row.mutable_month()->set_value(rs.getString("month"));
  row.set_claim_count(rs.getInt64("claim_count"));
  row.mutable_total_cost()->set_fen(rs.getInt64("total_cost"));
  row.mutable_fund_paid()->set_fen(rs.getInt64("fund_paid"));
  row.mutable_patient_paid()->set_fen(rs.getInt64("patient_paid"));
  return row;
}

class MysqlClaimStore final : public ClaimStore {
 public:
  explicit MysqlClaimStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<BatchOutcome> Ingest(const std::string& community_id,
                                      const std::vector<ClaimRow>& rows,
                                      const std::string& actor,
                                      absl::Time deadline) override {
    BatchOutcome outcome;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          std::map<std::string, v1::Claim> stored = StoredClaims(conn, rows);
          std::vector<const ClaimRow*> fresh;
          outcome = ClassifyRows(community_id, rows, stored, fresh);
          if (!outcome.conflicts.empty() || fresh.empty()) {
            return absl::OkStatus();
          }
          InsertClaims(conn, fresh);
          std::map<SpendKey, Sums> added;
          for (const ClaimRow* row : fresh) {
            Sums& s = added[SpendKeyOf(row->claim)];
            ++s.count;
            s.total += row->claim.total_cost().fen();
            s.fund += row->claim.fund_paid().fen();
            s.patient += row->claim.patient_paid().fen();
          }
          AddToTotals(conn, community_id, added);
          AnnounceTotals(conn, community_id, added, actor);
          outcome.inserted = static_cast<int64_t>(fresh.size());
          return absl::OkStatus();
        }));
    return outcome;
  }

  absl::StatusOr<std::vector<v1::SpendBreakdown>> Spending(
      const std::string& community_id, absl::CivilDay first_day,
      absl::CivilDay last_day, absl::Time deadline) override {
    const bool whole_year =
        first_day.year() == last_day.year() &&
        first_day == absl::CivilDay(first_day.year(), 1, 1) &&
        last_day == absl::CivilDay(last_day.year(), 12, 31);
    std::vector<v1::SpendBreakdown> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(
              whole_year
                  ? "SELECT location, institution_id, month, claim_count, "
                    "total_cost, fund_paid, patient_paid FROM claim_totals "
                    "WHERE community_id = ? AND month BETWEEN ? AND ? "
                    "ORDER BY location, institution_id, month"
                  : "SELECT location, institution_id, "
                    "DATE_FORMAT(end_date, '%Y-%m') AS month, "
                    "COUNT(*) AS claim_count, SUM(total_cost) AS total_cost, "
                    "SUM(fund_paid) AS fund_paid, SUM(patient_paid) AS "
                    "patient_paid FROM claims WHERE community_id = ? AND "
                    "end_date BETWEEN ? AND ? GROUP BY location, "
                    "institution_id, month ORDER BY location, institution_id, "
                    "month"));
          select->setString(1, community_id);
          if (whole_year) {
            select->setString(2, absl::StrCat(first_day.year(), "-01"));
            select->setString(3, absl::StrCat(first_day.year(), "-12"));
          } else {
            select->setString(2, FormatCivilDate(first_day));
            select->setString(3, FormatCivilDate(last_day));
          }
          Rows rs(select->executeQuery());
          while (rs->next()) out.push_back(BreakdownOf(*rs));
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<std::vector<v1::Claim>> List(const ClaimFilter& filter,
                                              const std::string& after,
                                              int limit,
                                              absl::Time deadline) override {
    std::string sql =
        "SELECT record FROM claims WHERE community_id = ? AND claim_id > ?";
    std::vector<db::Param> params = {filter.community_id, after};
    if (!filter.first_day.empty()) {
      sql += " AND end_date BETWEEN ? AND ?";
      params.emplace_back(filter.first_day);
      params.emplace_back(filter.last_day);
    }
    if (!filter.institution_id.empty()) {
      sql += " AND institution_id = ?";
      params.emplace_back(filter.institution_id);
    }
    if (filter.location != v1::CARE_LOCATION_UNSPECIFIED) {
      sql += " AND location = ?";
      params.emplace_back(int64_t{filter.location});
    }
    sql += " ORDER BY claim_id LIMIT ?";
    params.emplace_back(int64_t{limit});
    std::vector<v1::Claim> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out.clear();
          Statement select(conn.prepareStatement(sql));
          db::BindParams(*select, params);
          Rows rs(select->executeQuery());
          while (rs->next()) {
            out.emplace_back().ParseFromString(rs->getString("record"));
          }
          return absl::OkStatus();
        }));
    return out;
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<ClaimStore> NewMysqlClaimStore(db::Pool* pool) {
  return std::make_unique<MysqlClaimStore>(pool);
}

}  // namespace cmc::finance
