#include "common/outbox/event_feed_service.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/deadline.h"
#include "common/identity/peer.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/outbox/tail.h"
#include "common/status.h"

namespace cmc::outbox {
namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

// A feed holds the whole county's changes: a caller scoped to part of it
// (one community, some institutions) may not read it.
// The caller when it may read the feed.
absl::StatusOr<Principal> CheckScope(const grpc::ServerContext& context) {
  CMC_ASSIGN_OR_RETURN(Principal who, AuthenticatePrincipal(context));
  if (who.unrestricted()) return who;
  return WithErrorInfo(
      absl::PermissionDeniedError(
          "the event feed carries the whole county's changes; the caller's "
          "scope must be the county"),
      "OUT_OF_SCOPE", "scope", "county");
}

TailOptions TailOptionsOf(const std::string& source,
                          const EventFeedService::Options& options) {
  TailOptions tail;
  tail.source = source;
  tail.batch = options.watch_batch;
  tail.poll_interval = options.poll_interval;
  tail.read_deadline = options.default_deadline;
  return tail;
}

}  // namespace

EventFeedService::EventFeedService(db::Pool* pool, std::string source,
                                   Options options)
    : pool_(pool),
      source_(std::move(source)),
      options_(options),
      watches_(options.max_watches_per_subject),
      tail_(pool, TailOptionsOf(source_, options)) {}

grpc::Status EventFeedService::ListEvents(
    grpc::ServerContext* context, const common::v1::ListEventsRequest* request,
    common::v1::ListEventsResponse* response) {
  if (absl::Status scope = CheckScope(*context).status(); !scope.ok()) {
    return ToGrpcStatus(scope);
  }
  if (request->after_sequence() < 0) {
    return ToGrpcStatus(InvalidField("after_sequence", "must not be negative"));
  }
  if (request->limit() < 0 || request->limit() > kMaxLimit) {
    return ToGrpcStatus(InvalidField(
        "limit",
        absl::StrCat("must be in 0..", kMaxLimit, ", got ", request->limit())));
  }
  const int limit = request->limit() == 0 ? kDefaultLimit : request->limit();
  const absl::Time deadline = EffectiveDeadline(
      context->deadline(), options_.default_deadline, options_.max_deadline);
  absl::Status status = db::RunOnConnection(
      *pool_, deadline, [&](sql::Connection& conn) -> absl::Status {
        response->Clear();
        // Read the counter first: every event up to it is committed, so the
        // page never claims to be caught up past an event it did not return.
        response->set_last_sequence(LastSequence(conn));
        for (auto& event :
             ReadAfter(conn, source_, request->after_sequence(), limit)) {
          *response->add_events() = std::move(event);
        }
        return absl::OkStatus();
      });
  return ToGrpcStatus(status);
}

grpc::Status EventFeedService::WatchEvents(
    grpc::ServerContext* context, const common::v1::WatchEventsRequest* request,
    grpc::ServerWriter<common::v1::Event>* writer) {
  absl::StatusOr<Principal> who = CheckScope(*context);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (request->after_sequence() < 0) {
    return ToGrpcStatus(InvalidField("after_sequence", "must not be negative"));
  }
  absl::StatusOr<StreamQuota::Lease> lease = watches_.Acquire(who->subject);
  if (!lease.ok()) return ToGrpcStatus(lease.status());
  return ToGrpcStatus(tail_.Follow(request->after_sequence(), *context, stop_,
                                   [writer](const common::v1::Event& event) {
                                     return writer->Write(event);
                                   }));
}

}  // namespace cmc::outbox
