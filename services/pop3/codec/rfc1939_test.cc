// Golden transcripts of the RFC examples (testdata/rfc1939.txt): the client
// lines go through the decoder and parser, a small server with the data of
// the examples answers through the reply writer, and the bytes must be the
// server lines of the RFC.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/pop3/codec/command_decoder.h"
#include "services/pop3/codec/reply_writer.h"
#include "services/pop3/codec/test_util.h"

namespace kurier::pop3 {
namespace {

using testing::Chunkings;
using testing::DescribeChunking;
using testing::ReadTestdata;
using testing::ToCrlf;
using testing::Unescape;

struct Message {
  std::string text;  // with CRLF line ends, as stored
  std::string uid;
  bool deleted = false;
};

// The maildrop of the RFC 1939 examples: two messages of 120 and 200 octets
// with the unique-ids of section 7.
std::vector<Message> ExampleMaildrop() {
  return {
      {ToCrlf(ReadTestdata("message1.eml")), "whqtswO00WBw418f9t5JxYwZ"},
      {ToCrlf(ReadTestdata("message2.eml")), "QhdPYR:00WBw1Ph7x7"},
  };
}

// Answers commands the way the server of the examples does, in its words.
// This is test scaffolding for the codec, not the POP3 session.
class ExampleServer {
 public:
  ExampleServer(std::vector<Message> messages, const std::vector<std::string>& directives)
      : messages_(std::move(messages)) {
    for (const std::string& d : directives) {
      if (d == "transaction") transaction_ = true;
      if (d == "locked") locked_ = true;
      if (d == "in-use") in_use_ = true;
    }
  }

  void Greet(std::string* out) { AppendOk(out, "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"); }

  void Line(const std::string& line, std::string* out) {
    if (sasl_pending_) {
      sasl_pending_ = false;
      SaslResponse(DecodeBase64(line), out);
      return;
    }
    absl::StatusOr<Command> command = ParseCommand(line);
    if (!command.ok()) {
      AppendErr(out, command.status().message());
      return;
    }
    const std::vector<std::string>& args = command->args;
    switch (command->verb) {
      case Verb::kUser:
        if (args[0] != "mrose") {
          AppendErr(out, absl::StrCat("sorry, no mailbox for ", args[0], " here"));
          return;
        }
        user_ = args[0];
        AppendOk(out, absl::StrCat(user_, " is a real hoopy frood"));
        return;
      case Verb::kPass:
        if (in_use_) {
          AppendErr(out, "IN-USE", "Do you have another POP session running?");
        } else if (locked_) {
          AppendErr(out, "maildrop already locked");
        } else {
          transaction_ = true;
          AppendOk(out, absl::StrCat(user_, "'s maildrop has ", Summary()));
        }
        return;
      case Verb::kApop:
        user_ = args[0];
        transaction_ = true;
        AppendOk(out, absl::StrCat(user_, "'s maildrop has ", Summary()));
        return;
      case Verb::kAuth:
        if (args.size() == 2) {
          SaslResponse(DecodeBase64(args[1]), out);
        } else {
          AppendContinuation(out, "");
          sasl_pending_ = true;
        }
        return;
      case Verb::kStat:
        AppendOk(out, absl::StrCat(Count(), " ", Octets()));
        return;
      case Verb::kList:
      case Verb::kUidl: {
        const bool list = command->verb == Verb::kList;
        if (args.empty()) {
          AppendOk(out, list ? Summary() : "");
          for (size_t i = 0; i < messages_.size(); ++i) {
            if (!messages_[i].deleted) AppendLine(out, absl::StrCat(i + 1, " ", Listing(messages_[i], list)));
          }
          AppendTerminator(out);
          return;
        }
        const Message* m = Find(args[0]);
        if (m == nullptr) {
          AppendErr(out, absl::StrCat("no such message, only ", messages_.size(), " messages in maildrop"));
          return;
        }
        AppendOk(out, absl::StrCat(args[0], " ", Listing(*m, list)));
        return;
      }
      case Verb::kRetr:
      case Verb::kTop: {
        const Message* m = Find(args[0]);
        std::optional<uint32_t> lines;
        if (command->verb == Verb::kTop) lines = ParseLineCount(args[1]);
        if (m == nullptr || (command->verb == Verb::kTop && !lines.has_value())) {
          AppendErr(out, "no such message");
          return;
        }
        AppendOk(out, lines.has_value() ? "" : absl::StrCat(m->text.size(), " octets"));
        BodyEncoder encoder(lines);
        encoder.Encode(m->text, out);
        encoder.Finish(out);
        AppendTerminator(out);
        return;
      }
      case Verb::kDele: {
        const std::optional<uint32_t> n = ParseMessageNumber(args[0]);
        if (!n.has_value() || *n > messages_.size()) {
          AppendErr(out, "no such message");
        } else if (messages_[*n - 1].deleted) {
          AppendErr(out, absl::StrCat("message ", *n, " already deleted"));
        } else {
          messages_[*n - 1].deleted = true;
          AppendOk(out, absl::StrCat("message ", *n, " deleted"));
        }
        return;
      }
      case Verb::kNoop:
        AppendOk(out, "");
        return;
      case Verb::kRset:
        for (Message& m : messages_) m.deleted = false;
        AppendOk(out, absl::StrCat("maildrop has ", Summary()));
        return;
      case Verb::kQuit:
        if (!transaction_) {
          AppendOk(out, "dewey POP3 server signing off");
        } else {
          const size_t left = Count();
          AppendOk(out, absl::StrCat("dewey POP3 server signing off (",
                                     left == 0 ? "maildrop empty" : absl::StrCat(left, " messages left"), ")"));
        }
        return;
      case Verb::kCapa:
        AppendOk(out, "Capability list follows");
        for (const char* capability : {"TOP", "USER", "SASL CRAM-MD5 KERBEROS_V4", "RESP-CODES", "LOGIN-DELAY 900",
                                       "PIPELINING", "EXPIRE 60", "UIDL", "IMPLEMENTATION Shlemazle-Plotz-v302"}) {
          AppendLine(out, capability);
        }
        AppendTerminator(out);
        return;
      case Verb::kStls:
      case Verb::kUnknown:
        AppendErr(out, "unknown command");
        return;
    }
  }

