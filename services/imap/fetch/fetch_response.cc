#include "services/imap/fetch/fetch_response.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/imap/codec/response_writer.h"
#include "services/imap/fetch/bodystructure_writer.h"
#include "services/imap/fetch/envelope_writer.h"

namespace kurier::imap {

std::string FormatInternalDate(absl::Time time, absl::TimeZone zone) {
  const absl::TimeZone::CivilInfo info = zone.At(time);
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const absl::CivilSecond& c = info.cs;
  const int offset_minutes = info.offset / 60;
  const int abs_minutes = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return absl::StrFormat("\"%2d-%s-%04d %02d:%02d:%02d %c%02d%02d\"", c.day(), kMonths[c.month() - 1], c.year(),
                         c.hour(), c.minute(), c.second(), offset_minutes < 0 ? '-' : '+', abs_minutes / 60,
                         abs_minutes % 60);
}

absl::Status AppendFetchResponse(std::string* out, uint32_t seq, const FetchRequest& request,
                                 const FetchMetadata& metadata, const mime::v1::MessageStructure* structure,
                                 absl::FunctionRef<absl::StatusOr<SectionContent>(const FetchItem&)> content,
                                 const FetchResponseOptions& options) {
  using Kind = FetchItem::Kind;
  if (request.needs_structure && structure == nullptr) {
    return absl::FailedPreconditionError("FETCH needs the message structure");
  }
  // Written straight into `out` (a FETCH of whole messages moves megabytes);
  // cut back to `start` when an item fails.
  std::string& r = *out;
  const size_t start = r.size();
  absl::StrAppend(&r, "* ", seq, " FETCH (");
  bool first = true;
  auto name = [&](absl::string_view n) {
    if (!first) r.push_back(' ');
    first = false;
    r.append(n.data(), n.size());
  };
  if (options.uid_command && !request.has_uid) {
    name("UID ");
    absl::StrAppend(&r, metadata.uid);
  }
  bool wrote_flags = false;
  for (const FetchItem& item : request.items) {
    const std::string item_name = ResponseItemName(item);
    name(item_name);
    r.push_back(' ');
    switch (item.kind) {
      case Kind::kFlags:
        AppendFlagList(&r, metadata.flags);
        wrote_flags = true;
        break;
      case Kind::kInternalDate:
        r += FormatInternalDate(metadata.internal_date, metadata.internal_date_zone);
        break;
      case Kind::kRfc822Size:
        absl::StrAppend(&r, ImapMessageSize(*structure));
        break;
      case Kind::kEnvelope:
        AppendEnvelope(&r, structure->envelope(), options.utf8);
        break;
      case Kind::kBody:
      case Kind::kBodyStructure: {
        BodyStructureOptions bs;
        bs.extensible = item.kind == Kind::kBodyStructure;
        bs.utf8 = options.utf8;
        bs.imap4rev2 = options.imap4rev2;
        AppendBodyStructure(&r, structure->body(), bs);
        break;
      }
      case Kind::kUid:
        absl::StrAppend(&r, metadata.uid);
        break;
      case Kind::kModSeq:
        absl::StrAppend(&r, "(", metadata.modseq, ")");
        break;
      case Kind::kRfc822:
      case Kind::kRfc822Header:
      case Kind::kRfc822Text:
      case Kind::kBodySection:
      case Kind::kBinary:
      case Kind::kBinarySize: {
        absl::StatusOr<SectionContent> value = content(item);
        if (!value.ok()) {
          r.resize(start);
          return value.status();
        }
        const absl::string_view bytes = value->bytes();
        if (item.kind == Kind::kBinarySize) {
          absl::StrAppend(&r, value->total_size);
        } else if (item.kind == Kind::kBinary && bytes.find('\0') != absl::string_view::npos) {
          AppendLiteral8(&r, bytes);
        } else {
          AppendLiteral(&r, bytes);
        }
        break;
      }
    }
  }
  if (options.flags_changed && !wrote_flags) {
    name("FLAGS ");
    AppendFlagList(&r, metadata.flags);
  }
  r.push_back(')');
  AppendCrlf(&r);
  return absl::OkStatus();
}

absl::StatusOr<SectionContent> ReadFetchItem(const mime::v1::MessageStructure& structure, absl::string_view message,
                                             const FetchItem& item) {
  absl::StatusOr<SectionPlan> plan = PlanFetchItem(structure, item);
  if (!plan.ok()) return plan.status();
  return MaterializeFromMessage(*plan, message);
}

}  // namespace kurier::imap
