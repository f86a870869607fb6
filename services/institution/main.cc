// cmc-institution: wiring only (see common/server/domain_service_main.h).
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/server/domain_service_main.h"

namespace cmc::institution {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::institution

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"institution", 50051, 9101},
      /*grpc_service_name=*/cmc::institution::v1::InstitutionService::service_full_name(),
      /*migrations=*/&cmc::institution::Migrations,
      /*make_services=*/nullptr,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
