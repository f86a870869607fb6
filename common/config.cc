#include "common/config.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"
#include "common/status.h"

ABSL_FLAG(std::string, listen_host, "0.0.0.0",
          "Address the gRPC server binds to");
ABSL_FLAG(int, grpc_port, -1,
          "gRPC port; -1 = the service's default, 0 = a free port");
ABSL_FLAG(int, metrics_port, -2,
          "Prometheus /metrics port; -2 = the service's default, -1 = off, 0 = "
          "a free port");
ABSL_FLAG(std::string, mysql_host, "127.0.0.1", "MySQL host");
ABSL_FLAG(int, mysql_port, 3306, "MySQL port");
ABSL_FLAG(std::string, mysql_user, "", "MySQL user; empty = cmc_<service>");
ABSL_FLAG(
    std::string, mysql_password, "",
    "MySQL password (prefer --mysql_password_file or CMC_MYSQL_PASSWORD)");
ABSL_FLAG(std::string, mysql_password_file, "",
          "File holding the MySQL password (trailing newline ignored)");
ABSL_FLAG(std::string, mysql_schema, "", "MySQL schema; empty = cmc_<service>");
ABSL_FLAG(int, mysql_pool_size, 8, "Connections in the pool, 1..512");
ABSL_FLAG(int, mysql_pool_wait_ms, 2000,
          "How long a request waits for a free connection before UNAVAILABLE");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(
    int, shutdown_grace_ms, 10000,
    "On SIGTERM, how long in-flight calls may take before they are cancelled");
ABSL_FLAG(int, default_deadline_ms, 30000,
          "Deadline applied to calls that arrive without one");
ABSL_FLAG(int, max_deadline_ms, 300000,
          "Longest deadline honoured: the database work of a call, and at the "
          "gateway every forwarded call (streams included); longer ones are "
          "cut to this");
ABSL_FLAG(int, max_message_bytes, 16 << 20,
          "Largest request or response message");
ABSL_FLAG(int, health_check_interval_ms, 1000,
          "How often the database is probed for the health status");

namespace cmc {
namespace {

std::string EnvName(absl::string_view flag) {
  return absl::StrCat("CMC_", absl::AsciiStrToUpper(flag));
}

absl::Status CheckRange(absl::string_view flag, int value, int lo, int hi) {
  if (value < lo || value > hi) {
    return InvalidField(
        absl::StrCat("--", flag),
        absl::StrCat("must be in ", lo, "..", hi, ", got ", value));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<char*> ParseFlagsWithEnv(int argc, char** argv,
                                     absl::string_view usage) {
  // Abseil aborts when the usage message is set twice (a process that parses
  // twice: tests).
  static std::once_flag usage_once;
  std::call_once(usage_once, [usage] { absl::SetProgramUsageMessage(usage); });
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    const std::string env = EnvName(name);
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "invalid value in environment variable %s: %s\n",
                   env.c_str(), error.c_str());
      std::exit(2);
    }
  }
  return absl::ParseCommandLine(argc, argv);
}

absl::StatusOr<ServiceConfig> ServiceConfigFromFlags(
    const ServiceDefaults& defaults) {
  ServiceConfig config;
  config.name = defaults.name;
  config.listen_host = absl::GetFlag(FLAGS_listen_host);
  if (config.listen_host.empty())
    return InvalidField("--listen_host", "must not be empty");

  const int grpc_port = absl::GetFlag(FLAGS_grpc_port);
  config.grpc_port = grpc_port == -1 ? defaults.grpc_port : grpc_port;
  CMC_RETURN_IF_ERROR(CheckRange("grpc_port", config.grpc_port, 0, 65535));
  const int metrics_port = absl::GetFlag(FLAGS_metrics_port);
  config.metrics_port =
      metrics_port == -2 ? defaults.metrics_port : metrics_port;
  CMC_RETURN_IF_ERROR(
      CheckRange("metrics_port", config.metrics_port, -1, 65535));

  const int shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace_ms);
  CMC_RETURN_IF_ERROR(
      CheckRange("shutdown_grace_ms", shutdown_grace, 0, 600000));
  config.shutdown_grace = absl::Milliseconds(shutdown_grace);
  const int default_deadline = absl::GetFlag(FLAGS_default_deadline_ms);
  CMC_RETURN_IF_ERROR(
      CheckRange("default_deadline_ms", default_deadline, 1, 3600000));
  config.default_deadline = absl::Milliseconds(default_deadline);
  const int max_deadline = absl::GetFlag(FLAGS_max_deadline_ms);
  CMC_RETURN_IF_ERROR(
      CheckRange("max_deadline_ms", max_deadline, default_deadline, 86400000));
  config.max_deadline = absl::Milliseconds(max_deadline);
  config.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  CMC_RETURN_IF_ERROR(
      CheckRange("max_message_bytes", config.max_message_bytes, 1024, 1 << 30));
  const int health_interval = absl::GetFlag(FLAGS_health_check_interval_ms);
  CMC_RETURN_IF_ERROR(
      CheckRange("health_check_interval_ms", health_interval, 10, 600000));
  config.health_check_interval = absl::Milliseconds(health_interval);

