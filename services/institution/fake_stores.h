// Test-only: every store of the institution service in memory, so that the
// handlers run in a unit test without MariaDB (institution_service_test.cc).
// The fakes keep the contracts the handlers rely on: ids and versions minted
// on create, NOT_FOUND naming the field, ABORTED on a stale version, the
// guard and mutation of an update, idempotent creates under a RequestClaim,
// scope filters of lists, paging by row. Rules needing stored data beyond
// those (parent tiers, overlapping memberships, history) are the MySQL
// stores' and are covered by tests/integration; trees, staffing counts and
// imports answer UNIMPLEMENTED here. Thread-safe.
//
//   FakeStores fake;
//   InstitutionService service(fake.stores(), options);
//   const std::string id = fake.AddInstitution(MakeHospital());
//
// InstitutionStoreWrapper forwards every call to another InstitutionStore;
// a test overrides one call to inject a failure (LevelDB's EnvWrapper).
#ifndef CMC_SERVICES_INSTITUTION_FAKE_STORES_H_
#define CMC_SERVICES_INSTITUTION_FAKE_STORES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/institution/institution_service.h"

namespace cmc::institution {

class FakeStores final : public CommunityStore,
                         public InstitutionStore,
                         public MembershipStore,
                         public VillageStore,
                         public StaffStore,
                         public PostingStore,
                         public OrgStore,
                         public ImportStore {
 public:
  FakeStores() = default;
  FakeStores(const FakeStores&) = delete;
  FakeStores& operator=(const FakeStores&) = delete;

  // Pointers to this object's stores, valid while it lives.
  InstitutionService::Stores stores();

  // Seeding, bypassing the handlers and their checks; each returns the new
  // id.
  std::string AddCommunity(v1::Community community);
  std::string AddInstitution(v1::Institution institution);
  // A membership of `institution_id` in `community_id` from `from` on, open.
  std::string AddMember(const std::string& community_id,
                        const std::string& institution_id, absl::CivilDay from);
  std::string AddStaff(v1::Staff staff);

  // How many creates reached the store, replays included.
  int creates() const;

  // CommunityStore
  absl::StatusOr<v1::Community> CreateCommunity(const RequestClaim& claim,
                                                const v1::Community& community,
                                                const Actor& actor,
                                                absl::Time deadline) override;
  absl::StatusOr<v1::Community> GetCommunity(const std::string& id,
                                             absl::string_view field,
                                             absl::Time deadline) override;
  absl::StatusOr<v1::Community> UpdateCommunity(
      const std::string& id, int64_t version,
      const Mutation<v1::Community>& mutate, const Actor& actor,
      absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Community>> ListCommunities(
      const CommunityFilter& filter, const PageQuery& page,
      absl::Time deadline) override;

  // InstitutionStore
  absl::StatusOr<v1::Institution> CreateInstitution(
      const RequestClaim& claim, const v1::Institution& institution,
      const std::optional<Joining>& joining, absl::CivilDay today,
      const Actor& actor, absl::Time deadline) override;
  absl::StatusOr<v1::Institution> GetInstitution(const std::string& id,
                                                 absl::string_view field,
                                                 absl::Time deadline) override;
  absl::StatusOr<v1::Institution> UpdateInstitution(
      const std::string& id, int64_t version,
      const Mutation<v1::Institution>& mutate, absl::CivilDay today,
      absl::CivilDay effective_day, const Actor& actor,
      absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Institution>> ListInstitutions(
      const InstitutionFilter& filter, const PageQuery& page,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<v1::Institution>> BatchGetInstitutions(
      const std::vector<std::string>& ids, absl::Time deadline) override;

  // MembershipStore
  absl::StatusOr<v1::Membership> AddMembership(const RequestClaim& claim,
                                               const v1::Membership& membership,
                                               const Actor& actor,
                                               absl::Time deadline) override;
  absl::StatusOr<v1::Membership> EndMembership(
      const std::string& id, absl::CivilDay last_day,
      const Guard<v1::Membership>& guard, const Actor& actor,
      absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Membership>> ListMemberships(
      const MembershipFilter& filter, const PageQuery& page,
      absl::Time deadline) override;
  absl::StatusOr<std::map<std::string, std::string>> MembersOf(
      const std::set<std::string>& community_ids, absl::CivilDay day,
      absl::Time deadline) override;

  // VillageStore
  absl::StatusOr<v1::Village> CreateVillage(const RequestClaim& claim,
                                            const v1::Village& village,
                                            const Actor& actor,
                                            absl::Time deadline) override;
  absl::StatusOr<v1::Village> GetVillage(const std::string& id,
                                         absl::string_view field,
                                         absl::Time deadline) override;
  absl::StatusOr<v1::Village> UpdateVillage(const std::string& id,
                                            int64_t version,
                                            const Guard<v1::Village>& guard,
                                            const Mutation<v1::Village>& mutate,
                                            const Actor& actor,
                                            absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Village>> ListVillages(
      const VillageFilter& filter, const PageQuery& page,
      absl::Time deadline) override;

  // StaffStore
  absl::StatusOr<v1::Staff> CreateStaff(const RequestClaim& claim,
                                        const v1::Staff& staff,
                                        absl::CivilDay today,
                                        const Actor& actor,
                                        absl::Time deadline) override;
  absl::StatusOr<v1::Staff> GetStaff(const std::string& id,
                                     absl::string_view field,
                                     absl::Time deadline) override;
  absl::StatusOr<v1::Staff> UpdateStaff(const std::string& id, int64_t version,
                                        const Guard<v1::Staff>& guard,
                                        const Mutation<v1::Staff>& mutate,
                                        absl::CivilDay effective_day,
                                        const Actor& actor,
                                        absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Staff>> ListStaff(const StaffFilter& filter,
                                              const PageQuery& page,
                                              absl::Time deadline) override;

  // PostingStore
  absl::StatusOr<v1::Posting> CreatePosting(const RequestClaim& claim,
                                            const v1::Posting& posting,
                                            const Guard<v1::Staff>& guard,
                                            const Actor& actor,
                                            absl::Time deadline) override;
  absl::StatusOr<v1::Posting> EndPosting(const std::string& id,
                                         absl::CivilDay last_day,
                                         const Guard<v1::Posting>& guard,
                                         const Actor& actor,
                                         absl::Time deadline) override;
  absl::StatusOr<PageOf<v1::Posting>> ListPostings(
      const PostingFilter& filter, const PageQuery& page,
      absl::Time deadline) override;

  // OrgStore and ImportStore: UNIMPLEMENTED (see the file comment).
  absl::StatusOr<OrgContents> LoadOrgContents(const common::v1::OrgRef& org,
                                              absl::CivilDay as_of,
                                              absl::CivilDay today,
                                              absl::Time deadline) override;
  absl::StatusOr<std::vector<StaffingRow>> CountActiveStaff(
      const common::v1::OrgRef& org, absl::CivilDay as_of, absl::CivilDay today,
      absl::Time deadline) override;
  absl::StatusOr<v1::ImportResponse> ImportInstitutions(
      const std::vector<ImportRow<v1::Institution>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline) override;
  absl::StatusOr<v1::ImportResponse> ImportStaff(
      const std::vector<ImportRow<v1::Staff>>& rows, v1::ImportMode mode,
      absl::CivilDay today, const Actor& actor, absl::Time deadline) override;

 private:
  // Rows of one kind by id, each with its row number (creation order).
  template <typename T>
  struct Table {
    std::map<std::string, T> rows;
    std::map<std::string, int64_t> row_no;
  };
  struct Claimed {
    RequestClaim claim;
    std::string response;
  };

  // The first response of a repeated create into `out` (true), nothing for a
  // new claim (false), or INVALID_ARGUMENT "request_id" for a reused key.
  absl::StatusOr<bool> Replay(const RequestClaim& claim,
                              google::protobuf::Message* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Remember(const RequestClaim& claim,
                const google::protobuf::Message& response)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NextId(absl::string_view prefix)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  template <typename T>
  void Put(Table<T>& table, const T& row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool MemberOn(const std::string& community_id,
                const std::string& institution_id, absl::CivilDay day) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  int64_t next_row_ ABSL_GUARDED_BY(mu_) = 0;
  int creates_ ABSL_GUARDED_BY(mu_) = 0;
  // By caller and request_id, as request_claims keys them.
  std::map<std::pair<std::string, std::string>, Claimed> claims_
      ABSL_GUARDED_BY(mu_);
  Table<v1::Community> communities_ ABSL_GUARDED_BY(mu_);
  Table<v1::Institution> institutions_ ABSL_GUARDED_BY(mu_);
  Table<v1::Membership> memberships_ ABSL_GUARDED_BY(mu_);
  Table<v1::Village> villages_ ABSL_GUARDED_BY(mu_);
  Table<v1::Staff> staff_ ABSL_GUARDED_BY(mu_);
  Table<v1::Posting> postings_ ABSL_GUARDED_BY(mu_);
};

// Forwards every call to `target` (which must outlive the wrapper).
class InstitutionStoreWrapper : public InstitutionStore {
 public:
  explicit InstitutionStoreWrapper(InstitutionStore* target)
      : target_(target) {}

  absl::StatusOr<v1::Institution> CreateInstitution(
      const RequestClaim& claim, const v1::Institution& institution,
      const std::optional<Joining>& joining, absl::CivilDay today,
      const Actor& actor, absl::Time deadline) override {
    return target_->CreateInstitution(claim, institution, joining, today, actor,
                                      deadline);
  }
  absl::StatusOr<v1::Institution> GetInstitution(const std::string& id,
                                                 absl::string_view field,
                                                 absl::Time deadline) override {
    return target_->GetInstitution(id, field, deadline);
  }
  absl::StatusOr<v1::Institution> UpdateInstitution(
      const std::string& id, int64_t version,
      const Mutation<v1::Institution>& mutate, absl::CivilDay today,
      absl::CivilDay effective_day, const Actor& actor,
      absl::Time deadline) override {
    return target_->UpdateInstitution(id, version, mutate, today, effective_day,
                                      actor, deadline);
  }
  absl::StatusOr<PageOf<v1::Institution>> ListInstitutions(
      const InstitutionFilter& filter, const PageQuery& page,
      absl::Time deadline) override {
    return target_->ListInstitutions(filter, page, deadline);
  }
  absl::StatusOr<std::vector<v1::Institution>> BatchGetInstitutions(
      const std::vector<std::string>& ids, absl::Time deadline) override {
    return target_->BatchGetInstitutions(ids, deadline);
  }

 private:
  InstitutionStore* target_;
};

}  // namespace cmc::institution

#endif  // CMC_SERVICES_INSTITUTION_FAKE_STORES_H_
