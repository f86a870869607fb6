// The gRPC handlers of cmc.referral.v1.ReferralService: validate the request
// (INVALID_ARGUMENT naming the field as written in referral.proto), gather
// what the rules need (tiers from the institution directory), call the store,
// and return the referral with the resident ID masked. The life-cycle rules
// live in referral_rules.h, request checks in request_checks.h; storage is
// behind ReferralStore and CatalogueStore (MySQL in mysql_*_store.h).
//
//   auto service = std::make_unique<ReferralService>(
//       std::make_unique<MysqlReferralStore>(&pool, expiry),
//       std::make_unique<MysqlCatalogueStore>(&pool),
//       NewCachingDirectory(NewGrpcInstitutionDirectory(channel), ttl),
//       NewCachingCommunityDirectory(NewGrpcCommunityDirectory(channel), ttl),
//       options);
//   server.AddService(service.get(), "cmc.referral.v1.ReferralService");
//
// Every handler works within the caller's deadline (defaulted and capped as
// cmc::EffectiveDeadline does), applies the caller's org scope (its
// communities resolved to members by the community directory, and where an
// unclaimed tier-open referral is judged the tiers of its institutions by the
// institution directory; rules in referral_scope.h) and records the caller's
// principal subject ("anonymous" without one) as the actor of its transitions
// and events. The catalogue handlers and ListDownReferralSuggestions are in
// referral_catalogue.cc. WatchReferrals streams run until cancelled or until
// Stop(), which the server's shutdown hook calls:
//
//   server.AddShutdownHook([service = service.get()] { service->Stop(); });
//
// Thread-safe.
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/stop_signal.h"
#include "services/referral/catalogue_store.h"
#include "services/referral/community_directory.h"
#include "services/referral/institution_directory.h"
#include "services/referral/referral_rules.h"
#include "services/referral/referral_scope.h"
#include "services/referral/referral_store.h"

namespace cmc::referral {

class ReferralService final : public v1::ReferralService::Service {
 public:
  struct Options {
    absl::Duration default_deadline = absl::Seconds(30);
    absl::Duration max_deadline = absl::Minutes(5);
    // How often an open WatchReferrals stream looks for new events.
    absl::Duration watch_poll_interval = absl::Milliseconds(200);
  };

  ReferralService(std::unique_ptr<ReferralStore> store,
                  std::unique_ptr<CatalogueStore> catalogue,
                  std::unique_ptr<InstitutionDirectory> directory,
                  std::unique_ptr<CommunityDirectory> communities,
                  Options options);

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
  // Whether ScopeOf resolves the tiers of the covered institutions.
  enum class Tiers { kSkip, kResolve };

  absl::Time Deadline(const grpc::ServerContext& context) const;
  // The caller's org scope, its communities resolved to their members (one
  // cached ListInstitutions paging per community), and with kResolve the
  // tiers of the covered institutions (TiersOf: one cached
  // BatchGetInstitutions). Without them the scope fails closed on unclaimed
  // tier-open referrals (OrgScope::NeedsTiersFor), so kResolve is needed only
  // where those are judged: the tiers are asked for only then, so that calls
  // about other referrals keep working while the institution service is down.
  // UNAVAILABLE when the institution service cannot be reached.
  absl::StatusOr<OrgScope> ScopeOf(const grpc::ServerContext& context,
                                   absl::Time deadline,
                                   Tiers tiers = Tiers::kSkip);
  // `scope` (from ScopeOf without tiers), or the caller's scope with its
  // tiers when whether it sees `referral` depends on them.
  absl::StatusOr<OrgScope> ScopeToJudge(const grpc::ServerContext& context,
                                        OrgScope scope,
                                        const v1::Referral& referral,
                                        absl::Time deadline);
  // Records the in-county catalogue entry an out-of-county referral's
  // diagnosis matches and applies the justification rule (ApplyInCountyRule).
  absl::Status ApplyCatalogue(v1::Referral* referral, absl::Time deadline);
  absl::StatusOr<v1::ListDownReferralSuggestionsResponse> Suggestions(
      const grpc::ServerContext& context,
      const v1::ListDownReferralSuggestionsRequest& request);
  absl::StatusOr<v1::Referral> Create(const grpc::ServerContext& context,
                                      const v1::CreateReferralRequest& request);
  // Checks the sending and receiving institutions and the direction.
  absl::Status CheckParties(const v1::Referral& referral, absl::Time deadline);
  // The one body of the seven transition RPCs (Receive, Accept, ...): reads
  // `request` as its row of the transition table says and runs Act.
  template <typename Request>
  grpc::Status Transition(grpc::ServerContext* context, const Request& request,
                          v1::Referral* response);
  // Checks the fields every transition request has (`id`, `version`,
  // `actor`), then returns `fields_of_action` (the check of the action's own
  // fields: note, reason, outcome) if it failed; otherwise completes `action`
  // with the actor and principal and runs it on referral `id` at `version`.
  absl::StatusOr<v1::Referral> Act(const grpc::ServerContext& context,
                                   const std::string& id, int64_t version,
                                   const v1::Actor& actor, ActionRequest action,
                                   const absl::Status& fields_of_action);

  const std::unique_ptr<ReferralStore> store_;
  const std::unique_ptr<CatalogueStore> catalogue_;
  const std::unique_ptr<InstitutionDirectory> directory_;
  const std::unique_ptr<CommunityDirectory> communities_;
  const Options options_;
  StopSignal stop_;
};

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
