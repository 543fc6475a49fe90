"""IMAP on raw sockets, where a client library would not go: syntax errors
(the connection goes on), literals over the size limit (refused before the
data is sent), invalid mailbox names, "*" in an empty mailbox, commands in
the wrong state, too many bad commands, an IDLE never ended, 10,000
pipelined commands, a client that never reads, and SIGTERM."""

import random
import re
import signal
import socket
import time
import unittest

from tests.imap import imap_fixture as fx
from tests.support import kurier_harness as kh


def sessions_open(server):
    """The kurier_imap_sessions_open gauge of an imap instance (summed over labels)."""
    total = 0.0
    found = False
    for line in server.metrics().splitlines():
        m = re.match(r"kurier_imap_sessions_open(?:\{[^}]*\})? (\S+)$", line)
        if m:
            found = True
            total += float(m.group(1))
    if not found:
        raise AssertionError("no kurier_imap_sessions_open in /metrics")
    return int(total)


class SyntaxTest(fx.ImapTestCase):

    def test_unbalanced_parentheses_and_quotes(self):
        account = self.new_account([fx.message("one"), fx.message("two")])
        client = self.raw_login(account, select="INBOX")
        for line in ("FETCH 1 (FLAGS", "FETCH 1 FLAGS)", "FETCH 1 (FLAGS UID))", "SEARCH SUBJECT \"unterminated",
                     "LIST \"\" \"*", "STORE 1 +FLAGS (\\Seen", "SEARCH (OR SEEN FLAGGED", "FETCH 1 BODY[HEADER",
                     "FETCH 1 BODY[1]<0.", "STATUS INBOX (MESSAGES"):
            with self.subTest(line=line):
                response = client.command(line)
                self.assertStatus(response, "BAD", client=client)
                self.assertEqual(response.fetches(), [], "nothing done for a bad command")
                self.assertStatus(client.command("NOOP"), "OK", client=client)
        self.assertEqual(self.ctl.message_list(account)[0]["flags"], [], "the bad STORE stored nothing")
        items = self.fetch_one(client, "FETCH 1 (FLAGS UID)")
        self.assertEqual(items["UID"], 1)

    def test_abusive_nesting_numbers_and_lengths(self):
        account = self.new_account([fx.message("one"), fx.message("two")])
        client = self.raw_login(account, select="INBOX")
        for line in ("SEARCH " + "(" * 5000 + "ALL" + ")" * 5000, "SEARCH " + "NOT " * 8000 + "ALL",
                     "SEARCH " + "OR " * 4000 + "ALL " * 4001, "SEARCH " + "NOT " * 40000 + "ALL",
                     "FETCH 4294967296 FLAGS", "FETCH 1:99999999999999999999 FLAGS", "FETCH 3 FLAGS",
                     "FETCH " + ",".join(["1"] * 20000) + " UID", "APPEND INBOX {99999999999999999999}",
                     "X" * 200000):
            with self.subTest(line=line[:30]):
                response = client.command(line)
                self.assertIn(response.status, ("BAD", "NO"), response.tagged)
                self.assertStatus(client.command("NOOP"), "OK", client=client)
        response = client.command("UID FETCH 1:4294967295 UID")
        self.assertEqual([i["UID"] for _, i in response.fetches()], [1, 2])

    def test_client_gone_in_the_middle_of_a_literal(self):
        account = self.new_account()
        client = self.raw_login(account)
        content = fx.message("cut short", ["x" * 70] * 100)
        client.send(b"A1 APPEND INBOX {%d+}\r\n" % len(content) + content[:len(content) // 2])
        client.close()
        again = self.raw_login(account)
        response = again.command("STATUS INBOX (MESSAGES)")
        self.assertEqual(response.status_items()["INBOX"]["MESSAGES"], 0, "no half message stored")
        self.assertEqual(self.ctl.message_list(account), [])

    def test_unknown_commands_and_garbage(self):
        account = self.new_account()
        client = self.raw(self.plaintext)
        for line in (b"A1 FROBNICATE", b"A2", b"A3 LOGIN", b"A4 LOGIN onlyone", b"A5 SELECT", b"A6 NOOP extra",
                     b"A7 \x00\x01\xff garbage", b"A8 " + b"X" * 5000):
            with self.subTest(line=line[:20]):
                client.sendline(line)
                reply = client.read_response()
                tag = line.split(b" ")[0]
                self.assertTrue(re.match(rb"(%s|\*) BAD" % re.escape(tag), reply),
                                "%r -> %r" % (line[:40], reply))
        client.sendline(b"")  # an empty line: ignored or answered "* BAD", never fatal
        response = client.command('LOGIN "%s" "%s"' % (account, fx.PASSWORD))
        self.assertStatus(response, "OK", client=client)

    def test_too_many_bad_commands_close_the_connection(self):
        client = self.raw(self.plaintext)
        for i in range(19):
            self.assertStatus(client.command("BOGUS%d" % i), "BAD", client=client)
        client.send_command("BOGUS-LAST")
        lines = client.read_until_eof()
        self.assertRegex(lines, rb"A020 BAD[^\r\n]*\r\n\* BYE")

    def test_invalid_mailbox_names(self):
        account = self.new_account()
        client = self.raw_login(account)
        before = {name for _, _, name, _ in client.command('LIST "" "*"').list_entries()}
        # Not modified UTF-7 (RFC 3501 5.1.3: "&" starts base64 ended by "-";
        # printable ASCII never encoded), 8-bit without UTF8=ACCEPT, a NUL.
        # ("*" and "%" are valid, if unwise: RFC 9051 5.1.)
        for name in ('""', '"&Jjo!"', '"bad&name"', '"&AOQ"', '"&AGE-"', '"Entw\u00fcrfe"', "{3+}\r\na\x00b"):
            with self.subTest(name=name):
                response = client.command("CREATE " + name)
                self.assertIn(response.status, ("NO", "BAD"), "CREATE %s: %s" % (name, response.tagged))
                response = client.command("SELECT " + name)
                self.assertIn(response.status, ("NO", "BAD"), "SELECT %s: %s" % (name, response.tagged))
        after = {name for _, _, name, _ in client.command('LIST "" "*"').list_entries()}
        self.assertEqual(after, before)
        response = client.command('RENAME Drafts "&Jjo!"')
        self.assertIn(response.status, ("NO", "BAD"), response.tagged)
        self.assertStatus(client.command("NOOP"), "OK", client=client)

    def test_star_in_an_empty_mailbox(self):
        account = self.new_account()
        client = self.raw_login(account, select="INBOX")
        for line in ("FETCH 1:* FLAGS", "FETCH * FLAGS", "STORE * +FLAGS (\\Seen)", "COPY 1:* Drafts"):
            with self.subTest(line=line):
                self.assertStatus(client.command(line), "BAD", client=client)
        for line in ("UID FETCH 1:* FLAGS", "UID STORE 1:* +FLAGS (\\Seen)", "UID SEARCH ALL", "SEARCH ALL"):
            with self.subTest(line=line):
                response = client.command(line)
                self.assertStatus(response, "OK", client=client)
                self.assertEqual(response.fetches(), [])
                self.assertEqual(response.search(), [])
        self.assertStatus(client.command("UID COPY 1:* Drafts"), "OK", client=client)

    def test_commands_in_the_wrong_state(self):
        account = self.new_account([fx.message("one")])
        client = self.raw(self.plaintext)
        for line in ("SELECT INBOX", "LIST \"\" *", "CREATE x", "STATUS INBOX (MESSAGES)", "ENABLE IMAP4rev2",
                     "FETCH 1 FLAGS", "IDLE", "APPEND INBOX {1+}\r\nx", "UNSELECT"):
            with self.subTest(state="not authenticated", line=line):
                self.assertStatus(client.command(line), "BAD", client=client)
        # A new connection: the bad commands of one are limited (imap.max_bad_commands).
        client = self.raw_login(account)
        for line in ("FETCH 1 FLAGS", "STORE 1 +FLAGS (\\Seen)", "SEARCH ALL", "EXPUNGE", "CLOSE", "CHECK",
                     "UNSELECT", "COPY 1 Drafts", "MOVE 1 Drafts", "UID FETCH 1 FLAGS"):
            with self.subTest(state="authenticated", line=line):
                self.assertStatus(client.command(line), "BAD", client=client)
        for line in ('LOGIN "%s" "%s"' % (account, fx.PASSWORD), "AUTHENTICATE PLAIN " +
                     kh.sasl_plain(account, fx.PASSWORD), "STARTTLS"):
            with self.subTest(state="authenticated", line=line.split()[0]):
                self.assertStatus(client.command(line), "BAD", client=client)
        self.assertStatus(client.command("SELECT INBOX"), "OK", client=client)
        self.assertEqual(self.fetch_one(client, "FETCH 1 UID")["UID"], 1)


class TlsAndSecurityTest(fx.ImapTestCase):

    def test_starttls_twice_and_after_login(self):
        account = self.new_account()
        client = self.raw(self.tls_only)
        self.assertStatus(client.command("STARTTLS"), "OK", client=client)
        client.starttls(self.tls_only.ssl_context())
        response = client.command("CAPABILITY")
        caps = response.lines("CAPABILITY")[0].split()[2:]
        self.assertNotIn(b"STARTTLS", caps)
        self.assertNotIn(b"LOGINDISABLED", caps)
        self.assertStatus(client.command("STARTTLS"), "BAD", client=client)
        self.assertStatus(client.command('LOGIN "%s" "%s"' % (account, fx.PASSWORD)), "OK", client=client)
        implicit = self.raw(self.tls_only, tls=True)
        self.assertStatus(implicit.command("STARTTLS"), "BAD", client=implicit)

    def test_commands_smuggled_behind_starttls_are_discarded(self):
        account = self.new_account()
        client = self.raw(self.tls_only)
        # RFC 9051 6.2.1: the client must wait for the OK; a server that
        # executed what followed it would answer a man in the middle's command.
        client.send("S1 STARTTLS\r\nS2 LOGIN \"%s\" \"%s\"\r\n" % (account, fx.PASSWORD))
        line = client.readline()
        self.assertTrue(line.startswith(b"S1 OK"), line)
        self.assertEqual(client.buffered(), b"", "nothing after the STARTTLS OK before the handshake")
        client.starttls(self.tls_only.ssl_context())
        # An answer to S2 would come before this one (read_until_tagged fails on it).
        response = client.command("NOOP")
        self.assertStatus(response, "OK", client=client)
        self.assertEqual(response.untagged, [])
        self.assertStatus(client.command("SELECT INBOX"), "BAD", client=client)  # still not logged in

    def test_garbage_instead_of_a_tls_handshake(self):
        for garbage in (b"A1 CAPABILITY\r\n", bytes(random.Random(3).randrange(256) for _ in range(4096))):
            with self.subTest(garbage=garbage[:16]):
                sock = socket.create_connection((kh.LOOPBACK, self.tls_only.tls_port), 10)
                self.addCleanup(sock.close)
                client = kh.LineClient(sock, 10)
                client.send(garbage)
                data = client.read_until_eof()  # a TLS alert at most, then the close
                self.assertNotIn(b"* OK", data)
        good = self.raw(self.tls_only, tls=True)
        self.assertStatus(good.command("NOOP"), "OK", client=good)

    def test_passwords_never_reach_the_log(self):
        password = "Unmistakable-%d-secret" % random.Random().randrange(10 ** 9)
        account = "logcheck%d@%s" % (fx.unique(), fx.DOMAIN)
        self.ctl.add_account(account, password)
        client = self.raw(self.plaintext)
        client.command('LOGIN "%s" "%s-wrong"' % (account, password))
        client.command("AUTHENTICATE PLAIN " + kh.sasl_plain(account, password + "-wrong"))
        client = self.raw(self.plaintext)
        self.assertStatus(client.command('LOGIN "%s" "%s"' % (account, password)), "OK", client=client)
        client.command("FROBNICATE %s" % password)
        log = self.plaintext.process.log_text()
        self.assertIn(account, log, "the log names the account (so it is the right log)")
        self.assertNotIn("Unmistakable", log)
        self.assertNotIn(kh.sasl_plain(account, password + "-wrong"), log)

    def test_three_failed_logins_close_the_connection(self):
        account = self.new_account()
        client = self.raw(self.plaintext)
        for _ in range(2):
            self.assertStatus(client.command('LOGIN "%s" "wrong"' % account), "NO", "AUTHENTICATIONFAILED", client)
        client.send_command('LOGIN "%s" "wrong"' % account)
        rest = client.read_until_eof()
        self.assertRegex(rest, rb"^A003 NO \[AUTHENTICATIONFAILED\][^\r\n]*\r\n(\* BYE[^\r\n]*\r\n)?$")

    def test_metrics_and_healthz(self):
        account = self.new_account()
        self.raw_login(account).command("NOOP")
        text = self.plaintext.metrics()
        for name in ("kurier_imap_sessions_open", "kurier_imap_logins_total", "kurier_imap_commands_total"):
            self.assertIn(name, text)
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+Inf-]+$",
                                 "not a Prometheus sample line")
        status, _ = kh.http_get(self.plaintext.metrics_port, "/healthz")
        self.assertEqual(status, 200)


