#include "common/service/feed_consumer.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/identity/internal_tls.h"
#include "common/log.h"
#include "common/status.h"

namespace cmc {
namespace {

using common::v1::Event;

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);

std::chrono::system_clock::time_point ToChrono(absl::Time t) {
  return absl::ToChronoTime(t);
}

// The cursor row of (source, consumer) on `conn`, created at 0 when missing;
// `for_update` locks it until the transaction ends.
int64_t CursorOn(sql::Connection& conn, const std::string& source,
                 const std::string& consumer, bool for_update) {
  if (for_update) {
    std::unique_ptr<sql::PreparedStatement> insert(conn.prepareStatement(
        "INSERT IGNORE INTO feed_cursors (source, consumer, last_sequence) "
        "VALUES (?, ?, 0)"));
    insert->setString(1, source);
    insert->setString(2, consumer);
    insert->executeUpdate();
  }
  std::unique_ptr<sql::PreparedStatement> select(conn.prepareStatement(
      for_update ? "SELECT last_sequence FROM feed_cursors "
                   "WHERE source = ? AND consumer = ? FOR UPDATE"
                 : "SELECT last_sequence FROM feed_cursors "
                   "WHERE source = ? AND consumer = ?"));
  select->setString(1, source);
  select->setString(2, consumer);
  std::unique_ptr<sql::ResultSet> row(select->executeQuery());
  return row->next() ? row->getInt64(1) : 0;
}

}  // namespace

std::shared_ptr<grpc::Channel> NewInternalChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // gRPC's default reconnect backoff grows to two minutes, which would keep
  // a consumer (or a create) waiting long after the producer is back.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, InternalChannelCredentials(), args);
}

absl::StatusOr<int64_t> ReadFeedCursor(db::Pool& pool,
                                       const std::string& source,
                                       const std::string& consumer,
                                       absl::Time deadline) {
  int64_t cursor = 0;
  CMC_RETURN_IF_ERROR(db::RunOnConnection(
      pool, deadline, [&](sql::Connection& conn) -> absl::Status {
        cursor = CursorOn(conn, source, consumer, /*for_update=*/false);
        return absl::OkStatus();
      }));
  return cursor;
}

FeedConsumer::FeedConsumer(db::Pool& pool,
                           std::shared_ptr<grpc::Channel> producer,
                           FeedConsumerOptions options, ApplyEvents apply)
    : pool_(pool),
      stub_(common::v1::EventFeed::NewStub(std::move(producer))),
      options_(std::move(options)),
      apply_(std::move(apply)) {}

FeedConsumer::~FeedConsumer() { Stop(); }

void FeedConsumer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void FeedConsumer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

FeedProgress FeedConsumer::Progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
}

void FeedConsumer::Record(const absl::Status& status, int64_t cursor,
                          int64_t producer_last) {
  std::lock_guard<std::mutex> lock(mu_);
  if (status.ok()) {
    progress_.cursor = std::max(progress_.cursor, cursor);
    progress_.producer_last = std::max(progress_.producer_last, producer_last);
    progress_.last_success = absl::Now();
  } else if (progress_.last_error.ok() ||
             progress_.last_error.code() != status.code()) {
    // Logged when the error changes, not on every retry of an outage.
    Log(LogLevel::kWarning, "feed_consumer_error")
        .Field("source", options_.source)
        .Field("consumer", options_.consumer)
        .Field("code", absl::StatusCodeToString(status.code()))
        .Field("error", std::string(status.message()));
  }
  if (status.ok() && !progress_.last_error.ok()) {
    Log(LogLevel::kInfo, "feed_consumer_recovered")
        .Field("source", options_.source)
        .Field("consumer", options_.consumer)
        .Field("cursor", progress_.cursor);
  }
  progress_.last_error = status;
}

