// cmc-institution: wiring only (see common/server/domain_service_main.h).
#include <memory>
#include <vector>

#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/server/domain_service_main.h"
#include "services/institution/institution_service.h"
#include "services/institution/mysql_stores.h"

namespace cmc::institution {
const std::vector<db::Migration>& Migrations();  // generated from migrations/
}  // namespace cmc::institution

int main(int argc, char** argv) {
  cmc::DomainServiceSpec spec{
      /*defaults=*/{"institution", 50051, 9101},
      /*grpc_service_name=*/
      cmc::institution::v1::InstitutionService::service_full_name(),
      /*migrations=*/&cmc::institution::Migrations,
      /*make_services=*/
      [](cmc::DomainServiceContext& context) {
        cmc::institution::InstitutionService::Options options;
        options.call.default_deadline = context.config.default_deadline;
        options.call.max_deadline = context.config.max_deadline;
        // Called once; the stores hold only the pool's address and outlive
        // the service, which RunDomainService destroys before returning.
        static cmc::institution::MysqlStores mysql(&context.pool);
        std::vector<cmc::NamedService> services;
        services.push_back(
            {std::make_unique<cmc::institution::InstitutionService>(
                 mysql.stores(), options),
             cmc::institution::v1::InstitutionService::service_full_name()});
        return services;
      },
  };
  return cmc::RunDomainService(argc, argv, spec);
}
