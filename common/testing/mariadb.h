// A real MariaDB for integration tests, run by scripts/lib/mariadb.sh (the same
// script that scripts/run-local uses).
//
//   cmc::testing::MariaDb& db = cmc::testing::MariaDb::Shared();
//   cmc::DbConfig config = db.NewDatabase("pool_test");   // a fresh, empty
//   schema
//
// Shared() is the server of the ctest fixture "mariadb" when
// CMC_TEST_MARIADB_DIR names its directory, else a private server started on
// first use and stopped when the process exits. Tests that stop or kill the
// server (failure tests) use StartPrivate() so they never disturb other tests.
#ifndef CMC_COMMON_TESTING_MARIADB_H_
#define CMC_COMMON_TESTING_MARIADB_H_

#include <memory>
#include <string>

#include "common/config.h"

namespace cmc::testing {

class MariaDb {
 public:
  // The shared server (see above). Aborts the test binary when it cannot be
  // started.
  static MariaDb& Shared();
  // A server of the caller's own in a new temporary directory, stopped and
  // removed on destruction.
  static std::unique_ptr<MariaDb> StartPrivate();

  MariaDb(const MariaDb&) = delete;
  MariaDb& operator=(const MariaDb&) = delete;
  ~MariaDb();

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

  // Creates an empty database named <prefix>_<unique> and returns how to reach
  // it as root.
  DbConfig NewDatabase(const std::string& prefix);
  // The configuration of CMC's own user for `area` (after CreateCmcSchemas).
  DbConfig CmcConfig(const std::string& area) const;
  // Creates the six cmc_<area> schemas and users (idempotent).
  void CreateCmcSchemas();
  // Runs SQL as root; true on success.
  bool RunSql(const std::string& sql);

  // Clean stop, crash (SIGKILL) and start again on the same port.
  void Stop();
  void Kill();
  void Start();

 private:
  MariaDb(std::string dir, bool owned);
  void ReadEnv();
  std::string Script(const std::string& action) const;

  std::string dir_;
  bool owned_;  // stop and remove on destruction
  int port_ = 0;
  std::string root_password_;
};

}  // namespace cmc::testing

#endif  // CMC_COMMON_TESTING_MARIADB_H_
