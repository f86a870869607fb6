// cmc-referral: wiring only (see common/server/domain_service_main.h).
#include "cmc/referral/v1/referral.grpc.pb.h"
#include "common/server/domain_service_main.h"

namespace cmc::referral {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::referral

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"referral", 50052, 9102},
      /*grpc_service_name=*/
      cmc::referral::v1::ReferralService::service_full_name(),
      /*migrations=*/&cmc::referral::Migrations,
      /*make_services=*/nullptr,
  };
  return cmc::RunDomainService(argc, argv, spec);
}