absl::StatusOr<int> FeedConsumer::PollOnce(absl::Time deadline) {
  const absl::Time bound =
      std::min(deadline, absl::Now() + options_.call_timeout);
  absl::StatusOr<int64_t> cursor =
      ReadFeedCursor(pool_, options_.source, options_.consumer, bound);
  if (!cursor.ok()) {
    Record(cursor.status(), 0, 0);
    return cursor.status();
  }

  common::v1::ListEventsRequest request;
  request.set_after_sequence(*cursor);
  request.set_limit(std::clamp(options_.page_size, 1, 1000));
  common::v1::ListEventsResponse response;
  grpc::ClientContext context;
  context.set_deadline(ToChrono(bound));
  const grpc::Status called = stub_->ListEvents(&context, request, &response);
  if (!called.ok()) {
    absl::Status status = FromGrpcStatus(called);
    if (called.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      status = absl::UnavailableError(
          absl::StrCat(options_.source, " feed: ", called.error_message()));
    }
    Record(status, *cursor, 0);
    return status;
  }
  if (response.events().empty()) {
    Record(absl::OkStatus(), *cursor, response.last_sequence());
    return 0;
  }

  std::vector<Event> page(response.events().begin(), response.events().end());
  int applied = 0;
  int64_t advanced_to = *cursor;
  const absl::Status status = db::RunInTransaction(
      pool_, bound, [&](sql::Connection& conn) -> absl::Status {
        applied = 0;
        const int64_t locked =
            CursorOn(conn, options_.source, options_.consumer,
                     /*for_update=*/true);
        advanced_to = locked;
        // Another round (a second replica, PollOnce beside the loop) may
        // have applied part of the page meanwhile: apply only what follows
        // the locked cursor, and only if it follows without a gap.
        std::vector<Event> fresh;
        for (const Event& event : page) {
          if (event.sequence() > locked) fresh.push_back(event);
        }
        if (fresh.empty()) return absl::OkStatus();
        if (fresh.front().sequence() != locked + 1) return absl::OkStatus();
        for (size_t i = 1; i < fresh.size(); ++i) {
          if (fresh[i].sequence() != fresh[i - 1].sequence() + 1) {
            return absl::InternalError(
                absl::StrCat(options_.source, " feed has a gap after sequence ",
                             fresh[i - 1].sequence()));
          }
        }
        CMC_RETURN_IF_ERROR(apply_(conn, fresh));
        std::unique_ptr<sql::PreparedStatement> update(
            conn.prepareStatement("UPDATE feed_cursors SET last_sequence = ?, "
                                  "update_time = CURRENT_TIMESTAMP(6) "
                                  "WHERE source = ? AND consumer = ?"));
        update->setInt64(1, fresh.back().sequence());
        update->setString(2, options_.source);
        update->setString(3, options_.consumer);
        update->executeUpdate();
        applied = static_cast<int>(fresh.size());
        advanced_to = fresh.back().sequence();
        return absl::OkStatus();
      });
  Record(status, advanced_to, response.last_sequence());
  if (!status.ok()) return status;
  return applied;
}

absl::Status FeedConsumer::CatchUp(absl::Time deadline) {
  CMC_ASSIGN_OR_RETURN(int applied, PollOnce(deadline));
  (void)applied;
  const int64_t target = Progress().producer_last;
  while (Progress().cursor < target) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(options_.source, " feed: cursor ", Progress().cursor,
                       " has not reached ", target));
    }
    CMC_ASSIGN_OR_RETURN(applied, PollOnce(deadline));
  }
  return absl::OkStatus();
}

void FeedConsumer::Loop() {
  absl::Duration backoff = kFirstBackoff;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    absl::StatusOr<int> applied = PollOnce(absl::Now() + options_.call_timeout);
    absl::Duration wait = absl::ZeroDuration();
    if (!applied.ok()) {
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    } else {
      backoff = kFirstBackoff;
      if (*applied == 0) wait = options_.idle_poll;
    }
    if (wait > absl::ZeroDuration()) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, absl::ToChronoMilliseconds(wait),
                     [this] { return stopping_; });
    }
  }
}

}  // namespace cmc
