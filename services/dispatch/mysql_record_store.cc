#include "services/dispatch/mysql_record_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>
#include <sstream>

#include "common/db/params.h"
#include "common/db/row_values.h"
#include "common/validators/validators.h"

namespace cmc::dispatch::record_sql {
namespace {

// The table names are the store's own constants (never the caller's), so
// they are safe to splice into the SQL text.
std::string Day(absl::CivilDay day) { return FormatCivilDate(day); }

void WriteKeys(sql::Connection& conn, const std::string& table,
               const std::string& id, const RecordKeys& keys) {
  std::unique_ptr<sql::PreparedStatement> clear(conn.prepareStatement(
      "DELETE FROM record_keys WHERE record_table = ? AND record_id = ?"));
  clear->setString(1, table);
  clear->setString(2, id);
  clear->executeUpdate();
  std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
      "INSERT IGNORE INTO record_keys (record_table, record_id, kind, value) "
      "VALUES (?, ?, ?, ?)"));
  const auto add = [&](const char* kind, const std::string& value) {
    insert->setString(1, table);
    insert->setString(2, id);
    insert->setString(3, kind);
    insert->setString(4, value);
    insert->executeUpdate();
  };
  for (const std::string& s : keys.staff_ids) add("staff", s);
  for (const std::string& i : keys.institution_ids) add("institution", i);
}

}  // namespace

std::optional<Row> Select(sql::Connection& conn, const std::string& table,
                          const std::string& id, bool lock) {
  std::unique_ptr<sql::PreparedStatement> select(
      conn.prepareStatement("SELECT row_no, record FROM " + table +
                            " WHERE id = ?" + (lock ? " FOR UPDATE" : "")));
  select->setString(1, id);
  std::unique_ptr<sql::ResultSet> rs(select->executeQuery());
  if (!rs->next()) return std::nullopt;
  return Row{rs->getInt64("row_no"), rs->getString("record")};
}

void Insert(sql::Connection& conn, const std::string& table,
            const std::string& id, int64_t version, const RecordKeys& keys,
            const std::string& bytes, absl::Time now) {
  std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
      "INSERT INTO " + table +
      " (id, community_id, parent_id, village_id, first_day, last_day, status, "
      "version, create_time, update_time, record) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert->setString(1, id);
  insert->setString(2, keys.community_id);
  insert->setString(3, keys.parent_id);
  insert->setString(4, keys.village_id);
  insert->setString(5, Day(keys.days.first));
  insert->setString(6, Day(keys.days.last));
  insert->setInt(7, keys.status);
  insert->setInt64(8, version);
  insert->setString(9, db::DbTime(now));
  insert->setString(10, db::DbTime(now));
  std::istringstream blob(bytes);
  insert->setBlob(11, &blob);
  insert->executeUpdate();
  WriteKeys(conn, table, id, keys);
}

void Update(sql::Connection& conn, const std::string& table,
            const std::string& id, int64_t version, const RecordKeys& keys,
            const std::string& bytes, absl::Time now) {
  std::unique_ptr<sql::PreparedStatement> update(conn.prepareStatement(
      "UPDATE " + table +
      " SET community_id = ?, parent_id = ?, village_id = ?, first_day = ?, "
      "last_day = ?, status = ?, version = ?, update_time = ?, record = ? "
      "WHERE id = ?"));
  update->setString(1, keys.community_id);
  update->setString(2, keys.parent_id);
  update->setString(3, keys.village_id);
  update->setString(4, Day(keys.days.first));
  update->setString(5, Day(keys.days.last));
  update->setInt(6, keys.status);
  update->setInt64(7, version);
  update->setString(8, db::DbTime(now));
  std::istringstream blob(bytes);
  update->setBlob(9, &blob);
  update->setString(10, id);
  update->executeUpdate();
  WriteKeys(conn, table, id, keys);
}

std::vector<Row> List(sql::Connection& conn, const std::string& table,
                      const RecordQuery& query) {
  std::string sql =
      "SELECT t.row_no, t.record FROM " + table + " t WHERE t.row_no > ?";
  std::vector<db::Param> params = {query.after_row};
  const auto key_clause = [&](const char* kind, const std::string& value) {
    sql +=
        " AND EXISTS (SELECT 1 FROM record_keys k WHERE k.record_table = ? AND "
        "k.record_id = t.id AND k.kind = ? AND k.value = ?)";
    params.emplace_back(table);
    params.emplace_back(std::string(kind));
    params.emplace_back(value);
  };
  if (!query.community_id.empty()) {
    sql += " AND t.community_id = ?";
    params.emplace_back(query.community_id);
  }
  if (!query.parent_id.empty()) {
    sql += " AND t.parent_id = ?";
    params.emplace_back(query.parent_id);
  }
  if (!query.village_id.empty()) {
    sql += " AND t.village_id = ?";
    params.emplace_back(query.village_id);
  }
  if (!query.staff_id.empty()) key_clause("staff", query.staff_id);
  if (!query.any_staff_ids.empty()) {
    sql +=
        " AND EXISTS (SELECT 1 FROM record_keys k WHERE k.record_table = ? AND "
        "k.record_id = t.id AND k.kind = 'staff' AND k.value IN (" +
        db::Placeholders(query.any_staff_ids.size()) + "))";
    params.emplace_back(table);
    for (const std::string& id : query.any_staff_ids) params.emplace_back(id);
  }
  if (!query.institution_id.empty()) {
    key_clause("institution", query.institution_id);
  }
  if (query.overlapping) {
    sql += " AND t.first_day <= ? AND t.last_day >= ?";
    params.emplace_back(Day(query.overlapping->last));
    params.emplace_back(Day(query.overlapping->first));
  }
  if (query.status != 0) {
    sql += " AND t.status = ?";
    params.emplace_back(int64_t{query.status});
  }
  if (query.scope_institutions || query.scope_communities) {
    std::vector<std::string> terms;
    if (query.scope_communities && !query.scope_communities->empty()) {
      terms.push_back("t.community_id IN (" +
                      db::Placeholders(query.scope_communities->size()) + ")");
      for (const std::string& c : *query.scope_communities) {
        params.emplace_back(c);
      }
    }
    if (query.scope_institutions && !query.scope_institutions->empty()) {
      terms.push_back(
          "EXISTS (SELECT 1 FROM record_keys s WHERE s.record_table = ? AND "
          "s.record_id = t.id AND s.kind = 'institution' AND s.value IN (" +
          db::Placeholders(query.scope_institutions->size()) + "))");
      params.emplace_back(table);
      for (const std::string& i : *query.scope_institutions) {
        params.emplace_back(i);
      }
    }
    sql += terms.empty()
               ? " AND FALSE"
               : " AND (" + terms[0] +
                     (terms.size() > 1 ? " OR " + terms[1] : "") + ")";
  }
  sql += " ORDER BY t.row_no";
  if (query.limit > 0) {
    sql += " LIMIT ?";
    params.emplace_back(int64_t{query.limit});
  }
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(sql));
  db::BindParams(*select, params);
  std::unique_ptr<sql::ResultSet> rs(select->executeQuery());
  std::vector<Row> rows;
  while (rs->next()) {
    rows.push_back({rs->getInt64("row_no"), rs->getString("record")});
  }
  return rows;
}

}  // namespace cmc::dispatch::record_sql
