#include "services/finance/internal_statement.h"

#include "services/finance/settlement_rules.h"

namespace cmc::finance {

int64_t ServiceAmount(int64_t price_fen, int64_t quantity,
                      int32_t center_share_bp) {
  return FloorMulDiv(price_fen * quantity, center_share_bp, kBpOne);
}

v1::InternalStatement StatementOf(
    absl::string_view institution_id,
    const std::vector<v1::ServiceRecord>& records) {
  struct Pair {
    int64_t owes = 0;
    int64_t owed = 0;
  };
  std::map<std::string, Pair> by_counterparty;
  int64_t count = 0;
  for (const v1::ServiceRecord& record : records) {
    const int64_t amount = record.amount().fen();
    if (record.requesting_institution_id() == institution_id) {
      by_counterparty[record.center_institution_id()].owes += amount;
      ++count;
    } else if (record.center_institution_id() == institution_id) {
      by_counterparty[record.requesting_institution_id()].owed += amount;
      ++count;
    }
  }
  v1::InternalStatement statement;
  statement.set_institution_id(std::string(institution_id));
  int64_t owes = 0;
  int64_t owed = 0;
  for (const auto& [counterparty, pair] : by_counterparty) {
    v1::CounterpartyBalance* row = statement.add_counterparties();
    row->set_institution_id(counterparty);
    row->mutable_owes()->set_fen(pair.owes);
    row->mutable_owed()->set_fen(pair.owed);
    row->mutable_net()->set_fen(pair.owed - pair.owes);
    owes += pair.owes;
    owed += pair.owed;
  }
  statement.mutable_owes()->set_fen(owes);
  statement.mutable_owed()->set_fen(owed);
  statement.mutable_net()->set_fen(owed - owes);
  statement.set_record_count(count);
  return statement;
}

std::map<std::string, int64_t> NetsOf(
    const std::vector<v1::ServiceRecord>& records) {
  std::map<std::string, int64_t> nets;
  for (const v1::ServiceRecord& record : records) {
    nets[record.requesting_institution_id()] -= record.amount().fen();
    nets[record.center_institution_id()] += record.amount().fen();
  }
  return nets;
}

}  // namespace cmc::finance
