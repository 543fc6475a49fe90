"""POP3 as Python's poplib (and a SASL client written to the RFCs) sees it:
TLS, every way to log in, the maildrop commands, byte-exact retrieval, and
the keep policy, against the real mailstore and pop3 binaries on loopback."""

import os
import poplib
import random
import socket
import unittest

from tests.pop3 import pop3_fixture as fx
from tests.support import kurier_harness as kh

DOTS = fx.message("dots", [
    "A line, then lines that begin with dots:",
    ".",
    "..",
    ".leading dot",
    "...three dots",
    ". space after the dot",
    "",
    ".",
    "last line",
])

EIGHT_BIT = (b"From: sender@example.net\r\nTo: someone@example.org\r\nSubject: 8bit\r\n"
             b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
             # Every octet but CR and LF, NUL included, in lines of 64.
             + b"".join(bytes(b for b in range(start, min(start + 64, 256)) if b not in (10, 13)) + b"\r\n"
                        for start in range(0, 256, 64))
             + "Gr\u00fc\u00dfe, \u65e5\u672c\u8a9e, \U0001f4ec\r\n".encode("utf-8")
             + b"\xff\xfe\x00\x00 lone high octets\r\n")


def big_message(size=3 * 1024 * 1024):
    """About `size` bytes in 78-octet lines, some starting with a dot."""
    rng = random.Random(1939)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-"
    lines = []
    total = 0
    while total < size:
        line = "".join(rng.choice(alphabet) for _ in range(76))
        if rng.random() < 0.05:
            line = "." + line[1:]
        lines.append(line)
        total += 78
    return fx.message("big", lines)


