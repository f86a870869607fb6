// Postings (县管乡用) through the institution service: create, end, list.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/institution_fixture.h"

namespace cmc::institution {
namespace {

// A county hospital employing one physician, and two township centers.
class PostingTest : public InstitutionTest {
 protected:
  void SetUp() override {
    InstitutionTest::SetUp();
    hospital_ = NewInstitution(
        MakeInstitution(300, "某县人民医院", "A100", TIER_COUNTY, kTown));
    center_ = NewInstitution(
        MakeInstitution(301, "某镇中心卫生院", "C210", TIER_TOWNSHIP, kTown));
    other_ = NewInstitution(
        MakeInstitution(302, "某乡卫生院", "C220", TIER_TOWNSHIP, kTown));
    doctor_ = NewStaff(MakeStaff(31, hospital_.id()));
  }

  v1::Institution hospital_;
  v1::Institution center_;
  v1::Institution other_;
  v1::Staff doctor_;
};

TEST_F(PostingTest, PostingsKeepHistoryAndNeverOverlap) {
  v1::Posting first;
  ASSERT_TRUE(CreatePosting("req-p1", doctor_.id(), center_.id(), "2024-01-01",
                            "2024-06-30", &first)
                  .ok());
  EXPECT_EQ(first.id().rfind("pst-", 0), 0u) << first.id();
  EXPECT_EQ(first.from_institution_id(), hospital_.id());
  EXPECT_EQ(first.to_institution_id(), center_.id());
  EXPECT_EQ(first.end_date().value(), "2024-06-30");
  v1::Posting repeat;  // a replay, not an overlap with itself
  ASSERT_TRUE(CreatePosting("req-p1", doctor_.id(), center_.id(), "2024-01-01",
                            "2024-06-30", &repeat)
                  .ok());
  EXPECT_EQ(repeat.id(), first.id());
  v1::Posting second;
  ASSERT_TRUE(CreatePosting("req-p2", doctor_.id(), other_.id(), "2024-07-01",
                            nullptr, &second)
                  .ok());
  EXPECT_FALSE(second.has_end_date());

  v1::Institution closed = NewInstitution(
      MakeInstitution(303, "已撤并卫生院", "C220", TIER_TOWNSHIP, kTown));
  closed.set_status(v1::INSTITUTION_STATUS_CLOSED);
  ASSERT_TRUE(UpdateInstitution(closed, {"status"}, &closed).ok());
  v1::Staff left = NewStaff(MakeStaff(32, hospital_.id()));
  left.set_status(v1::STAFF_STATUS_LEFT);
  ASSERT_TRUE(UpdateStaff(left, {"status"}, &left).ok());
  struct Case {
    const char* name;
    std::string staff_id;
    std::string to;
    const char* start;
    const char* end;
    StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {"overlaps the first", doctor_.id(), center_.id(), "2023-12-01",
       "2024-01-01", StatusCode::FAILED_PRECONDITION, "posting.start_date"},
      {"overlaps the open one", doctor_.id(), center_.id(), "2030-01-01",
       nullptr, StatusCode::FAILED_PRECONDITION, "posting.start_date"},
      {"to the employer", doctor_.id(), hospital_.id(), "2020-01-01",
       "2020-02-01", StatusCode::INVALID_ARGUMENT, "posting.to_institution_id"},
      {"unknown staff", "stf-nope", center_.id(), "2020-01-01", nullptr,
       StatusCode::NOT_FOUND, "posting.staff_id"},
      {"staff who left", left.id(), center_.id(), "2020-01-01", nullptr,
       StatusCode::FAILED_PRECONDITION, "posting.staff_id"},
      {"unknown host", doctor_.id(), "ins-nope", "2020-01-01", nullptr,
       StatusCode::NOT_FOUND, "posting.to_institution_id"},
      {"closed host", doctor_.id(), closed.id(), "2020-01-01", nullptr,
       StatusCode::FAILED_PRECONDITION, "posting.to_institution_id"},
      {"no staff", "", center_.id(), "2020-01-01", nullptr,
       StatusCode::INVALID_ARGUMENT, "posting.staff_id"},
      {"no host", doctor_.id(), "", "2020-01-01", nullptr,
       StatusCode::INVALID_ARGUMENT, "posting.to_institution_id"},
      {"no start", doctor_.id(), center_.id(), nullptr, nullptr,
       StatusCode::INVALID_ARGUMENT, "posting.start_date"},
      {"bad start", doctor_.id(), center_.id(), "2020-02-30", nullptr,
       StatusCode::INVALID_ARGUMENT, "posting.start_date"},
      {"ends before it starts", doctor_.id(), center_.id(), "2020-02-01",
       "2020-01-31", StatusCode::INVALID_ARGUMENT, "posting.end_date"},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Posting out;
    const grpc::Status status =
        CreatePosting("req-bad-" + std::to_string(n++), c.staff_id, c.to,
                      c.start, c.end, &out);
    ExpectError(status, c.code, c.field);
  }
  // The clash names the posting it collides with.
  v1::Posting out;
  const grpc::Status clash = CreatePosting(
      "req-clash", doctor_.id(), center_.id(), "2024-06-30", nullptr, &out);
  EXPECT_NE(clash.error_message().find(first.id()), std::string::npos)
      << clash.error_message();

  // Ending the open posting frees the days after it.
  v1::EndPostingRequest end;
  end.set_id(second.id());
  end.mutable_end_date()->set_value("2024-12-31");
  v1::Posting ended;
  ASSERT_TRUE(Call(&Stub::EndPosting, end, &ended).ok());
  EXPECT_EQ(ended.end_date().value(), "2024-12-31");
  end.mutable_end_date()->set_value("2025-01-10");
  ExpectError(Call(&Stub::EndPosting, end, &ended),
              StatusCode::FAILED_PRECONDITION, "end_date");
  end.mutable_end_date()->set_value("2024-10-31");
  ASSERT_TRUE(Call(&Stub::EndPosting, end, &ended).ok());
  EXPECT_EQ(ended.end_date().value(), "2024-10-31");
  end.mutable_end_date()->set_value("2024-06-30");
  ExpectError(Call(&Stub::EndPosting, end, &ended),
              StatusCode::INVALID_ARGUMENT, "end_date");
  end.clear_end_date();
  ExpectError(Call(&Stub::EndPosting, end, &ended),
              StatusCode::INVALID_ARGUMENT, "end_date");
  end.set_id("pst-nope");
  end.mutable_end_date()->set_value("2024-10-31");
  ExpectError(Call(&Stub::EndPosting, end, &ended), StatusCode::NOT_FOUND,
              "id");
  v1::Posting third;
  ASSERT_TRUE(CreatePosting("req-p3", doctor_.id(), center_.id(), "2024-11-01",
                            "2025-04-30", &third)
                  .ok());

  struct ListCase {
    const char* name;
    std::string staff_id;
    std::string institution_id;
    const char* as_of;
    std::vector<std::string> ids;
  };
  const ListCase lists[] = {
      {"history of the person",
       doctor_.id(),
       "",
       nullptr,
       {first.id(), second.id(), third.id()}},
      {"to or from the center",
       "",
       center_.id(),
       nullptr,
       {first.id(), third.id()}},
      {"from the hospital",
       "",
       hospital_.id(),
       nullptr,
       {first.id(), second.id(), third.id()}},
      {"on a day", doctor_.id(), "", "2024-08-01", {second.id()}},
      {"between postings", doctor_.id(), "", "2025-05-01", {}},
  };
  for (const ListCase& c : lists) {
    SCOPED_TRACE(c.name);
    v1::ListPostingsRequest request;
    request.set_staff_id(c.staff_id);
    request.set_institution_id(c.institution_id);
    if (c.as_of != nullptr) request.mutable_as_of()->set_value(c.as_of);
    v1::ListPostingsResponse response;
    ASSERT_TRUE(Call(&Stub::ListPostings, request, &response).ok());
    std::vector<std::string> ids;
    for (const auto& p : response.postings()) ids.push_back(p.id());
    EXPECT_EQ(ids, c.ids);
  }
  v1::ListPostingsRequest bad;
  v1::ListPostingsResponse response;
  ExpectError(Call(&Stub::ListPostings, bad, &response),
              StatusCode::INVALID_ARGUMENT, "staff_id");
  bad.set_staff_id("stf-nope");
  ExpectError(Call(&Stub::ListPostings, bad, &response), StatusCode::NOT_FOUND,
              "staff_id");
  bad.Clear();
  bad.set_institution_id("ins-nope");
  ExpectError(Call(&Stub::ListPostings, bad, &response), StatusCode::NOT_FOUND,
              "institution_id");

  std::vector<std::string> types;
  for (const auto& e : Events()) {
    if (e.aggregate_type() == "Posting") types.push_back(e.type());
  }
  const std::vector<std::string> expected = {
      "institution.PostingCreated", "institution.PostingCreated",
      "institution.PostingEnded", "institution.PostingEnded",
      "institution.PostingCreated"};
  EXPECT_EQ(types, expected);
}

TEST_F(PostingTest, ConcurrentPostingsOfOnePersonAdmitOne) {
  std::vector<v1::Institution> hosts;
  for (int i = 0; i < 6; ++i) {
    hosts.push_back(NewInstitution(
        MakeInstitution(310 + i, "乡镇卫生院", "C220", TIER_TOWNSHIP, kTown)));
  }
  std::atomic<int> posted{0}, refused{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < hosts.size(); ++i) {
    threads.emplace_back([&, i] {
      v1::Posting out;
      const grpc::Status status =
          CreatePosting("req-" + std::to_string(i), doctor_.id(), hosts[i].id(),
                        "2024-03-01", "2024-08-31", &out);
      if (status.ok()) ++posted;
      if (status.error_code() == StatusCode::FAILED_PRECONDITION) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(posted.load(), 1);
  EXPECT_EQ(refused.load(), 5);
}

}  // namespace
}  // namespace cmc::institution
