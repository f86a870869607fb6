// The finance service over its MySQL stores against a real MariaDB, through an
// in-process gRPC server and a generated client: ledger balances, reversals
// and replays by external key; claims ingest in multi-row batches, its
// idempotency, conflicts and the one FundSpendingRecorded per (institution,
// month); settlement compute = finalize, finalizing twice, and the lock.
#include "services/finance/finance_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cmc/dispatch/v1/dispatch.pb.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/identity/principal.h"
#include "common/outbox/outbox.h"
#include "common/server/server.h"
#include "common/service/idempotency.h"
#include "common/status.h"
#include "common/testing/mariadb.h"
#include "common/validators/validators.h"
#include "services/finance/subsidy_consumer.h"

namespace cmc::finance {
const std::vector<db::Migration>& Migrations();

namespace {

using Stub = v1::FinanceService::Stub;

class FixedCommunities final : public CommunityDirectory {
 public:
  absl::StatusOr<std::set<std::string>> Members(const std::string& community_id,
                                                absl::Time) override {
    if (community_id == "com-1") {
      return std::set<std::string>{"ins-lead", "ins-t1", "ins-t2"};
    }
    return std::set<std::string>{};
  }
};

class FinanceDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = testing::MariaDb::Shared().NewDatabase("finance");
    config.pool_size = 4;
    pool_ = db::Pool::Create(config);
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "outbox", outbox::Migrations()).ok());
    ASSERT_TRUE(
        db::ApplyMigrations(*pool_, "requests", requests::Migrations()).ok());
    ASSERT_TRUE(db::ApplyMigrations(*pool_, "finance", Migrations()).ok());
    CallOptions call;
    call.clock = CountyClock::FixedDay(absl::CivilDay(2027, 1, 15));
    service_ = std::make_unique<FinanceService>(
        FinanceService::MysqlStores(pool_.get()),
        std::make_unique<FixedCommunities>(), call);
    ServerOptions options;
    options.service_name = "finance";
    options.listen_host = "127.0.0.1";
    server_ = std::make_unique<Server>(options);
    server_->AddService(service_.get(), "cmc.finance.v1.FinanceService");
    ASSERT_TRUE(server_->Start().ok());
    stub_ = v1::FinanceService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override { server_->Shutdown(); }

  static void Identify(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    context.AddMetadata(kSubjectHeader, "user:finance");
    context.AddMetadata(kRolesHeader, "community_admin");
    context.AddMetadata(kScopeHeader, "community:com-1");
  }

  template <typename Request, typename Response, typename Rpc>
  absl::Status Call(Rpc rpc, const Request& request, Response* response) {
    grpc::ClientContext context;
    Identify(context);
    return FromGrpcStatus((stub_.get()->*rpc)(&context, request, response));
  }

  absl::Status Ingest(const std::vector<v1::IngestClaimsRequest>& batches,
                      v1::IngestClaimsResponse* response) {
    grpc::ClientContext context;
    Identify(context);
    auto writer = stub_->IngestClaims(&context, response);
    for (const auto& batch : batches) {
      if (!writer->Write(batch)) break;
    }
    writer->WritesDone();
    return FromGrpcStatus(writer->Finish());
  }

  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    EXPECT_TRUE(db::RunOnConnection(*pool_, absl::Now() + absl::Seconds(10),
                                    [&](sql::Connection& conn) {
                                      for (const auto& e : outbox::ReadAfter(
                                               conn, "finance", 0, 100000)) {
                                        types.push_back(e.type());
                                      }
                                      return absl::OkStatus();
                                    })
                    .ok());
    return types;
  }

  static size_t Count(const std::vector<std::string>& types,
                      const std::string& type) {
    return static_cast<size_t>(std::count(types.begin(), types.end(), type));
  }

  static v1::Claim Claim(const std::string& id, int64_t fund, int month,
                         const std::string& institution) {
    v1::Claim claim;
    claim.set_claim_id(id);
    claim.set_resident_id(
        MakeResidentId("360426", absl::CivilDay(1961, 5, 2), 17));
    if (institution.empty()) {
      claim.set_location(v1::CARE_LOCATION_OUT_OF_COUNTY);
      claim.set_external_institution_code("H36010200001");
    } else {
      claim.set_location(v1::CARE_LOCATION_IN_COUNTY);
      claim.set_institution_id(institution);
    }
    claim.set_care_type(v1::CARE_TYPE_OUTPATIENT);
    const std::string day = FormatCivilDate(absl::CivilDay(2026, month, 9));
    claim.mutable_start_date()->set_value(day);
    claim.mutable_end_date()->set_value(day);
    claim.mutable_total_cost()->set_fen(fund + 1000);
    claim.mutable_fund_paid()->set_fen(fund);
    claim.mutable_patient_paid()->set_fen(1000);
    claim.add_icd10_codes("J18.9");
    return claim;
  }

  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<FinanceService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Stub> stub_;
};

