#include "services/common/log/log.h"

#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kurier::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
// Set once before threads start; read-only afterwards.
std::string* g_service = new std::string("kurier");

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

// logfmt: bare when safe, otherwise quoted with \" \\ \n escaped; control
// bytes (client input can reach a log) are shown as \xNN.
void AppendValue(std::string* out, absl::string_view value) {
  bool bare = !value.empty();
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) bare = false;
  }
  if (bare) {
    out->append(value.data(), value.size());
    return;
  }
  out->push_back('"');
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c < ' ' || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

}  // namespace

void SetService(absl::string_view service) { *g_service = std::string(service); }

bool SetLevel(absl::string_view level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarning, Level::kError}) {
    if (level == LevelName(l)) {
      g_level.store(static_cast<int>(l));
      return true;
    }
  }
  return false;
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

std::string Format(Level level, absl::string_view service, absl::string_view message, Fields fields) {
  std::string line = absl::StrCat("ts=", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                                  " level=", LevelName(level), " svc=");
  AppendValue(&line, service);
  line.append(" msg=");
  AppendValue(&line, message);
  for (const Field& field : fields) {
    line.push_back(' ');
    line.append(field.first.data(), field.first.size());
    line.push_back('=');
    AppendValue(&line, field.second);
  }
  line.push_back('\n');
  return line;
}

void Write(Level level, absl::string_view message, Fields fields) {
  if (!Enabled(level)) return;
  const std::string line = Format(level, *g_service, message, fields);
  // One write per line keeps lines from different threads whole.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace kurier::log
