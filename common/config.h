// Configuration of CMC binaries: command-line flags, each with an environment
// fallback named CMC_<FLAG_IN_UPPER_CASE> (CMC_MYSQL_HOST for --mysql_host). A
// flag given on the command line wins over the environment; the environment
// wins over the built-in default. Values are validated at start, and the
// effective configuration is logged with secrets redacted.
//
//   int main(int argc, char** argv) {
//     cmc::ParseFlagsWithEnv(argc, argv, "cmc-referral: two-way referral");
//     const cmc::ServiceConfig config = cmc::ValueOrExit(
//         cmc::ServiceConfigFromFlags(kReferralDefaults), "cmc-referral");
//   }
#ifndef CMC_COMMON_CONFIG_H_
#define CMC_COMMON_CONFIG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, listen_host);
ABSL_DECLARE_FLAG(int, grpc_port);
ABSL_DECLARE_FLAG(int, metrics_port);
ABSL_DECLARE_FLAG(std::string, mysql_host);
ABSL_DECLARE_FLAG(int, mysql_port);
ABSL_DECLARE_FLAG(std::string, mysql_user);
ABSL_DECLARE_FLAG(std::string, mysql_password);
ABSL_DECLARE_FLAG(std::string, mysql_password_file);
ABSL_DECLARE_FLAG(std::string, mysql_schema);
ABSL_DECLARE_FLAG(int, mysql_pool_size);
ABSL_DECLARE_FLAG(int, mysql_pool_wait_ms);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(int, shutdown_grace_ms);
ABSL_DECLARE_FLAG(int, default_deadline_ms);
ABSL_DECLARE_FLAG(int, max_deadline_ms);
ABSL_DECLARE_FLAG(int, max_message_bytes);
ABSL_DECLARE_FLAG(int, health_check_interval_ms);

namespace cmc {

// Applies CMC_* environment fallbacks to every registered flag, then parses
// argv. On a bad value (from either source) prints the reason naming the flag
// or variable and exits with status 2. Returns the positional arguments, as
// absl::ParseCommandLine does.
std::vector<char*> ParseFlagsWithEnv(int argc, char** argv,
                                     absl::string_view usage);

// How to reach the service's own MySQL schema.
struct DbConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;  // secret: never log it
  std::string schema;
  int pool_size = 8;
  absl::Duration pool_wait = absl::Seconds(2);
};

// Everything a service binary needs to start.
struct ServiceConfig {
  std::string name;  // "institution", "referral", ...
  std::string listen_host = "0.0.0.0";
  int grpc_port = 0;     // 0 = a free port chosen by the kernel
  int metrics_port = 0;  // 0 = a free port; -1 = no metrics endpoint
  DbConfig db;
  absl::Duration shutdown_grace = absl::Seconds(10);
  absl::Duration default_deadline = absl::Seconds(30);
  absl::Duration max_deadline = absl::Minutes(5);
  int max_message_bytes = 16 << 20;
  absl::Duration health_check_interval = absl::Seconds(1);
};

// The defaults of one service: its name and ports from docs/architecture.md.
// The MySQL user and schema default to "cmc_<name>".
struct ServiceDefaults {
  std::string name;
  int grpc_port;
  int metrics_port;
  bool needs_database = true;
};

// Reads the flags (already parsed) into a validated ServiceConfig.
// INVALID_ARGUMENT naming the flag when a value is out of range, a required
// secret is missing, or a password file cannot be read.
absl::StatusOr<ServiceConfig> ServiceConfigFromFlags(
    const ServiceDefaults& defaults);

// Writes the effective configuration to the log, with the password redacted.
void LogServiceConfig(const ServiceConfig& config);

// The one way a CMC binary refuses its configuration: when `status` is not OK,
// prints "<binary>: bad configuration: <message>" (the message names the flag,
// as InvalidField does) to stderr and exits with status 2, before anything
// needs cleaning up. Returns when `status` is OK.
// The whole file at `path` (a secret, a key, a policy); NOT_FOUND naming it
// when it cannot be read.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

void ExitIfBadConfig(const absl::Status& status, absl::string_view binary);

// The value of `config`, or ExitIfBadConfig ends the process.
template <typename T>
T ValueOrExit(absl::StatusOr<T> config, absl::string_view binary) {
  ExitIfBadConfig(config.status(), binary);
  return *std::move(config);
}

}  // namespace cmc

#endif  // CMC_COMMON_CONFIG_H_
