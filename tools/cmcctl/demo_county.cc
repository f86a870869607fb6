#include "tools/cmcctl/demo_county.h"

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "cmc/institution/v1/institution.grpc.pb.h"
#include "common/validators/validators.h"

namespace cmc::cmcctl {
namespace {

namespace v1 = ::cmc::institution::v1;
using Stub = v1::InstitutionService::Stub;

constexpr char kCounty[] = "360426";
constexpr char kValidFrom[] = "2024-01-01";

// A valid GB 32100 USCC of a public institution (category "12") registered in
// the county, with organization code number `n` (as bench/institution_bench.cc
// builds them).
std::string Uscc(int n) { return MakeUscc(kCounty, 42600000 + n); }

// A valid GB 11643 resident ID of the county: birth date `yyyymmdd` and
// sequence `seq` (its last digit odd for men, even for women).
std::string ResidentId(const char* yyyymmdd, int seq) {
  int year = 0, month = 0, day = 0;
  std::sscanf(yyyymmdd, "%4d%2d%2d", &year, &month, &day);
  return MakeResidentId(kCounty, absl::CivilDay(year, month, day), seq);
}

struct InstitutionRow {
  const char* name;
  const char* kind;
  common::v1::Tier tier;
  const char* division_code;  // township or village part after the county
  int parent;                 // index into kInstitutions, -1 for none
};

// 0 is the lead hospital, 1-3 the township centers, 4-9 the village clinics.
const InstitutionRow kInstitutions[] = {
    {"演示县人民医院", "A100", common::v1::TIER_COUNTY, "100000", -1},
    {"演示县城东中心卫生院", "C210", common::v1::TIER_TOWNSHIP, "101000", 0},
    {"演示县河口乡卫生院", "C220", common::v1::TIER_TOWNSHIP, "201000", 0},
    {"演示县山背乡卫生院", "C220", common::v1::TIER_TOWNSHIP, "202000", 0},
    {"城东镇桃源村卫生室", "D600", common::v1::TIER_VILLAGE, "101201", 1},
    {"城东镇杨柳村卫生室", "D600", common::v1::TIER_VILLAGE, "101202", 1},
    {"河口乡石桥村卫生室", "D600", common::v1::TIER_VILLAGE, "201201", 2},
    {"河口乡新塘村卫生室", "D600", common::v1::TIER_VILLAGE, "201202", 2},
    {"山背乡竹林村卫生室", "D600", common::v1::TIER_VILLAGE, "202201", 3},
    {"山背乡高岭村卫生室", "D600", common::v1::TIER_VILLAGE, "202202", 3},
};
constexpr int kInstitutionCount = 10;

struct VillageRow {
  const char* name;
  const char* division_code;
  int population;
  int township_center;  // index into kInstitutions
  int village_clinic;   // index into kInstitutions
};

const VillageRow kVillages[] = {
    {"桃源村", "101201", 2140, 1, 4}, {"杨柳村", "101202", 1875, 1, 5},
    {"石桥村", "201201", 2630, 2, 6}, {"新塘村", "201202", 1512, 2, 7},
    {"竹林村", "202201", 1968, 3, 8}, {"高岭村", "202202", 2204, 3, 9},
};

struct StaffRow {
  const char* name;
  const char* birth;  // YYYYMMDD
  bool male;
  v1::Qualification qualification;
  const char* title_code;  // GB/T 8561, "" for none
  bool general_practitioner;
  int institution;  // index into kInstitutions
  const char* department;
};

constexpr v1::Qualification kPhysician = v1::QUALIFICATION_PRACTISING_PHYSICIAN;
constexpr v1::Qualification kAssistant = v1::QUALIFICATION_ASSISTANT_PHYSICIAN;
constexpr v1::Qualification kNurse = v1::QUALIFICATION_REGISTERED_NURSE;
constexpr v1::Qualification kVillageDoctor = v1::QUALIFICATION_VILLAGE_DOCTOR;

const StaffRow kStaff[] = {
    {"王建国", "19680312", true, kPhysician, "231", false, 0, "内科"},
    {"李秀英", "19730825", false, kPhysician, "232", false, 0, "妇产科"},
    {"张伟", "19800117", true, kPhysician, "233", false, 0, "外科"},
    {"刘洋", "19881203", true, kPhysician, "234", true, 0, "全科医学科"},
    {"陈静", "19910706", false, kPhysician, "234", false, 0, "儿科"},
    {"杨丽", "19790430", false, kNurse, "252", false, 0, "护理部"},
    {"赵敏", "19860914", false, kNurse, "253", false, 0, "内科"},
    {"黄婷", "19950221", false, kNurse, "255", false, 0, "急诊科"},
    {"周强", "19780605", true, kPhysician, "233", true, 1, "全科"},
    {"吴芳", "19900318", false, kNurse, "254", false, 1, "护理"},
    {"徐军", "19821109", true, kPhysician, "234", false, 2, "全科"},
    {"孙燕", "19930527", false, kNurse, "255", false, 2, "护理"},
    {"胡斌", "19851022", true, kAssistant, "235", true, 3, "全科"},
    {"朱红", "19920813", false, kNurse, "255", false, 3, "护理"},
    {"高德明", "19650704", true, kVillageDoctor, "", false, 4, ""},
    {"林水生", "19700219", true, kVillageDoctor, "", false, 5, ""},
    {"何桂兰", "19720926", false, kVillageDoctor, "235", false, 6, ""},
    {"郭春生", "19670131", true, kVillageDoctor, "", false, 7, ""},
    {"马小梅", "19830408", false, kVillageDoctor, "", false, 8, ""},
    {"罗长根", "19610817", true, kVillageDoctor, "", false, 9, ""},
};

class Loader {
 public:
  Loader(Stub* stub, const std::function<void(grpc::ClientContext*)>& prepare)
      : stub_(stub), prepare_(prepare) {}

