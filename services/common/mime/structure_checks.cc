#include "services/common/mime/structure_checks.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "services/common/mime/mime_parser.h"

namespace kurier::mime {
namespace {

struct Counts {
  uint64_t lines = 0;
  uint64_t bare_lfs = 0;
};

Counts Count(absl::string_view bytes) {
  Counts c;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    ++c.lines;
    if (i == 0 || bytes[i - 1] != '\r') ++c.bare_lfs;
  }
  if (!bytes.empty() && bytes.back() != '\n') ++c.lines;
  return c;
}

class Checker {
 public:
  Checker(absl::string_view message, std::vector<std::string>* errors) : message_(message), errors_(errors) {}

  void Part(const v1::BodyPart& part, const std::string& path, uint64_t lo, uint64_t hi, int depth) {
    ++parts_;
    auto fail = [&](absl::string_view what) { errors_->push_back(absl::StrCat(path, ": ", what)); };
    if (depth > kMaxDepth) fail("too deep");
    if (part.type().empty() || part.subtype().empty()) fail("empty type or subtype");
    if (part.encoding().empty()) fail("empty encoding");
    if (part.header_offset() < lo || part.header_offset() > hi) {
      fail(absl::StrCat("header_offset ", part.header_offset(), " outside [", lo, ", ", hi, "]"));
      return;
    }
    if (part.header_offset() + part.header_size() != part.body_offset()) fail("header does not end at body");
    if (part.body_offset() > hi || part.body_size() > hi - part.body_offset()) {
      fail(absl::StrCat("body [", part.body_offset(), "+", part.body_size(), "] beyond ", hi));
      return;
    }
    const absl::string_view header = message_.substr(part.header_offset(), part.header_size());
    const absl::string_view body = message_.substr(part.body_offset(), part.body_size());
    const Counts hc = Count(header);
    const Counts bc = Count(body);
    if (hc.bare_lfs != part.header_bare_lfs()) fail("header_bare_lfs");
    if (bc.bare_lfs != part.body_bare_lfs()) fail("body_bare_lfs");
    if (bc.lines != part.body_lines()) {
      fail(absl::StrCat("body_lines ", part.body_lines(), " but the body has ", bc.lines));
    }
    const uint64_t body_end = part.body_offset() + part.body_size();
    uint64_t pos = part.body_offset();
    for (int i = 0; i < part.children_size(); ++i) {
      const v1::BodyPart& child = part.children(i);
      if (child.header_offset() < pos) fail(absl::StrCat("child ", i + 1, " overlaps what comes before it"));
      Part(child, absl::StrCat(path, ".", i + 1), part.body_offset(), body_end, depth + 1);
      pos = child.body_offset() + child.body_size();
    }
    if (part.has_message_body()) {
      if (part.children_size() > 0) fail("both children and message_body");
      if (part.message_body().header_offset() != part.body_offset()) fail("message_body does not start at body");
      Part(part.message_body(), path + ".M", part.body_offset(), body_end, depth + 1);
      if (part.has_envelope()) Envelope(part.envelope(), path + ".M");
    }
  }

  void Envelope(const v1::Envelope& e, const std::string& path) {
    for (const auto* list : {&e.from(), &e.sender(), &e.reply_to(), &e.to(), &e.cc(), &e.bcc()}) {
      for (std::string& error : CheckAddresses(*list)) errors_->push_back(absl::StrCat(path, " envelope: ", error));
    }
  }

  int parts() const { return parts_; }

 private:
  absl::string_view message_;
  std::vector<std::string>* errors_;
  int parts_ = 0;
};

}  // namespace

std::vector<std::string> CheckAddresses(const google::protobuf::RepeatedPtrField<v1::Address>& addresses) {
  std::vector<std::string> errors;
  bool in_group = false;
  for (const v1::Address& a : addresses) {
    if (a.host().empty() && a.mailbox().empty()) {
      if (!in_group) errors.push_back("group end without start");
      in_group = false;
    } else if (a.host().empty()) {
      if (in_group) errors.push_back("group inside a group");
      in_group = true;
    } else if (a.mailbox().empty()) {
      errors.push_back("address without mailbox");
    }
  }
  if (in_group) errors.push_back("group not ended");
  return errors;
}

std::vector<std::string> CheckStructure(const v1::MessageStructure& structure, absl::string_view message) {
  std::vector<std::string> errors;
  if (structure.size() != message.size()) errors.push_back("size is not the message size");
  if (structure.body().header_offset() != 0) errors.push_back("top-level header does not start at 0");
  if (structure.header_size() != structure.body().header_size()) errors.push_back("header_size differs");
  Checker checker(message, &errors);
  checker.Part(structure.body(), "1", 0, message.size(), 0);
  checker.Envelope(structure.envelope(), "top");
  if (checker.parts() > kMaxParts) errors.push_back(absl::StrCat(checker.parts(), " parts"));
  std::string bytes;
  if (!structure.SerializeToString(&bytes)) errors.push_back("does not serialize");
  v1::MessageStructure again;
  if (!again.ParseFromString(bytes)) errors.push_back("does not parse back");
  if (again.SerializeAsString() != bytes) errors.push_back("serialization does not round-trip");
  return errors;
}

}  // namespace kurier::mime