v1::JournalLine Line(const std::string& owner, v1::AccountPurpose purpose,
                     v1::Side side, int64_t fen) {
  v1::JournalLine line;
  line.set_owner_id(owner);
  line.set_purpose(purpose);
  line.set_side(side);
  line.mutable_amount()->set_fen(fen);
  return line;
}

TEST_F(FinanceDbTest, LedgerBalancesReplaysAndReversals) {
  v1::PostJournalEntryRequest r;
  v1::JournalEntry* e = r.mutable_entry();
  e->set_community_id("com-1");
  e->set_external_key("his-0001");
  e->mutable_entry_date()->set_value("2026-03-05");
  e->set_description("shared drug purchase");
  *e->add_lines() = Line("ins-t1", v1::ACCOUNT_PURPOSE_OPERATING_EXPENSE,
                         v1::SIDE_DEBIT, 7000);
  *e->add_lines() = Line("ins-t2", v1::ACCOUNT_PURPOSE_OPERATING_EXPENSE,
                         v1::SIDE_DEBIT, 3000);
  *e->add_lines() =
      Line("com-1", v1::ACCOUNT_PURPOSE_BANK, v1::SIDE_CREDIT, 10000);
  v1::JournalEntry first, again;
  ASSERT_TRUE(Call(&Stub::PostJournalEntry, r, &first).ok());
  ASSERT_TRUE(Call(&Stub::PostJournalEntry, r, &again).ok());
  EXPECT_EQ(again.id(), first.id());
  r.mutable_entry()->mutable_lines(0)->set_memo("other content");
  absl::Status conflict = Call(&Stub::PostJournalEntry, r, &again);
  EXPECT_EQ(conflict.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(BadField(conflict), "entry.external_key");

  // Every owner's books together balance.
  int64_t sum = 0;
  for (const char* owner : {"com-1", "ins-t1", "ins-t2"}) {
    v1::GetBalancesRequest b;
    b.set_owner_id(owner);
    v1::GetBalancesResponse balances;
    ASSERT_TRUE(Call(&Stub::GetBalances, b, &balances).ok());
    sum += balances.total().fen();
  }
  EXPECT_EQ(sum, 0);

  v1::ReverseJournalEntryRequest rev;
  rev.set_entry_id(first.id());
  rev.set_external_key("his-0001-reversal");
  rev.mutable_entry_date()->set_value("2026-04-01");
  rev.set_reason("wrong split");
  v1::JournalEntry reversal;
  ASSERT_TRUE(Call(&Stub::ReverseJournalEntry, rev, &reversal).ok());
  rev.set_external_key("his-0001-reversal-2");
  absl::Status twice = Call(&Stub::ReverseJournalEntry, rev, &reversal);
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BadField(twice), "entry_id");

  v1::GetAccountStatementRequest s;
  s.set_owner_id("ins-t1");
  s.set_purpose(v1::ACCOUNT_PURPOSE_OPERATING_EXPENSE);
  s.mutable_period()->set_value("2026");
  v1::AccountStatement statement;
  ASSERT_TRUE(Call(&Stub::GetAccountStatement, s, &statement).ok());
  ASSERT_EQ(statement.lines_size(), 2);
  EXPECT_EQ(statement.lines(0).running_balance().fen(), 7000);
  EXPECT_EQ(statement.lines(1).running_balance().fen(), 0);
  EXPECT_EQ(statement.closing_balance().fen(), 0);
  s.mutable_period()->set_value("2026-03");
  ASSERT_TRUE(Call(&Stub::GetAccountStatement, s, &statement).ok());
  EXPECT_EQ(statement.closing_balance().fen(), 7000);

  v1::GetJournalEntryRequest g;
  g.set_id(first.id());
  v1::JournalEntry reread;
  ASSERT_TRUE(Call(&Stub::GetJournalEntry, g, &reread).ok());
  EXPECT_EQ(reread.reversed_by_entry_id(), reversal.id());
  EXPECT_EQ(Count(EventTypes(), "finance.JournalEntryPosted"), 2u);
}

