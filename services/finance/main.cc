// cmc-finance: wiring only (see common/server/domain_service_main.h).
#include "cmc/finance/v1/finance.grpc.pb.h"
#include "common/server/domain_service_main.h"

namespace cmc::finance {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::finance

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"finance", 50054, 9104},
      /*grpc_service_name=*/
      cmc::finance::v1::FinanceService::service_full_name(),
      /*migrations=*/&cmc::finance::Migrations,
      /*make_services=*/nullptr,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