  // Calls `method`; on failure prints "<what> failed: <code> <message>" and
  // returns false.
  template <typename Request, typename Response, typename Method>
  bool Call(const std::string& what, Method method, const Request& request,
            Response* response) {
    grpc::ClientContext context;
    prepare_(&context);
    const grpc::Status status = (stub_->*method)(&context, request, response);
    if (status.ok()) return true;
    std::fprintf(stderr, "demo-county: %s failed: %d %s\n", what.c_str(),
                 static_cast<int>(status.error_code()),
                 status.error_message().c_str());
    return false;
  }

 private:
  Stub* stub_;
  const std::function<void(grpc::ClientContext*)>& prepare_;
};

const char* TierName(common::v1::Tier tier) {
  switch (tier) {
    case common::v1::TIER_COUNTY:
      return "county";
    case common::v1::TIER_TOWNSHIP:
      return "township";
    case common::v1::TIER_VILLAGE:
      return "village";
    default:
      return "other";
  }
}

const char* QualificationName(v1::Qualification qualification) {
  switch (qualification) {
    case v1::QUALIFICATION_PRACTISING_PHYSICIAN:
      return "practising physician";
    case v1::QUALIFICATION_ASSISTANT_PHYSICIAN:
      return "assistant physician";
    case v1::QUALIFICATION_VILLAGE_DOCTOR:
      return "village doctor";
    case v1::QUALIFICATION_REGISTERED_NURSE:
      return "registered nurse";
    case v1::QUALIFICATION_PHARMACIST:
      return "pharmacist";
    case v1::QUALIFICATION_TECHNICIAN:
      return "technician";
    default:
      return "other";
  }
}

// Counts the institutions of `node` and below by tier.
void CountTiers(const v1::SubtreeNode& node, std::map<int, int>* by_tier) {
  ++(*by_tier)[node.institution().tier()];
  for (const v1::SubtreeNode& child : node.children()) {
    CountTiers(child, by_tier);
  }
}

}  // namespace

int DemoCounty(std::shared_ptr<grpc::Channel> channel,
               const std::function<void(grpc::ClientContext*)>& prepare) {
  auto stub = v1::InstitutionService::NewStub(std::move(channel));
  Loader load(stub.get(), prepare);
  auto division = [](const char* local) {
    return absl::StrCat(kCounty, local);
  };

  // The lead hospital first, so that the community names it when created.
  std::vector<std::string> ids(kInstitutionCount);
  auto create_institution = [&](int n) {
    const InstitutionRow& row = kInstitutions[n];
    v1::CreateInstitutionRequest request;
    request.set_request_id(absl::StrCat("demo-county:institution:", n));
    v1::Institution* institution = request.mutable_institution();
    institution->set_uscc(Uscc(n + 1));
    institution->set_name(row.name);
    institution->set_kind(row.kind);
    institution->set_tier(row.tier);
    institution->set_division_code(division(row.division_code));
    if (row.parent >= 0)
      institution->set_parent_institution_id(ids[row.parent]);
    v1::Institution created;
    if (!load.Call(absl::StrCat("CreateInstitution ", row.name),
                   &Stub::CreateInstitution, request, &created)) {
      return false;
    }
    ids[n] = created.id();
    return true;
  };
  if (!create_institution(0)) return 1;

  v1::CreateCommunityRequest community_request;
  community_request.set_request_id("demo-county:community");
  v1::Community* community = community_request.mutable_community();
  community->set_code("DEMO");
  community->set_name("演示县医共体");
  community->set_county_division_code(kCounty);
  community->set_lead_institution_id(ids[0]);
  v1::Community created_community;
  if (!load.Call("CreateCommunity DEMO", &Stub::CreateCommunity,
                 community_request, &created_community)) {
    return 1;
  }
  const std::string community_id = created_community.id();

  for (int n = 1; n < kInstitutionCount; ++n) {
    if (!create_institution(n)) return 1;
  }
  for (int n = 0; n < kInstitutionCount; ++n) {
    v1::AddMembershipRequest request;
    request.set_request_id(absl::StrCat("demo-county:membership:", n));
    v1::Membership* membership = request.mutable_membership();
    membership->set_institution_id(ids[n]);
    membership->set_community_id(community_id);
    membership->set_kind(v1::MEMBERSHIP_KIND_CLOSE_KNIT);
    membership->mutable_valid_from()->set_value(kValidFrom);
    v1::Membership created;
    if (!load.Call(absl::StrCat("AddMembership ", kInstitutions[n].name),
                   &Stub::AddMembership, request, &created)) {
      return 1;
    }
  }
  int v = 0;
  for (const VillageRow& row : kVillages) {
    v1::CreateVillageRequest request;
    request.set_request_id(absl::StrCat("demo-county:village:", v++));
    v1::Village* village = request.mutable_village();
    village->set_community_id(community_id);
    village->set_division_code(division(row.division_code));
    village->set_name(row.name);
    village->set_population(row.population);
    village->set_township_center_id(ids[row.township_center]);
    village->set_village_clinic_id(ids[row.village_clinic]);
    village->set_has_resident_village_doctor(true);
    v1::Village created;
    if (!load.Call(absl::StrCat("CreateVillage ", row.name),
                   &Stub::CreateVillage, request, &created)) {
      return 1;
    }
  }
  int s = 0;
  for (const StaffRow& row : kStaff) {
    v1::CreateStaffRequest request;
    request.set_request_id(absl::StrCat("demo-county:staff:", s));
    v1::Staff* staff = request.mutable_staff();
    staff->set_resident_id(ResidentId(row.birth, 10 * s + (row.male ? 1 : 2)));
    staff->set_name(row.name);
    staff->set_qualification(row.qualification);
    staff->set_title_code(row.title_code);
    staff->set_general_practitioner(row.general_practitioner);
    staff->set_institution_id(ids[row.institution]);
    staff->set_department(row.department);
    ++s;
    v1::Staff created;
    if (!load.Call(absl::StrCat("CreateStaff ", row.name), &Stub::CreateStaff,
                   request, &created)) {
      return 1;
    }
  }

  v1::ListSubtreeRequest subtree_request;
  subtree_request.mutable_org()->set_community_id(community_id);
  v1::ListSubtreeResponse tree;
  if (!load.Call("ListSubtree", &Stub::ListSubtree, subtree_request, &tree)) {
    return 1;
  }
  v1::GetStaffingSummaryRequest summary_request;
  summary_request.mutable_org()->set_community_id(community_id);
  v1::GetStaffingSummaryResponse summary;
  if (!load.Call("GetStaffingSummary", &Stub::GetStaffingSummary,
                 summary_request, &summary)) {
    return 1;
  }

  std::map<int, int> by_tier;
  for (const v1::SubtreeNode& root : tree.roots()) CountTiers(root, &by_tier);
  std::string tiers;
  for (const auto& [tier, count] : by_tier) {
    absl::StrAppend(&tiers, tiers.empty() ? "" : ", ", count, " ",
                    TierName(static_cast<common::v1::Tier>(tier)));
  }
  std::map<int, int> by_qualification;
  for (const v1::StaffingCount& count : summary.counts()) {
    by_qualification[count.qualification()] += count.count();
  }
  std::string qualifications;
  for (const auto& [qualification, count] : by_qualification) {
    absl::StrAppend(
        &qualifications, qualifications.empty() ? "" : ", ", count, " ",
        QualificationName(static_cast<v1::Qualification>(qualification)));
  }
  std::printf("community    %s %s (%s, county %s)\n",
              tree.community().code().c_str(), tree.community().name().c_str(),
              tree.community().id().c_str(),
              tree.community().county_division_code().c_str());
  std::printf("institutions %d: %s\n", tree.institution_count(), tiers.c_str());
  std::printf("villages     %d (%d unplaced)\n", tree.village_count(),
              tree.unplaced_villages_size());
  std::printf("staff        %d active, %d GPs: %s\n", summary.total(),
              summary.general_practitioners(), qualifications.c_str());
  return 0;
}

}  // namespace cmc::cmcctl
