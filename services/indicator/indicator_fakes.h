// In-memory stand-ins for handler tests: an IndicatorStore with the same
// contract as the MySQL one (indicator_store.h), and a fixed org tree in
// place of the institution service.
#ifndef CMC_SERVICES_INDICATOR_INDICATOR_FAKES_H_
#define CMC_SERVICES_INDICATOR_INDICATOR_FAKES_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/indicator/indicator_store.h"
#include "services/indicator/org_directory.h"

namespace cmc::indicator {

class FakeIndicatorStore final : public IndicatorStore {
 public:
  absl::StatusOr<std::vector<v1::DataElement>> ListDataElements(
      absl::Time deadline) override;
  absl::StatusOr<v1::DataElement> CreateDataElement(
      const v1::DataElement& element, absl::Time now,
      absl::Time deadline) override;
  absl::StatusOr<v1::IndicatorSet> GetIndicatorSet(
      const std::string& code, int64_t version, absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::IndicatorSet>> ListIndicatorSets(
      absl::Time deadline) override;
  absl::StatusOr<v1::IndicatorSet> SaveIndicatorSet(
      v1::IndicatorSet set, const std::string& actor, absl::Time now,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<size_t>> PutValues(
      const std::vector<ValueWrite>& writes, absl::Time deadline) override;
  absl::StatusOr<std::vector<StoredValue>> ReadValues(
      const ValueQuery& query, absl::Time deadline) override;
  absl::StatusOr<std::vector<std::string>> DivisionsWithValues(
      const std::string& within, absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::PeriodApproval>> ListApprovals(
      const std::string& county, absl::Time deadline) override;
  absl::StatusOr<v1::PeriodApproval> Approve(const std::string& county,
                                             const ReportingPeriod& period,
                                             const std::string& actor,
                                             absl::Time now,
                                             absl::Time deadline) override;
  absl::StatusOr<v1::PeriodApproval> Revoke(const std::string& county,
                                            const ReportingPeriod& period,
                                            const std::string& actor,
                                            absl::Time now,
                                            absl::Time deadline) override;

  // Every stored value, for assertions.
  std::vector<StoredValue> AllValues() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, v1::DataElement> elements_ ABSL_GUARDED_BY(mu_);
  // code -> versions (index = version - 1)
  std::map<std::string, std::vector<v1::IndicatorSet>> sets_
      ABSL_GUARDED_BY(mu_);
  // (element, org id, period text) -> value
  std::map<std::tuple<std::string, std::string, std::string>, StoredValue>
      values_ ABSL_GUARDED_BY(mu_);
  // county -> period text -> approval
  std::map<std::string, std::map<std::string, v1::PeriodApproval>> approvals_
      ABSL_GUARDED_BY(mu_);
};

// A fixed tree: communities with their county and members, institutions
// with their county. `unavailable` makes every call UNAVAILABLE.
class FakeOrgDirectory final : public OrgDirectory {
 public:
  void AddCommunity(const std::string& id, const std::string& county,
                    const std::set<std::string>& members);
  void SetUnavailable(bool unavailable);

  absl::StatusOr<std::optional<std::string>> CommunityCounty(
      const std::string& community_id, absl::Time deadline) override;
  absl::StatusOr<std::optional<std::string>> InstitutionCounty(
      const std::string& institution_id, absl::Time deadline) override;
  absl::StatusOr<std::vector<CommunityPlace>> CommunitiesWithin(
      const std::string& division, absl::Time deadline) override;
  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time deadline) override;

 private:
  absl::Status Check() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, CommunityPlace> communities_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::set<std::string>> members_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> institution_county_ ABSL_GUARDED_BY(mu_);
};

// An OrgDirectory that forwards to `inner` (not owned), so a test can keep
// changing the fake while the service owns the forwarder.
std::unique_ptr<OrgDirectory> ForwardTo(OrgDirectory* inner);

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_INDICATOR_FAKES_H_
