// cmc-indicator: wiring only (see common/server/domain_service_main.h).
#include "cmc/indicator/v1/indicator.grpc.pb.h"
#include "common/server/domain_service_main.h"

namespace cmc::indicator {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::indicator

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"indicator", 50055, 9105},
      /*grpc_service_name=*/
      cmc::indicator::v1::IndicatorService::service_full_name(),
      /*migrations=*/&cmc::indicator::Migrations,
      /*make_services=*/nullptr,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
