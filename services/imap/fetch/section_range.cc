#include "services/imap/fetch/section_range.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/fetch/content_transforms.h"

namespace kurier::imap {
namespace {

using mime::v1::BodyPart;
using mime::v1::MessageStructure;

bool IsMultipart(const BodyPart& part) { return absl::EqualsIgnoreCase(part.type(), "multipart"); }

// A piece for [offset, offset + size) clamped to the message; output_size is
// dropped when clamping changed the range (the counts no longer apply).
SectionPiece Piece(const MessageStructure& s, uint64_t offset, uint64_t size, PieceTransform transform,
                   std::optional<uint64_t> bare_lfs) {
  SectionPiece piece;
  piece.transform = transform;
  const uint64_t total = s.size();
  piece.offset = std::min(offset, total);
  piece.size = std::min(size, total - piece.offset);
  const bool clamped = piece.offset != offset || piece.size != size;
  if (clamped) return piece;
  // Without bare LFs (counted at delivery) the CRLF form is the bytes as
  // stored: copied without a scan.
  if (transform == PieceTransform::kCrlf && bare_lfs == 0u) piece.transform = PieceTransform::kRaw;
  if (piece.transform == PieceTransform::kRaw) {
    piece.output_size = piece.size;
  } else if (transform == PieceTransform::kCrlf && bare_lfs && *bare_lfs <= piece.size) {
    piece.output_size = piece.size + *bare_lfs;
  }
  return piece;
}

SectionPiece HeaderPiece(const MessageStructure& s, const BodyPart& e, PieceTransform transform) {
  return Piece(s, e.header_offset(), e.header_size(), transform, e.header_bare_lfs());
}

SectionPiece BodyPiece(const MessageStructure& s, const BodyPart& e, PieceTransform transform) {
  return Piece(s, e.body_offset(), e.body_size(), transform, e.body_bare_lfs());
}

// The whole message in CRLF form.
SectionPiece WholePiece(const MessageStructure& s) {
  const BodyPart& root = s.body();
  std::optional<uint64_t> bare;
  if (root.header_offset() == 0 && root.header_offset() + root.header_size() == root.body_offset() &&
      root.body_offset() + root.body_size() == s.size()) {
    bare = root.header_bare_lfs() + root.body_bare_lfs();
  }
  return Piece(s, 0, s.size(), PieceTransform::kCrlf, bare);
}

absl::Status UnknownCte() {
  return absl::UnimplementedError(absl::StrCat(kUnknownCteCode, " unknown Content-Transfer-Encoding"));
}

// BINARY of a leaf entity's body: its decoded content.
absl::StatusOr<SectionPiece> DecodedBodyPiece(const MessageStructure& s, const BodyPart& e) {
  switch (ClassifyTransferEncoding(e.encoding())) {
    case TransferEncoding::k7Bit: return BodyPiece(s, e, PieceTransform::kCrlf);
    case TransferEncoding::kBinary: return BodyPiece(s, e, PieceTransform::kRaw);
    case TransferEncoding::kBase64: return BodyPiece(s, e, PieceTransform::kBase64);
    case TransferEncoding::kQuotedPrintable: return BodyPiece(s, e, PieceTransform::kQuotedPrintable);
    case TransferEncoding::kUnknown: break;
  }
  return UnknownCte();
}

bool IsLeaf(const BodyPart& e) { return !IsMultipart(e) && !e.has_message_body(); }

// Fills total_size / output_size and applies the partial to the pieces when
// no piece changes size.
void ApplyPartial(SectionPlan* plan, std::optional<Partial> partial) {
  uint64_t total = 0;
  bool known = true;
  bool same_size = true;
  for (const SectionPiece& p : plan->pieces) {
    if (!p.output_size) {
      known = false;
      break;
    }
    total += *p.output_size;
    same_size &= *p.output_size == p.size;
  }
  if (!known) {
    plan->partial = partial;
    return;
  }
  plan->total_size = total;
  if (!partial) {
    plan->output_size = total;
    return;
  }
  const uint64_t begin = std::min(partial->offset, total);
  const uint64_t end = begin + std::min(partial->length, total - begin);
  plan->output_size = end - begin;
  if (!same_size) {
    plan->partial = partial;
    return;
  }
  // Narrow: keep the intersection of each piece with [begin, end).
  std::vector<SectionPiece> narrowed;
  uint64_t pos = 0;
  for (const SectionPiece& p : plan->pieces) {
    const uint64_t lo = std::max(pos, begin);
    const uint64_t hi = std::min(pos + p.size, end);
    if (lo < hi) {
      SectionPiece q = p;
      q.offset = p.offset + (lo - pos);
      q.size = hi - lo;
      q.output_size = q.size;
      // Nothing to convert (no bare LF in the piece), and a cut piece may
      // start with the LF of a CRLF, which converting would double.
      q.transform = PieceTransform::kRaw;
      narrowed.push_back(q);
    }
    pos += p.size;
  }
  plan->pieces = std::move(narrowed);
  plan->partial.reset();
}

}  // namespace

const BodyPart* FindBodyPart(const BodyPart& root, const std::vector<uint32_t>& path) {
  const BodyPart* part = &root;
  for (size_t i = 0; i < path.size(); ++i) {
    const bool more = i + 1 < path.size();
    const uint32_t n = path[i];
    if (IsMultipart(*part)) {
      if (n == 0 || n > static_cast<uint32_t>(part->children_size())) return nullptr;
      part = &part->children(static_cast<int>(n - 1));
    } else if (n != 1 || (more && !part->has_message_body())) {
      // A non-multipart entity has only part 1 (itself); only a message
      // part has parts below it.
      return nullptr;
    }
    if (more && part->has_message_body()) part = &part->message_body();
  }
  return part;
}

absl::StatusOr<SectionPlan> PlanSection(const MessageStructure& structure, const Section& section, bool binary,
                                        std::optional<Partial> partial) {
  SectionPlan plan;
  plan.binary = binary;
  const BodyPart& root = structure.body();
  const BodyPart* target = FindBodyPart(root, section.part);
  auto not_found = [&plan] {
    plan.found = false;
    plan.total_size = 0;
    plan.output_size = 0;
    return plan;
  };
  if (target == nullptr) return not_found();

  if (binary) {
    if (section.part.empty()) {
      if (IsLeaf(root)) {
        absl::StatusOr<SectionPiece> body = DecodedBodyPiece(structure, root);
        if (!body.ok()) return body.status();
        plan.pieces.push_back(HeaderPiece(structure, root, PieceTransform::kCrlf));
        plan.pieces.push_back(*body);
      } else {
        plan.pieces.push_back(WholePiece(structure));
      }
    } else if (IsLeaf(*target)) {
      absl::StatusOr<SectionPiece> body = DecodedBodyPiece(structure, *target);
      if (!body.ok()) return body.status();
      plan.pieces.push_back(*body);
    } else {
      plan.pieces.push_back(BodyPiece(structure, *target, PieceTransform::kCrlf));
    }
    ApplyPartial(&plan, partial);
    return plan;
  }

  // HEADER, HEADER.FIELDS(.NOT) and TEXT address a message: the top-level
  // one, or the one inside a message/rfc822 part.
  const BodyPart* message = nullptr;
  if (section.part.empty()) {
    message = &root;
  } else if (target->has_message_body()) {
    message = &target->message_body();
  }
  switch (section.text) {
    case Section::Text::kAll:
      plan.pieces.push_back(section.part.empty() ? WholePiece(structure)
                                                 : BodyPiece(structure, *target, PieceTransform::kCrlf));
      break;
    case Section::Text::kMime:
      plan.pieces.push_back(HeaderPiece(structure, *target, PieceTransform::kCrlf));
      break;
    case Section::Text::kHeader:
      if (message == nullptr) return not_found();
      plan.pieces.push_back(HeaderPiece(structure, *message, PieceTransform::kCrlf));
      break;
    case Section::Text::kText:
      if (message == nullptr) return not_found();
      plan.pieces.push_back(BodyPiece(structure, *message, PieceTransform::kCrlf));
      break;
    case Section::Text::kHeaderFields:
    case Section::Text::kHeaderFieldsNot:
      if (message == nullptr) return not_found();
      plan.pieces.push_back(HeaderPiece(structure, *message,
                                        section.text == Section::Text::kHeaderFields
                                            ? PieceTransform::kHeaderFields
                                            : PieceTransform::kHeaderFieldsNot));
      plan.fields = section.fields;
      break;
  }
  ApplyPartial(&plan, partial);
  return plan;
}

absl::StatusOr<SectionPlan> PlanFetchItem(const MessageStructure& structure, const FetchItem& item) {
  using Kind = FetchItem::Kind;
  switch (item.kind) {
    case Kind::kRfc822:
    case Kind::kRfc822Header:
    case Kind::kRfc822Text:
    case Kind::kBodySection:
      return PlanSection(structure, item.section, false, item.partial);
    case Kind::kBinary:
      return PlanSection(structure, item.section, true, item.partial);
    case Kind::kBinarySize:
      return PlanSection(structure, item.section, true, std::nullopt);
    default:
      return absl::InvalidArgumentError("not a content item");
  }
}

uint64_t PlannedReadBytes(const SectionPlan& plan) {
  uint64_t n = 0;
  for (const SectionPiece& p : plan.pieces) n += p.size;
  return n;
}

// The partial "<offset.length>" of a section's value (empty past its end).
absl::string_view PartialOf(absl::string_view value, const Partial& partial) {
  const uint64_t begin = std::min<uint64_t>(partial.offset, value.size());
  const uint64_t length = std::min<uint64_t>(partial.length, value.size() - begin);
  return value.substr(static_cast<size_t>(begin), static_cast<size_t>(length));
}

absl::StatusOr<SectionContent> MaterializeSection(const SectionPlan& plan, absl::string_view bytes) {
  if (bytes.size() != PlannedReadBytes(plan)) return absl::InvalidArgumentError("section bytes of the wrong size");
  SectionContent content;
  if (plan.pieces.size() == 1 && plan.pieces.front().transform == PieceTransform::kRaw) {
    // Sent as stored: the value is a view of `bytes`.
    absl::string_view raw = bytes;
    content.total_size = plan.total_size && !plan.partial ? *plan.total_size : raw.size();
    if (plan.partial) raw = PartialOf(raw, *plan.partial);
    content.borrowed = raw;
    return content;
  }
  std::string& out = content.data;
  size_t pos = 0;
  for (const SectionPiece& p : plan.pieces) {
    const absl::string_view in = bytes.substr(pos, static_cast<size_t>(p.size));
    pos += in.size();
    switch (p.transform) {
      case PieceTransform::kCrlf: {
        bool after_cr = false;
        AppendCrlfConverted(&out, in, &after_cr);
        break;
      }
      case PieceTransform::kRaw:
        out.append(in.data(), in.size());
        break;
      case PieceTransform::kBase64:
        out += DecodeBase64(in);
        break;
      case PieceTransform::kQuotedPrintable:
        out += DecodeQuotedPrintable(in);
        break;
      case PieceTransform::kHeaderFields:
      case PieceTransform::kHeaderFieldsNot:
        out += FilterHeaderFields(in, plan.fields, p.transform == PieceTransform::kHeaderFieldsNot);
        break;
    }
  }
  content.total_size = plan.total_size && !plan.partial ? *plan.total_size : out.size();
  if (plan.partial) out = std::string(PartialOf(out, *plan.partial));
  return content;
}

absl::StatusOr<SectionContent> ReadSection(const MessageStructure& structure, absl::string_view message,
                                           const Section& section, bool binary, std::optional<Partial> partial) {
  absl::StatusOr<SectionPlan> plan = PlanSection(structure, section, binary, partial);
  if (!plan.ok()) return plan.status();
  return MaterializeFromMessage(*plan, message);
}

absl::StatusOr<SectionContent> MaterializeFromMessage(const SectionPlan& plan, absl::string_view message) {
  for (const SectionPiece& p : plan.pieces) {
    if (p.offset > message.size() || message.size() - p.offset < p.size) {
      return absl::InvalidArgumentError("section outside the message");
    }
  }
  // One piece (a whole message or part, the usual case) is handed over as a
  // view, so that a raw section is not copied before it is written.
  if (plan.pieces.size() == 1) {
    const SectionPiece& p = plan.pieces.front();
    return MaterializeSection(plan, message.substr(static_cast<size_t>(p.offset), static_cast<size_t>(p.size)));
  }
  std::string bytes;
  for (const SectionPiece& p : plan.pieces) bytes.append(message.data() + p.offset, static_cast<size_t>(p.size));
  return MaterializeSection(plan, bytes);
}

uint64_t ImapMessageSize(const MessageStructure& structure) {
  return structure.size() + structure.body().header_bare_lfs() + structure.body().body_bare_lfs();
}

}  // namespace kurier::imap
