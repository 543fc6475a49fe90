// The messages of the side-by-side benchmark (bench/run): deterministic
// RFC 5322 / MIME messages shaped like real mail, so that Kurier and
// Postfix/Dovecot get the same bytes in every run.
//
// Every message has the headers a delivered message carries (Return-Path,
// two Received, a DKIM-Signature, Message-ID, Date, From, To, sometimes Cc,
// List-Id or an encoded-word Subject), CRLF line ends, and one of four
// shapes: plain text; multipart/alternative (text and HTML); multipart/mixed
// with one or two base64 attachments; a forward (multipart/mixed holding a
// message/rfc822). It ends in the line "check <16 hex digits>" of
// pop3::Checksum64 over every byte before it (after the last boundary, in
// the epilogue, for multiparts), and its To: is "<to>", so that
// pop3::VerifyBenchMessage checks a download whole.
//
// Pure functions; no I/O.
#ifndef KURIER_BENCH_CORPUS_CORPUS_MESSAGE_H_
#define KURIER_BENCH_CORPUS_CORPUS_MESSAGE_H_

#include <cstdint>
#include <string>

namespace kurier::bench::corpus {

enum class Shape { kPlain, kAlternative, kAttachment, kForward };

// "plain", "alternative", "attachment", "forward".
const char* ShapeName(Shape shape);

// The seed of an account's own messages: `seed` mixed with the account's
// name, so that every account holds different mail.
uint64_t AccountSeed(uint64_t seed, const std::string& account);

// The shape message `index` of the mix has: 45 % plain, 30 % alternative,
// 20 % attachment, 5 % forward.
Shape ShapeOf(uint64_t seed, uint64_t index);

// Message `index` of the mix, to `to`. Sizes are drawn log-uniformly per
// part (text 0.3-8 KB, HTML 1.5-3 times its text, attachments 5-150 KB
// before base64); the mean is about 20 KB, the median about 6 KB.
std::string MakeCorpusMessage(uint64_t seed, const std::string& to, uint64_t index);

// The smallest size MakeSizedMessage can make (headers, MIME frame, check
// line).
inline constexpr uint64_t kMinSizedBytes = 4096;

// A message of exactly `size` bytes (at least kMinSizedBytes) in `shape`:
// the text part takes up what the headers and the other parts leave (an
// attachment, when `shape` has one, is about 3/4 of the size).
std::string MakeSizedMessage(uint64_t seed, const std::string& to, uint64_t index, uint64_t size, Shape shape);

// Words for SEARCH. kTextMarker appears in the text (never in a header or an
// attachment) of about 1 % of the mix, kSubjectMarker in the Subject of about
// 5 %; neither appears anywhere else, in any case.
inline constexpr char kTextMarker[] = "quokka-7";
inline constexpr char kSubjectMarker[] = "invoice";
bool HasTextMarker(uint64_t seed, uint64_t index);
bool HasSubjectMarker(uint64_t seed, uint64_t index);

}  // namespace kurier::bench::corpus

#endif  // KURIER_BENCH_CORPUS_CORPUS_MESSAGE_H_