TEST_F(FinanceDbTest, ClaimsIngestIsIdempotentAllOrNothingAndAnnouncesTotals) {
  // 1,200 claims over 3 members x 2 months + out of county in one month: more
  // than one multi-row chunk per batch.
  std::vector<v1::Claim> all;
  const std::string members[] = {"ins-lead", "ins-t1", "ins-t2", ""};
  for (int i = 0; i < 1200; ++i) {
    all.push_back(Claim(absl::StrCat("YB-", 100000 + i), 100 + i,
                        i % 4 == 3 ? 5 : 1 + (i % 2) * 2, members[i % 4]));
  }
  v1::IngestClaimsRequest batch;
  batch.set_community_id("com-1");
  for (const auto& c : all) *batch.add_claims() = c;
  v1::IngestClaimsResponse response;
  ASSERT_TRUE(Ingest({batch}, &response).ok());
  EXPECT_EQ(response.inserted(), 1200);
  // i % 4 fixes the member and the month: ins-lead and ins-t2 in January,
  // ins-t1 in March, out of county in May: four totals, four events.
  std::vector<std::string> types = EventTypes();
  EXPECT_EQ(Count(types, "finance.FundSpendingRecorded"), 3u + 1u);

  // The same stream again: all duplicates, nothing announced.
  ASSERT_TRUE(Ingest({batch}, &response).ok());
  EXPECT_EQ(response.inserted(), 0);
  EXPECT_EQ(response.duplicates(), 1200);
  EXPECT_EQ(Count(EventTypes(), "finance.FundSpendingRecorded"), 4u);

  // A batch with one changed claim applies none of its new rows.
  v1::IngestClaimsRequest mixed;
  mixed.set_community_id("com-1");
  *mixed.add_claims() = Claim("YB-new-1", 5, 6, "ins-t1");
  v1::Claim changed = all[10];
  changed.mutable_patient_paid()->set_fen(999);
  *mixed.add_claims() = changed;
  ASSERT_TRUE(Ingest({mixed}, &response).ok());
  EXPECT_EQ(response.inserted(), 0);
  EXPECT_EQ(response.rejected(), 2);
  ASSERT_EQ(response.conflicts_size(), 1);
  EXPECT_EQ(response.conflicts(0).index(), 1);
  ASSERT_EQ(response.conflicts(0).fields_size(), 1);
  EXPECT_EQ(response.conflicts(0).fields(0), "patient_paid");

  v1::ListClaimsRequest l;
  l.set_community_id("com-1");
  l.mutable_period()->set_value("2026-06");
  v1::ListClaimsResponse list;
  ASSERT_TRUE(Call(&Stub::ListClaims, l, &list).ok());
  EXPECT_EQ(list.claims_size(), 0);
  l.mutable_period()->set_value("2026");
  l.set_institution_id("ins-t1");
  l.mutable_page()->set_page_size(1000);
  ASSERT_TRUE(Call(&Stub::ListClaims, l, &list).ok());
  EXPECT_EQ(list.claims_size(), 300);
  EXPECT_TRUE(list.claims(0).resident_id_masked());
}

