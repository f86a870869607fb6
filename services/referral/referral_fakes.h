// Test-only stand-ins for what ReferralService depends on: in-memory stores
// that keep the contracts of referral_store.h and catalogue_store.h (without
// MySQL), a forwarding ReferralStoreWrapper to inject one failure (LevelDB's
// EnvWrapper), and fixed institution and community directories that can be
// made unreachable.
//
//   FakeInstitutionService institutions(facts, members);
//   ReferralService service(std::make_unique<FakeReferralStore>(),
//                           std::make_unique<FakeCatalogueStore>(),
//                           NewFakeInstitutionClient(&institutions), {});
//
// All are thread-safe: the service calls them from gRPC's threads.
#ifndef CMC_SERVICES_REFERRAL_REFERRAL_FAKES_H_
#define CMC_SERVICES_REFERRAL_REFERRAL_FAKES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/service/community_directory.h"
#include "common/service/institution_client.h"
#include "common/service/institution_directory.h"
#include "services/referral/catalogue_store.h"
#include "services/referral/referral_rules.h"
#include "services/referral/referral_store.h"

namespace cmc::referral {

// ReferralStore in memory. Row numbers and event sequences count from 1;
// referral ids are "ref-1", "ref-2", ... in creation order.
class FakeReferralStore final : public ReferralStore {
 public:
  explicit FakeReferralStore(ExpiryPolicy policy = ExpiryPolicy())
      : policy_(policy) {}

  // What the store holds, for assertions: every referral (by id) and the
  // type of every event, in order.
  std::map<std::string, v1::Referral> Referrals() const;
  std::vector<std::string> EventTypes() const;