class LimitsTest(fx.ImapTestCase):
    MAX = 4096
    IMAP_FLAGS = {"imap.max_message_bytes": MAX}

    def test_literal_over_the_limit_is_refused_before_the_data(self):
        account = self.new_account()
        client = self.raw_login(account)
        tag = client.send_command("APPEND INBOX (\\Seen) {%d}" % (self.MAX + 1))
        reply = client.read_response()
        self.assertTrue(reply.startswith(tag.encode() + b" NO [TOOBIG]"),
                        "expected %s NO [TOOBIG] instead of a continuation, got %r" % (tag, reply))
        # The client sends no data; the connection goes on.
        self.assertStatus(client.command("NOOP"), "OK", client=client)
        # A literal of exactly the limit is taken.
        content = fx.message("at the limit", [])
        while len(content) + 72 <= self.MAX:
            content += b"x" * 70 + b"\r\n"
        content += b"y" * (self.MAX - len(content) - 2) + b"\r\n"
        self.assertEqual(len(content), self.MAX)
        response = self.append(client, "INBOX", content)
        self.assertStatus(response, "OK", client=client)
        self.assertEqual([m["size"] for m in self.ctl.message_list(account)], [self.MAX])

    def test_non_synchronizing_literal_over_the_limit(self):
        account = self.new_account()
        client = self.raw_login(account)
        content = b"x" * (self.MAX + 100)
        # Either the server reads and drops the literal, answers NO/BAD
        # [TOOBIG] and goes on, or it says BYE and closes (RFC 7888 section
        # 4); it never takes the bytes as commands.
        try:
            response = self.append(client, "INBOX", content, literal_plus=True)
        except EOFError:
            self.assertIn(b"* BYE", client.transcript_text().encode(), "closed without BYE")
        else:
            self.assertIn(response.status, ("NO", "BAD"), response.tagged)
            self.assertIn("TOOBIG", response.code or "", response.tagged)
            self.assertStatus(client.command("NOOP"), "OK", client=client)
        self.assertEqual(self.ctl.message_list(account), [])