TEST_F(FinanceDbTest, ComputeEqualsFinalizeOnceAndTheYearIsLocked) {
  v1::UpdateSettlementPolicyRequest p;
  v1::SettlementPolicy* policy = p.mutable_policy();
  policy->set_community_id("com-1");
  policy->set_year(2026);
  policy->set_prepay_ratio_bp(9000);
  policy->set_retention_ratio_bp(6000);
  policy->set_overspend_cap_bp(1000);
  policy->set_fund_share_bp(7000);
  policy->set_adjustment_fund_bp(500);
  policy->set_out_of_county_counts(true);
  policy->set_lead_institution_id("ins-lead");
  for (const char* id : {"ins-lead", "ins-t1", "ins-t2"}) {
    v1::MemberWeight* w = policy->add_weights();
    w->set_institution_id(id);
    w->set_weight(1);
  }
  v1::SettlementPolicy stored;
  ASSERT_TRUE(Call(&Stub::UpdateSettlementPolicy, p, &stored).ok());
  v1::SetAnnualBudgetRequest b;
  b.mutable_budget()->set_community_id("com-1");
  b.mutable_budget()->set_year(2026);
  b.mutable_budget()->mutable_amount()->set_fen(100'000'000);
  v1::AnnualBudget budget;
  ASSERT_TRUE(Call(&Stub::SetAnnualBudget, b, &budget).ok());
  v1::GenerateMonthlyPrepaymentRequest g;
  g.set_community_id("com-1");
  v1::Prepayment prepayment;
  for (int m = 1; m <= 12; ++m) {
    g.mutable_month()->set_value(absl::StrCat("2026-", m < 10 ? "0" : "", m));
    ASSERT_TRUE(Call(&Stub::GenerateMonthlyPrepayment, g, &prepayment).ok());
  }
  ASSERT_TRUE(Call(&Stub::GenerateMonthlyPrepayment, g, &prepayment).ok());
  // Overspend past the cap: A = 125,000,000.
  v1::IngestClaimsRequest batch;
  batch.set_community_id("com-1");
  *batch.add_claims() = Claim("YB-1", 100'000'000, 3, "ins-t1");
  *batch.add_claims() = Claim("YB-2", 25'000'000, 8, "");
  v1::IngestClaimsResponse ingested;
  ASSERT_TRUE(Ingest({batch}, &ingested).ok());

  v1::ComputeSettlementRequest c;
  c.set_community_id("com-1");
  c.set_year(2026);
  v1::YearEndSettlement computed, again;
  ASSERT_TRUE(Call(&Stub::ComputeSettlement, c, &computed).ok());
  ASSERT_TRUE(Call(&Stub::ComputeSettlement, c, &again).ok());
  EXPECT_EQ(computed.SerializeAsString(), again.SerializeAsString());
  EXPECT_EQ(computed.prepaid().fen(), 90'000'000);
  EXPECT_EQ(computed.fund_shared().fen(), 5'000'000);
  EXPECT_EQ(computed.borne().fen(), 20'000'000);
  EXPECT_EQ(computed.final_payment().fen(), 15'000'000);

  v1::FinalizeSettlementRequest f;
  f.set_community_id("com-1");
  f.set_year(2026);
  f.set_expected_policy_version(1);
  v1::YearEndSettlement finalized;
  ASSERT_TRUE(Call(&Stub::FinalizeSettlement, f, &finalized).ok());
  v1::YearEndSettlement comparable = finalized;
  comparable.clear_status();
  comparable.clear_id();
  comparable.clear_finalized_at();
  comparable.clear_journal_entry_id();
  computed.clear_status();
  EXPECT_EQ(comparable.SerializeAsString(), computed.SerializeAsString());
  absl::Status twice = Call(&Stub::FinalizeSettlement, f, &again);
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BadField(twice), "year");

  // Shares of 15,000,000 by equal weights: 5,000,000 each; the entry balances.
  v1::GetBalancesRequest bal;
  bal.set_owner_id("ins-t2");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, bal, &balances).ok());
  ASSERT_EQ(balances.balances_size(), 1);
  EXPECT_EQ(balances.balances(0).balance().fen(), -5'000'000);

  // Locked: a late claim is refused, the policy cannot change, and Compute
  // returns the finalized settlement.
  v1::IngestClaimsRequest late;
  late.set_community_id("com-1");
  *late.add_claims() = Claim("YB-3", 1, 11, "ins-t1");
  ASSERT_TRUE(Ingest({late}, &ingested).ok());
  ASSERT_EQ(ingested.errors_size(), 1);
  EXPECT_EQ(ingested.errors(0).code(), "FAILED_PRECONDITION");
  p.mutable_policy()->set_version(1);
  absl::Status policy_change = Call(&Stub::UpdateSettlementPolicy, p, &stored);
  EXPECT_EQ(policy_change.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Call(&Stub::ComputeSettlement, c, &again).ok());
  EXPECT_EQ(again.id(), finalized.id());

  std::vector<std::string> types = EventTypes();
  EXPECT_EQ(Count(types, "finance.SettlementFinalized"), 1u);
  EXPECT_EQ(Count(types, "finance.PrepaymentGenerated"), 12u);
}

