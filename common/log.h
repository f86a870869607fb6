// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-22T10:00:00.123Z","level":"info","service":"referral","event":"server_started","port":50052}
//
//   cmc::Log(cmc::LogLevel::kInfo, "server_started").Field("port", port);
//
// The line is written when the temporary returned by Log() is destroyed.
// Thread-safe. Never pass a secret or an unmasked resident ID as a field.
#ifndef CMC_COMMON_LOG_H_
#define CMC_COMMON_LOG_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace cmc {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Process-wide settings; call once at start-up, before other threads log.
void SetLogService(absl::string_view service);
void SetLogLevel(LogLevel level);
// Parses "debug", "info", "warning", "error"; false on anything else.
bool ParseLogLevel(absl::string_view text, LogLevel* level);

class LogLine {
 public:
  LogLine(LogLevel level, absl::string_view event);
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  ~LogLine();

  LogLine& Field(absl::string_view key, absl::string_view value);
  LogLine& Field(absl::string_view key, const char* value);
  LogLine& Field(absl::string_view key, const std::string& value);
  LogLine& Field(absl::string_view key, int64_t value);
  LogLine& Field(absl::string_view key, int value);
  LogLine& Field(absl::string_view key, double value);
  LogLine& Field(absl::string_view key, bool value);

 private:
  bool enabled_;
  std::string text_;
};

inline LogLine Log(LogLevel level, absl::string_view event) {
  return LogLine(level, event);
}

// `text` escaped as the inside of a JSON string.
std::string JsonEscape(absl::string_view text);

}  // namespace cmc

#endif  // CMC_COMMON_LOG_H_
