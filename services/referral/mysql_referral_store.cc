#include "services/referral/mysql_referral_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cstdint>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/params.h"
#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/outbox/tail.h"
#include "common/service/county_time.h"
#include "common/service/idempotency.h"
#include "common/status.h"

namespace cmc::referral {
namespace {

using v1::Referral;

absl::StatusOr<Referral> ParseRecord(const std::string& bytes) {
  Referral referral;
  if (!referral.ParseFromString(bytes)) {
    return absl::InternalError("a stored referral record does not parse");
  }
  return referral;
}

// Referral `id` as stored on `conn`; NOT_FOUND "id" when there is none.
absl::StatusOr<Referral> ReadReferral(sql::Connection& conn,
                                      const std::string& id) {
  std::unique_ptr<sql::PreparedStatement> select(
      conn.prepareStatement("SELECT record FROM referrals WHERE id = ?"));
  select->setString(1, id);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  if (!rows->next()) {
    return FieldError(absl::StatusCode::kNotFound, "id",
                      absl::StrCat("no referral ", id));
  }
  return ParseRecord(rows->getString(1));
}

void SetRecord(sql::PreparedStatement& stmt, int index,
               const Referral& referral, std::istringstream& holder) {
  holder.str(referral.SerializeAsString());
  stmt.setBlob(index, &holder);
}

void SetExpireTime(sql::PreparedStatement& stmt, int index,
                   const Referral& referral) {
  if (referral.has_expire_time()) {
    stmt.setString(index, db::DbTime(FromProtoTime(referral.expire_time())));
  } else {
    stmt.setNull(index, sql::DataType::TIMESTAMP);
  }
}

// The referral a committed claim made, as it is stored now.
absl::StatusOr<std::optional<Referral>> ClaimedReferral(
    sql::Connection& conn, const std::optional<ClaimedRequest>& claimed) {
  if (!claimed.has_value()) return std::optional<Referral>();
  CMC_ASSIGN_OR_RETURN(Referral referral,
                       ReadReferral(conn, claimed->resource_id));
  return std::optional<Referral>(std::move(referral));
}

void Insert(sql::Connection& conn, const Referral& referral) {
  std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
      "INSERT INTO referrals (id, status, version, direction, type, "
      "from_institution_id, receiving_institution_id, to_tier, "
      "to_external_uscc, patient_resident_id, create_time, update_time, "
      "expire_time, record) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  int column = 1;
  insert->setString(column++, referral.id());
  insert->setInt(column++, referral.status());
  insert->setInt64(column++, referral.version());
  insert->setInt(column++, referral.direction());
  insert->setInt(column++, referral.type());
  insert->setString(column++, referral.from_institution_id());
  insert->setString(column++, referral.receiving_institution_id());
  insert->setInt(column++, referral.to_case() == Referral::kToTier
                               ? static_cast<int>(referral.to_tier())
                               : 0);
  insert->setString(column++,
                    referral.to_case() == Referral::kToExternalHospital
                        ? referral.to_external_hospital().uscc()
                        : "");
  insert->setString(column++, referral.patient().resident_id());
  insert->setString(column++,
                    db::DbTime(FromProtoTime(referral.create_time())));
  insert->setString(column++,
                    db::DbTime(FromProtoTime(referral.update_time())));
  SetExpireTime(*insert, column++, referral);
  std::istringstream record;
  SetRecord(*insert, column, referral, record);
  insert->executeUpdate();
}

// Writes `referral` over the row still at `expected_version`; false when the
// row has another version by now (a concurrent transition committed first).
bool Update(sql::Connection& conn, const Referral& referral,
            int64_t expected_version) {
  std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
      "UPDATE referrals SET status = ?, version = ?, "
      "receiving_institution_id = ?, update_time = ?, expire_time = ?, "
      "record = ? WHERE id = ? AND version = ?"));
  update->setInt(1, referral.status());
  update->setInt64(2, referral.version());
  update->setString(3, referral.receiving_institution_id());
  update->setString(4, db::DbTime(FromProtoTime(referral.update_time())));
  SetExpireTime(*update, 5, referral);
  std::istringstream record;
  SetRecord(*update, 6, referral, record);
  update->setString(7, referral.id());
  update->setInt64(8, expected_version);
  return update->executeUpdate() == 1;
}

