// ReferralService::WatchReferrals: tails the referral events
// (ReferralStore::TailEvents, the service's own outbox) and forwards those
// whose referral involves the watching institution.
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/identity/principal.h"
#include "common/outbox/tail.h"
#include "common/service/handler.h"
#include "common/status.h"
#include "services/referral/referral_scope.h"
#include "services/referral/referral_service.h"
#include "services/referral/request_checks.h"

namespace cmc::referral {
namespace {

// Events read per poll (outbox::TailOptions::batch).
constexpr int kWatchBatch = 500;

// The watcher's tier (for referrals open to a tier); NOT_FOUND
// "institution_id" when the institution service does not know it.
absl::StatusOr<common::v1::Tier> WatcherTier(InstitutionDirectory& directory,
                                             const std::string& id,
                                             absl::Time deadline) {
  absl::StatusOr<std::vector<InstitutionFacts>> facts =
      directory.Lookup({id}, deadline);
  if (!facts.ok()) {
    if (NotFoundIndex(facts.status()) == 0) {
      return FieldError(absl::StatusCode::kNotFound, "institution_id",
                        "the institution service knows no such institution");
    }
    return facts.status();
  }
  return facts->front().tier;
}

}  // namespace

grpc::Status ReferralService::WatchReferrals(
    grpc::ServerContext* context, const v1::WatchReferralsRequest* request,
    grpc::ServerWriter<v1::ReferralChange>* writer) {
  return ServeStatus(context, options_.call, [&](const CallContext& call) {
    return Watch(call, *request, writer);
  });
}

absl::Status ReferralService::Watch(
    const CallContext& call, const v1::WatchReferralsRequest& request,
    grpc::ServerWriter<v1::ReferralChange>* writer) {
  const std::string& institution_id = request.institution_id();
  CMC_RETURN_IF_ERROR(CheckId(institution_id, "institution_id"));
  if (request.has_after_sequence() && request.after_sequence() < 0) {
    return InvalidField("after_sequence", "must not be negative");
  }
  CMC_ASSIGN_OR_RETURN(const OrgScope scope, ScopeOf(call));
  CMC_RETURN_IF_ERROR(
      scope.RequireInstitution(institution_id, "institution_id"));
  // The scope covers the watcher, so every referral involving it (sent,
  // addressed or received by it, or unclaimed and open to its tier) is one
  // the scope sees (CanSee): the involvement filter below needs no tiers of
  // the scope's other institutions.
  CMC_ASSIGN_OR_RETURN(const common::v1::Tier tier,
                       WatcherTier(*institutions_.institutions, institution_id,
                                   call.deadline()));
  int64_t cursor = request.after_sequence();
  if (!request.has_after_sequence()) {
    CMC_ASSIGN_OR_RETURN(cursor, store_->LastEventSequence(call.deadline()));
  }
  // The starting point is fixed: a client that waits for the initial
  // metadata knows every later change will reach it.
  writer->SendInitialMetadata();

  outbox::TailOptions tail;
  tail.source = "referral";
  tail.batch = kWatchBatch;
  tail.poll_interval = options_.watch_poll_interval;
  tail.read_deadline = options_.call.default_deadline;
  return store_->TailEvents(
      tail, cursor, *call.server(), stop_, [&](const common::v1::Event& event) {
        v1::ReferralChange change;
        if (!event.payload().UnpackTo(change.mutable_referral())) return true;
        const Involvement involvement =
            InvolvementOf(change.referral(), institution_id, tier);
        if (involvement == Involvement::kNone) return true;
        change.set_sequence(event.sequence());
        change.set_event_type(event.type());
        *change.mutable_occurred_at() = event.occurred_at();
        change.set_incoming(involvement == Involvement::kIncoming);
        return writer->Write(change);
      });
}

}  // namespace cmc::referral
