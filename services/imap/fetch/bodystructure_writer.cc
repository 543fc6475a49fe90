#include "services/imap/fetch/bodystructure_writer.h"

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/mime/header_fields.h"
#include "services/common/mime/mime_parser.h"
#include "services/imap/codec/mailbox_name.h"
#include "services/imap/codec/response_writer.h"
#include "services/imap/fetch/envelope_writer.h"

namespace kurier::imap {
namespace {

using mime::v1::BodyPart;
using mime::v1::Parameter;
using Params = google::protobuf::RepeatedPtrField<Parameter>;

constexpr absl::string_view kEmptyBody = R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))x";
constexpr absl::string_view kEmptyBodyExtension = " NIL NIL NIL NIL";

// Deeper than the parser ever nests (kMaxDepth entities, each possibly a
// message/rfc822 part plus its enclosed message).
constexpr int kMaxWriteDepth = 2 * mime::kMaxDepth + 2;

class Writer {
 public:
  Writer(std::string* out, const BodyStructureOptions& options) : out_(out), options_(options) {}

  void Part(const BodyPart& part, int depth) {
    if (depth > kMaxWriteDepth) {
      Empty();
      return;
    }
    if (absl::EqualsIgnoreCase(part.type(), "multipart")) {
      Multipart(part, depth);
    } else {
      Single(part, depth);
    }
  }

 private:
  void Empty() {
    out_->append(kEmptyBody.data(), kEmptyBody.size() - 1);
    if (options_.extensible) out_->append(kEmptyBodyExtension.data(), kEmptyBodyExtension.size());
    out_->push_back(')');
  }

  void String(const std::string& value) { AppendString(out_, value, options_.utf8); }

  void NString(bool present, const std::string& value) {
    if (present) {
      String(value);
    } else {
      AppendNil(out_);
    }
  }

  // A parameter value is UTF-8 when the parser decoded RFC 2231; a client
  // without UTF-8 gets it as RFC 2047 encoded words, which mail programs
  // decode in parameter values. Other 8-bit values go out as they are.
  void ParamValue(const std::string& value) {
    if (!options_.utf8 && !absl::c_all_of(value, [](char c) { return static_cast<unsigned char>(c) < 0x80; }) &&
        IsValidUtf8(value)) {
      String(mime::EncodeEncodedWords(value));
    } else {
      String(value);
    }
  }

  // body-fld-param: NIL or "(" name SP value ... ")". default_charset: a
  // text part, which gets "charset" "us-ascii" when it names none.
  void ParamList(const Params& params, bool default_charset) {
    bool has_charset = false;
    for (const Parameter& p : params) has_charset |= absl::EqualsIgnoreCase(p.name(), "charset");
    const bool add_charset = default_charset && !has_charset;
    if (params.empty() && !add_charset) {
      AppendNil(out_);
      return;
    }
    out_->push_back('(');
    bool first = true;
    for (const Parameter& p : params) {
      if (!first) out_->push_back(' ');
      first = false;
      String(p.name());
      out_->push_back(' ');
      ParamValue(p.value());
    }
    if (add_charset) {
      if (!first) out_->push_back(' ');
      *out_ += R"("charset" "us-ascii")";
    }
    out_->push_back(')');
  }

  // SP body-fld-dsp SP body-fld-lang SP body-fld-loc.
  void Common(const BodyPart& part) {
    out_->push_back(' ');
    if (part.has_disposition() && !part.disposition().type().empty()) {
      out_->push_back('(');
      String(part.disposition().type());
      out_->push_back(' ');
      ParamList(part.disposition().params(), false);
      out_->push_back(')');
    } else {
      AppendNil(out_);
    }
    out_->push_back(' ');
    if (part.languages().empty()) {
      AppendNil(out_);
    } else {
      out_->push_back('(');
      for (int i = 0; i < part.languages_size(); ++i) {
        if (i > 0) out_->push_back(' ');
        String(part.languages(i));
      }
      out_->push_back(')');
    }
    out_->push_back(' ');
    NString(part.has_location(), part.location());
  }

  void Multipart(const BodyPart& part, int depth) {
    out_->push_back('(');
    if (part.children().empty()) {
      Empty();
    } else {
      for (const BodyPart& child : part.children()) Part(child, depth + 1);
    }
    out_->push_back(' ');
    String(part.subtype());
    if (options_.extensible) {
      out_->push_back(' ');
      ParamList(part.params(), false);
      Common(part);
    }
    out_->push_back(')');
  }

  void Single(const BodyPart& part, int depth) {
    const bool message_type = absl::EqualsIgnoreCase(part.type(), "message");
    const bool rfc822 = message_type && absl::EqualsIgnoreCase(part.subtype(), "rfc822");
    const bool global = message_type && absl::EqualsIgnoreCase(part.subtype(), "global");
    const bool parsed = part.has_message_body();
    const bool msg = parsed && (rfc822 || (global && options_.imap4rev2));
    const bool text = absl::EqualsIgnoreCase(part.type(), "text");

    out_->push_back('(');
    if (rfc822 && !parsed) {
      *out_ += R"("application" "octet-stream")";
    } else {
      String(part.type());
      out_->push_back(' ');
      String(part.subtype());
    }
    out_->push_back(' ');
    ParamList(part.params(), text);
    out_->push_back(' ');
    NString(part.has_id(), part.id());
    out_->push_back(' ');
    NString(part.has_description(), part.description());
    out_->push_back(' ');
    String(part.encoding().empty() ? std::string("7BIT") : part.encoding());
    absl::StrAppend(out_, " ", part.body_size() + part.body_bare_lfs());
    if (msg) {
      out_->push_back(' ');
      AppendEnvelope(out_, part.envelope(), options_.utf8);
      out_->push_back(' ');
      Part(part.message_body(), depth + 1);
    }
    if (msg || text) absl::StrAppend(out_, " ", part.body_lines());
    if (options_.extensible) {
      out_->push_back(' ');
      NString(part.has_md5(), part.md5());
      Common(part);
    }
    out_->push_back(')');
  }

  std::string* out_;
  const BodyStructureOptions& options_;
};

}  // namespace

void AppendBodyStructure(std::string* out, const BodyPart& part, const BodyStructureOptions& options) {
  Writer(out, options).Part(part, 0);
}

}  // namespace kurier::imap