void AppendEvent(sql::Connection& conn, absl::string_view type,
                 const Referral& referral, const std::string& principal) {
  const Referral payload = MaskedForOutput(referral);
  outbox::Append(conn, {std::string(type), "Referral", referral.id(), principal,
                        &payload});
}

absl::Status StaleVersion(int64_t current, int64_t expected) {
  return FieldError(
      absl::StatusCode::kAborted, "version",
      absl::StrCat("the referral is at version ", current, ", not ", expected,
                   "; read it again and retry"));
}

}  // namespace

MysqlReferralStore::MysqlReferralStore(db::Pool* pool, ExpiryPolicy policy)
    : pool_(pool), policy_(policy) {}

absl::StatusOr<std::optional<Referral>> MysqlReferralStore::FindByRequest(
    const RequestClaim& claim, absl::Time deadline) {
  std::optional<Referral> found;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(const std::optional<ClaimedRequest> claimed,
                             FindClaim(conn, claim));
        CMC_ASSIGN_OR_RETURN(found, ClaimedReferral(conn, claimed));
        return absl::OkStatus();
      }));
  return found;
}

absl::StatusOr<Referral> MysqlReferralStore::Create(
    const RequestClaim& claim, Referral referral, const std::string& principal,
    absl::Time deadline) {
  Referral result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        // A concurrent create with the same key waits here for the first to
        // commit, then replays it.
        CMC_ASSIGN_OR_RETURN(const std::optional<ClaimedRequest> claimed,
                             ClaimRequest(conn, claim));
        CMC_ASSIGN_OR_RETURN(std::optional<Referral> existing,
                             ClaimedReferral(conn, claimed));
        if (existing.has_value()) {
          result = std::move(*existing);
          return absl::OkStatus();
        }
        Referral row = referral;
        InitializeReferral("ref-" + outbox::NewUuid(), absl::Now(), principal,
                           policy_, &row);
        Insert(conn, row);
        RecordClaimResult(conn, claim, row.id(), /*response=*/nullptr);
        AppendEvent(conn, "referral.ReferralCreated", row, principal);
        result = std::move(row);
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<Referral> MysqlReferralStore::Get(const std::string& id,
                                                 absl::Time deadline) {
  Referral result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(result, ReadReferral(conn, id));
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<Referral> MysqlReferralStore::Transition(
    const std::string& id, int64_t expected_version,
    const ActionRequest& request, absl::Time deadline,
    const std::function<absl::Status(const Referral&)>& authorize) {
  Referral result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(Referral referral, ReadReferral(conn, id));
        if (authorize) CMC_RETURN_IF_ERROR(authorize(referral));
        if (referral.version() != expected_version) {
          return StaleVersion(referral.version(), expected_version);
        }
        CMC_RETURN_IF_ERROR(
            ApplyAction(request, absl::Now(), policy_, &referral));
        // The row is not locked by the read above (optimistic concurrency):
        // a concurrent transition of the same version that committed first
        // makes this update match no row.
        if (!Update(conn, referral, expected_version)) {
          return FieldError(absl::StatusCode::kAborted, "version",
                            "the referral changed concurrently; read it "
                            "again and retry");
        }
        AppendEvent(conn, EventType(request.action), referral,
                    request.principal);
        result = std::move(referral);
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<ReferralPage> MysqlReferralStore::List(
    const ReferralFilter& filter, absl::Time deadline) {
  // The WHERE clause is assembled from fixed fragments; every value is bound.
  std::string sql = "SELECT row_no, record FROM referrals WHERE 1 = 1";
  std::vector<db::Param> params;
  switch (filter.scope) {
    case ReferralFilter::Scope::kAll:
      break;
    case ReferralFilter::Scope::kOutgoing:
      sql += " AND from_institution_id = ?";
      params.emplace_back(filter.institution_id);
      break;
    case ReferralFilter::Scope::kIncoming:
      sql += " AND receiving_institution_id = ?";
      params.emplace_back(filter.institution_id);
      break;
    case ReferralFilter::Scope::kOpenToTier:
      sql += " AND to_tier = ? AND receiving_institution_id = ''";
      params.emplace_back(int64_t{filter.tier});
      break;
  }
  if (filter.status != 0) {
    sql += " AND status = ?";
    params.emplace_back(int64_t{filter.status});
  }
  if (filter.direction != 0) {
    sql += " AND direction = ?";
    params.emplace_back(int64_t{filter.direction});
  }
  if (filter.type != 0) {
    sql += " AND type = ?";
    params.emplace_back(int64_t{filter.type});
  }
  if (!filter.patient_resident_id.empty()) {
    sql += " AND patient_resident_id = ?";
    params.emplace_back(filter.patient_resident_id);
  }
  if (filter.created_from.has_value()) {
    sql += " AND create_time >= ?";
    params.emplace_back(db::DbTime(*filter.created_from));
  }
  if (filter.created_before.has_value()) {
    sql += " AND create_time < ?";
    params.emplace_back(db::DbTime(*filter.created_before));
  }
  if (filter.before_row > 0) {
    sql += " AND row_no < ?";
    params.emplace_back(filter.before_row);
  }
  if (filter.visible.has_value()) {
    const ReferralVisibility& visible = *filter.visible;
    std::vector<std::string> seen_through;
    if (!visible.institutions.empty()) {
      const std::string marks = db::Placeholders(visible.institutions.size());
      seen_through.push_back(absl::StrCat("from_institution_id IN (", marks,
                                          ") OR receiving_institution_id IN (",
                                          marks, ")"));
      for (int pass = 0; pass < 2; ++pass) {
        for (const std::string& id : visible.institutions) {
          params.emplace_back(id);
        }
      }
    }
    if (!visible.open_tiers.empty()) {
      seen_through.push_back(absl::StrCat(
          "(to_tier IN (", db::Placeholders(visible.open_tiers.size()),
          ") AND receiving_institution_id = '')"));
      for (const common::v1::Tier tier : visible.open_tiers) {
        params.emplace_back(static_cast<int64_t>(tier));
      }
    }
    sql +=
        seen_through.empty()
            ? " AND 1 = 0"
            : absl::StrCat(" AND (", absl::StrJoin(seen_through, " OR "), ")");
  }
  sql += " ORDER BY row_no DESC LIMIT ?";
  params.emplace_back(int64_t{filter.limit + 1});

  ReferralPage page;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        page = ReferralPage();
        std::unique_ptr<sql::PreparedStatement> select(
            conn.prepareStatement(sql));
        db::BindParams(*select, params);
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          if (static_cast<int>(page.referrals.size()) == filter.limit) {
            page.more = true;
            break;
          }
          page.last_row = rows->getInt64(1);
          CMC_ASSIGN_OR_RETURN(Referral referral,
                               ParseRecord(rows->getString(2)));
          page.referrals.push_back(std::move(referral));
        }
        return absl::OkStatus();
      }));
  return page;
}

