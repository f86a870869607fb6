#include "services/gateway/audit_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "absl/time/clock.h"

namespace cmc::gateway {
namespace {

v1::AuditRecord Named(const std::string& method) {
  v1::AuditRecord record;
  record.set_method(method);
  return record;
}

TEST(AuditQueueTest, RefusesPastCapacityAndPopsInOrder) {
  AuditQueue queue(3);
  EXPECT_TRUE(queue.Push(Named("a")));
  EXPECT_TRUE(queue.Push(Named("b")));
  EXPECT_TRUE(queue.Push(Named("c")));
  EXPECT_FALSE(queue.Push(Named("d"))) << "full: refused, never blocks";
  EXPECT_EQ(queue.size(), 3u);

  std::vector<v1::AuditRecord> batch = queue.PopBatch(2, absl::ZeroDuration());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].method(), "a");
  EXPECT_EQ(batch[1].method(), "b");
  EXPECT_TRUE(queue.Push(Named("e"))) << "room again after a pop";
  batch = queue.PopBatch(10, absl::ZeroDuration());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].method(), "c");
  EXPECT_EQ(batch[1].method(), "e");
}

TEST(AuditQueueTest, PopWaitsForTheFirstRecordOrTheTimeout) {
  AuditQueue queue(10);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(queue.PopBatch(5, absl::Milliseconds(50)).empty());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(45));

  std::thread producer([&queue] {
    absl::SleepFor(absl::Milliseconds(20));
    queue.Push(Named("late"));
  });
  std::vector<v1::AuditRecord> batch = queue.PopBatch(5, absl::Seconds(10));
  producer.join();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].method(), "late");
}

TEST(AuditQueueTest, CloseRefusesPushesButKeepsQueuedRecords) {
  AuditQueue queue(10);
  ASSERT_TRUE(queue.Push(Named("kept")));
  queue.Close();
  EXPECT_TRUE(queue.closed());
  EXPECT_FALSE(queue.Push(Named("late")));
  const absl::Time start = absl::Now();
  std::vector<v1::AuditRecord> batch = queue.PopBatch(5, absl::Seconds(10));
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].method(), "kept");
  EXPECT_TRUE(queue.PopBatch(5, absl::Seconds(10)).empty());
  EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << "closed: no waiting";
}

}  // namespace
}  // namespace cmc::gateway
