#include "common/server/domain_service_main.h"

#include <optional>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/identity/internal_tls.h"
#include "common/log.h"
#include "common/outbox/event_feed_service.h"
#include "common/outbox/outbox.h"
#include "common/service/idempotency.h"

ABSL_FLAG(int, startup_db_wait_ms, 60000,
          "How long start-up waits for the database to become reachable");

namespace cmc {

absl::Status MigrateWithRetry(db::Pool& pool, const std::string& component,
                              const std::vector<db::Migration>& migrations,
                              absl::Duration wait) {
  const absl::Time give_up = absl::Now() + wait;
  absl::Duration backoff = absl::Milliseconds(200);
  while (true) {
    absl::Status status =
        db::ApplyMigrations(pool, "outbox", outbox::Migrations());
    if (status.ok()) {
      status = db::ApplyMigrations(pool, "requests", requests::Migrations());
    }
    if (status.ok()) status = db::ApplyMigrations(pool, component, migrations);
    if (status.ok() || !absl::IsUnavailable(status) ||
        absl::Now() + backoff > give_up) {
      return status;
    }
    Log(LogLevel::kWarning, "database_unreachable")
        .Field("message", std::string(status.message()))
        .Field("retry_in_ms", absl::ToInt64Milliseconds(backoff));
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

void LogInternalTls(bool enabled) {
  if (enabled) {
    Log(LogLevel::kInfo, "internal_tls")
        .Field("mode", "mutual TLS; principals only from the gateway");
    return;
  }
  Log(LogLevel::kWarning, "internal_tls")
      .Field("mode",
             "off: plaintext, and principal headers are believed from any "
             "peer; set --internal_tls_* outside tests");
}

int RunDomainService(int argc, char** argv, const DomainServiceSpec& spec) {
  BlockTerminationSignals();
  SetLogService(spec.defaults.name);
  ParseFlagsWithEnv(
      argc, argv,
      "a CMC domain service. Flags fall back to CMC_<FLAG> environment "
      "variables.");
  const ServiceConfig config = ValueOrExit(
      ServiceConfigFromFlags(spec.defaults), "cmc-" + spec.defaults.name);
  LogServiceConfig(config);
  std::optional<InternalTls> tls =
      ValueOrExit(InternalTlsFromFlags(), "cmc-" + spec.defaults.name);
  LogInternalTls(tls.has_value());
  UseInternalTls(std::move(tls));

  auto pool = db::Pool::Create(config.db);
  absl::Status status = MigrateWithRetry(
      *pool, spec.defaults.name, spec.migrations(),
      absl::Milliseconds(absl::GetFlag(FLAGS_startup_db_wait_ms)));
  if (!status.ok()) {
    Log(LogLevel::kError, "startup_failed").Field("message", status.ToString());
    return 1;
  }

  ServerOptions server_options = ServerOptions::FromConfig(config);
  server_options.credentials = InternalServerCredentials();
  Server server(std::move(server_options));
  outbox::EventFeedService::Options feed_options;
  feed_options.default_deadline = config.default_deadline;
  feed_options.max_deadline = config.max_deadline;
  outbox::EventFeedService feed(pool.get(), spec.defaults.name, feed_options);
  server.AddService(&feed, "cmc.common.v1.EventFeed");
  server.AddHealthName(spec.grpc_service_name);
  DomainServiceContext context{config, *pool, server};
  std::vector<NamedService> services;
  if (spec.make_services) services = spec.make_services(context);
  for (NamedService& s : services) server.AddService(s.service.get(), s.name);
  server.SetHealthProbe([p = pool.get()] { return p->Ping(); });
  server.AddShutdownHook([&feed] { feed.Stop(); });
  server.metrics().SetPoolStatsSource([p = pool.get()] { return p->Stats(); });

  status = server.Start();
  if (!status.ok()) {
    Log(LogLevel::kError, "startup_failed").Field("message", status.ToString());
    return 1;
  }
  server.RunUntilSignal();
  return 0;
}

}  // namespace cmc
