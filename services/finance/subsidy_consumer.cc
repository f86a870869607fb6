#include "services/finance/subsidy_consumer.h"

#include "cmc/dispatch/v1/dispatch.pb.h"
#include "common/log.h"
#include "common/status.h"
#include "services/finance/mysql_ledger_store.h"
#include "services/finance/subsidies.h"

namespace cmc::finance {

ApplyEvents SubsidyApplier() {
  return [](sql::Connection& conn,
            const std::vector<common::v1::Event>& page) -> absl::Status {
    for (const common::v1::Event& event : page) {
      if (event.type() != kServiceDaysCounted) continue;
      dispatch::v1::MonthlyServiceDays days;
      if (!event.payload().UnpackTo(&days)) {
        Log(LogLevel::kWarning, "subsidy_event_unreadable")
            .Field("sequence", event.sequence());
        continue;
      }
      std::optional<v1::JournalEntry> entry = SubsidyEntry(days, absl::Now());
      if (!entry.has_value()) continue;
      absl::StatusOr<v1::JournalEntry> posted =
          PostEntryOn(conn, *entry, "subsidy");
      if (absl::IsAlreadyExists(posted.status())) {
        Log(LogLevel::kWarning, "subsidy_changed_after_payment")
            .Field("sequence", event.sequence())
            .Field("external_key", entry->external_key());
        continue;
      }
      CMC_RETURN_IF_ERROR(posted.status());
    }
    return absl::OkStatus();
  };
}

}  // namespace cmc::finance
