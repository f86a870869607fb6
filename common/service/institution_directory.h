// What the referral service needs to know about institutions (their tier and
// whether they operate), asked of the institution service, which owns them.
//
//   auto directory = NewCachingDirectory(
//       NewGrpcInstitutionDirectory(grpc::CreateChannel(addr, creds)),
//       absl::Seconds(30));
//   CMC_ASSIGN_OR_RETURN(std::vector<InstitutionFacts> facts,
//                        directory->Lookup({from_id, to_id}, deadline));
//
// The interface lets handler tests run against a fixed directory and lets
// fault tests make the institution service unreachable.
#ifndef CMC_COMMON_SERVICE_INSTITUTION_DIRECTORY_H_
#define CMC_COMMON_SERVICE_INSTITUTION_DIRECTORY_H_

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cmc/common/v1/types.pb.h"

namespace cmc {

// An institution as the referral rules see it.
struct InstitutionFacts {
  common::v1::Tier tier = common::v1::TIER_UNSPECIFIED;
  bool active = false;
};

class InstitutionDirectory {
 public:
  virtual ~InstitutionDirectory() = default;

  // The facts of each of `ids` (1-1000), in the same order. NOT_FOUND for an
  // unknown id, carrying a google.rpc.BadRequest naming "ids[i]" (its index in
  // `ids`); UNAVAILABLE when the institution service cannot answer by
  // `deadline` or fails. Thread-safe.
  virtual absl::StatusOr<std::vector<InstitutionFacts>> Lookup(
      const std::vector<std::string>& ids, absl::Time deadline) = 0;
};

// The index i of a NOT_FOUND status naming "ids[i]", or -1.
int NotFoundIndex(const absl::Status& status);

// The tiers of `ids` (closed institutions included), asked of `directory` in
// batches of at most 1000 ids: one Lookup for a scope's institutions, none
// when `ids` is empty. An id the institution service does not know has no
// tier and is skipped (one more Lookup for the rest, answered from a caching
// directory's memory). UNAVAILABLE as Lookup. What an org scope's tier rule
// needs (OrgScope's covered tiers).
absl::StatusOr<std::set<common::v1::Tier>> TiersOf(
    InstitutionDirectory& directory, std::vector<std::string> ids,
    absl::Time deadline);

// A channel to the institution service at `address` ("host:port"), mutual TLS
// when the process has internal TLS (common/identity/internal_tls.h),
// reconnecting within about a second after the service comes back (gRPC's
// default backoff grows to two minutes, which would keep creates UNAVAILABLE
// long after a restart).
std::shared_ptr<grpc::Channel> NewInstitutionChannel(
    const std::string& address);

// Calls cmc.institution.v1.InstitutionService/BatchGetInstitutions on
// `channel`, each call bounded by the caller's deadline and `call_timeout`.
std::unique_ptr<InstitutionDirectory> NewGrpcInstitutionDirectory(
    std::shared_ptr<grpc::Channel> channel,
    absl::Duration call_timeout = absl::Seconds(2));

// Remembers facts from `inner` for `ttl` and asks it only for ids it does not
// know or whose entry is older than `ttl`. Unknown ids and failures are not
// remembered. Tiers and statuses change rarely (a reorganisation, a closure),
// so a short staleness window is acceptable, and it keeps referral work going
// through brief blips of the institution service. `now` is the clock (for
// tests).
std::unique_ptr<InstitutionDirectory> NewCachingDirectory(
    std::unique_ptr<InstitutionDirectory> inner, absl::Duration ttl,
    std::function<absl::Time()> now = absl::Now);

}  // namespace cmc

#endif  // CMC_COMMON_SERVICE_INSTITUTION_DIRECTORY_H_