  LogLevel level;
  if (!ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return InvalidField("--log_level", "must be debug, info, warning or error");
  }
  SetLogLevel(level);

  if (!defaults.needs_database) return config;
  DbConfig& db = config.db;
  db.host = absl::GetFlag(FLAGS_mysql_host);
  if (db.host.empty()) return InvalidField("--mysql_host", "must not be empty");
  db.port = absl::GetFlag(FLAGS_mysql_port);
  CMC_RETURN_IF_ERROR(CheckRange("mysql_port", db.port, 1, 65535));
  db.user = absl::GetFlag(FLAGS_mysql_user);
  if (db.user.empty()) db.user = absl::StrCat("cmc_", defaults.name);
  db.schema = absl::GetFlag(FLAGS_mysql_schema);
  if (db.schema.empty()) db.schema = absl::StrCat("cmc_", defaults.name);
  db.pool_size = absl::GetFlag(FLAGS_mysql_pool_size);
  CMC_RETURN_IF_ERROR(CheckRange("mysql_pool_size", db.pool_size, 1, 512));
  const int pool_wait = absl::GetFlag(FLAGS_mysql_pool_wait_ms);
  CMC_RETURN_IF_ERROR(CheckRange("mysql_pool_wait_ms", pool_wait, 0, 600000));
  db.pool_wait = absl::Milliseconds(pool_wait);

  db.password = absl::GetFlag(FLAGS_mysql_password);
  const std::string password_file = absl::GetFlag(FLAGS_mysql_password_file);
  if (!password_file.empty()) {
    absl::StatusOr<std::string> text = ReadTextFile(password_file);
    if (!text.ok()) {
      return InvalidField("--mysql_password_file", "cannot be read");
    }
    db.password = std::string(absl::StripTrailingAsciiWhitespace(*text));
  }
  if (db.password.empty()) {
    return InvalidField(
        "--mysql_password",
        "is required (or --mysql_password_file, or CMC_MYSQL_PASSWORD)");
  }
  return config;
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void ExitIfBadConfig(const absl::Status& status, absl::string_view binary) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s: bad configuration: %s\n",
               std::string(binary).c_str(),
               std::string(status.message()).c_str());
  std::exit(2);
}

void LogServiceConfig(const ServiceConfig& config) {
  Log(LogLevel::kInfo, "config")
      .Field("listen_host", config.listen_host)
      .Field("grpc_port", config.grpc_port)
      .Field("metrics_port", config.metrics_port)
      .Field("mysql_host", config.db.host)
      .Field("mysql_port", config.db.port)
      .Field("mysql_user", config.db.user)
      .Field("mysql_password", config.db.password.empty() ? "" : "<redacted>")
      .Field("mysql_schema", config.db.schema)
      .Field("mysql_pool_size", config.db.pool_size)
      .Field("mysql_pool_wait_ms",
             absl::ToInt64Milliseconds(config.db.pool_wait))
      .Field("shutdown_grace_ms",
             absl::ToInt64Milliseconds(config.shutdown_grace))
      .Field("default_deadline_ms",
             absl::ToInt64Milliseconds(config.default_deadline))
      .Field("max_deadline_ms", absl::ToInt64Milliseconds(config.max_deadline))
      .Field("max_message_bytes", config.max_message_bytes);
}

}  // namespace cmc
