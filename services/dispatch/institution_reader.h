// What the dispatch service reads from the institution service, which owns
// villages, staff, institutions and postings: an interface so handler tests
// use fixed data, a gRPC implementation paging through the List calls, and a
// cache in front of it. The kit's InstitutionClient (common/service/
// institution_client.h) gives only tiers, statuses and community members;
// dispatch needs whole villages, staff and postings, so it has this reader
// beside it over the same channel.
//
// Failure rules (those of the kit): an institution service that cannot
// answer by the deadline is UNAVAILABLE (the caller stores nothing);
// failures are never cached; NOT_FOUND is passed on with the institution
// service's field, for the caller to rename.
#ifndef CMC_SERVICES_DISPATCH_INSTITUTION_READER_H_
#define CMC_SERVICES_DISPATCH_INSTITUTION_READER_H_

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/institution/v1/institution.pb.h"

namespace cmc::dispatch {

namespace inst = institution::v1;

class InstitutionReader {
 public:
  virtual ~InstitutionReader() = default;

  // Every village of `community_id`, in registration order. NOT_FOUND for
  // an unknown community.
  virtual absl::StatusOr<std::vector<inst::Village>> Villages(
      const std::string& community_id, absl::Time deadline) = 0;
  // One village; NOT_FOUND when unknown.
  virtual absl::StatusOr<inst::Village> Village(const std::string& id,
                                                absl::Time deadline) = 0;
  // The member institutions of `community_id` today.
  virtual absl::StatusOr<std::vector<inst::Institution>> Members(
      const std::string& community_id, absl::Time deadline) = 0;
  // Institutions by id, in order; NOT_FOUND naming "ids[i]".
  virtual absl::StatusOr<std::vector<inst::Institution>> Institutions(
      const std::vector<std::string>& ids, absl::Time deadline) = 0;
  // Staff employed by members of `community_id` today.
  virtual absl::StatusOr<std::vector<inst::Staff>> Staff(
      const std::string& community_id, absl::Time deadline) = 0;
  // One staff member; NOT_FOUND when unknown.
  virtual absl::StatusOr<inst::Staff> StaffMember(const std::string& id,
                                                  absl::Time deadline) = 0;
  // The community `institution_id` is a member of today; "" for none.
  virtual absl::StatusOr<std::string> CommunityOf(
      const std::string& institution_id, absl::Time deadline) = 0;
  // Postings of a staff member (history included).
  virtual absl::StatusOr<std::vector<inst::Posting>> Postings(
      const std::string& staff_id, absl::Time deadline) = 0;
  // Postings from or to an institution (history included).
  virtual absl::StatusOr<std::vector<inst::Posting>> PostingsAt(
      const std::string& institution_id, absl::Time deadline) = 0;
};

// Calls cmc.institution.v1.InstitutionService on `channel`, each call
// bounded by the caller's deadline and `call_timeout`.
std::unique_ptr<InstitutionReader> NewGrpcInstitutionReader(
    std::shared_ptr<grpc::Channel> channel,
    absl::Duration call_timeout = absl::Seconds(2));

// Remembers successful answers of `inner` for `ttl`.
std::unique_ptr<InstitutionReader> NewCachingInstitutionReader(
    std::unique_ptr<InstitutionReader> inner, absl::Duration ttl,
    std::function<absl::Time()> now = absl::Now);

}  // namespace cmc::dispatch

#endif  // CMC_SERVICES_DISPATCH_INSTITUTION_READER_H_
