// The internal settlement between members and the shared resource centers,
// without I/O: what one service record costs the requester, and a month's
// statement of one member netting what it owes and is owed.
//
//   int64_t owed = ServiceAmount(price_fen, quantity, center_share_bp);
//   v1::InternalStatement s = StatementOf("ins-a", records);
#ifndef CMC_SERVICES_FINANCE_INTERNAL_STATEMENT_H_
#define CMC_SERVICES_FINANCE_INTERNAL_STATEMENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cmc/finance/v1/finance.pb.h"

namespace cmc::finance {

// What the requester owes the center for one record:
// floor(price x quantity x center_share_bp / 10000). Arguments not negative.
int64_t ServiceAmount(int64_t price_fen, int64_t quantity,
                      int32_t center_share_bp);

// The statement of `institution_id` over `records` (each with its amount set):
// per counterparty (institution_id order) what it owes as requester and is
// owed as center, the totals and net = owed - owes. Records not involving the
// institution are ignored. Month, community and posting are left to the
// caller.
v1::InternalStatement StatementOf(
    absl::string_view institution_id,
    const std::vector<v1::ServiceRecord>& records);

// Net (owed - owes) of every institution involved in `records`; the nets add
// up to zero.
std::map<std::string, int64_t> NetsOf(
    const std::vector<v1::ServiceRecord>& records);

}  // namespace cmc::finance

#endif  // CMC_SERVICES_FINANCE_INTERNAL_STATEMENT_H_