class PoplibTest(fx.Pop3TestCase):

    def test_stls_with_generated_certificate_then_user_pass(self):
        account = self.new_account([fx.message("one", ["hello"]), fx.message("two", ["world"])])
        client = poplib.POP3(kh.LOOPBACK, self.tls_only.port, timeout=10)
        self.addCleanup(fx._close_quietly, client)
        before = client.capa()
        self.assertIn("STLS", before)
        self.assertNotIn("USER", before, "USER offered before TLS although plaintext auth is off")
        self.assertEqual(before["SASL"], ["SCRAM-SHA-256"], "only SCRAM may be offered before TLS")
        for capability in ("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"):
            self.assertIn(capability, before)
        # poplib checks the certificate (chain and the name 127.0.0.1) against
        # the one pop3 generated: nothing is left unverified.
        client.stls(context=self.tls_only.ssl_context())
        after = client.capa()
        self.assertNotIn("STLS", after)
        self.assertIn("USER", after)
        self.assertEqual(sorted(after["SASL"]), ["LOGIN", "PLAIN", "SCRAM-SHA-256"])
        client.user(account)
        self.assertTrue(client.pass_(fx.PASSWORD).startswith(b"+OK"))
        self.assertEqual(client.stat()[0], 2)
        self.assertTrue(client.quit().startswith(b"+OK"))

    def test_certificate_names_localhost_too(self):
        client = kh.LineClient.connect("localhost", self.tls_only.tls_port, 10, self.tls_only.ssl_context(),
                                       "localhost")
        self.addCleanup(client.close)
        self.assertOk(client.readline_text())

    def test_user_pass_refused_before_tls_unless_configured(self):
        account = self.new_account([fx.message("one", ["hello"])])
        client = self.raw(self.tls_only)
        self.assertErr(client.command("USER " + account), "AUTH", "USER without TLS")
        self.assertErr(client.command("PASS " + fx.PASSWORD), "AUTH", "PASS without TLS")
        self.assertErr(client.command("AUTH PLAIN " + kh.sasl_plain(account, fx.PASSWORD)), "AUTH",
                       "AUTH PLAIN without TLS")
        self.assertErr(client.command("AUTH LOGIN"), "AUTH", "AUTH LOGIN without TLS")
        self.assertErr(client.command("STAT"), None, "STAT after the refused logins")
        # The instance configured with allow_plaintext_auth takes the same
        # login without TLS, and says so in CAPA.
        plain = poplib.POP3(kh.LOOPBACK, self.plaintext.port, timeout=10)
        self.addCleanup(fx._close_quietly, plain)
        capa = plain.capa()
        self.assertIn("USER", capa)
        self.assertEqual(sorted(capa["SASL"]), ["LOGIN", "PLAIN", "SCRAM-SHA-256"])
        plain.user(account)
        plain.pass_(fx.PASSWORD)
        self.assertEqual(plain.stat()[0], 1)
        plain.quit()

    def test_wrong_password_is_auth_error(self):
        account = self.new_account()
        client = self.raw(self.plaintext)
        self.assertOk(client.command("USER " + account))
        self.assertErr(client.command("PASS wrong"), "AUTH")
        self.assertOk(client.command("USER nobody@example.org"))
        self.assertErr(client.command("PASS " + fx.PASSWORD), "AUTH", "unknown user")

    def test_auth_plain_with_and_without_initial_response(self):
        account = self.new_account([fx.message("one", ["hello"])])
        client = self.poplib_tls()
        reply = client._shortcmd("AUTH PLAIN " + kh.sasl_plain(account, fx.PASSWORD))
        self.assertTrue(reply.startswith(b"+OK"), reply)
        self.assertEqual(client.stat(), (1, len(fx.message("one", ["hello"]))))
        client.quit()

        raw = self.raw(self.tls_only, tls=True)
        self.assertEqual(raw.command("AUTH PLAIN"), "+ ", "an empty challenge asks for the response")
        self.assertOk(raw.command(kh.sasl_plain(account, fx.PASSWORD)), "AUTH PLAIN response")
        self.assertOk(raw.command("QUIT"))

        wrong = self.raw(self.tls_only, tls=True)
        self.assertErr(wrong.command("AUTH PLAIN " + kh.sasl_plain(account, "wrong")), "AUTH")

    def test_names_differing_in_case_or_aliases_share_one_lock(self):
        # The lock is the account's, not the spelling's: otherwise two
        # sessions could each DELE from one maildrop.
        account = "mixed%d@example.org" % next(fx._accounts)
        self.ctl.run("account", "add", account, "--password=" + fx.PASSWORD, "--alias=alias-" + account)
        self.ctl.deliver([account], fx.message("one", ["hello"]))
        holder = self.raw_login(account)
        for spelling in (account.upper(), "alias-" + account):
            with self.subTest(spelling=spelling):
                client = self.raw()
                self.assertOk(client.command("USER " + spelling))
                self.assertErr(client.command("PASS " + fx.PASSWORD), "IN-USE")
        self.assertOk(holder.command("QUIT"))

    def test_auth_login(self):
        account = self.new_account()
        raw = self.raw(self.tls_only, tls=True)
        self.assertEqual(raw.command("AUTH LOGIN"), "+ " + kh.b64("Username:"))
        self.assertEqual(raw.command(kh.b64(account)), "+ " + kh.b64("Password:"))
        self.assertOk(raw.command(kh.b64(fx.PASSWORD)))

    def scram(self, client, account, password, initial_response, gs2_header="n,,"):
        """Runs AUTH SCRAM-SHA-256 on a LineClient; the final reply line."""
        scram = kh.ScramSha256Client(account, password, gs2_header=gs2_header)
        if initial_response:
            reply = client.command("AUTH SCRAM-SHA-256 " + kh.b64(scram.client_first()))
        else:
            self.assertEqual(client.command("AUTH SCRAM-SHA-256"), "+ ")
            reply = client.command(kh.b64(scram.client_first()))
        if not reply.startswith("+ "):
            return reply  # refused at once
        reply = client.command(kh.b64(scram.client_final(kh.base64.b64decode(reply[2:]))))
        if not reply.startswith("+ "):
            return reply  # refused
        # RFC 5034 section 4: the server-final-message is a last challenge,
        # answered with an empty line.
        scram.verify_server_final(kh.base64.b64decode(reply[2:]))
        return client.command("")

    def test_auth_scram_sha_256_without_tls(self):
        account = self.new_account([fx.message("one", ["hello"])])
        for initial_response in (True, False):
            with self.subTest(initial_response=initial_response):
                client = self.raw(self.tls_only)  # SCRAM never sends the password: allowed without TLS
                self.assertOk(self.scram(client, account, fx.PASSWORD, initial_response))
                self.assertEqual(fx.stat_of(client.command("STAT"))[0], 1)
                self.assertOk(client.command("QUIT"))
        client = self.raw(self.tls_only)
        self.assertErr(self.scram(client, account, "wrong password", True), "AUTH")

    def test_second_session_is_in_use(self):
        account = self.new_account([fx.message("one", ["hello"])])
        first = self.poplib_login(account)
        second = self.raw(self.plaintext)
        self.assertOk(second.command("USER " + account))
        self.assertErr(second.command("PASS " + fx.PASSWORD), "IN-USE")
        first.quit()
        self.login_until_not_in_use(account)

    def test_uidl_is_stable_across_sessions_and_unique(self):
        messages = [fx.message("m%d" % i, ["body %d" % i]) for i in range(3)]
        account = self.new_account()
        uids = [self.ctl.deliver([account], m)[account] for m in messages]
        uid_validity = self.ctl.uid_validity(account)

        first = self.poplib_login(account)
        listing1 = self.uidl_map(first)
        self.assertEqual(first.uidl(2).split()[2].decode(), listing1[2])
        first.quit()
        second = self.poplib_login(account)
        listing2 = self.uidl_map(second)
        self.assertEqual(listing1, listing2)
        self.assertEqual(len(set(listing1.values())), 3, listing1)
        self.assertEqual(listing1, {n + 1: "%d.%d" % (uid_validity, uid) for n, uid in enumerate(uids)})
        # After message 1 is gone, the others keep their unique ids under new
        # numbers: that is what clients that leave mail on the server rely on.
        second.dele(1)
        second.quit()
        third = self.poplib_login(account)
        self.assertEqual(self.uidl_map(third), {1: listing1[2], 2: listing1[3]})
        third.quit()

    def test_top_returns_header_and_n_lines(self):
        header = [b"From: sender@example.net", b"To: someone@example.org", b"Subject: top",
                  b"Received: from a\r\n\tcontinued header line"]
        body = [b"line 1", b".line 2 with a dot", b"", b"line 4", b"line 5"]
        msg = b"\r\n".join(header) + b"\r\n\r\n" + b"".join(line + b"\r\n" for line in body)
        head = b"\r\n".join(header).split(b"\r\n")
        account = self.new_account([msg])
        client = self.poplib_login(account)
        for n in (0, 1, 2, 3, 5, 6, 1000):
            with self.subTest(n=n):
                _, lines, _ = client.top(1, n)
                self.assertEqual(lines, head + [b""] + body[:n])
        _, lines, _ = client.top(1, 4294967296)  # beyond 32 bits: the whole body
        self.assertEqual(lines, head + [b""] + body)
        # TOP is not a retrieval: the message stays unseen after QUIT.
        client.quit()
        self.assertEqual(self.ctl.message_list(account)[0]["flags"], [])

    def test_retr_is_byte_exact(self):
        big = big_message()
        messages = {"dots": DOTS, "8bit": EIGHT_BIT, "3MB": big}
        account = self.new_account(messages.values())
        client = self.poplib_login(account)
        _, listing, _ = client.list()
        self.assertEqual([line.decode() for line in listing],
                         ["%d %d" % (n, len(m)) for n, m in enumerate(messages.values(), 1)])
        for number, (name, expected) in enumerate(messages.items(), 1):
            with self.subTest(message=name):
                reply, lines, _ = client.retr(number)
                self.assertEqual(reply, b"+OK %d octets" % len(expected))
                got = b"".join(line + b"\r\n" for line in lines)
                if got != expected:
                    diff_at = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b),
                                   min(len(got), len(expected)))
                    self.fail("%s differs at byte %d of %d (got %d bytes): got %r, expected %r" % (
                        name, diff_at, len(expected), len(got), got[diff_at - 20:diff_at + 40],
                        expected[diff_at - 20:diff_at + 40]))
        client.quit()
        # RETR marked each message \Seen (after QUIT).
        self.assertEqual([m["flags"] for m in self.ctl.message_list(account)], [["\\Seen"]] * 3)

    def test_bare_lf_mail_is_sent_with_crlf_and_listed_at_its_sent_size(self):
        # kurierctl deliver stores bytes as given; POP3 must still send CRLF
        # lines, and LIST/RETR must give the size as sent (RFC 1939 §11).
        stored = b"Subject: lf\n\nline one\n.dot\nend"
        sent = b"Subject: lf\r\n\r\nline one\r\n.dot\r\nend\r\n"
        account = self.new_account([stored])
        client = self.poplib_login(account)
        _, listing, _ = client.list()
        self.assertEqual(listing, [b"1 %d" % len(sent)])
        reply, lines, _ = client.retr(1)
        self.assertEqual(reply, b"+OK %d octets" % len(sent))
        self.assertEqual(b"".join(line + b"\r\n" for line in lines), sent)
        client.quit()

    def test_dele_then_quit_removes(self):
        a, b = fx.message("a", ["first"]), fx.message("b", ["second"])
        account = self.new_account([a, b])
        client = self.poplib_login(account)
        uidl = self.uidl_map(client)
        client.dele(1)
        self.assertEqual(client.stat(), (1, len(b)))
        for command in ("RETR 1", "LIST 1", "DELE 1", "TOP 1 0", "UIDL 1"):
            with self.subTest(command=command):
                with self.assertRaises(poplib.error_proto):
                    client._shortcmd(command)
        self.assertTrue(client.quit().startswith(b"+OK"))
        client = self.poplib_login(account)
        self.assertEqual(client.stat(), (1, len(b)))
        self.assertEqual(self.uidl_map(client), {1: uidl[2]})
        _, lines, _ = client.retr(1)
        self.assertEqual(b"".join(line + b"\r\n" for line in lines), b)
        client.quit()
        self.assertEqual([m["size"] for m in self.ctl.message_list(account)], [len(b)])

    def test_dele_then_dropped_connection_keeps(self):
        account = self.new_account([fx.message("a", ["first"]), fx.message("b", ["second"])])
        client = self.raw_login(account)
        self.assertOk(client.command("DELE 1"))
        self.assertOk(client.command("DELE 2"))
        self.assertEqual(fx.stat_of(client.command("STAT")), (0, 0))
        client.close()  # no QUIT: no UPDATE state (RFC 1939 section 6)
        again = self.login_until_not_in_use(account)
        self.assertEqual(fx.stat_of(again.command("STAT"))[0], 2)
        self.assertEqual(len(self.ctl.message_list(account)), 2)

    def test_rset_unmarks(self):
        a, b = fx.message("a", ["first"]), fx.message("b", ["second"])
        account = self.new_account([a, b])
        client = self.poplib_login(account)
        client.dele(1)
        client.dele(2)
        self.assertEqual(client.stat(), (0, 0))
        self.assertEqual(client.rset(), b"+OK maildrop has 2 messages (%d octets)" % (len(a) + len(b)))
        self.assertEqual(client.stat(), (2, len(a) + len(b)))
        self.assertEqual(len(client.list()[1]), 2)
        client.quit()
        client = self.poplib_login(account)
        self.assertEqual(client.stat(), (2, len(a) + len(b)))
        client.quit()

    def test_maildrop_is_a_snapshot_taken_at_login(self):
        a, b = fx.message("a", ["first"]), fx.message("b", ["arrives during the session"])
        account = self.new_account([a])
        client = self.poplib_login(account)
        self.ctl.deliver([account], b)
        self.assertEqual(client.stat(), (1, len(a)), "RFC 1939: numbers and sizes are fixed for the session")
        self.assertEqual(len(self.uidl_map(client)), 1)
        client.dele(1)
        client.quit()
        client = self.poplib_login(account)
        self.assertEqual(client.stat(), (1, len(b)))
        _, lines, _ = client.retr(1)
        self.assertEqual(b"".join(line + b"\r\n" for line in lines), b)
        client.quit()

    def test_sasl_edge_cases(self):
        account = self.new_account()
        other = self.new_account()
        client = self.raw(self.tls_only, tls=True)
        # A client may cancel an exchange with "*" (RFC 5034 section 4).
        self.assertEqual(client.command("AUTH PLAIN"), "+ ")
        self.assertErr(client.command("*"), None, "cancelled AUTH PLAIN")
        self.assertEqual(client.command("AUTH LOGIN"), "+ " + kh.b64("Username:"))
        self.assertErr(client.command("*"), None, "cancelled AUTH LOGIN")
        # Logging in as someone else (PLAIN authzid) is not allowed...
        self.assertErr(client.command("AUTH PLAIN " + kh.b64("%s\0%s\0%s" % (other, account, fx.PASSWORD))),
                       "AUTH", "PLAIN with another authzid")
        # ...nor in SCRAM (RFC 5802 gs2 "a=").
        scram_client = self.raw(self.tls_only)
        self.assertErr(self.scram(scram_client, account, fx.PASSWORD, True, gs2_header="n,a=%s," % other), "AUTH")
        # "y,,": a client able to bind that saw no -PLUS mechanism is fine.
        scram_client = self.raw(self.tls_only)
        self.assertOk(self.scram(scram_client, account, fx.PASSWORD, True, gs2_header="y,,"))
        self.assertOk(scram_client.command("QUIT"))
        # authzid equal to the user is the user.
        self.assertOk(client.command("AUTH PLAIN " + kh.b64("%s\0%s\0%s" % (account, account, fx.PASSWORD))))

    def test_keep_policy_hides_from_pop3_only(self):
        a, b = fx.message("a", ["first"]), fx.message("b", ["second"])
        account = self.new_account([a, b])
        self.ctl.set_pop3_policy(account, "keep", 30)
        client = self.poplib_login(account)
        uidl = self.uidl_map(client)
        client.retr(1)
        client.dele(1)
        client.quit()
        client = self.poplib_login(account)
        self.assertEqual(client.stat(), (1, len(b)))
        self.assertEqual(self.uidl_map(client), {1: uidl[2]})
        client.quit()
        listed = self.ctl.message_list(account)
        self.assertEqual([(m["size"], m["pop3_hidden"]) for m in listed], [(len(a), True), (len(b), False)])
        self.assertEqual(listed[0]["uid"], int(uidl[1].split(".")[1]))


