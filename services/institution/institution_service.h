// The gRPC handlers of cmc.institution.v1.InstitutionService: validate the
// request (INVALID_ARGUMENT naming the field as written in institution.proto),
// translate it for the store, call the store, and return its result or error.
// Rules needing no data live in institution_rules.h; rules needing stored
// data sit behind the store interfaces (community_store.h, ...), whose MySQL
// implementations (mysql_stores.h) hold all SQL.
//
//   MysqlStores mysql(&pool);
//   auto service = std::make_unique<InstitutionService>(mysql.stores(),
//   options); server.AddService(service.get(),
//   InstitutionService::service_full_name());
//
// Every handler has the kit's one shape (cmc::Serve over a CallContext,
// common/service/handler.h): it works within the caller's deadline (defaulted
// and capped), on the county's day of Options::call.clock, confines the call
// to the caller's org scope (org_scope.h: refusals are PERMISSION_DENIED via
// cmc::OutOfScope naming the request field, lists keep only rows in scope;
// see each RPC in institution.proto) and records the caller's principal as
// the actor of the events it causes. Thread-safe; holds no mutable state.
#ifndef CMC_SERVICES_INSTITUTION_INSTITUTION_SERVICE_H_
#define CMC_SERVICES_INSTITUTION_INSTITUTION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/service/call_context.h"
#include "common/service/org_scope.h"
#include "services/institution/community_store.h"
#include "services/institution/import_store.h"
#include "services/institution/institution_store.h"
#include "services/institution/membership_store.h"
#include "services/institution/org_scope.h"
#include "services/institution/org_store.h"
#include "services/institution/posting_store.h"
#include "services/institution/staff_store.h"
#include "services/institution/village_store.h"

namespace cmc::institution {

class InstitutionService final : public v1::InstitutionService::Service {
 public:
  struct Options {
    // Deadlines of calls, and the county's clock: "today" is the day changes
    // take effect in the history, the default as_of and the day scopes are
    // resolved on. Tests set a fixed day (CountyClock::FixedDay).
    CallOptions call;
  };

  // The stores the handlers work through, one per aggregate; every pointer
  // is set and outlives the service.
  struct Stores {
    CommunityStore* communities = nullptr;
    InstitutionStore* institutions = nullptr;
    MembershipStore* memberships = nullptr;
    VillageStore* villages = nullptr;
    StaffStore* staff = nullptr;
    PostingStore* postings = nullptr;
    OrgStore* orgs = nullptr;
    ImportStore* imports = nullptr;
  };

  InstitutionService(Stores stores, Options options);

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

  // Villages: village_handlers.cc.
  grpc::Status CreateVillage(grpc::ServerContext* context,
                             const v1::CreateVillageRequest* request,
                             v1::Village* response) override;
  grpc::Status GetVillage(grpc::ServerContext* context,
                          const v1::GetVillageRequest* request,
                          v1::Village* response) override;
  grpc::Status UpdateVillage(grpc::ServerContext* context,
                             const v1::UpdateVillageRequest* request,
                             v1::Village* response) override;
  grpc::Status ListVillages(grpc::ServerContext* context,
                            const v1::ListVillagesRequest* request,
                            v1::ListVillagesResponse* response) override;

  // Staff: staff_handlers.cc. Resident IDs in responses are masked unless the
  // caller may see them (MaySeeResidentId in staff_rules.h).
  grpc::Status CreateStaff(grpc::ServerContext* context,
                           const v1::CreateStaffRequest* request,
                           v1::Staff* response) override;
  grpc::Status GetStaff(grpc::ServerContext* context,
                        const v1::GetStaffRequest* request,
                        v1::Staff* response) override;
  grpc::Status UpdateStaff(grpc::ServerContext* context,
                           const v1::UpdateStaffRequest* request,
                           v1::Staff* response) override;
  grpc::Status ListStaff(grpc::ServerContext* context,
                         const v1::ListStaffRequest* request,
                         v1::ListStaffResponse* response) override;

  // Postings: posting_handlers.cc.
  grpc::Status CreatePosting(grpc::ServerContext* context,
                             const v1::CreatePostingRequest* request,
                             v1::Posting* response) override;
  grpc::Status EndPosting(grpc::ServerContext* context,
                          const v1::EndPostingRequest* request,
                          v1::Posting* response) override;
  grpc::Status ListPostings(grpc::ServerContext* context,
                            const v1::ListPostingsRequest* request,
                            v1::ListPostingsResponse* response) override;

  // Trees and counts: org_handlers.cc.
  grpc::Status ListSubtree(grpc::ServerContext* context,
                           const v1::ListSubtreeRequest* request,
                           v1::ListSubtreeResponse* response) override;
  grpc::Status GetStaffingSummary(
      grpc::ServerContext* context,
      const v1::GetStaffingSummaryRequest* request,
      v1::GetStaffingSummaryResponse* response) override;

  // Bulk imports: import_handlers.cc.
  grpc::Status ImportInstitutions(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportInstitutionsRequest>* reader,
      v1::ImportResponse* response) override;
  grpc::Status ImportStaff(grpc::ServerContext* context,
                           grpc::ServerReader<v1::ImportStaffRequest>* reader,
                           v1::ImportResponse* response) override;

 private:
  // The caller's scope for checks on communities only (no members needed).
  static OrgScope CommunityScope(const CallContext& call);
  // The caller's scope, community scopes resolved to their members on `day`
  // (one store read; none for an unrestricted caller or an institution
  // scope).
  absl::StatusOr<OrgScope> Scope(const CallContext& call, absl::CivilDay day);
  // For a restricted caller: the village's township center, and its clinic
  // when it has one, are members of the village's community today, so that
  // nobody registers a village into a community that is not theirs.
  // PERMISSION_DENIED naming `center_field` (the township center's side:
  // "village.community_id" on create, "village.township_center_id" on
  // update) or "village.village_clinic_id" (ErrorInfo OUT_OF_SCOPE)
  // otherwise.
  absl::Status RequireOwnCommunity(const CallContext& call,
                                   const v1::Village& village,
                                   const std::string& center_field);

  const Stores stores_;
  const Options options_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_INSTITUTION_SERVICE_H_
