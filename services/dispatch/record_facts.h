// Translations between the stored records (cmc.dispatch.v1 messages) and what
// the stores search them by (RecordKeys) and the rules reason over (facts.h,
// schedule.h). Pure.
#ifndef CMC_SERVICES_DISPATCH_RECORD_FACTS_H_
#define CMC_SERVICES_DISPATCH_RECORD_FACTS_H_

#include <map>
#include <string>
#include <vector>

#include "cmc/dispatch/v1/dispatch.pb.h"
#include "cmc/institution/v1/institution.pb.h"
#include "services/dispatch/facts.h"
#include "services/dispatch/record_store.h"
#include "services/dispatch/schedule.h"

namespace cmc::dispatch {

// The days of a record as stored (validated on the way in; an unparsable day
// reads as 1970-01-01).
absl::CivilDay DayOf(const common::v1::CivilDate& date);
// end_date, or kOpenEnd when unset.
absl::CivilDay EndOf(const common::v1::CivilDate& date);

RecordKeys KeysOf(const v1::TouringPlan& plan);
RecordKeys KeysOf(const v1::Visit& visit);
RecordKeys KeysOf(const v1::StationingAssignment& assignment);
RecordKeys KeysOf(const v1::NeighbourExtension& extension);
RecordKeys KeysOf(const v1::RelocationSettlement& settlement);
RecordKeys KeysOf(const v1::RotaProposal& rota);

// The day a visit counts on: actual_date when DONE, else date.
absl::CivilDay VisitDay(const v1::Visit& visit);

VillageFact ToFact(const institution::v1::Village& village);
StaffFact ToFact(const institution::v1::Staff& staff);
PostingFact ToFact(const institution::v1::Posting& posting);
AssignmentFact ToFact(const v1::StationingAssignment& assignment);
ExtensionFact ToFact(const v1::NeighbourExtension& extension);
SettlementFact ToFact(const v1::RelocationSettlement& settlement);
// `levels` gives the organiser's level (LEVEL_UNSPECIFIED when missing).
VisitFact ToFact(const v1::Visit& visit,
                 const std::map<std::string, v1::Level>& levels);

// One booking per team member of a PLANNED or DONE visit (none otherwise).
std::vector<Booking> BookingsOf(const v1::Visit& visit);
Booking BookingOf(const v1::StationingAssignment& assignment);
Booking BookingOf(const institution::v1::Posting& posting);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_RECORD_FACTS_H_