def exact_size_message(subject, lines, size):
    """A message of exactly `size` octets: the last line is padded."""
    def build(padding):
        return b"Subject: " + subject.encode() + b"\r\n\r\n" + b"".join(
            line.encode() + b"\r\n" for line in lines + [padding])

    unpadded = build("")
    if len(unpadded) > size:
        raise ValueError("%d octets before padding" % len(unpadded))
    return build("x" * (size - len(unpadded)))


def wire_lines(message):
    """The lines of a message as RETR sends them: byte-stuffed, no CRLF."""
    lines = message.decode("ascii").split("\r\n")
    assert lines[-1] == ""
    return ["." + line if line.startswith(".") else line for line in lines[:-1]]


class Rfc1939ExampleTest(fx.Pop3TestCase):
    """RFC 1939 section 10 replayed over a raw socket (testdata/)."""

    maxDiff = None
    GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "rfc1939_example_session.txt")

    def test_example_session(self):
        message1 = exact_size_message("RFC 1939 one", ["First message.", ".A line that starts with a dot."], 120)
        message2 = exact_size_message("RFC 1939 two", ["Second message.", ".", "..", "End."], 200)
        account = self.new_account([message1, message2])
        values = {"USER": account, "PASSWORD": fx.PASSWORD, "SIZE1": str(len(message1)),
                  "SIZE2": str(len(message2)), "TOTAL": str(len(message1) + len(message2))}
        expected = []
        with open(self.GOLDEN) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                side, text = line[:2], line[3:]
                if text in ("{MESSAGE1}", "{MESSAGE2}"):
                    message = message1 if text == "{MESSAGE1}" else message2
                    expected += [("S:", wire) for wire in wire_lines(message)]
                else:
                    expected.append((side, text.format(GREETING="{GREETING}", **values)))

        client = self.plaintext.connect()
        self.addCleanup(client.close)
        actual = []
        for side, text in expected:
            if side == "C:":
                client.sendline(text)
                actual.append((side, text))
                continue
            try:
                reply = client.readline().decode("ascii", "backslashreplace")
            except (socket.timeout, EOFError) as e:
                actual.append(("S:", "<%s>" % type(e).__name__))
                break
            if text == "+OK {GREETING}" and reply.startswith("+OK "):
                reply = text
            actual.append(("S:", reply))
        render = lambda transcript: "\n".join("%s %s" % line for line in transcript) + "\n"
        self.assertEqual(render(actual), render(expected))
        self.assertEqual(client.read_until_eof(), b"", "QUIT closes the connection")

        # The UPDATE state removed both messages.
        self.assertEqual(self.ctl.message_list(account), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
