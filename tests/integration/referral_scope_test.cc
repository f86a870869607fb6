// Org scope in every referral RPC, against a real MariaDB (fixture in
// referral_fixture.h): an outside caller can neither read nor change a
// referral, an in-scope caller can, community scopes are resolved through the
// institution service, and an unclaimed tier-open referral is only for scopes
// covering an institution of that tier.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/referral_fixture.h"

namespace cmc::referral {
namespace referral_testing {
namespace {

class ReferralScopeTest : public ReferralTest {
 protected:
  template <typename Request>
  absl::StatusOr<Referral> ActAs(
      const Principal& who,
      grpc::Status (v1::ReferralService::Stub::*rpc)(grpc::ClientContext*,
                                                     const Request&, Referral*),
      const Request& request) {
    Referral response;
    const grpc::Status status =
        (stub_.get()->*rpc)(ContextOf(who).get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  // GetReferral as `who`; `trailer` receives x-cmc-personal-data ("" when
  // absent).
  absl::StatusOr<Referral> GetAs(const Principal& who, const std::string& id,
                                 std::string* trailer = nullptr) {
    v1::GetReferralRequest request;
    request.set_id(id);
    Referral response;
    auto context = ContextOf(who);
    const grpc::Status status =
        stub_->GetReferral(context.get(), request, &response);
    if (trailer != nullptr) {
      const auto& md = context->GetServerTrailingMetadata();
      auto it = md.find(kPersonalDataTrailer);
      *trailer = it == md.end()
                     ? ""
                     : std::string(it->second.data(), it->second.size());
    }
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  absl::StatusOr<v1::ListReferralsResponse> ListAs(
      const Principal& who, const v1::ListReferralsRequest& request) {
    v1::ListReferralsResponse response;
    const grpc::Status status =
        stub_->ListReferrals(ContextOf(who).get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  static std::vector<std::string> Ids(const v1::ListReferralsResponse& page) {
    std::vector<std::string> ids;
    for (const Referral& r : page.referrals()) ids.push_back(r.id());
    return ids;
  }

  // DOWN from the county hospital to any township: no scope used below
  // covers its sender, so only the tier rule can show it.
  absl::StatusOr<Referral> CreateOpenToTownships(const std::string& key) {
    v1::CreateReferralRequest request = UpRequest(key);
    request.mutable_referral()->set_direction(v1::REFERRAL_DIRECTION_DOWN);
    request.mutable_referral()->set_from_institution_id("ins-county");
    request.mutable_referral()->set_to_tier(common::v1::TIER_TOWNSHIP);
    return Create(request);
  }

  // The ids WatchReferrals replays to `who` watching `institution` from the
  // first event, until a short deadline ends the stream.
  std::vector<std::string> WatchedBy(const Principal& who,
                                     const std::string& institution) {
    v1::WatchReferralsRequest request;
    request.set_institution_id(institution);
    request.set_after_sequence(0);
    auto context = ContextOf(who);
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(800));
    auto reader = stub_->WatchReferrals(context.get(), request);
    std::vector<std::string> ids;
    v1::ReferralChange change;
    while (reader->Read(&change)) ids.push_back(change.referral().id());
    const grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << status.error_message();
    return ids;
  }

  static void ExpectOutOfScope(const absl::Status& status,
                               const std::string& field,
                               const std::string& what) {
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
        << what << ": " << status;
    EXPECT_EQ(BadField(status), field) << what;
    EXPECT_NE(status.ToString().find("OUT_OF_SCOPE"), std::string::npos)
        << what << ": " << status;
  }
};

TEST_F(ReferralScopeTest, OutsiderCanNeitherReadNorChangeAReferral) {
  ASSERT_OK_AND_ASSIGN(created, Create(UpRequest("req-scope")));
  const size_t events = Events().size();
  const Principal outsider = Clinician("institution:ins-county");

  ExpectOutOfScope(GetAs(outsider, created.id()).status(), "id", "get");
  ExpectOutOfScope(ActAs(outsider, &Stub::ReceiveReferral,
                         On<v1::ReceiveReferralRequest>(created, "ins-town"))
                       .status(),
                   "id", "receive");
  ExpectOutOfScope(ActAs(outsider, &Stub::AcceptReferral,
                         On<v1::AcceptReferralRequest>(created, "ins-town"))
                       .status(),
                   "id", "accept");
  auto reject = On<v1::RejectReferralRequest>(created, "ins-town");
  reject.set_reason("no");
  ExpectOutOfScope(ActAs(outsider, &Stub::RejectReferral, reject).status(),
                   "id", "reject");
  ExpectOutOfScope(ActAs(outsider, &Stub::CancelReferral,
                         On<v1::CancelReferralRequest>(created, "ins-village"))
                       .status(),
                   "id", "cancel");
  // A stale version from an outsider is refused for scope, not for version:
  // it learns nothing about the referral.
  auto stale = On<v1::AcceptReferralRequest>(created, "ins-town");
  stale.set_version(9);
  ExpectOutOfScope(ActAs(outsider, &Stub::AcceptReferral, stale).status(), "id",
                   "stale accept");

  v1::ListReferralsRequest incoming;
  incoming.set_incoming_institution_id("ins-town");
  ExpectOutOfScope(ListAs(outsider, incoming).status(),
                   "incoming_institution_id", "list incoming");
  v1::ListReferralsRequest outgoing;
  outgoing.set_outgoing_institution_id("ins-village");
  ExpectOutOfScope(ListAs(outsider, outgoing).status(),
                   "outgoing_institution_id", "list outgoing");
  ASSERT_OK_AND_ASSIGN(everything,
                       ListAs(outsider, v1::ListReferralsRequest()));
  EXPECT_EQ(everything.referrals_size(), 0);

  v1::GetReferralStatsRequest stats;
  stats.add_institution_ids("ins-county");
  stats.add_institution_ids("ins-town");
  stats.mutable_period()->set_value("2026");
  v1::ReferralStats ignored;
  ExpectOutOfScope(FromGrpcStatus(stub_->GetReferralStats(
                       ContextOf(outsider).get(), stats, &ignored)),
                   "institution_ids[1]", "stats");

  v1::WatchReferralsRequest watch;
  watch.set_institution_id("ins-town");
  auto watch_context = ContextOf(outsider);
  auto reader = stub_->WatchReferrals(watch_context.get(), watch);
  v1::ReferralChange change;
  EXPECT_FALSE(reader->Read(&change));
  ExpectOutOfScope(FromGrpcStatus(reader->Finish()), "institution_id", "watch");

  v1::CreateReferralRequest foreign = UpRequest("req-foreign");
  auto create_context = ContextOf(outsider);
  Referral not_created;
  ExpectOutOfScope(FromGrpcStatus(stub_->CreateReferral(create_context.get(),
                                                        foreign, &not_created)),
                   "referral.from_institution_id", "create");

  EXPECT_EQ(
      QueryOne("SELECT version FROM referrals WHERE id = ?", created.id()),
      "1");
  EXPECT_EQ(Count("referrals"), 1);
  EXPECT_EQ(Events().size(), events) << "no refused call appends an event";
}

TEST_F(ReferralScopeTest, InScopeCallersReadAndActOnTheirSide) {
  const Principal village = Clinician("institution:ins-village");
  const Principal town = Clinician("institution:ins-town");
  auto create_context = ContextOf(village);
  Referral created;
  ASSERT_TRUE(stub_
                  ->CreateReferral(create_context.get(),
                                   UpRequest("req-in-scope"), &created)
                  .ok());
  EXPECT_EQ(created.patient().resident_id(), kMasked);

  std::string trailer;
  ASSERT_OK_AND_ASSIGN(seen, GetAs(town, created.id(), &trailer));
  EXPECT_EQ(seen.patient().resident_id(), kResidentId)
      << "a clinician of the receiving side sees the full resident ID";
  EXPECT_EQ(trailer, "resident_id");
  ASSERT_OK_AND_ASSIGN(seen_by_sender, GetAs(village, created.id(), &trailer));
  EXPECT_EQ(seen_by_sender.patient().resident_id(), kResidentId);
  Principal auditor = town;
  auditor.roles = {"auditor"};
  ASSERT_OK_AND_ASSIGN(audited, GetAs(auditor, created.id(), &trailer));
  EXPECT_EQ(audited.patient().resident_id(), kMasked);
  EXPECT_EQ(trailer, "");
  ASSERT_OK_AND_ASSIGN(anonymous, GetAs(Principal(), created.id(), &trailer));
  EXPECT_EQ(anonymous.patient().resident_id(), kMasked);
  EXPECT_EQ(trailer, "");

  v1::ListReferralsRequest incoming;
  incoming.set_incoming_institution_id("ins-town");
  ASSERT_OK_AND_ASSIGN(listed, ListAs(town, incoming));
  ASSERT_EQ(listed.referrals_size(), 1);
  EXPECT_EQ(listed.referrals(0).patient().resident_id(), kMasked)
      << "lists stay masked";

  // The sender may not act for the receiver even with the right actor id.
  ExpectOutOfScope(ActAs(village, &Stub::AcceptReferral,
                         On<v1::AcceptReferralRequest>(created, "ins-town"))
                       .status(),
                   "id", "sender accepting");
  ASSERT_OK_AND_ASSIGN(
      accepted, ActAs(town, &Stub::AcceptReferral,
                      On<v1::AcceptReferralRequest>(created, "ins-town")));
  EXPECT_EQ(accepted.status(), v1::REFERRAL_STATUS_ACCEPTED);
  ExpectOutOfScope(ActAs(town, &Stub::CancelReferral,
                         On<v1::CancelReferralRequest>(accepted, "ins-village"))
                       .status(),
                   "id", "receiver cancelling");
  ASSERT_OK_AND_ASSIGN(
      cancelled, ActAs(village, &Stub::CancelReferral,
                       On<v1::CancelReferralRequest>(accepted, "ins-village")));
  EXPECT_EQ(cancelled.status(), v1::REFERRAL_STATUS_CANCELLED);

  v1::GetReferralStatsRequest stats;
  stats.add_institution_ids("ins-town");
  stats.mutable_period()->set_value("2026");
  v1::ReferralStats counted;
  ASSERT_TRUE(
      stub_->GetReferralStats(ContextOf(town).get(), stats, &counted).ok());
  EXPECT_EQ(counted.total(), 1);
}

TEST_F(ReferralScopeTest,
       CommunityScopeCoversItsMembersAndApprovesOutOfCounty) {
  ASSERT_OK_AND_ASSIGN(inside, Create(UpRequest("req-com-1")));
  v1::CreateReferralRequest other = UpRequest("req-com-2");
  other.mutable_referral()->set_from_institution_id("ins-town2");
  other.mutable_referral()->set_to_institution_id("ins-county2");
  ASSERT_OK_AND_ASSIGN(outside, Create(other));
  v1::CreateReferralRequest open = UpRequest("req-open");
  open.mutable_referral()->set_from_institution_id("ins-town2");
  open.mutable_referral()->set_to_tier(common::v1::TIER_COUNTY);
  ASSERT_OK_AND_ASSIGN(open_to_county, Create(open));

  const Principal community = Clinician("community:com-1");
  ASSERT_OK_AND_ASSIGN(all, ListAs(community, v1::ListReferralsRequest()));
  EXPECT_EQ(Ids(all),
            (std::vector<std::string>{open_to_county.id(), inside.id()}))
      << "its members' referrals and the unclaimed open one, not com-2's";
  EXPECT_TRUE(GetAs(community, inside.id()).ok());
  ExpectOutOfScope(GetAs(community, outside.id()).status(), "id",
                   "other community");
  // Claiming the open referral: only for an institution in scope.
  ExpectOutOfScope(
      ActAs(community, &Stub::ReceiveReferral,
            On<v1::ReceiveReferralRequest>(open_to_county, "ins-county2"))
          .status(),
      "actor.institution_id", "claim for another community");
  ASSERT_OK_AND_ASSIGN(claimed, ActAs(community, &Stub::ReceiveReferral,
                                      On<v1::ReceiveReferralRequest>(
                                          open_to_county, "ins-county")));
  EXPECT_EQ(claimed.receiving_institution_id(), "ins-county");

  // Out of county from the county hospital: its own institution scope may
  // not approve; the community may.
  v1::CreateReferralRequest external = UpRequest("req-external");
  external.mutable_referral()->set_from_institution_id("ins-county");
  auto* hospital = external.mutable_referral()->mutable_to_external_hospital();
  hospital->set_uscc("91110000600037341L");
  hospital->set_name("省人民医院");
  ASSERT_OK_AND_ASSIGN(pending, Create(external));
  const Principal county_hospital = Clinician("institution:ins-county");
  ExpectOutOfScope(ActAs(county_hospital, &Stub::ApproveReferral,
                         On<v1::ApproveReferralRequest>(pending, "ins-county"))
                       .status(),
                   "id", "approve by institution scope");
  const Principal other_community = Clinician("community:com-2");
  ExpectOutOfScope(ActAs(other_community, &Stub::ApproveReferral,
                         On<v1::ApproveReferralRequest>(pending, "ins-county2"))
                       .status(),
                   "id", "approve by another community");
  ASSERT_OK_AND_ASSIGN(
      approved, ActAs(community, &Stub::ApproveReferral,
                      On<v1::ApproveReferralRequest>(pending, "ins-county")));
  EXPECT_EQ(approved.status(), v1::REFERRAL_STATUS_REQUESTED);
}

TEST_F(ReferralScopeTest, UnclaimedTierOpenReferralIsForScopesOfThatTierOnly) {
  ASSERT_OK_AND_ASSIGN(open, CreateOpenToTownships("req-open-town"));
  const size_t events = Events().size();
  v1::ListReferralsRequest all;
  v1::ListReferralsRequest open_to_townships;
  open_to_townships.set_open_to_tier(common::v1::TIER_TOWNSHIP);

  // A village clinic, and a county hospital that did not send it, cover no
  // township: for them the referral does not exist to read, list or claim.
  for (const char* outsider : {"ins-village", "ins-county2"}) {
    SCOPED_TRACE(outsider);
    const Principal who = Clinician(absl::StrCat("institution:", outsider));
    ExpectOutOfScope(GetAs(who, open.id()).status(), "id", "get");
    ASSERT_OK_AND_ASSIGN(listed, ListAs(who, all));
    EXPECT_EQ(Ids(listed), std::vector<std::string>());
    ASSERT_OK_AND_ASSIGN(listed_open, ListAs(who, open_to_townships));
    EXPECT_EQ(Ids(listed_open), std::vector<std::string>());
    ExpectOutOfScope(ActAs(who, &Stub::ReceiveReferral,
                           On<v1::ReceiveReferralRequest>(open, outsider))
                         .status(),
                     "id", "receive");
    ExpectOutOfScope(ActAs(who, &Stub::AcceptReferral,
                           On<v1::AcceptReferralRequest>(open, outsider))
                         .status(),
                     "id", "accept");
    auto reject = On<v1::RejectReferralRequest>(open, outsider);
    reject.set_reason("no");
    ExpectOutOfScope(ActAs(who, &Stub::RejectReferral, reject).status(), "id",
                     "reject");
  }
  EXPECT_EQ(QueryOne("SELECT version FROM referrals WHERE id = ?", open.id()),
            "1");
  EXPECT_EQ(QueryOne("SELECT receiving_institution_id FROM referrals "
                     "WHERE id = ?",
                     open.id()),
            "");
  EXPECT_EQ(Events().size(), events) << "no refused call appends an event";

  // Every scope covering a township sees it (masked: it covers neither side
  // yet): an institution scope and a community holding ins-town2.
  const Principal town = Clinician("institution:ins-town");
  const Principal community = Clinician("community:com-2");
  for (const Principal& who : {town, community}) {
    ASSERT_OK_AND_ASSIGN(seen, GetAs(who, open.id()));
    EXPECT_EQ(seen.patient().resident_id(), kMasked);
    ASSERT_OK_AND_ASSIGN(listed, ListAs(who, all));
    EXPECT_EQ(Ids(listed), std::vector<std::string>{open.id()});
    ASSERT_OK_AND_ASSIGN(listed_open, ListAs(who, open_to_townships));
    EXPECT_EQ(Ids(listed_open), std::vector<std::string>{open.id()});
  }
  ASSERT_OK_AND_ASSIGN(accepted,
                       ActAs(town, &Stub::AcceptReferral,
                             On<v1::AcceptReferralRequest>(open, "ins-town")));
  EXPECT_EQ(accepted.status(), v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_EQ(accepted.receiving_institution_id(), "ins-town");

  // Claimed, it is the claimer's: the other township no longer sees it.
  ExpectOutOfScope(GetAs(community, open.id()).status(), "id",
                   "claimed by another township");
  ASSERT_OK_AND_ASSIGN(after_claim, ListAs(community, all));
  EXPECT_EQ(Ids(after_claim), std::vector<std::string>());
  EXPECT_TRUE(GetAs(town, open.id()).ok());
}

TEST_F(ReferralScopeTest, ScopedWatchersGetAnOpenReferralOnlyForItsTier) {
  ASSERT_OK_AND_ASSIGN(open, CreateOpenToTownships("req-open-watch"));
  EXPECT_EQ(WatchedBy(Clinician("institution:ins-town"), "ins-town"),
            std::vector<std::string>{open.id()});
  EXPECT_EQ(WatchedBy(Clinician("community:com-2"), "ins-town2"),
            std::vector<std::string>{open.id()});
  EXPECT_EQ(WatchedBy(Clinician("community:com-2"), "ins-county2"),
            std::vector<std::string>());
  EXPECT_EQ(WatchedBy(Clinician("institution:ins-village"), "ins-village"),
            std::vector<std::string>());
}

TEST_F(ReferralScopeTest, OnlyTierDecisionsNeedTheInstitutionService) {
  ASSERT_OK_AND_ASSIGN(addressed, Create(UpRequest("req-addressed")));
  v1::CreateReferralRequest up_open = UpRequest("req-up-open");
  up_open.mutable_referral()->set_to_tier(common::v1::TIER_TOWNSHIP);
  ASSERT_OK_AND_ASSIGN(open, Create(up_open));
  institutions_->Shutdown();
  const Principal town2 = Clinician("institution:ins-town2");

  // Whether ins-town2's scope sees the unclaimed open referral depends on its
  // tier, which nobody has asked for yet.
  absl::Status status = GetAs(town2, open.id()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  status = ListAs(town2, v1::ListReferralsRequest()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;

  // Everything else is decided by the institutions covered alone.
  ExpectOutOfScope(GetAs(town2, addressed.id()).status(), "id", "addressed");
  v1::ListReferralsRequest incoming;
  incoming.set_incoming_institution_id("ins-town2");
  ASSERT_OK_AND_ASSIGN(none, ListAs(town2, incoming));
  EXPECT_EQ(none.referrals_size(), 0);
  const Principal village = Clinician("institution:ins-village");
  ASSERT_OK_AND_ASSIGN(own, GetAs(village, open.id()));
  EXPECT_EQ(own.id(), open.id());
  ASSERT_OK_AND_ASSIGN(
      cancelled, ActAs(village, &Stub::CancelReferral,
                       On<v1::CancelReferralRequest>(open, "ins-village")));
  EXPECT_EQ(cancelled.status(), v1::REFERRAL_STATUS_CANCELLED);
}

TEST_F(ReferralScopeTest,
       UnreachableInstitutionServiceMakesCommunityScopeUnavailable) {
  ASSERT_OK_AND_ASSIGN(created, Create(UpRequest("req-unavailable")));
  institutions_->Shutdown();
  const absl::Status status =
      GetAs(Clinician("community:com-1"), created.id()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  // Institution scopes need no lookup.
  EXPECT_TRUE(GetAs(Clinician("institution:ins-town"), created.id()).ok());
}

}  // namespace
}  // namespace referral_testing
}  // namespace cmc::referral