TEST_F(FinanceDbTest, InternalServiceRecordsReplayAndStatementsPostOnce) {
  v1::UpdatePriceListRequest u;
  u.mutable_price_list()->set_community_id("com-1");
  u.mutable_price_list()->mutable_effective_from()->set_value("2026-01-01");
  v1::PriceItem* item = u.mutable_price_list()->add_items();
  item->set_item(v1::SERVICE_ITEM_REMOTE_CONSULT);
  item->mutable_price()->set_fen(20000);
  item->set_center_share_bp(7000);
  v1::PriceList list;
  ASSERT_TRUE(Call(&Stub::UpdatePriceList, u, &list).ok());
  v1::CreateServiceRecordRequest r;
  r.set_request_id("consult-1");
  v1::ServiceRecord* rec = r.mutable_record();
  rec->set_community_id("com-1");
  rec->set_item(v1::SERVICE_ITEM_REMOTE_CONSULT);
  rec->set_requesting_institution_id("ins-t2");
  rec->set_center_institution_id("ins-lead");
  rec->mutable_date()->set_value("2026-11-03");
  rec->set_quantity(2);
  v1::ServiceRecord first, again;
  ASSERT_TRUE(Call(&Stub::CreateServiceRecord, r, &first).ok());
  ASSERT_TRUE(Call(&Stub::CreateServiceRecord, r, &again).ok());
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(first.amount().fen(), 28000);

  v1::PostInternalStatementsRequest p;
  p.set_community_id("com-1");
  p.mutable_month()->set_value("2026-11");
  v1::InternalStatementBatch batch, replay;
  ASSERT_TRUE(Call(&Stub::PostInternalStatements, p, &batch).ok());
  ASSERT_TRUE(Call(&Stub::PostInternalStatements, p, &replay).ok());
  EXPECT_EQ(replay.journal_entry_id(), batch.journal_entry_id());
  v1::GetInternalStatementRequest g;
  g.set_community_id("com-1");
  g.set_institution_id("ins-t2");
  g.mutable_month()->set_value("2026-11");
  v1::InternalStatement statement;
  ASSERT_TRUE(Call(&Stub::GetInternalStatement, g, &statement).ok());
  EXPECT_EQ(statement.net().fen(), -28000);
  EXPECT_TRUE(statement.posted());
  r.set_request_id("consult-2");
  absl::Status late = Call(&Stub::CreateServiceRecord, r, &again);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BadField(late), "record.date");
  v1::GetBalancesRequest b;
  b.set_owner_id("ins-t2");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, b, &balances).ok());
  EXPECT_EQ(balances.total().fen(), -28000);
  EXPECT_EQ(Count(EventTypes(), "finance.InternalStatementPosted"), 1u);
}

TEST_F(FinanceDbTest, SubsidiesArePaidOncePerPersonAndMonthWhateverTheReplays) {
  auto event = [](int64_t sequence, const std::string& staff, int64_t fen) {
    dispatch::v1::MonthlyServiceDays days;
    days.set_community_id("com-1");
    days.mutable_month()->set_value("2026-03");
    days.mutable_days()->set_staff_id(staff);
    days.mutable_days()->set_total_days(20);
    days.mutable_days()->mutable_subsidy()->set_fen(fen);
    common::v1::Event e;
    e.set_sequence(sequence);
    e.set_type("dispatch.ServiceDaysCounted");
    e.mutable_payload()->PackFrom(days);
    return e;
  };
  common::v1::Event other;
  other.set_sequence(3);
  other.set_type("dispatch.VisitDone");
  const std::vector<common::v1::Event> page = {
      event(1, "stf-a", 40'000), event(2, "stf-b", 25'000), other,
      event(4, "stf-a", 40'000),  // the same person and month again
      event(5, "stf-b", 99'999),  // changed after payment: the first stands
  };
  ApplyEvents apply = SubsidyApplier();
  for (int replay = 0; replay < 2; ++replay) {
    ASSERT_TRUE(db::RunInTransaction(
                    *pool_, absl::Now() + absl::Seconds(10),
                    [&](sql::Connection& conn) { return apply(conn, page); })
                    .ok());
  }
  v1::GetBalancesRequest b;
  b.set_owner_id("com-1");
  b.mutable_as_of()->set_value("2026-03-31");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(Call(&Stub::GetBalances, b, &balances).ok());
  ASSERT_EQ(balances.balances_size(), 2);
  EXPECT_EQ(balances.balances(0).purpose(),
            v1::ACCOUNT_PURPOSE_SUBSIDY_EXPENSE);
  EXPECT_EQ(balances.balances(0).balance().fen(), 65'000);
  EXPECT_EQ(balances.balances(1).balance().fen(), -65'000);
  EXPECT_EQ(Count(EventTypes(), "finance.JournalEntryPosted"), 2u);
}

}  // namespace
}  // namespace cmc::finance
