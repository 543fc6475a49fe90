// Throughput of ParseMessage on large messages, including shapes meant to
// defeat it: build with -c opt and run
//   bazel run -c opt //services/common/mime:mime_bench [-- MB]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "services/common/mime/mime_parser.h"

namespace {

using kurier::mime::ParseMessage;

std::string Base64Attachment(size_t size) {
  std::string m =
      "From: a@example.com\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n"
      "--=_b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
      "--=_b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  const std::string line = std::string(76, 'Q') + "\r\n";
  while (m.size() < size) m += line;
  return m + "--=_b--\r\n";
}

// 50 nested multiparts whose boundaries share a long prefix; the body is
// lines that start with "--" and that prefix but match none of them.
std::string NestedPrefixBoundaries(size_t size) {
  const std::string prefix(60, 'p');
  std::string m;
  for (int i = 0; i < 50; ++i) {
    m += "Content-Type: multipart/mixed; boundary=\"" + prefix + std::to_string(i) + "\"\r\n\r\n--" + prefix +
         std::to_string(i) + "\r\n";
  }
  m += "\r\n";
  const std::string line = "--" + prefix + "x\r\n";
  while (m.size() < size) m += line;
  return m;
}

std::string ManyParts(size_t size) {
  std::string m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  while (m.size() < size) m += "--b\r\n\r\nx\r\n";
  return m;
}

std::string EmptyLines(size_t size) { return "Subject: x\r\n\r\n" + std::string(size, '\n'); }

std::string OneLongLine(size_t size) { return "Subject: x\r\n\r\n" + std::string(size, 'a'); }

std::string HugeHeader(size_t size) {
  std::string m;
  while (m.size() < size) m += "To: a@b.c, \"x\" <d@e.f>, g:h@i.j;\r\n";
  return m + "\r\nbody\r\n";
}

}  // namespace

int main(int argc, char** argv) {
  const size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 50;
  const size_t size = mb << 20;
  struct Case {
    const char* name;
    std::function<std::string(size_t)> make;
  };
  const std::vector<Case> cases = {
      {"base64 attachment", Base64Attachment}, {"nested prefix boundaries", NestedPrefixBoundaries},
      {"many parts (limit)", ManyParts},       {"empty lines", EmptyLines},
      {"one long line", OneLongLine},          {"huge To: header", HugeHeader},
  };
  for (const Case& c : cases) {
    const std::string message = c.make(size);
    const auto t0 = std::chrono::steady_clock::now();
    const auto s = ParseMessage(message);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-26s %6.1f MB  %7.3f s  %7.0f MB/s  %zu bytes serialized\n", c.name, message.size() / 1048576.0,
                sec, message.size() / 1048576.0 / sec, s.ByteSizeLong());
  }
  return 0;
}
