// Reads IMAP commands from the client's byte stream: a state machine over
// bytes that never reads a socket (like Dovecot's imap-parser). The session
// feeds what it read and asks for the next event: a complete command, "need
// more", "send a continuation request" (a synchronizing literal was
// announced), or an error to answer with BAD/NO.
//
// STANDARDS
//   RFC 9051 and RFC 3501 (IMAP4rev2/rev1): section 2.2 (commands, tags),
//     4 (atoms, quoted strings, literals, NIL, lists), 7.5 (continuation
//     request), 9 (formal syntax: tag, astring, flag, section, partial).
//   RFC 7888 (LITERAL+ and LITERAL-: "{n+}" non-synchronizing literals,
//     at most 4096 octets under LITERAL-).
//   RFC 3516 (BINARY: literal8 "~{n}", the only literal that may hold NUL).
//
// SECURITY
//   Everything here is client-controlled. Memory held for one command is at
//   most max_line_bytes of command text (literals of commands other than
//   APPEND count as text) plus, for APPEND, max_total_literal_bytes of
//   literal data, plus max_args arguments; a literal larger than allowed is
//   refused when it is announced, before any of it is read (a synchronizing
//   one gets no continuation; a non-synchronizing one is skipped without
//   being stored). An over-long line is dropped as it arrives. Error
//   messages are fixed strings and never echo client bytes.
#ifndef KURIER_SERVICES_IMAP_CODEC_COMMAND_READER_H_
#define KURIER_SERVICES_IMAP_CODEC_COMMAND_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kurier::imap {

// RFC 7888: a non-synchronizing literal under LITERAL- is at most this big.
inline constexpr uint64_t kLiteralMinusMaxBytes = 4096;

// One argument of a command: an atom, a string (quoted or literal), or a
// parenthesized list of arguments.
struct Arg {
  enum class Kind { kAtom, kString, kList };
  Kind kind = Kind::kAtom;
  // kAtom: the text as sent (case kept), e.g. "FLAGS", "1:*,5", "\Seen",
  //   "NIL", "BODY.PEEK[HEADER.FIELDS (From To)]<0.100>" (after BODY,
  //   BODY.PEEK, BINARY, BINARY.PEEK and BINARY.SIZE a "[...]" section may
  //   hold spaces, parentheses and quoted strings; the atom keeps it raw).
  // kString: the bytes, escapes removed.
  std::string value;
  // kString: it was sent as a literal ({n}, {n+}, ~{n}).
  bool literal = false;
  // kString: it was sent as literal8 (~{n}); only these may hold NUL.
  bool literal8 = false;
  // kList: the items.
  std::vector<Arg> list;

  bool is_atom() const { return kind == Kind::kAtom; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_list() const { return kind == Kind::kList; }
  // The atom NIL (any case). Whether it means "no value" (nstring) or the
  // name "NIL" (astring) depends on the grammar at that place.
  bool is_nil() const;
  // An astring: an atom or a string (for an atom, its text).
  bool is_astring() const { return kind != Kind::kList; }
};

// A complete command.
struct Command {
  std::string tag;
  // Upper-cased command name ("FETCH"). For "UID FETCH" it is "FETCH" and
  // uid is true.
  std::string name;
  bool uid = false;
  std::vector<Arg> args;
};

// Why a command was refused.
struct ReadError {
  enum class Kind {
    kSyntax,         // answer "<tag> BAD <message>"
    kLineTooLong,    // answer BAD (RFC 9051 suggests "[TOOBIG]" too)
    kLiteralTooBig,  // answer "<tag> NO [TOOBIG]" or "BAD [TOOBIG]"
  };
  Kind kind = Kind::kSyntax;
  // The command's tag when it was read before the error; empty when it is
  // unknown (answer with "* BAD").
  std::string tag;
  // A short fixed text, safe to send.
  std::string message;
};

class CommandReader {
 public:
  // What "{n+}" means to this server (the capability it advertises).
  enum class NonSyncLiterals {
    kLiteralPlus,   // LITERAL+: any size up to max_literal_bytes
    kLiteralMinus,  // LITERAL-: at most kLiteralMinusMaxBytes
    kNone,          // neither advertised: "{n+}" is a syntax error
  };

  struct Options {
    // Command text of one command, line ends included, literal data not.
    size_t max_line_bytes = 64 * 1024;
    // One literal of a message-carrying command (APPEND's message).
    uint64_t max_literal_bytes = 50 * 1024 * 1024;
    // All literals of one message-carrying command together (MULTIAPPEND).
    uint64_t max_total_literal_bytes = 64 * 1024 * 1024;
    // The commands whose literals are messages (names upper-case). Literals
    // of every other command (LOGIN, SEARCH...) count as command text
    // against max_line_bytes, as in Dovecot.
    std::vector<std::string> message_commands = {"APPEND", "REPLACE"};
    // Nesting of parenthesized lists (and of parentheses in a section).
    size_t max_depth = 32;
    // Arguments of one command, list items and lists counted.
    size_t max_args = 4096;
    NonSyncLiterals non_sync = NonSyncLiterals::kLiteralPlus;
  };

