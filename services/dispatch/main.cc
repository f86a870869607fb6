// cmc-dispatch: wiring only (see common/server/domain_service_main.h).
#include "cmc/dispatch/v1/dispatch.grpc.pb.h"
#include "common/server/domain_service_main.h"

namespace cmc::dispatch {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::dispatch

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"dispatch", 50053, 9103},
      /*grpc_service_name=*/
      cmc::dispatch::v1::DispatchService::service_full_name(),
      /*migrations=*/&cmc::dispatch::Migrations,
      /*make_services=*/nullptr,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
