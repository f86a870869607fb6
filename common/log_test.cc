#include "common/log.h"

#include <gtest/gtest.h>

namespace cmc {
namespace {

TEST(LogTest, WritesOneJsonObjectPerLine) {
  SetLogService("referral");
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kInfo, "server_started")
      .Field("port", 50052)
      .Field("name", "乡镇卫生院 \"A\"\n")
      .Field("ok", true);
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("\"level\":\"info\",\"service\":\"referral\",\"event\":"
                     "\"server_started\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\"port\":50052"), std::string::npos) << out;
  EXPECT_NE(out.find("\"name\":\"乡镇卫生院 \\\"A\\\"\\n\""), std::string::npos)
      << out;
  EXPECT_NE(out.find("\"ok\":true}\n"), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "exactly one line";
}

TEST(LogTest, LinesBelowTheLevelAreDropped) {
  SetLogLevel(LogLevel::kWarning);
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kInfo, "hidden");
  Log(LogLevel::kError, "shown");
  const std::string out = ::testing::internal::GetCapturedStderr();
  SetLogLevel(LogLevel::kInfo);
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("shown"), std::string::npos);
}

TEST(LogTest, ParsesLevels) {
  LogLevel level;
  EXPECT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("error", &level));
  EXPECT_EQ(level, LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("loud", &level));
}

TEST(LogTest, EscapesControlCharacters) {
  EXPECT_EQ(JsonEscape(std::string("a\x01"
                                   "b",
                                   3)),
            "a\\u0001b");
  EXPECT_EQ(JsonEscape("tab\there"), "tab\\there");
}

}  // namespace
}  // namespace cmc
