#include "services/referral/mysql_catalogue_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/db/params.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/service/county_time.h"
#include "common/status.h"
#include "services/referral/referral_rules.h"

namespace cmc::referral {
namespace {

using v1::InCountyCondition;

constexpr int kMaxEntries = 100000;

absl::StatusOr<InCountyCondition> ParseEntry(const std::string& bytes) {
  InCountyCondition entry;
  if (!entry.ParseFromString(bytes)) {
    return absl::InternalError("a stored catalogue entry does not parse");
  }
  return entry;
}

// The entry `code` on `conn`, locked until the transaction ends; nullopt when
// there is none.
absl::StatusOr<std::optional<InCountyCondition>> LockEntry(
    sql::Connection& conn, const std::string& code) {
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      "SELECT record FROM in_county_conditions WHERE icd10_code = ? "
      "FOR UPDATE"));
  select->setString(1, code);
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  if (!rows->next()) return std::optional<InCountyCondition>();
  CMC_ASSIGN_OR_RETURN(InCountyCondition entry, ParseEntry(rows->getString(1)));
  return std::optional<InCountyCondition>(std::move(entry));
}

void Write(sql::Connection& conn, const InCountyCondition& entry, bool insert) {
  std::unique_ptr<sql::PreparedStatement> stmt(conn.prepareStatement(
      insert ? "INSERT INTO in_county_conditions (version, lowest_tier, "
               "down_referral_suited, record, icd10_code) "
               "VALUES (?, ?, ?, ?, ?)"
             : "UPDATE in_county_conditions SET version = ?, lowest_tier = ?, "
               "down_referral_suited = ?, record = ? WHERE icd10_code = ?"));
  stmt->setInt64(1, entry.version());
  stmt->setInt(2, entry.lowest_tier());
  stmt->setInt(3, entry.down_referral_suited() ? 1 : 0);
  std::istringstream record(entry.SerializeAsString());
  stmt->setBlob(4, &record);
  stmt->setString(5, entry.icd10_code());
  stmt->executeUpdate();
}

void AppendEvent(sql::Connection& conn, absl::string_view type,
                 const InCountyCondition& entry, const std::string& principal) {
  outbox::Append(conn, {std::string(type), "InCountyCondition",
                        entry.icd10_code(), principal, &entry});
}

// Runs `sql` with `params` bound in order and parses column 1 of each row.
absl::StatusOr<std::vector<InCountyCondition>> Select(
    db::Pool& pool, const std::string& sql,
    const std::vector<db::Param>& params, absl::Time deadline) {
  std::vector<InCountyCondition> entries;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      pool, deadline, [&](sql::Connection& conn) -> absl::Status {
        entries.clear();
        std::unique_ptr<sql::PreparedStatement> select(
            conn.prepareStatement(sql));
        db::BindParams(*select, params);
        std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
        while (rows->next()) {
          CMC_ASSIGN_OR_RETURN(InCountyCondition entry,
                               ParseEntry(rows->getString(1)));
          entries.push_back(std::move(entry));
        }
        return absl::OkStatus();
      }));
  return entries;
}

}  // namespace

MysqlCatalogueStore::MysqlCatalogueStore(db::Pool* pool) : pool_(pool) {}

