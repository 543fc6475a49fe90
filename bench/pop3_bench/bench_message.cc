#include "bench/pop3_bench/bench_message.h"

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/store_bench/bench_lib.h"

namespace kurier::bench::pop3 {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

// "check " + 16 hex digits + CRLF.
constexpr size_t kCheckLineSize = 24;
constexpr size_t kBodyLineChars = 76;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,";
static_assert(sizeof(kAlphabet) - 1 == 64);

// Appends `n` characters drawn from the alphabet, ten per random word.
void AppendRandomText(SplitMix64& random, size_t n, std::string* out) {
  while (n > 0) {
    uint64_t bits = random.Next();
    for (int i = 0; i < 10 && n > 0; ++i, --n, bits >>= 6) out->push_back(kAlphabet[bits & 63]);
  }
}

}  // namespace

uint64_t Checksum64(absl::string_view data) {
  uint64_t hash = kFnvOffset;
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, data.data() + i, 8);  // x86-64: little-endian
    hash = (hash ^ word) * kFnvPrime;
  }
  for (; i < data.size(); ++i) hash = (hash ^ static_cast<unsigned char>(data[i])) * kFnvPrime;
  return hash;
}

std::string MakeBenchMessage(uint64_t seed, const std::string& user, uint32_t index, uint64_t size) {
  if (size < kMinMessageSize) size = kMinMessageSize;
  std::string message;
  message.reserve(size);
  absl::StrAppend(&message,
                  "Return-Path: <bench@pop3-bench.invalid>\r\n"
                  "Message-ID: <",
                  seed, ".", index, ".", user,
                  ">\r\n"
                  "Date: Sun, 22 Nov 2026 05:00:00 +0000\r\n"
                  "From: POP3 bench <bench@pop3-bench.invalid>\r\n"
                  "To: <",
                  user,
                  ">\r\n"
                  "Subject: pop3 bench message ",
                  index,
                  "\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=us-ascii\r\n"
                  "\r\n");
  SplitMix64 random(seed ^ Checksum64(user) ^ (uint64_t{index} << 32));
  // Body lines until at most 80 bytes are left for the last one; that one
  // takes 3..80 bytes (1..78 characters and CRLF).
  uint64_t left = size - message.size() - kCheckLineSize;
  for (int line = 0; left > 80; ++line) {
    if (line % 100 == 13) {
      message += ".\r\n";  // a lone dot: must go out as ".."
      left -= 3;
      continue;
    }
    if (line % 25 == 7) {
      message += '.';  // a leading dot: must go out doubled
      AppendRandomText(random, kBodyLineChars - 1, &message);
    } else {
      AppendRandomText(random, kBodyLineChars, &message);
    }
    message += "\r\n";
    left -= kBodyLineChars + 2;
  }
  AppendRandomText(random, left - 2, &message);
  message += "\r\n";
  absl::StrAppend(&message, "check ", absl::StrFormat("%016x", Checksum64(message)), "\r\n");
  return message;
}

absl::Status VerifyBenchMessage(absl::string_view message, absl::string_view user) {
  if (message.size() < kCheckLineSize + 2) {
    return absl::DataLossError(absl::StrCat("message of ", message.size(), " bytes is too short"));
  }
  const absl::string_view check_line = message.substr(message.size() - kCheckLineSize);
  const absl::string_view before = message.substr(0, message.size() - kCheckLineSize);
  uint64_t expected = 0;
  if (check_line.substr(0, 6) != "check " || check_line.substr(22) != "\r\n" ||
      before.substr(before.size() - 2) != "\r\n" || !absl::SimpleHexAtoi(check_line.substr(6, 16), &expected)) {
    return absl::DataLossError("message does not end in a check line");
  }
  if (Checksum64(before) != expected) return absl::DataLossError("message checksum does not match");
  const size_t header_end = message.find("\r\n\r\n");
  const absl::string_view header = message.substr(0, header_end == absl::string_view::npos ? 0 : header_end + 2);
  if (header.find(absl::StrCat("\r\nTo: <", user, ">\r\n")) == absl::string_view::npos) {
    return absl::DataLossError(absl::StrCat("message is not addressed to ", user));
  }
  return absl::OkStatus();
}

}  // namespace kurier::bench::pop3
