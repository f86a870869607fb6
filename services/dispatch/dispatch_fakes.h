// Fixed stand-ins for what the dispatch handlers depend on, for handler
// tests: an institution service of one small community (FakeInstitutions)
// and the community directory over it.
//
// Community com-1 (county 360426): ins-county (county hospital), township
// centers ins-t1 and ins-t2, village clinics ins-c1 and ins-c2. Villages:
// vil-1 (ins-t1, clinic ins-c1), vil-2 (ins-t1, no clinic), vil-3 (ins-t2,
// clinic ins-c2), vil-4 (ins-t2, no clinic). Staff: stf-doc and stf-left
// (LEFT) physicians of ins-county; stf-t1a and stf-t1b physicians and
// stf-nurse of ins-t1; village doctors stf-vd1 (ins-c1) and stf-vd2 (ins-c2).
// Posting pst-1: stf-t1b at ins-t2 for March 2026.
#ifndef CMC_SERVICES_DISPATCH_DISPATCH_FAKES_H_
#define CMC_SERVICES_DISPATCH_DISPATCH_FAKES_H_

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/service/community_directory.h"
#include "services/dispatch/institution_reader.h"

namespace cmc::dispatch {

class FakeInstitutions final : public InstitutionReader {
 public:
  FakeInstitutions();

  absl::StatusOr<std::vector<inst::Village>> Villages(
      const std::string& community_id, absl::Time deadline) override;
  absl::StatusOr<inst::Village> Village(const std::string& id,
                                        absl::Time deadline) override;
  absl::StatusOr<std::vector<inst::Institution>> Members(
      const std::string& community_id, absl::Time deadline) override;
  absl::StatusOr<std::vector<inst::Institution>> Institutions(
      const std::vector<std::string>& ids, absl::Time deadline) override;
  absl::StatusOr<std::vector<inst::Staff>> Staff(
      const std::string& community_id, absl::Time deadline) override;
  absl::StatusOr<inst::Staff> StaffMember(const std::string& id,
                                          absl::Time deadline) override;
  absl::StatusOr<std::string> CommunityOf(const std::string& institution_id,
                                          absl::Time deadline) override;
  absl::StatusOr<std::vector<inst::Posting>> Postings(
      const std::string& staff_id, absl::Time deadline) override;
  absl::StatusOr<std::vector<inst::Posting>> PostingsAt(
      const std::string& institution_id, absl::Time deadline) override;

  // While true every call is UNAVAILABLE.
  std::atomic<bool> down{false};

  std::map<std::string, inst::Institution> institutions;
  std::vector<inst::Village> villages;
  std::vector<inst::Staff> staff;
  std::vector<inst::Posting> postings;
};

// A reader that forwards to a FakeInstitutions it does not own.
std::unique_ptr<InstitutionReader> ReaderOf(FakeInstitutions* fake);

// Members of "com-1" from `fake`.
std::unique_ptr<CommunityDirectory> CommunitiesOf(FakeInstitutions* fake);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_DISPATCH_FAKES_H_
