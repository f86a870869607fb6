#include "services/dispatch/service_month_store.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <sstream>

#include "common/db/row_values.h"
#include "common/db/transaction.h"
#include "common/outbox/outbox.h"
#include "common/status.h"

namespace cmc::dispatch {
namespace {

class MysqlServiceMonthStore final : public ServiceMonthStore {
 public:
  explicit MysqlServiceMonthStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::optional<v1::CloseServiceMonthResponse>> Find(
      const std::string& community_id, const std::string& month,
      absl::Time deadline) override {
    std::optional<v1::CloseServiceMonthResponse> out;
    CMC_RETURN_IF_ERROR(db::RunOnConnection(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          out = Select(conn, community_id, month, false);
          return absl::OkStatus();
        }));
    return out;
  }

  absl::StatusOr<v1::CloseServiceMonthResponse> Close(
      const std::string& community_id, const std::string& month,
      v1::CloseServiceMonthResponse count, const std::string& actor,
      absl::Time deadline) override {
    v1::CloseServiceMonthResponse out;
    CMC_RETURN_IF_ERROR(db::RunInTransaction(
        *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
          // INSERT IGNORE takes the row lock: a concurrent close waits and
          // then finds the row.
          count.set_newly_closed(true);
          std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
              "INSERT IGNORE INTO service_months (community_id, month, "
              "create_time, record) VALUES (?, ?, ?, ?)"));
          insert->setString(1, community_id);
          insert->setString(2, month);
          insert->setString(3, db::DbTime(absl::Now()));
          std::istringstream blob(count.SerializeAsString());
          insert->setBlob(4, &blob);
          if (insert->executeUpdate() == 0) {
            out = *Select(conn, community_id, month, true);
            out.set_newly_closed(false);
            return absl::OkStatus();
          }
          for (const v1::MonthlyServiceDays& person : count.people()) {
            outbox::EventDraft draft;
            draft.type = "dispatch.ServiceDaysCounted";
            draft.aggregate_type = "MonthlyServiceDays";
            draft.aggregate_id = person.days().staff_id();
            draft.actor = actor;
            draft.payload = &person;
            outbox::Append(conn, draft);
          }
          out = count;
          return absl::OkStatus();
        }));
    return out;
  }

 private:
  static std::optional<v1::CloseServiceMonthResponse> Select(
      sql::Connection& conn, const std::string& community_id,
      const std::string& month, bool lock) {
    std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
        std::string("SELECT record FROM service_months WHERE community_id = ? "
                    "AND month = ?") +
        (lock ? " FOR UPDATE" : "")));
    select->setString(1, community_id);
    select->setString(2, month);
    std::unique_ptr<sql::ResultSet> rs(select->executeQuery());
    if (!rs->next()) return std::nullopt;
    v1::CloseServiceMonthResponse out;
    out.ParseFromString(rs->getString("record"));
    out.set_newly_closed(false);
    return out;
  }

  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<ServiceMonthStore> NewMysqlServiceMonthStore(db::Pool* pool) {
  return std::make_unique<MysqlServiceMonthStore>(pool);
}

absl::StatusOr<std::optional<v1::CloseServiceMonthResponse>>
InMemoryServiceMonthStore::Find(const std::string& community_id,
                                const std::string& month, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = closed_.find({community_id, month});
  if (it == closed_.end())
    return std::optional<v1::CloseServiceMonthResponse>();
  v1::CloseServiceMonthResponse out = it->second;
  out.set_newly_closed(false);
  return std::optional<v1::CloseServiceMonthResponse>(out);
}

absl::StatusOr<v1::CloseServiceMonthResponse> InMemoryServiceMonthStore::Close(
    const std::string& community_id, const std::string& month,
    v1::CloseServiceMonthResponse count, const std::string&, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto [it, fresh] = closed_.try_emplace({community_id, month}, count);
  v1::CloseServiceMonthResponse out = it->second;
  out.set_newly_closed(fresh);
  if (fresh) events_ += count.people_size();
  return out;
}

}  // namespace cmc::dispatch
