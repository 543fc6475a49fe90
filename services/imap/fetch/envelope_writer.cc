#include "services/imap/fetch/envelope_writer.h"

#include <optional>

#include "absl/strings/string_view.h"
#include "services/imap/codec/response_writer.h"

namespace kurier::imap {
namespace {

// NIL when empty.
void AppendNonEmpty(std::string* out, const std::string& value, bool utf8) {
  if (value.empty()) {
    AppendNil(out);
  } else {
    AppendString(out, value, utf8);
  }
}

void AppendOptional(std::string* out, bool present, const std::string& value, bool utf8) {
  if (present) {
    AppendString(out, value, utf8);
  } else {
    AppendNil(out);
  }
}

void AppendAddresses(std::string* out, const google::protobuf::RepeatedPtrField<mime::v1::Address>& list,
                     bool utf8) {
  if (list.empty()) {
    AppendNil(out);
    return;
  }
  out->push_back('(');
  for (const mime::v1::Address& a : list) {
    out->push_back('(');
    AppendNonEmpty(out, a.name(), utf8);
    out->push_back(' ');
    AppendNonEmpty(out, a.adl(), utf8);
    out->push_back(' ');
    AppendNonEmpty(out, a.mailbox(), utf8);
    out->push_back(' ');
    AppendNonEmpty(out, a.host(), utf8);
    out->push_back(')');
  }
  out->push_back(')');
}

}  // namespace

void AppendEnvelope(std::string* out, const mime::v1::Envelope& e, bool utf8) {
  out->push_back('(');
  AppendOptional(out, e.has_date(), e.date(), utf8);
  out->push_back(' ');
  AppendOptional(out, e.has_subject(), e.subject(), utf8);
  out->push_back(' ');
  AppendAddresses(out, e.from(), utf8);
  out->push_back(' ');
  AppendAddresses(out, e.sender(), utf8);
  out->push_back(' ');
  AppendAddresses(out, e.reply_to(), utf8);
  out->push_back(' ');
  AppendAddresses(out, e.to(), utf8);
  out->push_back(' ');
  AppendAddresses(out, e.cc(), utf8);
  out->push_back(' ');
  AppendAddresses(out, e.bcc(), utf8);
  out->push_back(' ');
  AppendOptional(out, e.has_in_reply_to(), e.in_reply_to(), utf8);
  out->push_back(' ');
  AppendOptional(out, e.has_message_id(), e.message_id(), utf8);
  out->push_back(')');
}

}  // namespace kurier::imap
