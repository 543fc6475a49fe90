#include "services/imap/codec/test_util.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kurier::imap::testing {

std::string ReadTestdata(absl::string_view name) {
  return codec::testing::ReadWorkspaceFile(absl::StrCat("services/imap/codec/testdata/", std::string(name)));
}

std::string FormatArgs(const std::vector<Arg>& args) {
  std::string out;
  for (const Arg& arg : args) {
    if (!out.empty()) out += " ";
    switch (arg.kind) {
      case Arg::Kind::kAtom:
        out += Escape(arg.value);
        break;
      case Arg::Kind::kString:
        if (arg.literal) absl::StrAppend(&out, arg.literal8 ? "~{" : "{", arg.value.size(), "}");
        absl::StrAppend(&out, "\"", Escape(arg.value), "\"");
        break;
      case Arg::Kind::kList:
        absl::StrAppend(&out, "(", FormatArgs(arg.list), ")");
        break;
    }
  }
  return out;
}

std::string ReadEvents(const std::vector<std::string>& chunks, const CommandReader::Options& options) {
  CommandReader reader(options);
  std::string out;
  for (const std::string& chunk : chunks) {
    const size_t before = reader.buffered_bytes();
    reader.Feed(chunk);
    EXPECT_LE(reader.buffered_bytes(), before + chunk.size());
    for (;;) {
      Command command;
      ReadError error;
      const CommandReader::Result result = reader.Next(&command, &error);
      EXPECT_LE(reader.command_bytes(), options.max_line_bytes + options.max_total_literal_bytes);
      if (result == CommandReader::Result::kNeedMore) break;
      if (result == CommandReader::Result::kContinuation) {
        out += "+\n";
      } else if (result == CommandReader::Result::kCommand) {
        absl::StrAppend(&out, "C ", command.tag, command.uid ? " UID " : " ", command.name);
        if (!command.args.empty()) absl::StrAppend(&out, " ", FormatArgs(command.args));
        out += "\n";
      } else {
        static constexpr const char* kKinds[] = {"syntax", "line-too-long", "literal-too-big"};
        absl::StrAppend(&out, "E ", kKinds[static_cast<int>(error.kind)], " ",
                        error.tag.empty() ? "*" : error.tag, ": ", error.message, "\n");
      }
    }
    EXPECT_LT(reader.buffered_bytes(), options.max_line_bytes);
  }
  return out;
}


}  // namespace kurier::imap::testing
