#include "common/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "common/status.h"

namespace cmc {
namespace {

const ServiceDefaults kDefaults{"referral", 50052, 9102};

class ConfigTest : public ::testing::Test {
 protected:
  absl::FlagSaver saver_;  // every test starts from the built-in defaults
  void SetUp() override { absl::SetFlag(&FLAGS_mysql_password, "secret"); }
};

TEST_F(ConfigTest, DefaultsComeFromTheService) {
  auto config = ServiceConfigFromFlags(kDefaults);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc_port, 50052);
  EXPECT_EQ(config->metrics_port, 9102);
  EXPECT_EQ(config->db.user, "cmc_referral");
  EXPECT_EQ(config->db.schema, "cmc_referral");
  EXPECT_EQ(config->db.password, "secret");
}

TEST_F(ConfigTest, RejectsOutOfRangeValuesNamingTheFlag) {
  struct Case {
    const char* flag;
    std::string value;
    const char* field;
  };
  const Case cases[] = {
      {"grpc_port", "70000", "--grpc_port"},
      {"metrics_port", "-5", "--metrics_port"},
      {"mysql_port", "0", "--mysql_port"},
      {"mysql_pool_size", "0", "--mysql_pool_size"},
      {"mysql_pool_size", "513", "--mysql_pool_size"},
      {"log_level", "verbose", "--log_level"},
      {"mysql_host", "", "--mysql_host"},
      {"max_message_bytes", "10", "--max_message_bytes"},
      {"default_deadline_ms", "0", "--default_deadline_ms"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.flag);
    absl::FlagSaver restore;
    std::string error;
    ASSERT_TRUE(absl::FindCommandLineFlag(c.flag)->ParseFrom(c.value, &error))
        << error;
    auto config = ServiceConfigFromFlags(kDefaults);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(BadField(config.status()), c.field);
  }
}

TEST_F(ConfigTest, PasswordIsRequired) {
  absl::SetFlag(&FLAGS_mysql_password, "");
  auto config = ServiceConfigFromFlags(kDefaults);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(BadField(config.status()), "--mysql_password");
  // A service without a database needs none.
  ServiceDefaults no_db = kDefaults;
  no_db.needs_database = false;
  EXPECT_TRUE(ServiceConfigFromFlags(no_db).ok());
}

TEST_F(ConfigTest, PasswordFileWinsAndIsTrimmed) {
  const std::string path = ::testing::TempDir() + "/cmc_password";
  std::ofstream(path) << "from-file\n";
  absl::SetFlag(&FLAGS_mysql_password_file, path);
  auto config = ServiceConfigFromFlags(kDefaults);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->db.password, "from-file");

  absl::SetFlag(&FLAGS_mysql_password_file, path + ".missing");
  EXPECT_EQ(BadField(ServiceConfigFromFlags(kDefaults).status()),
            "--mysql_password_file");
}

TEST_F(ConfigTest, EnvironmentFallsBackAndCommandLineWins) {
  setenv("CMC_MYSQL_HOST", "db.county.internal", 1);
  setenv("CMC_MYSQL_POOL_SIZE", "16", 1);
  setenv("CMC_GRPC_PORT", "6000", 1);
  char arg0[] = "test";
  char arg1[] = "--grpc_port=7000";
  char* argv[] = {arg0, arg1};
  ParseFlagsWithEnv(2, argv, "test");
  unsetenv("CMC_MYSQL_HOST");
  unsetenv("CMC_MYSQL_POOL_SIZE");
  unsetenv("CMC_GRPC_PORT");
  auto config = ServiceConfigFromFlags(kDefaults);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->db.host, "db.county.internal");
  EXPECT_EQ(config->db.pool_size, 16);
  EXPECT_EQ(config->grpc_port, 7000);
}

TEST_F(ConfigTest, BadEnvironmentValueExitsNamingTheVariable) {
  EXPECT_EXIT(
      {
        setenv("CMC_MYSQL_PORT", "not-a-number", 1);
        char arg0[] = "test";
        char* argv[] = {arg0};
        ParseFlagsWithEnv(1, argv, "test");
      },
      ::testing::ExitedWithCode(2), "CMC_MYSQL_PORT");
}

TEST(ExitIfBadConfigTest, ExitsWithStatus2NamingTheBinaryAndTheFlag) {
  ExitIfBadConfig(absl::OkStatus(), "cmc-test");  // returns
  EXPECT_EQ(ValueOrExit(absl::StatusOr<int>(7), "cmc-test"), 7);
  EXPECT_EXIT(
      ExitIfBadConfig(InvalidField("--grpc_port", "must be in 0..65535"),
                      "cmc-test"),
      ::testing::ExitedWithCode(2),
      "^cmc-test: bad configuration: --grpc_port: must be in 0..65535\n$");
  EXPECT_EXIT(ValueOrExit(absl::StatusOr<int>(InvalidField("--x", "bad")),
                          "cmc-gateway"),
              ::testing::ExitedWithCode(2),
              "^cmc-gateway: bad configuration: --x: bad\n$");
}

}  // namespace
}  // namespace cmc