absl::StatusOr<int> MysqlReferralStore::ExpireDue(absl::Time now, int limit,
                                                  absl::Time deadline) {
  int expired = 0;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        expired = 0;
        std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
            "SELECT record FROM referrals WHERE status IN (?, ?) AND "
            "expire_time <= ? ORDER BY expire_time LIMIT ? "
            "FOR UPDATE SKIP LOCKED"));
        select->setInt(1, v1::REFERRAL_STATUS_REQUESTED);
        select->setInt(2, v1::REFERRAL_STATUS_RECEIVED);
        select->setString(3, db::DbTime(now));
        select->setInt(4, limit);
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        std::vector<Referral> due;
        while (rows->next()) {
          CMC_ASSIGN_OR_RETURN(Referral referral,
                               ParseRecord(rows->getString(1)));
          due.push_back(std::move(referral));
        }
        ActionRequest request;
        request.action = Action::kExpire;
        request.principal = "system";
        request.note = "nobody answered before the expiry time";
        for (Referral& referral : due) {
          const int64_t version = referral.version();
          CMC_RETURN_IF_ERROR(ApplyAction(request, now, policy_, &referral));
          // Locked above, so the version still holds; the guard stays as the
          // invariant every update of this table keeps.
          if (!Update(conn, referral, version)) continue;
          AppendEvent(conn, EventType(request.action), referral,
                      request.principal);
          ++expired;
        }
        return absl::OkStatus();
      }));
  return expired;
}

