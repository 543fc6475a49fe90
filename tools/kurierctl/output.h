// How kurierctl writes what the store returns: plain text for people, kept
// apart from the calls that fetch it so that it can be tested on its own.
#ifndef KURIER_TOOLS_KURIERCTL_OUTPUT_H_
#define KURIER_TOOLS_KURIERCTL_OUTPUT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace kurier::kurierctl {

// "512 B", "1.5 KiB", "20.0 MiB", "3.2 GiB", "1.0 TiB".
std::string FormatBytes(uint64_t bytes);

// A quota: "unlimited" for 0, else FormatBytes.
std::string FormatQuota(uint64_t bytes);

// Seconds since the epoch as "2026-01-31 12:00:00 UTC"; "-" for 0.
std::string FormatTime(int64_t seconds);

// Rows as left-aligned columns separated by two spaces, one line per row,
// without trailing spaces. The first row is usually a header.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace kurier::kurierctl

#endif  // KURIER_TOOLS_KURIERCTL_OUTPUT_H_
