#include "services/dispatch/dispatch_fakes.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace cmc::dispatch {
namespace {

absl::Status Unavailable() {
  return absl::UnavailableError("the institution service cannot be reached");
}

absl::Status NotFound(absl::string_view field) {
  return FieldError(absl::StatusCode::kNotFound, field, "unknown");
}

inst::Institution Institution(const std::string& id, common::v1::Tier tier) {
  inst::Institution i;
  i.set_id(id);
  i.set_name(absl::StrCat("name of ", id));
  i.set_tier(tier);
  i.set_status(inst::INSTITUTION_STATUS_ACTIVE);
  return i;
}

inst::Village VillageOf(const std::string& id, const std::string& center,
                        const std::string& clinic) {
  inst::Village v;
  v.set_id(id);
  v.set_community_id("com-1");
  v.set_name(absl::StrCat("name of ", id));
  v.set_township_center_id(center);
  v.set_village_clinic_id(clinic);
  return v;
}

inst::Staff StaffOf(const std::string& id, const std::string& employer,
                    inst::Qualification q,
                    inst::StaffStatus status = inst::STAFF_STATUS_ACTIVE) {
  inst::Staff s;
  s.set_id(id);
  s.set_institution_id(employer);
  s.set_qualification(q);
  s.set_status(status);
  return s;
}

class Forwarder final : public InstitutionReader {
 public:
  explicit Forwarder(FakeInstitutions* fake) : fake_(fake) {}
  absl::StatusOr<std::vector<inst::Village>> Villages(const std::string& c,
                                                      absl::Time d) override {
    return fake_->Villages(c, d);
  }
  absl::StatusOr<inst::Village> Village(const std::string& id,
                                        absl::Time d) override {
    return fake_->Village(id, d);
  }
  absl::StatusOr<std::vector<inst::Institution>> Members(
      const std::string& c, absl::Time d) override {
    return fake_->Members(c, d);
  }
  absl::StatusOr<std::vector<inst::Institution>> Institutions(
      const std::vector<std::string>& ids, absl::Time d) override {
    return fake_->Institutions(ids, d);
  }
  absl::StatusOr<std::vector<inst::Staff>> Staff(const std::string& c,
                                                 absl::Time d) override {
    return fake_->Staff(c, d);
  }
  absl::StatusOr<inst::Staff> StaffMember(const std::string& id,
                                          absl::Time d) override {
    return fake_->StaffMember(id, d);
  }
  absl::StatusOr<std::string> CommunityOf(const std::string& id,
                                          absl::Time d) override {
    return fake_->CommunityOf(id, d);
  }
  absl::StatusOr<std::vector<inst::Posting>> Postings(const std::string& id,
                                                      absl::Time d) override {
    return fake_->Postings(id, d);
  }
  absl::StatusOr<std::vector<inst::Posting>> PostingsAt(const std::string& id,
                                                        absl::Time d) override {
    return fake_->PostingsAt(id, d);
  }

 private:
  FakeInstitutions* fake_;
};

class Communities final : public CommunityDirectory {
 public:
  explicit Communities(FakeInstitutions* fake) : fake_(fake) {}
  absl::StatusOr<std::set<std::string>> Members(const std::string& community,
                                                absl::Time) override {
    if (fake_->down) return Unavailable();
    std::set<std::string> out;
    if (community != "com-1") return out;
    for (const auto& [id, i] : fake_->institutions) out.insert(id);
    return out;
  }

 private:
  FakeInstitutions* fake_;
};

}  // namespace

