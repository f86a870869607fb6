// Postings: a staff member working at another institution for a span of days
// (对口支援, 下沉): the contract of their storage (store_types.h lists what
// every store shares). MysqlPostingStore is the implementation; tests use a
// fake.
//
//   CMC_ASSIGN_OR_RETURN(v1::Posting ended,
//                        postings->EndPosting(id, last_day, guard, actor,
//                                             deadline));
#ifndef CMC_SERVICES_INSTITUTION_POSTING_STORE_H_
#define CMC_SERVICES_INSTITUTION_POSTING_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/institution/store_types.h"

namespace cmc::institution {

class PostingStore {
 public:
  virtual ~PostingStore() = default;

  // Stores a validated new posting after the checks listed for CreatePosting
  // in institution.proto, with the staff member locked so that concurrent
  // postings of one person cannot both pass the overlap check. `guard` sees
  // the staff member (locked) before the other checks.
  virtual absl::StatusOr<v1::Posting> CreatePosting(
      const RequestClaim& claim, const v1::Posting& posting,
      const Guard<v1::Staff>& guard, const Actor& actor,
      absl::Time deadline) = 0;
  // Sets end_date of posting `id` to `last_day` (see EndPosting in
  // institution.proto). `guard` sees the posting before it changes.
  virtual absl::StatusOr<v1::Posting> EndPosting(
      const std::string& id, absl::CivilDay last_day,
      const Guard<v1::Posting>& guard, const Actor& actor,
      absl::Time deadline) = 0;
  // The postings matching `filter`, one page in creation order.
  virtual absl::StatusOr<PageOf<v1::Posting>> ListPostings(
      const PostingFilter& filter, const PageQuery& page,
      absl::Time deadline) = 0;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_POSTING_STORE_H_
