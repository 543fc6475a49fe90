#include "bench/corpus/corpus_message.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "bench/pop3_bench/bench_message.h"
#include "bench/store_bench/bench_lib.h"

namespace kurier::bench::corpus {
namespace {

// No word contains a marker, and no two joined by a space make one.
constexpr const char* kWords[] = {
    "the",      "and",        "to",        "of",        "a",        "in",       "for",       "is",
    "on",       "that",       "with",      "we",        "this",     "you",      "it",        "be",
    "as",       "are",        "at",        "will",      "have",     "from",     "please",    "our",
    "can",      "by",         "all",       "not",       "meeting",  "team",     "project",   "thanks",
    "update",   "report",     "schedule",  "review",    "attached", "draft",    "budget",    "quarter",
    "customer", "release",    "server",    "deadline",  "proposal", "contract", "agenda",    "notes",
    "question", "answer",     "issue",     "fix",       "build",    "test",     "deploy",    "office",
    "travel",   "weekend",    "monday",    "friday",    "morning",  "evening",  "lunch",     "coffee",
    "design",   "document",   "version",   "feedback",  "changes",  "approval", "numbers",   "figures",
    "summary",  "details",    "following", "regarding", "request",  "support",  "account",   "access",
    "password", "network",    "storage",   "backup",    "planning", "strategy", "marketing", "sales",
    "finance",  "legal",      "hiring",    "training",  "workshop", "slides",   "minutes",   "action",
    "items",    "next",       "steps",     "soon",      "today",    "tomorrow", "yesterday", "week",
    "month",    "year",       "status",    "green",     "delayed",  "blocked",  "done",      "open",
    "closed",   "priority",   "urgent",    "later",     "maybe",    "sure",     "great",     "good",
    "best",     "regards",    "cheers",    "hello",     "everyone", "folks",    "quick",     "reminder",
};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

constexpr const char* kFirstNames[] = {"Anna",  "Ben",   "Chiara", "Dmitri", "Elif",  "Femi",  "Grace", "Hiro",
                                       "Ines",  "Jonas", "Kavya",  "Lars",   "Mina",  "Noah",  "Olga",  "Pavel",
                                       "Quinn", "Rosa",  "Sven",   "Tara",   "Ugo",   "Vera",  "Wen",   "Yusuf"};
constexpr const char* kLastNames[] = {"Adams", "Berg",  "Costa",  "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen",
                                      "Ito",   "Jones", "Kowalski", "Larsen", "Moreau", "Novak",   "Okafor", "Petrov",
                                      "Rossi", "Sato",  "Tanaka", "Weber"};
constexpr const char* kDomains[] = {"example.com", "example.net", "example.org", "mail.example",
                                    "corp.example", "lists.example", "shop.example", "news.example"};
constexpr const char* kMailers[] = {"Microsoft Outlook 16.0", "Apple Mail (2.3774)", "Thunderbird 128.3.0",
                                    "Roundcube Webmail/1.6.9"};
struct AttachmentType {
  const char* mime;
  const char* ext;
};
constexpr AttachmentType kAttachmentTypes[] = {
    {"application/pdf", "pdf"},
    {"image/jpeg", "jpg"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
    {"application/zip", "zip"},
};

template <typename T, size_t N>
const T& Pick(SplitMix64& r, const T (&items)[N]) {
  return items[r.Next() % N];
}

// An independent stream per (seed, index, purpose).
SplitMix64 Stream(uint64_t seed, uint64_t index, uint64_t purpose) {
  SplitMix64 mix(seed * 0x9e3779b97f4a7c15ULL ^ (index + 1) * 0xbf58476d1ce4e5b9ULL ^ purpose * 0x94d049bb133111ebULL);
  return SplitMix64(mix.Next());
}

double Unit(SplitMix64& r) { return static_cast<double>(r.Next() >> 11) * (1.0 / 9007199254740992.0); }

uint64_t LogUniform(SplitMix64& r, uint64_t lo, uint64_t hi) {
  return static_cast<uint64_t>(std::llround(static_cast<double>(lo) *
                                            std::exp(Unit(r) * std::log(static_cast<double>(hi) / lo))));
}

// Half of the draws come from the 32 most common words.
const char* Word(SplitMix64& r) {
  const uint64_t x = r.Next();
  return (x & 1) != 0 ? kWords[(x >> 1) % 32] : kWords[(x >> 1) % kWordCount];
}

std::string Hex(SplitMix64& r, int digits) {
  std::string s = absl::StrFormat("%016x", r.Next());
  while (static_cast<int>(s.size()) < digits) s += absl::StrFormat("%016x", r.Next());
  return s.substr(0, digits);
}

std::string Words(SplitMix64& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) absl::StrAppend(&s, i == 0 ? "" : " ", Word(r));
  return s;
}

// RFC 5322 date of second `t` (UTC).
std::string RfcDate(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buffer[64];
  strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

// Appends exactly `n` bytes (n >= 2) of CRLF-ended lines, each `prefix`,
// words, `suffix`. `marker`, when not empty, goes into the second line (or
// the last one for short texts). About one line in 40 starts with "..." when
// there is no prefix, so that SMTP dot-stuffing is exercised.
void AppendLines(SplitMix64& r, uint64_t n, absl::string_view prefix, absl::string_view suffix,
                 absl::string_view marker, std::string* out) {
  n = std::max<uint64_t>(n, 2);
  const size_t end = out->size() + n;
  const size_t frame = prefix.size() + suffix.size();
  int lines = 0;
  bool marker_pending = !marker.empty();
  while (end - out->size() > 100 + frame + marker.size()) {
    if (lines > 0 && r.Next() % 9 == 0) {
      *out += "\r\n";  // a paragraph break
      ++lines;
      continue;
    }
    std::string line(prefix);
    if (prefix.empty() && r.Next() % 40 == 0) line += "...";
    if (marker_pending && lines >= 1) {
      absl::StrAppend(&line, marker, " ");
      marker_pending = false;
    }
    const size_t width = prefix.size() + 56 + r.Next() % 17;
    while (line.size() < width) absl::StrAppend(&line, line.size() > prefix.size() ? " " : "", Word(r));
    absl::StrAppend(out, line, suffix, "\r\n");
    ++lines;
  }
  // The last line fills what is left exactly: words cut to length.
  const size_t content = end - out->size() - 2;
  std::string line;
  const bool framed = content >= frame;
  if (framed) line = std::string(prefix);
  const size_t words_end = framed ? content - suffix.size() : content;
  if (marker_pending && line.size() + marker.size() + 1 <= words_end) absl::StrAppend(&line, marker, " ");
  while (line.size() < words_end) absl::StrAppend(&line, line.empty() || line.back() == ' ' ? "" : " ", Word(r));
  line.resize(words_end);
  if (framed) absl::StrAppend(&line, suffix);
  absl::StrAppend(out, line, "\r\n");
}

// `raw` random bytes, base64 in lines of 76 characters.
void AppendBase64(SplitMix64& r, uint64_t raw, std::string* out) {
  std::string bytes(raw, '\0');
  for (uint64_t i = 0; i < raw; i += 8) {
    uint64_t x = r.Next();
    for (uint64_t k = i; k < std::min(raw, i + 8); ++k, x >>= 8) bytes[k] = static_cast<char>(x & 0xff);
  }
  const std::string encoded = absl::Base64Escape(bytes);
  for (size_t i = 0; i < encoded.size(); i += 76) absl::StrAppend(out, encoded.substr(i, 76), "\r\n");
}

// What a message consists of; sizes in bytes.
struct Parts {
  Shape shape = Shape::kPlain;
  uint64_t text = 0;                 // the (outer) text/plain part
  uint64_t html = 0;                 // kAlternative: the text/html part
  std::vector<uint64_t> attachments;  // kAttachment: raw bytes, before base64
  uint64_t inner_text = 0;           // kForward: the forwarded message's text
  uint64_t inner_html = 0;           // kForward: and its HTML (0: plain)
};

struct Person {
  std::string name;
  std::string address;
};

Person MakePerson(SplitMix64& r) {
  const std::string first = Pick(r, kFirstNames);
  const std::string last = Pick(r, kLastNames);
  std::string local = absl::AsciiStrToLower(absl::StrCat(first, ".", last));
  return {absl::StrCat(first, " ", last), absl::StrCat(local, "@", Pick(r, kDomains))};
}

std::string HtmlPart(SplitMix64& r, uint64_t size, absl::string_view marker) {
  static constexpr char kHead[] =
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=us-ascii\"></head>\r\n"
      "<body>\r\n";
  static constexpr char kTail[] = "</body></html>\r\n";
  std::string html = kHead;
  const uint64_t frame = sizeof(kHead) - 1 + sizeof(kTail) - 1;
  AppendLines(r, size > frame + 2 ? size - frame : 2, "<p>", "</p>", marker, &html);
  html += kTail;
  return html;
}

// A text/plain or multipart/alternative body with its Content-Type header
// lines (ending in the empty line), for the top level or a forwarded message.
std::string TextBody(SplitMix64& h, SplitMix64& b, uint64_t text, uint64_t html, absl::string_view marker) {
  if (html == 0) {
    std::string s =
        "Content-Type: text/plain; charset=us-ascii; format=flowed\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n";
    AppendLines(b, text, "", "", marker, &s);
    return s;
  }
  const std::string boundary = absl::StrCat("=_alt_", Hex(h, 20));
  std::string s = absl::StrCat("Content-Type: multipart/alternative; boundary=\"", boundary,
                               "\"\r\n"
                               "\r\n"
                               "This is a multi-part message in MIME format.\r\n"
                               "--",
                               boundary,
                               "\r\n"
                               "Content-Type: text/plain; charset=us-ascii\r\n"
                               "Content-Transfer-Encoding: 7bit\r\n"
                               "\r\n");
  AppendLines(b, text, "", "", marker, &s);
  absl::StrAppend(&s, "--", boundary,
                  "\r\n"
                  "Content-Type: text/html; charset=us-ascii\r\n"
                  "Content-Transfer-Encoding: 7bit\r\n"
                  "\r\n",
                  HtmlPart(b, html, marker), "--", boundary, "--\r\n");
  return s;
}

std::string Subject(SplitMix64& h, bool marker) {
  if (marker) return absl::StrCat("Subject: Invoice ", 1000 + h.Next() % 9000, " for ", Words(h, 2), "\r\n");
  const uint64_t kind = h.Next() % 10;
  if (kind == 0) {
    // An RFC 2047 encoded-word with UTF-8 in it.
    return absl::StrCat("Subject: =?UTF-8?B?", absl::Base64Escape(absl::StrCat(Words(h, 3), " \xc3\xbc", Words(h, 2))),
                        "?=\r\n");
  }
  return absl::StrCat("Subject: ", kind < 4 ? "Re: " : "", Words(h, 3 + static_cast<int>(h.Next() % 6)), "\r\n");
}

std::string Build(uint64_t seed, const std::string& to, uint64_t index, const Parts& parts) {
  // Header fields draw from one stream and bodies from another, so that the
  // size of a part never changes the headers (MakeSizedMessage relies on it).
  SplitMix64 h = Stream(seed, index, 1);
  SplitMix64 b = Stream(seed, index, 2);
  const std::string marker = HasTextMarker(seed, index) ? kTextMarker : "";
  const int64_t sent = 1767225600 + static_cast<int64_t>(index) * 431 + static_cast<int64_t>(h.Next() % 300);
  const Person from = MakePerson(h);
  const std::string from_domain = from.address.substr(from.address.find('@') + 1);
  std::string m = absl::StrCat(
      "Return-Path: <", from.address, ">\r\n",                                                       //
      "Received: from mail.", from_domain, " (mail.", from_domain, " [192.0.2.", 1 + h.Next() % 250,  //
      "])\r\n\tby mx.bench.invalid with ESMTPS id ", Hex(h, 12), "\r\n\tfor <", to, ">; ", RfcDate(sent + 2),
      "\r\n",  //
      "Received: from [10.", h.Next() % 256, ".", h.Next() % 256, ".", 1 + h.Next() % 250, "] (unknown [10.0.0.",
      1 + h.Next() % 250, "])\r\n\tby mail.", from_domain, " with ESMTPSA id ", Hex(h, 12), ";\r\n\t", RfcDate(sent),
      "\r\n",  //
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=", from_domain, "; s=s2026;\r\n\tt=", sent,
      "; h=from:to:subject:date:message-id:mime-version;\r\n\tbh=",
      absl::Base64Escape(std::string(Hex(h, 32).substr(0, 32))).substr(0, 43), "=;\r\n\tb=");
  for (int line = 0; line < 5; ++line) {
    std::string bits;
    for (int i = 0; i < 6; ++i) bits += Hex(h, 16);
    absl::StrAppend(&m, absl::Base64Escape(bits).substr(0, 68), line < 4 ? "\r\n\t " : "==\r\n");
  }
  absl::StrAppend(&m, "Message-ID: <", Hex(h, 16), ".", index, "@", from_domain, ">\r\n", "Date: ", RfcDate(sent),
                  "\r\n", "From: \"", from.name, "\" <", from.address, ">\r\n", "To: <", to, ">\r\n");
  if (h.Next() % 4 == 0) {
    const Person cc = MakePerson(h);
    absl::StrAppend(&m, "Cc: \"", cc.name, "\" <", cc.address, ">\r\n");
  }
  m += Subject(h, HasSubjectMarker(seed, index));
  if (h.Next() % 7 == 0) {
    absl::StrAppend(&m, "List-Id: <news.", from_domain, ">\r\nList-Unsubscribe: <mailto:leave@", from_domain,
                    "?subject=unsubscribe>\r\n");
  }
  absl::StrAppend(&m, "X-Mailer: ", Pick(h, kMailers), "\r\nMIME-Version: 1.0\r\n");

  switch (parts.shape) {
    case Shape::kPlain:
    case Shape::kAlternative:
      m += TextBody(h, b, parts.text, parts.shape == Shape::kAlternative ? parts.html : 0, marker);
      break;
    case Shape::kAttachment:
    case Shape::kForward: {
      const std::string boundary = absl::StrCat("=_mixed_", Hex(h, 20));
      absl::StrAppend(&m, "Content-Type: multipart/mixed; boundary=\"", boundary,
                      "\"\r\n"
                      "\r\n"
                      "This is a multi-part message in MIME format.\r\n"
                      "--",
                      boundary,
                      "\r\n"
                      "Content-Type: text/plain; charset=us-ascii\r\n"
                      "Content-Transfer-Encoding: 7bit\r\n"
                      "\r\n");
      AppendLines(b, parts.text, "", "", marker, &m);
      if (parts.shape == Shape::kAttachment) {
        for (uint64_t raw : parts.attachments) {
          const AttachmentType& type = Pick(h, kAttachmentTypes);
          const std::string file = absl::StrCat(Word(h), "-", 100 + h.Next() % 900, ".", type.ext);
          absl::StrAppend(&m, "--", boundary, "\r\nContent-Type: ", type.mime, "; name=\"", file,
                          "\"\r\nContent-Disposition: attachment; filename=\"", file,
                          "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
          AppendBase64(b, raw, &m);
        }
      } else {
        const Person inner_from = MakePerson(h);
        const Person inner_to = MakePerson(h);
        absl::StrAppend(&m, "--", boundary,
                        "\r\n"
                        "Content-Type: message/rfc822\r\n"
                        "Content-Disposition: inline\r\n"
                        "\r\n"
                        "Message-ID: <",
                        Hex(h, 16), "@", inner_from.address.substr(inner_from.address.find('@') + 1), ">\r\n",
                        "Date: ", RfcDate(sent - 86400 - static_cast<int64_t>(h.Next() % 86400)), "\r\n", "From: \"",
                        inner_from.name, "\" <", inner_from.address, ">\r\n", "To: \"", inner_to.name, "\" <",
                        inner_to.address, ">\r\n", Subject(h, false), "MIME-Version: 1.0\r\n",
                        TextBody(h, b, parts.inner_text, parts.inner_html, ""));
      }
      absl::StrAppend(&m, "--", boundary, "--\r\n");
      break;
    }
  }
  absl::StrAppend(&m, "check ", absl::StrFormat("%016x", pop3::Checksum64(m)), "\r\n");
  return m;
}

}  // namespace

const char* ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kPlain:
      return "plain";
    case Shape::kAlternative:
      return "alternative";
    case Shape::kAttachment:
      return "attachment";
    case Shape::kForward:
      return "forward";
  }
  return "?";
}

uint64_t AccountSeed(uint64_t seed, const std::string& account) { return seed ^ pop3::Checksum64(account); }

Shape ShapeOf(uint64_t seed, uint64_t index) {
  const uint64_t x = Stream(seed, index, 3).Next() % 100;
  if (x < 45) return Shape::kPlain;
  if (x < 75) return Shape::kAlternative;
  if (x < 95) return Shape::kAttachment;
  return Shape::kForward;
}

bool HasTextMarker(uint64_t seed, uint64_t index) { return Stream(seed, index, 4).Next() % 100 == 0; }
bool HasSubjectMarker(uint64_t seed, uint64_t index) { return Stream(seed, index, 5).Next() % 20 == 0; }

std::string MakeCorpusMessage(uint64_t seed, const std::string& to, uint64_t index) {
  SplitMix64 r = Stream(seed, index, 6);
  Parts parts;
  parts.shape = ShapeOf(seed, index);
  switch (parts.shape) {
    case Shape::kPlain:
      parts.text = LogUniform(r, 300, 8000);
      break;
    case Shape::kAlternative:
      parts.text = LogUniform(r, 300, 6000);
      parts.html = static_cast<uint64_t>(static_cast<double>(parts.text) * (1.5 + 1.5 * Unit(r)));
      break;
    case Shape::kAttachment:
      parts.text = LogUniform(r, 200, 3000);
      parts.attachments.push_back(LogUniform(r, 5000, 150000));
      if (r.Next() % 10 >= 7) parts.attachments.push_back(LogUniform(r, 5000, 150000));
      break;
    case Shape::kForward:
      parts.text = LogUniform(r, 100, 1500);
      parts.inner_text = LogUniform(r, 300, 6000);
      if (r.Next() % 2 == 0) parts.inner_html = parts.inner_text * 2;
      break;
  }
  return Build(seed, to, index, parts);
}

std::string MakeSizedMessage(uint64_t seed, const std::string& to, uint64_t index, uint64_t size, Shape shape) {
  size = std::max(size, kMinSizedBytes);
  Parts parts;
  parts.shape = shape;
  parts.text = 2;
  switch (shape) {
    case Shape::kPlain:
      break;
    case Shape::kAlternative:
      parts.html = size * 2 / 5;
      break;
    case Shape::kAttachment:
      parts.attachments.push_back((size - 2500) * 9 / 16);
      break;
    case Shape::kForward:
      parts.inner_text = size * 2 / 5;
      break;
  }
  // Everything but the text has a fixed size: measure it, then give the text
  // what is left.
  const uint64_t frame = Build(seed, to, index, parts).size() - parts.text;
  parts.text = size > frame + 2 ? size - frame : 2;
  return Build(seed, to, index, parts);
}

}  // namespace kurier::bench::corpus
