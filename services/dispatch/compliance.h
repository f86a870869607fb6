// Compliance of a community with its touring and stationing policy over a
// period (pure): every touring rule, met or not, with the destinations and
// periods that fail, and the township centers lacking a physician stationed
// from a county (or city) hospital.
//
//   const ComplianceFacts facts = ...;
//   v1::ComplianceReport report = CheckCompliance(policy, facts, span, today);
#ifndef CMC_SERVICES_DISPATCH_COMPLIANCE_H_
#define CMC_SERVICES_DISPATCH_COMPLIANCE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "cmc/common/v1/types.pb.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "services/dispatch/calendar.h"
#include "services/dispatch/coverage.h"
#include "services/dispatch/facts.h"

namespace cmc::dispatch {

struct ComplianceFacts {
  std::string community_id;
  // The community's villages and township centers, in registration order.
  std::vector<VillageFact> villages;
  std::vector<std::string> township_center_ids;
  // Tiers of the institutions assignments come from.
  std::map<std::string, common::v1::Tier> tiers;
  // Everything else coverage needs (visits and assignments included).
  CoverageFacts coverage;
};

// The report of `policy` over `span` (policy and period fields left for the
// caller). Visits count as VisitCounts(visit, today) says.
v1::ComplianceReport CheckCompliance(const v1::DispatchPolicy& policy,
                                     const ComplianceFacts& facts,
                                     const DaySpan& span, absl::CivilDay today);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_COMPLIANCE_H_
