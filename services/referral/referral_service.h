// The gRPC handlers of cmc.referral.v1.ReferralService: validate the request
// (INVALID_ARGUMENT naming the field as written in referral.proto), gather
// what the rules need (tiers from the institution service), call the store,
// and return the referral with the resident ID masked. The life-cycle rules
// live in referral_rules.h, request checks in request_checks.h, the scope
// rules in referral_scope.h; storage is behind ReferralStore and
// CatalogueStore (MySQL in mysql_*_store.h).
//
//   auto service = std::make_unique<ReferralService>(
//       std::make_unique<MysqlReferralStore>(&pool, expiry),
//       std::make_unique<MysqlCatalogueStore>(&pool),
//       NewInstitutionClient(institution_address, ttl), options);
//   server.AddService(service.get(), "cmc.referral.v1.ReferralService");
//
// Every handler has the kit's one shape (common/service/handler.h): a body of
// the call's CallContext (deadline, principal, county day) returning a value
// or a status. It applies the caller's org scope (its communities resolved to
// members by the institution service, and where an unclaimed tier-open
// referral is judged, the tiers of its institutions) and records the caller's
// principal subject ("anonymous" without one) as the actor of its transitions
// and events. The catalogue handlers and ListDownReferralSuggestions are in
// referral_catalogue.cc, WatchReferrals in referral_watch.cc. Watch streams
// run until cancelled or until Stop(), which the server's shutdown hook calls:
//
//   server.AddShutdownHook([service = service.get()] { service->Stop(); });
//
// Thread-safe.
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/service/call_context.h"
#include "common/service/institution_client.h"
#include "common/service/org_scope.h"
#include "common/service/scope_resolver.h"
#include "common/stop_signal.h"
#include "services/referral/catalogue_store.h"
#include "services/referral/referral_rules.h"
#include "services/referral/referral_store.h"

namespace cmc::referral {

class ReferralService final : public v1::ReferralService::Service {
 public:
  struct Options {
    // Deadlines and the county's clock of every call.
    CallOptions call;
    // How often an open WatchReferrals stream looks for new events.
    absl::Duration watch_poll_interval = absl::Milliseconds(200);
  };

  ReferralService(std::unique_ptr<ReferralStore> store,
                  std::unique_ptr<CatalogueStore> catalogue,
                  InstitutionClient institutions, Options options);

