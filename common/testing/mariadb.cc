#include "common/testing/mariadb.h"

#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cmc::testing {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

int RunCommand(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

MariaDb::MariaDb(std::string dir, bool owned)
    : dir_(std::move(dir)), owned_(owned) {}

MariaDb::~MariaDb() {
  if (owned_) {
    RunCommand(Script("stop"));
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string MariaDb::Script(const std::string& action) const {
  return absl::StrCat("bash ", CMC_SOURCE_DIR, "/scripts/lib/mariadb.sh ",
                      action, " ", ShellQuote(dir_));
}

void MariaDb::ReadEnv() {
  std::ifstream env(dir_ + "/env");
  std::string line;
  while (std::getline(env, line)) {
    absl::string_view view(line);
    if (absl::ConsumePrefix(&view, "MARIADB_PORT="))
      port_ = std::atoi(std::string(view).c_str());
    if (absl::ConsumePrefix(&view, "MARIADB_ROOT_PASSWORD="))
      root_password_ = std::string(view);
  }
  if (port_ <= 0) {
    std::fprintf(stderr, "test MariaDB in %s has no usable env file\n",
                 dir_.c_str());
    std::abort();
  }
}

void MariaDb::Start() {
  const std::string port = port_ > 0 ? absl::StrCat(" ", port_) : "";
  if (RunCommand(Script("start") + port + " >/dev/null") != 0) {
    std::fprintf(stderr, "cannot start the test MariaDB in %s\n", dir_.c_str());
    std::abort();
  }
  ReadEnv();
}

void MariaDb::Stop() { RunCommand(Script("stop")); }

void MariaDb::Kill() { RunCommand(Script("kill")); }

MariaDb& MariaDb::Shared() {
  static MariaDb* shared = [] {
    const char* fixture = std::getenv("CMC_TEST_MARIADB_DIR");
    if (fixture != nullptr && *fixture != '\0') {
      auto* db = new MariaDb(fixture, /*owned=*/false);
      db->ReadEnv();
      return db;
    }
    static std::unique_ptr<MariaDb> own = StartPrivate();
    return own.get();
  }();
  return *shared;
}

std::unique_ptr<MariaDb> MariaDb::StartPrivate() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "cmc-mariadb-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  std::unique_ptr<MariaDb> db(new MariaDb(pattern, /*owned=*/true));
  db->Start();
  return db;
}

bool MariaDb::RunSql(const std::string& sql) {
  FILE* pipe = popen((Script("sql") + " >/dev/null").c_str(), "w");
  if (pipe == nullptr) return false;
  std::fwrite(sql.data(), 1, sql.size(), pipe);
  const int rc = pclose(pipe);
  return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

DbConfig MariaDb::NewDatabase(const std::string& prefix) {
  static std::atomic<int> counter{0};
  const std::string name =
      absl::StrCat(prefix, "_", getpid(), "_", counter.fetch_add(1));
  if (!RunSql(absl::StrCat(
          "CREATE DATABASE `", name,
          "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"))) {
    std::fprintf(stderr, "cannot create test database %s\n", name.c_str());
    std::abort();
  }
  DbConfig config;
  config.host = "127.0.0.1";
  config.port = port_;
  config.user = "root";
  config.password = root_password_;
  config.schema = name;
  config.pool_size = 4;
  return config;
}

void MariaDb::CreateCmcSchemas() {
  if (RunCommand(Script("schemas")) != 0) {
    std::fprintf(stderr, "cannot create the CMC schemas\n");
    std::abort();
  }
}

DbConfig MariaDb::CmcConfig(const std::string& area) const {
  DbConfig config;
  config.host = "127.0.0.1";
  config.port = port_;
  config.user = "cmc_" + area;
  config.password = area + "-dev-password";
  config.schema = "cmc_" + area;
  return config;
}

}  // namespace cmc::testing