FakeInstitutions::FakeInstitutions() {
  using common::v1::Tier;
  for (const auto& [id, tier] :
       std::map<std::string, Tier>{{"ins-county", common::v1::TIER_COUNTY},
                                   {"ins-t1", common::v1::TIER_TOWNSHIP},
                                   {"ins-t2", common::v1::TIER_TOWNSHIP},
                                   {"ins-c1", common::v1::TIER_VILLAGE},
                                   {"ins-c2", common::v1::TIER_VILLAGE}}) {
    institutions[id] = Institution(id, tier);
  }
  villages = {
      VillageOf("vil-1", "ins-t1", "ins-c1"), VillageOf("vil-2", "ins-t1", ""),
      VillageOf("vil-3", "ins-t2", "ins-c2"), VillageOf("vil-4", "ins-t2", "")};
  staff = {
      StaffOf("stf-doc", "ins-county",
              inst::QUALIFICATION_PRACTISING_PHYSICIAN),
      StaffOf("stf-left", "ins-county",
              inst::QUALIFICATION_PRACTISING_PHYSICIAN,
              inst::STAFF_STATUS_LEFT),
      StaffOf("stf-t1a", "ins-t1", inst::QUALIFICATION_PRACTISING_PHYSICIAN),
      StaffOf("stf-t1b", "ins-t1", inst::QUALIFICATION_ASSISTANT_PHYSICIAN),
      StaffOf("stf-nurse", "ins-t1", inst::QUALIFICATION_REGISTERED_NURSE),
      StaffOf("stf-vd1", "ins-c1", inst::QUALIFICATION_VILLAGE_DOCTOR),
      StaffOf("stf-vd2", "ins-c2", inst::QUALIFICATION_VILLAGE_DOCTOR),
  };
  inst::Posting p;
  p.set_id("pst-1");
  p.set_staff_id("stf-t1b");
  p.set_from_institution_id("ins-t1");
  p.set_to_institution_id("ins-t2");
  p.mutable_start_date()->set_value("2026-03-01");
  p.mutable_end_date()->set_value("2026-03-31");
  postings.push_back(p);
}

absl::StatusOr<std::vector<inst::Village>> FakeInstitutions::Villages(
    const std::string& community_id, absl::Time) {
  if (down) return Unavailable();
  if (community_id != "com-1") return NotFound("community_id");
  return villages;
}

absl::StatusOr<inst::Village> FakeInstitutions::Village(const std::string& id,
                                                        absl::Time) {
  if (down) return Unavailable();
  for (const inst::Village& v : villages) {
    if (v.id() == id) return v;
  }
  return NotFound("id");
}

absl::StatusOr<std::vector<inst::Institution>> FakeInstitutions::Members(
    const std::string& community_id, absl::Time) {
  if (down) return Unavailable();
  if (community_id != "com-1") return NotFound("community_id");
  std::vector<inst::Institution> out;
  for (const auto& [id, i] : institutions) out.push_back(i);
  return out;
}

absl::StatusOr<std::vector<inst::Institution>> FakeInstitutions::Institutions(
    const std::vector<std::string>& ids, absl::Time) {
  if (down) return Unavailable();
  std::vector<inst::Institution> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = institutions.find(ids[i]);
    if (it == institutions.end()) return NotFound(absl::StrCat("ids[", i, "]"));
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<std::vector<inst::Staff>> FakeInstitutions::Staff(
    const std::string& community_id, absl::Time) {
  if (down) return Unavailable();
  if (community_id != "com-1") return NotFound("community_id");
  return staff;
}

absl::StatusOr<inst::Staff> FakeInstitutions::StaffMember(const std::string& id,
                                                          absl::Time) {
  if (down) return Unavailable();
  for (const inst::Staff& s : staff) {
    if (s.id() == id) return s;
  }
  return NotFound("id");
}

absl::StatusOr<std::string> FakeInstitutions::CommunityOf(
    const std::string& institution_id, absl::Time) {
  if (down) return Unavailable();
  return institutions.count(institution_id) ? "com-1" : "";
}

absl::StatusOr<std::vector<inst::Posting>> FakeInstitutions::Postings(
    const std::string& staff_id, absl::Time) {
  if (down) return Unavailable();
  std::vector<inst::Posting> out;
  for (const inst::Posting& p : postings) {
    if (p.staff_id() == staff_id) out.push_back(p);
  }
  return out;
}

absl::StatusOr<std::vector<inst::Posting>> FakeInstitutions::PostingsAt(
    const std::string& institution_id, absl::Time) {
  if (down) return Unavailable();
  std::vector<inst::Posting> out;
  for (const inst::Posting& p : postings) {
    if (p.from_institution_id() == institution_id ||
        p.to_institution_id() == institution_id) {
      out.push_back(p);
    }
  }
  return out;
}

std::unique_ptr<InstitutionReader> ReaderOf(FakeInstitutions* fake) {
  return std::make_unique<Forwarder>(fake);
}

std::unique_ptr<CommunityDirectory> CommunitiesOf(FakeInstitutions* fake) {
  return std::make_unique<Communities>(fake);
}

}  // namespace cmc::dispatch