  enum class Result {
    kCommand,       // *command holds the next command
    kNeedMore,      // everything fed is consumed or waits for more: Feed
    kContinuation,  // a synchronizing literal was announced and accepted:
                    // send "+ ..." now, then call Next() again
    kError,         // *error says why; the reader has dropped (or will drop,
                    // as it arrives) the rest of that command
  };

  CommandReader();
  explicit CommandReader(const Options& options);

  // Appends bytes read from the client. Bytes the reader is dropping (the
  // rest of a refused command, a refused non-synchronizing literal) are
  // dropped here already and cost no memory.
  void Feed(absl::string_view bytes);

  // Advances over the bytes fed and reports the next event. Events come out
  // the same however the bytes were split across Feed() calls.
  Result Next(Command* command, ReadError* error);

  enum class LineResult { kLine, kNeedMore, kTooLong };

  // Reads one raw line (without its line end), for IDLE's "DONE" and
  // AUTHENTICATE's responses. Call only between commands (after Next()
  // returned kCommand, or kError for a command whose rest has been
  // dropped: at_command_start()). kTooLong: the line passed max_line_bytes;
  // it is reported once and its bytes are dropped through its LF.
  LineResult NextLine(std::string* line);

  // True when no command is partly read: the next bytes start a command or
  // a raw line.
  bool at_command_start() const;

  // Bytes fed and not yet consumed. After Next() returned kNeedMore this is
  // less than max_line_bytes (a partial line); it grows by at most one
  // Feed's worth until the next Next().
  size_t buffered_bytes() const { return in_.size() - pos_; }

  // Bytes held for the command being read (command text and literal data
  // read so far): at most max_line_bytes + max_total_literal_bytes.
  uint64_t command_bytes() const { return line_bytes_ + literal_bytes_; }

  const Options& options() const { return options_; }

 private:
  enum class State {
    kLine,         // reading a line of command text
    kLiteral,      // reading the data of an accepted literal
    kSkipLiteral,  // dropping the data of a refused literal
    kDiscardLine,  // dropping the rest of a refused command's line
  };

  enum class Scan { kLine, kNeedMore, kTooLongPartial, kTooLongLine };

  // Finds the next line in in_ within `budget` bytes (line end included).
  // kLine: *raw is the line without its LF, consumed. kTooLongPartial: no
  // LF yet and already `budget` bytes: *raw is what is buffered (not
  // consumed). kTooLongLine: *raw is the whole over-long line, consumed.
  Scan ScanLine(size_t budget, absl::string_view* raw);
  // Drops the buffered start of an over-long line and the rest of it as it
  // arrives; `literals`: honour a literal announced at its end.
  void DiscardPartialLine(absl::string_view partial, bool literals);
  // Parses one line of command text (`raw` without its LF).
  Result ParseLine(absl::string_view raw, Command* command, ReadError* error);
  // Fills *error (with the tag if known) and forgets the command.
  Result Fail(ReadError::Kind kind, const char* message, ReadError* error);
  // Drops the bytes a refused command still owns from the front of *bytes.
  void Drop(absl::string_view* bytes);
  // After a refused command's line (ending with `tail`): skip the data of a
  // non-synchronizing literal it announced, else start afresh.
  void AfterRefusedLine(absl::string_view tail);
  void ResetCommand();
  void Compact();

  Options options_;
  State state_ = State::kLine;
  std::string in_;
  size_t pos_ = 0;      // start of the unconsumed bytes in in_
  size_t scanned_ = 0;  // bytes from pos_ known to hold no LF

  // The command being read.
  bool started_ = false;  // tag and name read (continuation lines follow)
  std::string tag_;
  std::string name_;
  bool uid_ = false;
  std::vector<std::vector<Arg>> stack_;  // [0] the arguments, then open lists
  size_t arg_count_ = 0;
  size_t line_bytes_ = 0;       // command text so far
  uint64_t literal_bytes_ = 0;  // literal data so far
  Arg literal_;                 // the literal being read
  uint64_t remaining_ = 0;      // kLiteral, kSkipLiteral: bytes to go
  std::string tail_;            // kDiscardLine: the last bytes of the line
  bool discard_literals_ = true;  // kDiscardLine: honour a literal at its end
};

}  // namespace kurier::imap

#endif  // KURIER_SERVICES_IMAP_CODEC_COMMAND_READER_H_
