#include "bench/imap_bench/imap_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kurier::bench::imap {
namespace {

// A one-connection server on 127.0.0.1:0 that plays a script: for each step
// it reads until the client has sent `expect` (empty: nothing), then writes
// `reply`, a byte at a time when `trickle` is set.
class ScriptedServer {
 public:
  struct Step {
    std::string expect;
    std::string reply;
  };

  ScriptedServer(std::vector<Step> script, bool trickle) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(listen_fd_, 1), 0);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, script = std::move(script), trickle] {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      std::string received;
      for (const Step& step : script) {
        while (received.find(step.expect) == std::string::npos) {
          char chunk[4096];
          const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
          if (n <= 0) break;
          received.append(chunk, static_cast<size_t>(n));
        }
        if (!step.expect.empty()) received.erase(0, received.find(step.expect) + step.expect.size());
        if (trickle) {
          for (char c : step.reply) send(fd, &c, 1, MSG_NOSIGNAL);
        } else {
          send(fd, step.reply.data(), step.reply.size(), MSG_NOSIGNAL);
        }
      }
      close(fd);
    });
  }
  ~ScriptedServer() {
    thread_.join();
    close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

class ImapClientTest : public ::testing::TestWithParam<bool> {};

TEST_P(ImapClientTest, ReadsLiteralsAppendsAndIdles) {
  const std::string body1 = "Subject: one\r\n\r\nbody {3}\r\n";
  const std::string body2 = std::string(70000, 'x');
  ScriptedServer server(
      {
          {"", "* OK ready\r\n"},
          {"b1 LOGIN \"u@x\" \"p\\\"w\"\r\n", "b1 OK logged in\r\n"},
          {"b2 FETCH 1:2 (BODY.PEEK[])\r\n",
           absl::StrCat("* 1 FETCH (UID 7 BODY[] {", body1.size(), "}\r\n", body1, ")\r\n", "* 2 FETCH (BODY[] {",
                        body2.size(), "}\r\n", body2, " FLAGS (\\Seen))\r\n", "b2 OK done\r\n")},
          {"b3 APPEND \"INBOX\" {5}\r\n", "+ go ahead\r\n"},
          {"hello\r\n", "b3 OK [APPENDUID 1 9] appended\r\n"},
          {"b4 SEARCH TEXT x\r\n", "b4 NO no such thing\r\n"},
          {"b5 IDLE\r\n", "+ idling\r\n* 3 EXISTS\r\n"},
          {"DONE\r\n", "b5 OK idle done\r\n"},
      },
      GetParam());
  absl::StatusOr<ImapClient> client = ImapClient::Connect("127.0.0.1", server.port(), std::chrono::seconds(10), 512);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(client->Login("u@x", "p\"w").ok());

  std::vector<std::string> bodies;
  absl::StatusOr<std::string> done = client->Command("FETCH 1:2 (BODY.PEEK[])", [&](const ImapResponse& r) {
    const std::string* body = r.LiteralAfter("BODY[]");
    EXPECT_NE(body, nullptr) << r.text;
    if (body != nullptr) bodies.push_back(*body);
    return absl::OkStatus();
  });
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(*done, "OK done");
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], body1);
  EXPECT_EQ(bodies[1], body2);

  absl::StatusOr<std::string> appended = client->Append("INBOX", "hello");
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(*appended, "OK [APPENDUID 1 9] appended");

  absl::StatusOr<std::string> no = client->Command("SEARCH TEXT x");
  EXPECT_EQ(no.status().code(), absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(client->StartIdle().ok());
  EXPECT_TRUE(client->EndIdle().ok());
}

INSTANTIATE_TEST_SUITE_P(WholeAndByteByByte, ImapClientTest, ::testing::Bool());

TEST(ImapClientQuoteTest, EscapesQuotesAndBackslashes) { EXPECT_EQ(Quote("a\"b\\c"), "\"a\\\"b\\\\c\""); }

}  // namespace
}  // namespace kurier::bench::imap