 private:
  void SaslResponse(const std::optional<std::string>& decoded, std::string* out) {
    if (decoded == std::string("test\0test\0test", 14)) {
      transaction_ = true;
      AppendOk(out, "Maildrop locked and ready");
    } else {
      AppendErr(out, "AUTH", "authentication failed");
    }
  }

  const Message* Find(absl::string_view arg) const {
    const std::optional<uint32_t> n = ParseMessageNumber(arg);
    if (!n.has_value() || *n > messages_.size() || messages_[*n - 1].deleted) return nullptr;
    return &messages_[*n - 1];
  }
  static std::string Listing(const Message& m, bool list) { return list ? absl::StrCat(m.text.size()) : m.uid; }
  size_t Count() const {
    size_t n = 0;
    for (const Message& m : messages_) n += m.deleted ? 0 : 1;
    return n;
  }
  size_t Octets() const {
    size_t n = 0;
    for (const Message& m : messages_) n += m.deleted ? 0 : m.text.size();
    return n;
  }
  std::string Summary() const {
    return absl::StrCat(Count(), Count() == 1 ? " message (" : " messages (", Octets(), " octets)");
  }

  std::vector<Message> messages_;
  bool transaction_ = false;
  bool locked_ = false;
  bool in_use_ = false;
  bool sasl_pending_ = false;
  std::string user_;
};

struct Section {
  std::string name;
  std::vector<std::string> directives;
  bool greets = false;  // the server speaks first
  std::string client;   // C: lines, CRLF
  std::string server;   // S: lines, CRLF
};

std::vector<Section> ReadTranscripts() {
  std::vector<Section> sections;
  for (absl::string_view line : absl::StrSplit(ReadTestdata("rfc1939.txt"), '\n')) {
    if (absl::StartsWith(line, "## ")) {
      sections.push_back(Section{std::string(line.substr(3))});
      continue;
    }
    if (line.empty() || line.front() == '#') continue;
    if (sections.empty()) ADD_FAILURE() << "line before the first section: " << line;
    Section& s = sections.back();
    if (absl::StartsWith(line, "! ")) {
      s.directives.emplace_back(line.substr(2));
    } else if (absl::StartsWith(line, "C: ")) {
      absl::StrAppend(&s.client, Unescape(line.substr(3)), "\r\n");
    } else if (line == "S:" || absl::StartsWith(line, "S: ")) {
      if (s.client.empty()) s.greets = true;
      absl::StrAppend(&s.server, Unescape(line.substr(std::min<size_t>(3, line.size()))), "\r\n");
    } else {
      ADD_FAILURE() << "unknown line in rfc1939.txt: " << line;
    }
  }
  return sections;
}

std::string Converse(const Section& section, const std::vector<std::string>& chunks) {
  ExampleServer server(ExampleMaildrop(), section.directives);
  std::string out;
  if (section.greets) server.Greet(&out);
  LineDecoder decoder(kMaxCommandLineBytes);
  for (const std::string& chunk : chunks) {
    decoder.Feed(chunk);
    std::string line;
    LineDecoder::Result result;
    while ((result = decoder.Next(&line)) != LineDecoder::Result::kNeedMore) {
      if (result == LineDecoder::Result::kTooLong) {
        AppendErr(&out, "line too long");
      } else {
        server.Line(line, &out);
      }
    }
  }
  return out;
}

TEST(Rfc1939Test, MaildropOfTheExamples) {
  const std::vector<Message> maildrop = ExampleMaildrop();
  EXPECT_EQ(maildrop[0].text.size(), 120u);
  EXPECT_EQ(maildrop[1].text.size(), 200u);
  EXPECT_FALSE(absl::EndsWith(maildrop[1].text, "\n"));  // the last line has no line end
}

TEST(Rfc1939Test, Transcripts) {
  const std::vector<Section> sections = ReadTranscripts();
  ASSERT_GE(sections.size(), 20u);
  for (const Section& section : sections) {
    SCOPED_TRACE(section.name);
    EXPECT_FALSE(section.server.empty());
    for (const std::vector<std::string>& chunks : Chunkings(section.client)) {
      ASSERT_EQ(Converse(section, chunks), section.server) << DescribeChunking(chunks);
    }
  }
}

}  // namespace
}  // namespace kurier::pop3
