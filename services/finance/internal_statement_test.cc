#include "services/finance/internal_statement.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace cmc::finance {
namespace {

v1::ServiceRecord Record(std::string requester, std::string center,
                         int64_t amount) {
  v1::ServiceRecord record;
  record.set_requesting_institution_id(requester);
  record.set_center_institution_id(center);
  record.mutable_amount()->set_fen(amount);
  return record;
}

TEST(ServiceAmount, Table) {
  struct Case {
    int64_t price, quantity;
    int32_t bp;
    int64_t want;
  } cases[] = {
      {3000, 1, 6000, 1800},  // ECG read 30 yuan, center 60%
      {3000, 3, 6000, 5400}, {3333, 1, 5000, 1666},  // 1666.5 rounds down
      {3333, 3, 5000, 4999},  // one floor over the product, not per unit
      {12000, 2, 0, 0},      {12000, 2, 10000, 24000},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ServiceAmount(c.price, c.quantity, c.bp), c.want)
        << c.price << " x " << c.quantity << " x " << c.bp;
  }
}

TEST(StatementOf, NetsWhatTheMemberOwesAndIsOwed) {
  // ins-c is the imaging center; ins-a and ins-b request; ins-a is also the
  // lab center for ins-b.
  std::vector<v1::ServiceRecord> records = {
      Record("ins-a", "ins-c", 1800), Record("ins-a", "ins-c", 200),
      Record("ins-b", "ins-c", 500),  Record("ins-b", "ins-a", 700),
      Record("ins-c", "ins-a", 100),
  };
  struct Case {
    std::string institution;
    int64_t owes, owed, net, count;
    std::vector<std::string> counterparties;
  } cases[] = {
      {"ins-a", 2000, 800, -1200, 4, {"ins-b", "ins-c"}},
      {"ins-b", 1200, 0, -1200, 2, {"ins-a", "ins-c"}},
      {"ins-c", 100, 2500, 2400, 4, {"ins-a", "ins-b"}},
      {"ins-d", 0, 0, 0, 0, {}},
  };
  for (const Case& c : cases) {
    v1::InternalStatement s = StatementOf(c.institution, records);
    EXPECT_EQ(s.owes().fen(), c.owes) << c.institution;
    EXPECT_EQ(s.owed().fen(), c.owed) << c.institution;
    EXPECT_EQ(s.net().fen(), c.net) << c.institution;
    EXPECT_EQ(s.record_count(), c.count) << c.institution;
    std::vector<std::string> names;
    for (const auto& row : s.counterparties())
      names.push_back(row.institution_id());
    EXPECT_EQ(names, c.counterparties) << c.institution;
  }
  v1::InternalStatement a = StatementOf("ins-a", records);
  ASSERT_EQ(a.counterparties_size(), 2);
  EXPECT_EQ(a.counterparties(1).owes().fen(), 2000);
  EXPECT_EQ(a.counterparties(1).owed().fen(), 100);
  EXPECT_EQ(a.counterparties(1).net().fen(), -1900);
}

TEST(NetsOf, AddUpToZeroAndMatchEachStatement) {
  std::mt19937 rng(7);
  const std::string members[] = {"ins-a", "ins-b", "ins-c", "ins-d"};
  std::vector<v1::ServiceRecord> records;
  for (int i = 0; i < 300; ++i) {
    int r = static_cast<int>(rng() % 4);
    int c = (r + 1 + static_cast<int>(rng() % 3)) % 4;
    records.push_back(Record(members[r], members[c], rng() % 100000));
  }
  std::map<std::string, int64_t> nets = NetsOf(records);
  int64_t sum = 0;
  for (const auto& [member, net] : nets) {
    sum += net;
    EXPECT_EQ(StatementOf(member, records).net().fen(), net) << member;
  }
  EXPECT_EQ(sum, 0);
}

}  // namespace
}  // namespace cmc::finance
