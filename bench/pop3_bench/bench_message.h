// The messages of the POP3 benchmark: deterministic RFC 5322 messages of an
// exact size that end in a checksum line, so that a client can tell that what
// it downloaded is whole, unaltered and addressed to the account it logged in
// to. Kurier and Dovecot get the same bytes. Pure functions; no I/O.
#ifndef KURIER_BENCH_POP3_BENCH_BENCH_MESSAGE_H_
#define KURIER_BENCH_POP3_BENCH_BENCH_MESSAGE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kurier::bench::pop3 {

// The smallest size MakeBenchMessage accepts.
inline constexpr uint64_t kMinMessageSize = 1024;

// Message `index` of `user`: exactly `size` bytes (>= kMinMessageSize), CRLF
// line endings, lines of at most 78 characters, a plain-text body drawn from
// (seed, user, index). Some body lines start with "." and one is a lone "."
// so that the server's dot-stuffing is exercised. The last line is
// "check <16 hex digits>" CRLF: Checksum64 of every byte before it.
std::string MakeBenchMessage(uint64_t seed, const std::string& user, uint32_t index, uint64_t size);

// OK when `message` (as downloaded, dot-stuffing undone, without the
// terminating ".") ends in a checksum line that matches the bytes before it
// and its header names `user` in To:. Otherwise DATA_LOSS saying what is wrong.
absl::Status VerifyBenchMessage(absl::string_view message, absl::string_view user);

// FNV-1a (64 bits) taken a little-endian 64-bit word at a time, then byte by
// byte for the tail: eight times cheaper than bytewise FNV, so that checking
// every download costs the load generator little CPU. Not cryptographic; it
// catches truncation, reordering and corruption.
uint64_t Checksum64(absl::string_view data);

}  // namespace kurier::bench::pop3

#endif  // KURIER_BENCH_POP3_BENCH_BENCH_MESSAGE_H_