  absl::StatusOr<std::optional<v1::Referral>> FindByRequest(
      const RequestClaim& claim, absl::Time deadline) override;
  absl::StatusOr<v1::Referral> Create(const RequestClaim& claim,
                                      v1::Referral referral,
                                      const std::string& principal,
                                      absl::Time deadline) override;
  absl::StatusOr<v1::Referral> Get(const std::string& id,
                                   absl::Time deadline) override;
  absl::StatusOr<v1::Referral> Transition(
      const std::string& id, int64_t expected_version,
      const ActionRequest& request, absl::Time deadline,
      const std::function<absl::Status(const v1::Referral&)>& authorize)
      override;
  absl::StatusOr<ReferralPage> List(const ReferralFilter& filter,
                                    absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Referral>> ForStats(
      const std::vector<std::string>& institution_ids, absl::Time created_from,
      absl::Time created_before, int limit, absl::Time deadline) override;
  absl::StatusOr<std::vector<ReferralRow>> ReceivedUpReferrals(
      const std::string& institution_id, int64_t before_row, int limit,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Referral>> DownReferralsSent(
      const std::string& institution_id,
      const std::vector<std::string>& resident_ids,
      absl::Time deadline) override;
  absl::StatusOr<int> ExpireDue(absl::Time now, int limit,
                                absl::Time deadline) override;
  absl::StatusOr<int64_t> LastEventSequence(absl::Time deadline) override;
  absl::Status TailEvents(
      const outbox::TailOptions& options, int64_t after_sequence,
      const grpc::ServerContextBase& context, StopSignal& stop,
      absl::FunctionRef<bool(const common::v1::Event&)> deliver) override;

 private:
  struct Row {
    int64_t row_no = 0;
    RequestClaim claim;
    v1::Referral referral;
  };

  absl::StatusOr<std::optional<v1::Referral>> FindByRequestLocked(
      const RequestClaim& claim) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AppendEventLocked(absl::string_view type, const v1::Referral& referral,
                         const std::string& principal)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<common::v1::Event> EventsAfter(int64_t sequence) const;

  const ExpiryPolicy policy_;
  mutable absl::Mutex mu_;
  std::map<std::string, Row> rows_ ABSL_GUARDED_BY(mu_);
  int64_t last_row_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<common::v1::Event> events_ ABSL_GUARDED_BY(mu_);
};

// Forwards every call to `target`. A test derives from it and overrides the
// one call it makes fail.
class ReferralStoreWrapper : public ReferralStore {
 public:
  explicit ReferralStoreWrapper(std::unique_ptr<ReferralStore> target)
      : target_(std::move(target)) {}

  absl::StatusOr<std::optional<v1::Referral>> FindByRequest(
      const RequestClaim& claim, absl::Time deadline) override {
    return target_->FindByRequest(claim, deadline);
  }
  absl::StatusOr<v1::Referral> Create(const RequestClaim& claim,
                                      v1::Referral referral,
                                      const std::string& principal,
                                      absl::Time deadline) override {
    return target_->Create(claim, std::move(referral), principal, deadline);
  }
  absl::StatusOr<v1::Referral> Get(const std::string& id,
                                   absl::Time deadline) override {
    return target_->Get(id, deadline);
  }
  absl::StatusOr<v1::Referral> Transition(
      const std::string& id, int64_t expected_version,
      const ActionRequest& request, absl::Time deadline,
      const std::function<absl::Status(const v1::Referral&)>& authorize)
      override {
    return target_->Transition(id, expected_version, request, deadline,
                               authorize);
  }
  absl::StatusOr<ReferralPage> List(const ReferralFilter& filter,
                                    absl::Time deadline) override {
    return target_->List(filter, deadline);
  }
  absl::StatusOr<std::vector<v1::Referral>> ForStats(
      const std::vector<std::string>& institution_ids, absl::Time created_from,
      absl::Time created_before, int limit, absl::Time deadline) override {
    return target_->ForStats(institution_ids, created_from, created_before,
                             limit, deadline);
  }
  absl::StatusOr<std::vector<ReferralRow>> ReceivedUpReferrals(
      const std::string& institution_id, int64_t before_row, int limit,
      absl::Time deadline) override {
    return target_->ReceivedUpReferrals(institution_id, before_row, limit,
                                        deadline);
  }
  absl::StatusOr<std::vector<v1::Referral>> DownReferralsSent(
      const std::string& institution_id,
      const std::vector<std::string>& resident_ids,
      absl::Time deadline) override {
    return target_->DownReferralsSent(institution_id, resident_ids, deadline);
  }
  absl::StatusOr<int> ExpireDue(absl::Time now, int limit,
                                absl::Time deadline) override {
    return target_->ExpireDue(now, limit, deadline);
  }
  absl::StatusOr<int64_t> LastEventSequence(absl::Time deadline) override {
    return target_->LastEventSequence(deadline);
  }
  absl::Status TailEvents(
      const outbox::TailOptions& options, int64_t after_sequence,
      const grpc::ServerContextBase& context, StopSignal& stop,
      absl::FunctionRef<bool(const common::v1::Event&)> deliver) override {
    return target_->TailEvents(options, after_sequence, context, stop, deliver);
  }

 private:
  const std::unique_ptr<ReferralStore> target_;
};

// CatalogueStore in memory.
class FakeCatalogueStore final : public CatalogueStore {
 public:
  absl::StatusOr<v1::InCountyCondition> Upsert(
      v1::InCountyCondition condition, std::optional<int64_t> expected_version,
      const std::string& principal, absl::Time deadline) override;
  absl::StatusOr<v1::InCountyCondition> Delete(const std::string& icd10_code,
                                               int64_t version,
                                               const std::string& principal,
                                               absl::Time deadline) override;
  absl::StatusOr<ConditionPage> List(const ConditionFilter& filter,
                                     absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::InCountyCondition>> FindByCodes(
      const std::vector<std::string>& codes, absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::InCountyCondition>> All(
      absl::Time deadline) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, v1::InCountyCondition> entries_ ABSL_GUARDED_BY(mu_);
};

// The institution service as the directories see it: fixed institutions and
// community memberships, reachable or not.
// The client below asks it; a test keeps it and flips SetReachable.
class FakeInstitutionService {
 public:
  FakeInstitutionService(
      std::map<std::string, InstitutionFacts> institutions,
      std::map<std::string, std::set<std::string>> communities)
      : institutions_(std::move(institutions)),
        communities_(std::move(communities)) {}

  // While unreachable every lookup is UNAVAILABLE.
  void SetReachable(bool reachable) {
    absl::MutexLock lock(&mu_);
    reachable_ = reachable;
  }

  // InstitutionDirectory::Lookup and CommunityDirectory::Members over the
  // fixed data.
  absl::StatusOr<std::vector<InstitutionFacts>> Lookup(
      const std::vector<std::string>& ids);
  absl::StatusOr<std::set<std::string>> Members(
      const std::string& community_id);

 private:
  const std::map<std::string, InstitutionFacts> institutions_;
  const std::map<std::string, std::set<std::string>> communities_;
  absl::Mutex mu_;
  bool reachable_ ABSL_GUARDED_BY(mu_) = true;
};

// The institution client of a service, its directories asking `service`,
// which must outlive them.
InstitutionClient NewFakeInstitutionClient(FakeInstitutionService* service);

}  // namespace cmc::referral

#endif  // CMC_SERVICES_REFERRAL_REFERRAL_FAKES_H_