class IdleTimeoutTest(fx.ImapTestCase):
    IMAP_FLAGS = {"imap.idle_seconds": 2}

    def test_idle_never_ended_is_ended_with_bye(self):
        account = self.new_account()
        client = self.raw_login(account, select="INBOX")
        client.settimeout(15)
        client.send_command("IDLE")
        self.assertTrue(client.read_response().startswith(b"+"))
        started = time.monotonic()
        rest = client.read_until_eof()
        took = time.monotonic() - started
        self.assertRegex(rest, rb"^\* BYE[^\r\n]*\r\n$", "only a BYE, then the close")
        self.assertGreater(took, 1.5, "IDLE ended long before imap.idle_seconds")
        self.assertLess(took, 8, "IDLE outlived imap.idle_seconds=2")
        print("IDLE ended after %.2f s" % took)


class PipelineTest(fx.ImapTestCase):

    def test_ten_thousand_pipelined_noops(self):
        account = self.new_account([fx.message("one")])
        server = self.plaintext
        pipelined = self.raw_login(account, select="INBOX", rcvbuf=4096)  # the replies back up in the server soon
        pipelined.settimeout(30)
        prompt = self.raw_login(account, select="INBOX")
        prompt.settimeout(5)
        count = 10000
        tags = ["P%05d" % i for i in range(count)]
        payload = b"".join(b"%s NOOP\r\n" % t.encode() for t in tags)
        rss_before = server.process.memory_kb("VmRSS")
        hwm_before = server.process.memory_kb("VmHWM")
        started = time.monotonic()
        pipelined.send(payload)
        latencies = []
        for _ in range(20):
            asked = time.monotonic()
            self.assertStatus(prompt.command("NOOP"), "OK", client=prompt)
            latencies.append(time.monotonic() - asked)
        for i, tag in enumerate(tags):
            line = pipelined.readline()
            if not line.startswith(tag.encode() + b" OK"):
                self.fail("reply %d is %r, expected %s OK" % (i, line, tag))
        took = time.monotonic() - started
        self.assertStatus(pipelined.command("NOOP"), "OK", client=pipelined)
        rss_after = server.process.memory_kb("VmRSS")
        growth_mb = (max(rss_after, server.process.memory_kb("VmHWM")) - max(rss_before, hwm_before)) / 1024
        print("pipeline of %d answered in %.2f s; the other client's NOOPs took at most %.3f s; "
              "VmRSS %d -> %d kB, peak growth %.1f MB" % (count, took, max(latencies), rss_before, rss_after,
                                                          growth_mb))
        self.assertLess(max(latencies), 2.0, "another client waited behind the pipeline")
        self.assertLess((rss_after - rss_before) / 1024, 30, "imap kept the memory the pipeline took")
        self.assertLess(growth_mb, 30, "imap grew by %.1f MB answering the pipeline" % growth_mb)

    def test_pipelined_commands_with_literals(self):
        account = self.new_account()
        client = self.raw_login(account)
        messages = [fx.message("pipelined %d" % i) for i in range(20)]
        payload = b"".join(b"L%02d APPEND INBOX {%d+}\r\n%s\r\n" % (i, len(m), m) for i, m in enumerate(messages))
        payload += b"L99 STATUS INBOX (MESSAGES)\r\n"
        client.send(payload)
        for i in range(20):
            response = client.read_until_tagged("L%02d" % i)
            self.assertStatus(response, "OK", client=client)
        response = client.read_until_tagged("L99")
        self.assertEqual(response.status_items()["INBOX"]["MESSAGES"], 20)


