// The indicator service's store: data elements, indicator sets, data values
// and approvals. MysqlIndicatorStore (mysql_indicator_store.h) keeps them in
// schema cmc_indicator; FakeIndicatorStore (indicator_fakes.h) in memory for
// handler tests. Every method is thread-safe and returns UNAVAILABLE when
// the database cannot answer by the call's `deadline`.
#ifndef CMC_SERVICES_INDICATOR_INDICATOR_STORE_H_
#define CMC_SERVICES_INDICATOR_INDICATOR_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/indicator/v1/indicator.pb.h"
#include "services/indicator/org_unit.h"
#include "services/indicator/period.h"

namespace cmc::indicator {

// One data value as stored.
struct StoredValue {
  std::string element_code;
  OrgUnitKey org_unit;
  ReportingPeriod period = ReportingPeriod::Year(2000);
  int64_t value = 0;
  v1::ValueSource source = v1::VALUE_SOURCE_REPORTED;
  std::string provenance;
  absl::Time update_time;
};

// A value to store, with the county whose approvals lock it ("" when no
// county's approval applies: a prefecture or province unit).
struct ValueWrite {
  StoredValue value;
  std::string county_division_code;
};

// What a read of values asks for.
struct ValueQuery {
  // Values of these org units (any kind)...
  std::vector<OrgUnitKey> units;
  // ...and of every division unit inside this division ("" for none).
  std::string divisions_within;
  // Periods lying inside [first, last].
  absl::CivilDay first;
  absl::CivilDay last;
  // Only these elements (all when empty).
  std::vector<std::string> element_codes;
};

class IndicatorStore {
 public:
  virtual ~IndicatorStore() = default;

  // Every data element, ordered by code.
  virtual absl::StatusOr<std::vector<v1::DataElement>> ListDataElements(
      absl::Time deadline) = 0;
  // Stores a new element; returns the stored one unchanged when an element
  // of the same code has the same definition; ALREADY_EXISTS "element.code"
  // when it differs.
  virtual absl::StatusOr<v1::DataElement> CreateDataElement(
      const v1::DataElement& element, absl::Time now, absl::Time deadline) = 0;

  // One version of a set (0: the latest). NOT_FOUND "code" (no such set) or
  // "version".
  virtual absl::StatusOr<v1::IndicatorSet> GetIndicatorSet(
      const std::string& code, int64_t version, absl::Time deadline) = 0;
  // The latest version of every set, ordered by code.
  virtual absl::StatusOr<std::vector<v1::IndicatorSet>> ListIndicatorSets(
      absl::Time deadline) = 0;
  // Saves `set` as version set.version() + 1, when set.version() is the
  // latest version of its code (0 for a new code); else ABORTED
  // "set.version". Definition versions are assigned here
  // (AssignDefinitionVersions). Returns the saved set.
  virtual absl::StatusOr<v1::IndicatorSet> SaveIndicatorSet(
      v1::IndicatorSet set, const std::string& actor, absl::Time now,
      absl::Time deadline) = 0;

  // Stores each write (replacing the value of the same element, org unit and
  // period) unless its period lies in an approval of its county; returns the
  // indexes (into `writes`) of those refused for that reason. All in one
  // transaction, so an approval is either seen or not by the whole batch.
  virtual absl::StatusOr<std::vector<size_t>> PutValues(
      const std::vector<ValueWrite>& writes, absl::Time deadline) = 0;
  // The stored values matching `query`, ordered by element, org unit kind and
  // id, period start.
  virtual absl::StatusOr<std::vector<StoredValue>> ReadValues(
      const ValueQuery& query, absl::Time deadline) = 0;
  // The division codes (of any level) that hold values inside division
  // `within` (itself included), ordered.
  virtual absl::StatusOr<std::vector<std::string>> DivisionsWithValues(
      const std::string& within, absl::Time deadline) = 0;

  // The approvals of a county, ordered by period start.
  virtual absl::StatusOr<std::vector<v1::PeriodApproval>> ListApprovals(
      const std::string& county, absl::Time deadline) = 0;
  // Approves `period` (a month or a year) of `county`; ALREADY_EXISTS
  // "period" when it is approved.
  virtual absl::StatusOr<v1::PeriodApproval> Approve(
      const std::string& county, const ReportingPeriod& period,
      const std::string& actor, absl::Time now, absl::Time deadline) = 0;
  // Removes the approval; NOT_FOUND "period" when there is none.
  virtual absl::StatusOr<v1::PeriodApproval> Revoke(
      const std::string& county, const ReportingPeriod& period,
      const std::string& actor, absl::Time now, absl::Time deadline) = 0;
};

}  // namespace cmc::indicator

#endif  // CMC_SERVICES_INDICATOR_INDICATOR_STORE_H_
