#include "services/gateway/gateway_config.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "common/status.h"

namespace cmc::gateway {
namespace {

// Valid flags but for what each case changes: the shipped policy, and
// authentication disabled so no key file is needed.
class GatewayConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetFlag("mysql_password", "secret");
    SetFlag("policy_file", CMC_SOURCE_DIR "/deploy/gateway/policy.textproto");
    SetFlag("auth_mode", "disabled");
  }

  static void SetFlag(const std::string& flag, const std::string& value) {
    std::string error;
    ASSERT_TRUE(absl::FindCommandLineFlag(flag)->ParseFrom(value, &error))
        << flag << ": " << error;
  }

  absl::FlagSaver saver_;  // every test starts from the built-in defaults
};

TEST_F(GatewayConfigTest, DefaultsNameTheFiveBackendsAndTheAuditLimits) {
  absl::StatusOr<GatewayConfig> config = GatewayConfigFromFlags();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->service.grpc_port, 50050);
  EXPECT_EQ(config->service.metrics_port, 9100);
  EXPECT_EQ(config->service.db.schema, "cmc_gateway");
  ASSERT_EQ(config->routes.backends().size(), 5u);
  EXPECT_EQ(config->routes.Find("dispatch")->address, "127.0.0.1:50053");
  EXPECT_EQ(config->backend_check_interval, absl::Seconds(1));
  EXPECT_EQ(config->audit_retention, absl::Hours(24 * 183));
  EXPECT_EQ(config->audit_queue_capacity, 10000u);
  EXPECT_NE(config->access, nullptr);
  EXPECT_EQ(config->credentials, nullptr);
}

TEST_F(GatewayConfigTest, RefusesABadValueNamingItsFlag) {
  struct Case {
    const char* flag;
    const char* value;
    const char* error;  // the start of the message
  };
  const Case cases[] = {
      {"grpc_port", "70000", "--grpc_port: must be in 0..65535"},
      {"mysql_password", "", "--mysql_password: is required"},
      {"institution_addr", "", "--institution_addr: must not be empty"},
      {"indicator_addr", "", "--indicator_addr: must not be empty"},
      {"backend_check_interval_ms", "9",
       "--backend_check_interval_ms: must be in 10..600000, got 9"},
      {"backend_check_interval_ms", "600001",
       "--backend_check_interval_ms: must be in 10..600000, got 600001"},
      {"audit_retention_days", "0", "--audit_retention_days: must be > 0"},
      {"audit_queue_capacity", "-1", "--audit_queue_capacity: must be > 0"},
      {"auth_mode", "off", "--auth_mode: must be required or disabled"},
      {"policy_file", "", "--policy_file: required"},
      {"max_token_lifetime_s", "-1", "--max_token_lifetime_s:"},
      {"rate_limit_burst", "0", "--rate_limit_burst: must be in 1..1000000"},
      {"dev_principal_subject", "dev", "--dev_principal_subject: must be"},
      {"tls_key_file", "/nonexistent.key",
       "--tls_key_file: needs --tls_cert_file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.flag);
    absl::FlagSaver restore;
    SetFlag(c.flag, c.value);
    absl::StatusOr<GatewayConfig> config = GatewayConfigFromFlags();
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(config.status().message(), c.error))
        << config.status().message();
  }
}

}  // namespace
}  // namespace cmc::gateway
