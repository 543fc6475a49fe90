// Structured logs for every service: one logfmt line per event on stderr,
//   ts=2026-11-22T10:00:00.123Z level=info svc=pop3 session=42 msg="login" account=demo@localhost
// so that `kubectl logs` output can be filtered by session or account.
// Thread-safe; each line is written with a single write(2).
#ifndef KURIER_SERVICES_COMMON_LOG_LOG_H_
#define KURIER_SERVICES_COMMON_LOG_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace kurier::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// A key and its value; values are quoted when they contain spaces or quotes.
using Field = std::pair<absl::string_view, std::string>;
using Fields = std::initializer_list<Field>;

// Process-wide settings, set once in main before threads start.
void SetService(absl::string_view service);
// "debug", "info", "warning" or "error"; false for anything else.
bool SetLevel(absl::string_view level);
bool Enabled(Level level);

void Write(Level level, absl::string_view message, Fields fields = {});
inline void Debug(absl::string_view message, Fields fields = {}) { Write(Level::kDebug, message, fields); }
inline void Info(absl::string_view message, Fields fields = {}) { Write(Level::kInfo, message, fields); }
inline void Warning(absl::string_view message, Fields fields = {}) { Write(Level::kWarning, message, fields); }
inline void Error(absl::string_view message, Fields fields = {}) { Write(Level::kError, message, fields); }

// Formats one line without writing it (for tests).
std::string Format(Level level, absl::string_view service, absl::string_view message, Fields fields);

}  // namespace kurier::log

#endif  // KURIER_SERVICES_COMMON_LOG_LOG_H_