class WriteTimeoutTest(fx.ImapTestCase):
    IMAP_FLAGS = {"imap.limits.write_timeout_seconds": 2}

    def test_client_that_never_reads_is_dropped(self):
        account = self.new_account()
        bystander = self.new_account([fx.message("small")])
        loader = self.raw_login(account)
        big = fx.message("big", ["%0998d" % i for i in range(256)])  # 256 kB
        payload = b"".join(b"B%02d APPEND INBOX {%d+}\r\n%s\r\n" % (i, len(big), big) for i in range(32))
        loader.send(payload)
        for i in range(32):
            self.assertStatus(loader.read_until_tagged("B%02d" % i), "OK", client=loader)
        loader.command("LOGOUT")
        loader.read_until_eof()
        total = 32 * len(big)

        other = self.raw_login(bystander, select="INBOX")
        before = 1  # `other`: this class's instances serve no one else
        kh.wait_until(lambda: sessions_open(self.plaintext) == before, 5, "only one session open")
        stalled = self.raw_login(account, select="INBOX", rcvbuf=4096)
        tag = stalled.send_command("FETCH 1:* BODY[]")  # about 8 MB, never read
        kh.wait_until(lambda: sessions_open(self.plaintext) == before + 1, 5, "the stalled session to count")
        started = time.monotonic()
        # Others are served while that client reads nothing.
        for _ in range(5):
            self.assertStatus(other.command("NOOP"), "OK", client=other)
        try:
            kh.wait_until(lambda: sessions_open(self.plaintext) == before, 15,
                          "the stalled session to be closed after the write timeout", interval=0.2)
        except TimeoutError:
            self.fail("a client that reads nothing is still connected after %.1f s (write timeout 2 s)"
                      % (time.monotonic() - started))
        took = time.monotonic() - started
        print("stalled client dropped after %.2f s" % took)
        self.assertGreater(took, 1.0, "dropped before the write timeout")
        stalled.settimeout(10)
        received = stalled.read_until_eof()
        self.assertLess(len(received), total, "the stalled client did not get everything")
        self.assertNotIn(b"\r\n" + tag.encode() + b" OK", received)
        # And the service goes on.
        self.assertEqual(self.fetch_one(other, "FETCH 1 UID")["UID"], 1)
        again = self.raw_login(account, select="INBOX")
        self.assertEqual(len(again.command("FETCH 1:* UID").fetches()), 32)