absl::StatusOr<InCountyCondition> MysqlCatalogueStore::Upsert(
    InCountyCondition condition, std::optional<int64_t> expected_version,
    const std::string& principal, absl::Time deadline) {
  InCountyCondition result;
  auto body = [&](sql::Connection& conn) -> absl::Status {
    CMC_ASSIGN_OR_RETURN(std::optional<InCountyCondition> existing,
                         LockEntry(conn, condition.icd10_code()));
    std::optional<int64_t> existing_version;
    if (existing.has_value()) existing_version = existing->version();
    CMC_RETURN_IF_ERROR(CheckUpsertVersion(existing_version, expected_version));
    InCountyCondition entry = condition;
    const absl::Time now = absl::Now();
    entry.set_version(existing.has_value() ? existing->version() + 1 : 1);
    if (existing.has_value()) {
      *entry.mutable_create_time() = existing->create_time();
    } else {
      ToProtoTime(now, entry.mutable_create_time());
    }
    ToProtoTime(now, entry.mutable_update_time());
    entry.set_updated_by(principal);
    Write(conn, entry, /*insert=*/!existing.has_value());
    AppendEvent(conn,
                existing.has_value() ? "referral.InCountyConditionUpdated"
                                     : "referral.InCountyConditionCreated",
                entry, principal);
    result = std::move(entry);
    return absl::OkStatus();
  };
  absl::Status status = db::RunInTransaction(*pool_, deadline, body);
  // Two first writers of one code both found no row; the loser's INSERT hit
  // the key. Running again sees the winner's row and judges against it.
  if (absl::IsAlreadyExists(status) && BadField(status).empty()) {
    status = db::RunInTransaction(*pool_, deadline, body);
  }
  CMC_RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<InCountyCondition> MysqlCatalogueStore::Delete(
    const std::string& icd10_code, int64_t version,
    const std::string& principal, absl::Time deadline) {
  InCountyCondition result;
  CMC_RETURN_IF_ERROR(db::RunInTransaction(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        CMC_ASSIGN_OR_RETURN(std::optional<InCountyCondition> existing,
                             LockEntry(conn, icd10_code));
        if (!existing.has_value()) {
          return FieldError(absl::StatusCode::kNotFound, "icd10_code",
                            absl::StrCat("no catalogue entry ", icd10_code));
        }
        if (existing->version() != version) {
          return FieldError(
              absl::StatusCode::kAborted, "version",
              absl::StrCat("the entry is at version ", existing->version(),
                           ", not ", version, "; read it again and retry"));
        }
        std::unique_ptr<sql::PreparedStatement> remove(conn.prepareStatement(
            "DELETE FROM in_county_conditions WHERE icd10_code = ?"));
        remove->setString(1, icd10_code);
        remove->executeUpdate();
        AppendEvent(conn, "referral.InCountyConditionDeleted", *existing,
                    principal);
        result = std::move(*existing);
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<ConditionPage> MysqlCatalogueStore::List(
    const ConditionFilter& filter, absl::Time deadline) {
  // The WHERE clause is assembled from fixed fragments; every value is bound.
  std::string sql = "SELECT record FROM in_county_conditions WHERE 1 = 1";
  std::vector<db::Param> params;
  if (!filter.code_prefix.empty()) {
    // Codes hold no LIKE wildcards ('%', '_', '\'): the prefix is literal.
    sql += " AND icd10_code LIKE ?";
    params.emplace_back(filter.code_prefix + "%");
  }
  if (filter.lowest_tier != 0) {
    sql += " AND lowest_tier = ?";
    params.emplace_back(int64_t{filter.lowest_tier});
  }
  if (filter.down_referral_suited_only) {
    sql += " AND down_referral_suited = 1";
  }
  if (!filter.after_code.empty()) {
    sql += " AND icd10_code > ?";
    params.emplace_back(filter.after_code);
  }
  sql += " ORDER BY icd10_code LIMIT ?";
  params.emplace_back(int64_t{filter.limit + 1});
  CMC_ASSIGN_OR_RETURN(std::vector<InCountyCondition> entries,
                       Select(*pool_, sql, params, deadline));
  ConditionPage page;
  page.more = static_cast<int>(entries.size()) > filter.limit;
  if (page.more) entries.resize(filter.limit);
  page.conditions = std::move(entries);
  return page;
}

absl::StatusOr<std::vector<InCountyCondition>> MysqlCatalogueStore::FindByCodes(
    const std::vector<std::string>& codes, absl::Time deadline) {
  if (codes.empty()) return std::vector<InCountyCondition>();
  const std::string sql = absl::StrCat(
      "SELECT record FROM in_county_conditions WHERE icd10_code IN (",
      db::Placeholders(codes.size()), ")");
  return Select(*pool_, sql, std::vector<db::Param>(codes.begin(), codes.end()),
                deadline);
}

absl::StatusOr<std::vector<InCountyCondition>> MysqlCatalogueStore::All(
    absl::Time deadline) {
  CMC_ASSIGN_OR_RETURN(
      std::vector<InCountyCondition> entries,
      Select(*pool_, "SELECT record FROM in_county_conditions LIMIT ?",
             {int64_t{kMaxEntries + 1}}, deadline));
  if (static_cast<int>(entries.size()) > kMaxEntries) {
    return absl::InternalError(absl::StrCat(
        "the in-county catalogue holds more than ", kMaxEntries, " entries"));
  }
  return entries;
}

}  // namespace cmc::referral
