#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace cmc {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
std::string* g_service = new std::string("cmc");
std::mutex g_write_mu;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogService(absl::string_view service) {
  *g_service = std::string(service);
}

void SetLogLevel(LogLevel level) { g_min_level = static_cast<int>(level); }

bool ParseLogLevel(absl::string_view text, LogLevel* level) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                     LogLevel::kError}) {
    if (text == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

std::string JsonEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

LogLine::LogLine(LogLevel level, absl::string_view event)
    : enabled_(static_cast<int>(level) >= g_min_level.load()) {
  if (!enabled_) return;
  absl::StrAppend(&text_, "{\"ts\":\"",
                  absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                   absl::UTCTimeZone()),
                  "\",\"level\":\"", LevelName(level), "\",\"service\":\"",
                  JsonEscape(*g_service), "\",\"event\":\"", JsonEscape(event),
                  "\"");
}

LogLine::~LogLine() {
  if (!enabled_) return;
  text_ += "}\n";
  std::lock_guard<std::mutex> lock(g_write_mu);
  std::fwrite(text_.data(), 1, text_.size(), stderr);
  std::fflush(stderr);
}

LogLine& LogLine::Field(absl::string_view key, absl::string_view value) {
  if (enabled_) {
    absl::StrAppend(&text_, ",\"", JsonEscape(key), "\":\"", JsonEscape(value),
                    "\"");
  }
  return *this;
}
LogLine& LogLine::Field(absl::string_view key, const char* value) {
  return Field(key, absl::string_view(value));
}
LogLine& LogLine::Field(absl::string_view key, const std::string& value) {
  return Field(key, absl::string_view(value));
}
LogLine& LogLine::Field(absl::string_view key, int64_t value) {
  if (enabled_) absl::StrAppend(&text_, ",\"", JsonEscape(key), "\":", value);
  return *this;
}
LogLine& LogLine::Field(absl::string_view key, int value) {
  return Field(key, static_cast<int64_t>(value));
}
LogLine& LogLine::Field(absl::string_view key, double value) {
  if (enabled_) absl::StrAppend(&text_, ",\"", JsonEscape(key), "\":", value);
  return *this;
}
LogLine& LogLine::Field(absl::string_view key, bool value) {
  if (enabled_) {
    absl::StrAppend(&text_, ",\"", JsonEscape(key),
                    "\":", value ? "true" : "false");
  }
  return *this;
}

}  // namespace cmc