absl::StatusOr<std::vector<ReferralRow>>
MysqlReferralStore::ReceivedUpReferrals(const std::string& institution_id,
                                        int64_t before_row, int limit,
                                        absl::Time deadline) {
  std::vector<ReferralRow> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result.clear();
        std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
            "SELECT row_no, record FROM referrals WHERE "
            "receiving_institution_id = ? AND row_no < ? AND direction = ? "
            "AND status IN (?, ?) ORDER BY row_no DESC LIMIT ?"));
        select->setString(1, institution_id);
        select->setInt64(2, before_row > 0 ? before_row : INT64_MAX);
        select->setInt(3, v1::REFERRAL_DIRECTION_UP);
        select->setInt(4, v1::REFERRAL_STATUS_IN_PROGRESS);
        select->setInt(5, v1::REFERRAL_STATUS_COMPLETED);
        select->setInt(6, limit);
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          ReferralRow row;
          row.row_no = rows->getInt64(1);
          CMC_ASSIGN_OR_RETURN(row.referral, ParseRecord(rows->getString(2)));
          result.push_back(std::move(row));
        }
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<std::vector<Referral>> MysqlReferralStore::DownReferralsSent(
    const std::string& institution_id,
    const std::vector<std::string>& resident_ids, absl::Time deadline) {
  std::vector<Referral> result;
  if (resident_ids.empty()) return result;
  const std::string sql = absl::StrCat(
      "SELECT record FROM referrals WHERE from_institution_id = ? AND "
      "direction = ? AND patient_resident_id IN (",
      db::Placeholders(resident_ids.size()), ")");
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result.clear();
        std::unique_ptr<sql::PreparedStatement> select(
            conn.prepareStatement(sql));
        select->setString(1, institution_id);
        select->setInt(2, v1::REFERRAL_DIRECTION_DOWN);
        int index = 3;
        for (const std::string& id : resident_ids) {
          select->setString(index++, id);
        }
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          CMC_ASSIGN_OR_RETURN(Referral referral,
                               ParseRecord(rows->getString(1)));
          result.push_back(std::move(referral));
        }
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<std::vector<Referral>> MysqlReferralStore::ForStats(
    const std::vector<std::string>& institution_ids, absl::Time created_from,
    absl::Time created_before, int limit, absl::Time deadline) {
  const std::string marks = db::Placeholders(institution_ids.size());
  const std::string sql = absl::StrCat(
      "SELECT record FROM referrals WHERE create_time >= ? AND "
      "create_time < ? AND (from_institution_id IN (",
      marks, ") OR receiving_institution_id IN (", marks, ")) LIMIT ?");
  std::vector<Referral> result;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        result.clear();
        std::unique_ptr<sql::PreparedStatement> select(
            conn.prepareStatement(sql));
        int index = 1;
        select->setString(index++, db::DbTime(created_from));
        select->setString(index++, db::DbTime(created_before));
        for (int pass = 0; pass < 2; ++pass) {
          for (const std::string& id : institution_ids) {
            select->setString(index++, id);
          }
        }
        select->setInt(index, limit + 1);
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          if (static_cast<int>(result.size()) == limit) {
            return FieldError(
                absl::StatusCode::kFailedPrecondition, "period",
                absl::StrCat("more than ", limit,
                             " referrals match; ask for shorter periods"));
          }
          CMC_ASSIGN_OR_RETURN(Referral referral,
                               ParseRecord(rows->getString(1)));
          result.push_back(std::move(referral));
        }
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<int64_t> MysqlReferralStore::LastEventSequence(
    absl::Time deadline) {
  int64_t sequence = 0;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        sequence = outbox::LastSequence(conn);
        return absl::OkStatus();
      }));
  return sequence;
}

absl::Status MysqlReferralStore::TailEvents(
    const outbox::TailOptions& options, int64_t after_sequence,
    const grpc::ServerContextBase& context, StopSignal& stop,
    absl::FunctionRef<bool(const common::v1::Event&)> deliver) {
  return outbox::TailOutbox(*pool_, options, after_sequence, context, stop,
                            deliver);
}

}  // namespace cmc::referral
