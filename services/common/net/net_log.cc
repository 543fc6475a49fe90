#include "services/common/net/net_log.h"

#include <cstdio>
#include <cstdlib>

namespace kurier::net {
namespace {

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

void Log(LogLevel level, const std::string& message) {
  static const bool debug = std::getenv("KURIER_NET_DEBUG") != nullptr;
  if (level == LogLevel::kDebug && !debug) return;
  std::string line;
  line.reserve(message.size() + 48);
  line += "level=";
  line += LevelName(level);
  line += " component=net msg=\"";
  for (char c : message) {
    if (c == '"' || c == '\\') line += '\\';
    line += (c == '\n' || c == '\r') ? ' ' : c;
  }
  line += "\"\n";
  // One write per line so that lines from several threads do not interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace kurier::net