class ShutdownTest(fx.ImapTestCase):

    def test_sigterm_says_bye_to_every_session(self):
        imap = self.start_imap(name="imap-shutdown", **{"imap.allow_plaintext_auth": True,
                                                        "imap.shutdown_grace_seconds": 2})
        account = self.new_account([fx.message("one")])
        idler = self.raw_login(account, server=imap, select="INBOX")
        idler.send_command("IDLE")
        self.assertTrue(idler.read_response().startswith(b"+"))
        selected = self.raw_login(account, server=imap, select="INBOX")
        fresh = self.raw(imap)
        imap.process.send_signal(signal.SIGTERM)
        for name, client in (("idling", idler), ("selected", selected), ("not authenticated", fresh)):
            with self.subTest(session=name):
                client.settimeout(10)
                rest = client.read_until_eof()
                self.assertRegex(rest, rb"(^|\r\n)\* BYE[^\r\n]*\r\n$", "%s session: %r" % (name, rest))
        self.assertEqual(imap.process.wait(10), 0)

        def refused():
            try:
                socket.create_connection((kh.LOOPBACK, imap.port), 2).close()
                return False
            except ConnectionRefusedError:
                return True

        self.assertTrue(refused(), "the listener is closed")


if __name__ == "__main__":
    unittest.main()
