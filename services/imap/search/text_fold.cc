#include "services/imap/search/text_fold.h"

#include <cstdint>

namespace kurier::imap {
namespace {

uint32_t LowerCodePoint(uint32_t c) {
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    if (c == 0x138 || c == 0x149 || c == 0x17F) return c;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (c == 0x3C2) return 0x3C3;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

// Writes c (< 0x800, as LowerCodePoint returns for two-byte input) at *p.
char* PutUtf8(uint32_t c, char* p) {
  if (c < 0x80) {
    *p++ = static_cast<char>(c);
  } else {
    *p++ = static_cast<char>(0xC0 | (c >> 6));
    *p++ = static_cast<char>(0x80 | (c & 0x3F));
  }
  return p;
}

}  // namespace

void AppendFolded(absl::string_view text, std::string* out) {
  // Folding never makes text longer (two-byte characters fold to one or two
  // bytes), so the output is written in place and trimmed at the end.
  const size_t old_size = out->size();
  out->resize(old_size + text.size());
  char* p = out->data() + old_size;
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      *p++ = b >= 'A' && b <= 'Z' ? static_cast<char>(b + 32) : static_cast<char>(b);
      ++i;
      continue;
    }
    // Only two-byte sequences hold characters that fold; everything else is
    // copied byte by byte (valid longer sequences stay intact that way).
    if ((b & 0xE0) == 0xC0 && b >= 0xC2 && i + 1 < n && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      const uint32_t c = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      p = PutUtf8(LowerCodePoint(c), p);
      i += 2;
      continue;
    }
    *p++ = static_cast<char>(b);
    ++i;
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

std::string FoldCase(absl::string_view text) {
  std::string out;
  AppendFolded(text, &out);
  return out;
}

}  // namespace kurier::imap
