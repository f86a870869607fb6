// The gRPC handlers of cmc.institution.v1.InstitutionService: validate the
// request (INVALID_ARGUMENT naming the field as written in institution.proto),
// translate it for the store, call the store, and return its result or error.
// Rules needing no data live in institution_rules.h; rules needing stored
// data, and all SQL, in institution_store.h.
//
//   auto service = std::make_unique<InstitutionService>(&pool, options);
//   server.AddService(service.get(), InstitutionService::service_full_name());
//
// Every handler works within the caller's deadline (defaulted and capped as
// cmc::EffectiveDeadline does) and records the caller's principal as the actor
// of the events it causes. Thread-safe.
#ifndef CMC_SERVICES_INSTITUTION_INSTITUTION_SERVICE_H_
#define CMC_SERVICES_INSTITUTION_INSTITUTION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/db/pool.h"
#include "services/institution/institution_store.h"

namespace cmc::institution {

class InstitutionService final : public v1::InstitutionService::Service {
 public:
  struct Options {
    absl::Duration default_deadline = absl::Seconds(30);
    absl::Duration max_deadline = absl::Minutes(5);
  };

  // `pool` (schema cmc_institution, migrated) must outlive the service.
  InstitutionService(db::Pool* pool, Options options);

  grpc::Status CreateCommunity(grpc::ServerContext* context,
                               const v1::CreateCommunityRequest* request,
                               v1::Community* response) override;
  grpc::Status GetCommunity(grpc::ServerContext* context,
                            const v1::GetCommunityRequest* request,
                            v1::Community* response) override;
  grpc::Status UpdateCommunity(grpc::ServerContext* context,
                               const v1::UpdateCommunityRequest* request,
                               v1::Community* response) override;
  grpc::Status ListCommunities(grpc::ServerContext* context,
                               const v1::ListCommunitiesRequest* request,
                               v1::ListCommunitiesResponse* response) override;

  grpc::Status CreateInstitution(grpc::ServerContext* context,
                                 const v1::CreateInstitutionRequest* request,
                                 v1::Institution* response) override;
  grpc::Status GetInstitution(grpc::ServerContext* context,
                              const v1::GetInstitutionRequest* request,
                              v1::Institution* response) override;
  grpc::Status UpdateInstitution(grpc::ServerContext* context,
                                 const v1::UpdateInstitutionRequest* request,
                                 v1::Institution* response) override;
  grpc::Status ListInstitutions(
      grpc::ServerContext* context, const v1::ListInstitutionsRequest* request,
      v1::ListInstitutionsResponse* response) override;
  grpc::Status BatchGetInstitutions(
      grpc::ServerContext* context,
      const v1::BatchGetInstitutionsRequest* request,
      v1::BatchGetInstitutionsResponse* response) override;

  grpc::Status AddMembership(grpc::ServerContext* context,
                             const v1::AddMembershipRequest* request,
                             v1::Membership* response) override;
  grpc::Status EndMembership(grpc::ServerContext* context,
                             const v1::EndMembershipRequest* request,
                             v1::Membership* response) override;
  grpc::Status ListMemberships(grpc::ServerContext* context,
                               const v1::ListMembershipsRequest* request,
                               v1::ListMembershipsResponse* response) override;

 private:
  absl::Time Deadline(const grpc::ServerContext& context) const;

  InstitutionStore store_;
  const Options options_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_INSTITUTION_SERVICE_H_
