#include "common/testing/reference_county_loader.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/testing/reference_county.h"
#include "common/testing/stack.h"

namespace cmc::institution::reference {
namespace {

using testing::Stack;

absl::Status StepFailed(const std::string& step, const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(step, ": ", status.error_message()));
}

absl::Status ImportIncomplete(const std::string& step,
                              const v1::ImportResponse& imported, int want) {
  return absl::InternalError(
      absl::StrCat(step, ": imported ", imported.imported(), " of ", want,
                   imported.errors().empty()
                       ? ""
                       : ": " + imported.errors(0).ShortDebugString()));
}

}  // namespace

absl::StatusOr<LoadedCounty> LoadReferenceCounty(
    v1::InstitutionService::Stub& stub, const std::string& county_admin) {
  LoadedCounty county;
  v1::CreateCommunityRequest create;
  create.set_request_id("ref-community");
  create.mutable_community()->set_code("REF-COUNTY");
  create.mutable_community()->set_name("参考县医共体");
  create.mutable_community()->set_county_division_code(kCountyCode);
  grpc::Status status = stub.CreateCommunity(Stack::Context(county_admin).get(),
                                             create, &county.community);
  if (!status.ok()) return StepFailed("CreateCommunity", status);

  const std::vector<InstitutionRow> rows = Institutions();
  {
    auto context = Stack::Context(county_admin, absl::Seconds(120));
    v1::ImportResponse imported;
    auto writer = stub.ImportInstitutions(context.get(), &imported);
    for (size_t i = 0; i < rows.size(); ++i) {
      v1::ImportInstitutionsRequest row;
      if (i == 0) row.set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
      *row.mutable_institution() = rows[i].institution;
      if (rows[i].parent >= 0) {
        row.set_parent_uscc(rows[rows[i].parent].institution.uscc());
      }
      row.set_community_id(county.community.id());
      row.set_membership_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
      if (!writer->Write(row)) break;
    }
    writer->WritesDone();
    status = writer->Finish();
    if (!status.ok()) return StepFailed("ImportInstitutions", status);
    if (imported.imported() != kInstitutions) {
      return ImportIncomplete("ImportInstitutions", imported, kInstitutions);
    }
    county.institution_ids.assign(imported.ids().begin(), imported.ids().end());
  }

  for (int v = 0; v < kVillages; ++v) {
    v1::CreateVillageRequest request;
    request.set_request_id(absl::StrCat("ref-village-", v));
    *request.mutable_village() =
        Village(v, county.community.id(), county.institution_ids);
    v1::Village out;
    status =
        stub.CreateVillage(Stack::Context(county_admin).get(), request, &out);
    if (!status.ok()) {
      return StepFailed(absl::StrCat("CreateVillage ", v), status);
    }
    county.village_ids.push_back(out.id());
  }

  {
    auto context = Stack::Context(county_admin, absl::Seconds(120));
    v1::ImportResponse imported;
    auto writer = stub.ImportStaff(context.get(), &imported);
    for (int s = 0; s < kStaff; ++s) {
      v1::ImportStaffRequest row;
      if (s == 0) row.set_mode(v1::IMPORT_MODE_ALL_OR_NOTHING);
      *row.mutable_staff() = Staff(s, county.institution_ids);
      if (!writer->Write(row)) break;
    }
    writer->WritesDone();
    status = writer->Finish();
    if (!status.ok()) return StepFailed("ImportStaff", status);
    if (imported.imported() != kStaff) {
      return ImportIncomplete("ImportStaff", imported, kStaff);
    }
    county.staff_ids.assign(imported.ids().begin(), imported.ids().end());
  }
  return county;
}

}  // namespace cmc::institution::reference