  grpc::Status CreateReferral(grpc::ServerContext* context,
                              const v1::CreateReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status GetReferral(grpc::ServerContext* context,
                           const v1::GetReferralRequest* request,
                           v1::Referral* response) override;
  grpc::Status ListReferrals(grpc::ServerContext* context,
                             const v1::ListReferralsRequest* request,
                             v1::ListReferralsResponse* response) override;
  grpc::Status ReceiveReferral(grpc::ServerContext* context,
                               const v1::ReceiveReferralRequest* request,
                               v1::Referral* response) override;
  grpc::Status AcceptReferral(grpc::ServerContext* context,
                              const v1::AcceptReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status RejectReferral(grpc::ServerContext* context,
                              const v1::RejectReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status ArriveReferral(grpc::ServerContext* context,
                              const v1::ArriveReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status CompleteReferral(grpc::ServerContext* context,
                                const v1::CompleteReferralRequest* request,
                                v1::Referral* response) override;
  grpc::Status CancelReferral(grpc::ServerContext* context,
                              const v1::CancelReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status ApproveReferral(grpc::ServerContext* context,
                               const v1::ApproveReferralRequest* request,
                               v1::Referral* response) override;
  grpc::Status GetReferralStats(grpc::ServerContext* context,
                                const v1::GetReferralStatsRequest* request,
                                v1::ReferralStats* response) override;
  grpc::Status WatchReferrals(
      grpc::ServerContext* context, const v1::WatchReferralsRequest* request,
      grpc::ServerWriter<v1::ReferralChange>* writer) override;
  grpc::Status UpsertInCountyCondition(
      grpc::ServerContext* context,
      const v1::UpsertInCountyConditionRequest* request,
      v1::InCountyCondition* response) override;
  grpc::Status DeleteInCountyCondition(
      grpc::ServerContext* context,
      const v1::DeleteInCountyConditionRequest* request,
      v1::InCountyCondition* response) override;
  grpc::Status ListInCountyConditions(
      grpc::ServerContext* context,
      const v1::ListInCountyConditionsRequest* request,
      v1::ListInCountyConditionsResponse* response) override;
  grpc::Status ListDownReferralSuggestions(
      grpc::ServerContext* context,
      const v1::ListDownReferralSuggestionsRequest* request,
      v1::ListDownReferralSuggestionsResponse* response) override;

  // Ends open WatchReferrals streams with UNAVAILABLE and refuses new ones.
  // Thread-safe, idempotent.
  void Stop() { stop_.Stop(); }

 private:
  // The caller's org scope, with the tiers of its institutions only where a
  // rule needs them (ScopeResolver::Tiers): without them the scope fails
  // closed on unclaimed tier-open referrals (NeedsTiersFor), and asking for
  // them only then keeps calls about other referrals working while the
  // institution service is down. UNAVAILABLE when it cannot be reached.
  absl::StatusOr<OrgScope> ScopeOf(
      const CallContext& call,
      ScopeResolver::Tiers tiers = ScopeResolver::Tiers::kSkip) const;
  // `scope`, with its tiers when whether it sees `referral` depends on them.
  absl::StatusOr<OrgScope> ScopeToJudge(const CallContext& call,
                                        const OrgScope& scope,
                                        const v1::Referral& referral) const;
  // Records the in-county catalogue entry an out-of-county referral's
  // diagnosis matches and applies the justification rule (ApplyInCountyRule).
  absl::Status ApplyCatalogue(const CallContext& call,
                              v1::Referral* referral) const;
  // Checks the sending and receiving institutions and the direction.
  absl::Status CheckParties(const CallContext& call,
                            const v1::Referral& referral) const;

  // The handler bodies that are more than a few lines.
  absl::StatusOr<v1::Referral> Create(const CallContext& call,
                                      const v1::CreateReferralRequest& request);
  absl::StatusOr<v1::Referral> Get(const CallContext& call,
                                   const v1::GetReferralRequest& request);
  absl::StatusOr<v1::ListReferralsResponse> List(
      const CallContext& call, const v1::ListReferralsRequest& request);
  absl::StatusOr<v1::ReferralStats> Stats(
      const CallContext& call, const v1::GetReferralStatsRequest& request);
  absl::StatusOr<v1::ListDownReferralSuggestionsResponse> Suggestions(
      const CallContext& call,
      const v1::ListDownReferralSuggestionsRequest& request);
  absl::Status Watch(const CallContext& call,
                     const v1::WatchReferralsRequest& request,
                     grpc::ServerWriter<v1::ReferralChange>* writer);

  // The one body of the seven transition RPCs (Receive, Accept, ...): reads
  // `request` as its row of the transition table says and runs Act.
  template <typename Request>
  grpc::Status Transition(grpc::ServerContext* context, const Request& request,
                          v1::Referral* response);
  // Checks the fields every transition request has (`id`, `version`,
  // `actor`), then returns `fields_of_action` (the check of the action's own
  // fields: note, reason, outcome) if it failed; otherwise completes `action`
  // with the actor and principal and runs it on referral `id` at `version`.
  absl::StatusOr<v1::Referral> Act(const CallContext& call,
                                   const std::string& id, int64_t version,
                                   const v1::Actor& actor, ActionRequest action,
                                   const absl::Status& fields_of_action);

  const std::unique_ptr<ReferralStore> store_;
  const std::unique_ptr<CatalogueStore> catalogue_;
  const InstitutionClient institutions_;
  const ScopeResolver scopes_;
  const Options options_;
  StopSignal stop_;
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
