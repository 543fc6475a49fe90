// The connection core's only way to log. Plain lines on stderr for now, in
// the format the mailstore uses; when services/common/log arrives, only
// net_log.cc changes.
#ifndef KURIER_SERVICES_COMMON_NET_NET_LOG_H_
#define KURIER_SERVICES_COMMON_NET_NET_LOG_H_

#include <string>

namespace kurier::net {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// One line: level=<level> component=net msg="<message>". Debug lines are
// dropped unless KURIER_NET_DEBUG is set in the environment.
void Log(LogLevel level, const std::string& message);

}  // namespace kurier::net

#endif  // KURIER_SERVICES_COMMON_NET_NET_LOG_H_
