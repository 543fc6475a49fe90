"""The SMTP dialogue itself, over raw sockets against the real smtp binary:
greeting and EHLO keywords per listener, HELO, the small commands (NOOP,
RSET, HELP, VRFY, EXPN, QUIT), enhanced status codes on every reply,
commands out of sequence, line length, PIPELINING, STARTTLS (and commands
smuggled behind it), metrics, and the RFC 5321 Appendix D scenarios as
golden transcripts."""

import os
import socket
import ssl

from tests.smtp import smtp_fixture as fx
from tests.support import kurier_harness as kh

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")

MX_KEYWORDS = ("PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "DSN")


class GreetingAndEhloTest(fx.SmtpTestCase):

    def test_greeting_names_the_host_and_esmtp(self):
        for listener in ("smtp", "submission", "submissions"):
            with self.subTest(listener=listener):
                client = self.smtp.connect(listener)
                self.addCleanup(client.close)
                greeting = client.read_reply()
                self.assertEqual(greeting.code, 220, greeting)
                self.assertRegex(greeting.lines[0], r"^mx\.test ESMTP( |$)", greeting)

    def test_mx_ehlo_keywords(self):
        client = self.connect("smtp")
        keywords = self.assertEhlo(client, client.ehlo("client.example"))
        for keyword in MX_KEYWORDS + ("STARTTLS",):
            self.assertIn(keyword, keywords, "EHLO on the MX lacks %s: %s" % (keyword, keywords))
        self.assertEqual(keywords["SIZE"], [str(fx.MAX_MESSAGE_BYTES)], "SIZE announces the configured maximum")
        self.assertNotIn("AUTH", keywords, "the MX offers no AUTH")
        self.assertNotIn("BINARYMIME", keywords)
        # After STARTTLS: the same, without STARTTLS, and still no AUTH.
        after = self.starttls(client).keywords()
        for keyword in MX_KEYWORDS:
            self.assertIn(keyword, after)
        self.assertNotIn("STARTTLS", after, "STARTTLS offered again inside TLS")
        self.assertNotIn("AUTH", after, "the MX offers AUTH after STARTTLS")

    def test_submission_ehlo_keywords(self):
        client = self.connect("submission")
        before = self.assertEhlo(client, client.ehlo("client.example"))
        for keyword in MX_KEYWORDS + ("STARTTLS",):
            self.assertIn(keyword, before)
        self.assertNotIn("AUTH", before, "587 offers AUTH before STARTTLS although plaintext auth is off")
        after = self.starttls(client).keywords()
        self.assertNotIn("STARTTLS", after)
        self.assertEqual(sorted(after.get("AUTH", [])), ["LOGIN", "PLAIN", "SCRAM-SHA-256"], after)

        implicit = self.connect("submissions")
        keywords = self.assertEhlo(implicit, implicit.ehlo("client.example"))
        for keyword in MX_KEYWORDS:
            self.assertIn(keyword, keywords)
        self.assertNotIn("STARTTLS", keywords, "465 is TLS already")
        self.assertEqual(sorted(keywords.get("AUTH", [])), ["LOGIN", "PLAIN", "SCRAM-SHA-256"], keywords)

    def test_helo_then_a_transaction(self):
        account = self.new_account()
        client = self.connect("smtp")
        reply = client.cmd("HELO old.client.example")
        self.assertEqual(reply.code, 250, reply)
        self.assertEqual(len(reply.lines), 1, "HELO answers in one line: %s" % reply)
        self.assertTrue(reply.lines[0].startswith(fx.HOSTNAME), reply)
        content = fx.message("helo session")
        self.send("old@" + fx.REMOTE, [account], content, client=client)
        self.assertReply(client, client.cmd("QUIT"), 221, "2.0.0")
        [delivered] = self.mailbox(account)
        # RFC 3848: "SMTP" for a session opened with HELO.
        self.assertDelivered(delivered, "old@" + fx.REMOTE, content, helo="old.client.example", protocol="SMTP",
                             rcpt=account)

    def test_ehlo_again_resets_the_transaction(self):
        account = self.new_account()
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<a@%s>" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertEhlo(client, client.ehlo("client.example"))
        self.assertReply(client, client.cmd("DATA"), 503, None, "RFC 5321 4.1.4: EHLO again clears the transaction")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 503)
        self.send("a@" + fx.REMOTE, [account], fx.message("after second ehlo"), client=client)
        self.assertEqual(self.count(account), 1)

    def test_ehlo_needs_a_domain(self):
        client = self.connect("smtp")
        self.assertReply(client, client.cmd("EHLO"), 501)
        self.assertReply(client, client.cmd("HELO"), 501)
        self.assertEhlo(client, client.ehlo("[127.0.0.1]"), self.smtp)  # an address literal is a fine EHLO argument


class SmallCommandsTest(fx.SmtpTestCase):

    def test_noop_rset_help_quit(self):
        client = self.session()
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0")
        self.assertReply(client, client.cmd("NOOP with an argument"), 250, "2.0.0")
        self.assertReply(client, client.cmd("RSET"), 250, "2.0.0")
        self.assertReply(client, client.cmd("HELP"), 214)
        self.assertReply(client, client.cmd("HELP MAIL"), (214, 504))
        self.assertReply(client, client.cmd("QUIT"), 221, "2.0.0")
        self.assertClosed(client, "QUIT closes the connection")

    def test_commands_are_case_insensitive(self):
        account = self.new_account()
        client = self.connect()
        self.assertEhlo(client, client.cmd("ehlo client.example"))
        self.assertReply(client, client.cmd("mail from:<x@%s>" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("rCpT To:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("data"), 354)
        self.assertReply(client, client.data(fx.message("lower case")), 250, fx.DATA_OK)
        self.assertReply(client, client.cmd("quit"), 221)

    def test_vrfy_and_expn_reveal_nothing(self):
        account = self.new_account(aliases=["vrfy-alias@" + fx.DOMAIN])
        probes = [account, account.split("@")[0], "vrfy-alias@" + fx.DOMAIN, "nobody-here@" + fx.DOMAIN,
                  "nobody", "someone@" + fx.REMOTE]
        for listener in ("smtp", "submissions"):
            client = self.session(listener)
            for verb in ("VRFY", "EXPN"):
                answers = {}
                for probe in probes:
                    reply = client.cmd("%s %s" % (verb, probe))
                    with self.subTest(listener=listener, verb=verb, probe=probe):
                        self.assertReply(client, reply, 252)
                    # The same answer whatever the address (the address itself
                    # may be echoed).
                    answers[probe] = str(reply).replace(probe, "<probe>")
                with self.subTest(listener=listener, verb=verb):
                    self.assertEqual(len(set(answers.values())), 1, answers)

    def test_every_reply_carries_an_enhanced_code(self):
        # assertReply checks the enhanced code of each (class = reply class).
        account = self.new_account()
        client = self.session()
        for command, code in [("NOOP", 250), ("HELP", 214), ("VRFY x", 252), ("EXPN x", 252), ("RSET", 250),
                              ("XYZZY", 500), ("MAIL", 501), ("RCPT TO:<%s>" % account, 503), ("DATA", 503),
                              ("BDAT 0 LAST", 503), ("MAIL FROM:<ok@%s>" % fx.REMOTE, 250),
                              ("MAIL FROM:<again@%s>" % fx.REMOTE, 503), ("RCPT TO:<no-such@%s>" % fx.DOMAIN, 550),
                              ("RCPT TO:<x@%s>" % fx.REMOTE, 550), ("RCPT TO:<%s>" % account, 250),
                              ("AUTH PLAIN " + kh.sasl_plain(account, fx.PASSWORD), (500, 502, 503))]:
            with self.subTest(command=command):
                self.assertReply(client, client.cmd(command), code)
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(fx.message("codes")), 250, fx.DATA_OK)
        self.assertReply(client, client.cmd("STARTTLS"), 220, "2.0.0")
        client.starttls(self.smtp.ssl_context(), fx.HOSTNAME)
        self.assertEhlo(client, client.ehlo())
        self.assertReply(client, client.cmd("STARTTLS"), 503, None, "STARTTLS inside TLS")
        self.assertReply(client, client.cmd("QUIT"), 221, "2.0.0")

    def test_commands_out_of_sequence(self):
        account = self.new_account()
        client = self.connect()
        # RFC 5321 4.1.4: a transaction needs EHLO or HELO first.
        self.assertReply(client, client.cmd("MAIL FROM:<a@%s>" % fx.REMOTE), 503, None, "MAIL before EHLO")
        self.assertEhlo(client, client.ehlo())
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 503, None, "RCPT before MAIL")
        self.assertReply(client, client.cmd("DATA"), 503, None, "DATA before MAIL")
        self.assertReply(client, client.cmd("MAIL FROM:<a@%s>" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("DATA"), (503, 554), None, "DATA before RCPT")
        self.assertReply(client, client.cmd("MAIL FROM:<b@%s>" % fx.REMOTE), 503, None, "nested MAIL")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("RSET"), 250, "2.0.0")
        self.assertReply(client, client.cmd("DATA"), 503, None, "RSET cleared the transaction")
        self.assertEqual(self.count(account), 0)

    def test_unknown_commands_and_bad_syntax(self):
        client = self.session()
        for command in ("XYZZY", "MAILFROM:<a@b.example>", "\x01\x02\x7f", "   ", "DATA2"):
            with self.subTest(command=command):
                reply = client.cmd(command)
                self.assertReply(client, reply, (500, 502))
                self.assertTrue(reply.enhanced.startswith("5.5."), reply)
        for command in ("MAIL", "MAIL FROM:", "MAIL FROM:<unclosed@a.example", "MAIL TO:<a@b.example>"):
            with self.subTest(command=command):
                reply = client.cmd(command)
                self.assertReply(client, reply, (501, 500))
        # RFC 5321 4.1.1.11 / RFC 1869: an unknown MAIL parameter.
        reply = client.cmd("MAIL FROM:<a@%s> NO-SUCH-PARAM=1" % fx.REMOTE)
        self.assertReply(client, reply, 555, "5.5.4")
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0")

    def test_command_line_length_limit(self):
        client = self.session()
        # 1000 octets with CRLF is the longest line (RFC 5321 4.5.3.1.6).
        longest = "NOOP " + "x" * (998 - 5)
        self.assertEqual(len(longest) + 2, 1000)
        self.assertReply(client, client.cmd(longest), 250, "2.0.0", "a 1000-octet command line")
        self.assertReply(client, client.cmd(longest + "x"), 500, "5.5.2", "a 1001-octet command line")
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0", "in step after the long line")
        # A far longer line is refused the same way (or the connection is
        # dropped); it is never buffered whole or taken for two commands.
        client.send(b"NOOP " + b"y" * 100000 + b"RSET\r\nNOOP\r\n")
        first = client.read_reply()
        self.assertReply(client, first, 500, "5.5.2")
        self.assertReply(client, client.read_reply(), 250, "2.0.0", "the NOOP after the long line")


class PipeliningTest(fx.SmtpTestCase):

    def test_transaction_in_one_write_gets_replies_in_order(self):
        a, b = self.new_account(), self.new_account()
        client = self.session()
        client.send("MAIL FROM:<p@%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<nobody@%s>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                    % (fx.REMOTE, a, fx.DOMAIN, b))
        expected = [(250, "2.1.0"), (250, "2.1.5"), (550, "5.1.1"), (250, "2.1.5"), (354, None)]
        for code, enhanced in expected:
            self.assertReply(client, client.read_reply(), code, enhanced)
        content = fx.message("pipelined")
        client.send(kh.smtp_dot_stuff(content) + b"QUIT\r\n")
        self.assertReply(client, client.read_reply(), 250, fx.DATA_OK)
        self.assertReply(client, client.read_reply(), 221, "2.0.0")
        self.assertClosed(client)
        for account in (a, b):
            [delivered] = self.mailbox(account)
            self.assertDelivered(delivered, "p@" + fx.REMOTE, content, rcpts=[a, b])

    def test_many_transactions_in_one_write(self):
        account = self.new_account()
        client = self.session()
        batch = b""
        messages = [fx.message("batch %d" % i) for i in range(20)]
        for content in messages:
            batch += b"MAIL FROM:<batch@%s>\r\nRCPT TO:<%s>\r\nBDAT %d LAST\r\n" % (
                fx.REMOTE.encode(), account.encode(), len(content)) + content
        client.send(batch + b"NOOP\r\n")
        for _ in messages:
            self.assertReply(client, client.read_reply(), 250, "2.1.0")
            self.assertReply(client, client.read_reply(), 250, "2.1.5")
            self.assertReply(client, client.read_reply(), 250, fx.DATA_OK)
        self.assertReply(client, client.read_reply(), 250, "2.0.0")
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), len(messages))
        for got, content in zip(delivered, messages):
            self.assertDelivered(got, "batch@" + fx.REMOTE, content, rcpt=account)

    def test_ten_thousand_pipelined_commands(self):
        client = self.session()
        client.send(b"NOOP\r\n" * 10000 + b"QUIT\r\n")
        data = client.read_until_eof()
        replies = data.split(b"\r\n")
        self.assertEqual(replies[-1], b"", "the last reply ends in CRLF")
        self.assertEqual(len(replies) - 1, 10001, "one reply per command")
        self.assertEqual(set(replies[:10000]), {replies[0]})
        self.assertTrue(replies[0].startswith(b"250 2.0.0"), replies[0])
        self.assertTrue(replies[10000].startswith(b"221 2.0.0"), replies[10000])

    def test_no_valid_recipient_refuses_pipelined_data(self):
        client = self.session()
        client.send("MAIL FROM:<p@%s>\r\nRCPT TO:<nobody@%s>\r\nDATA\r\n" % (fx.REMOTE, fx.DOMAIN))
        self.assertReply(client, client.read_reply(), 250, "2.1.0")
        self.assertReply(client, client.read_reply(), 550, "5.1.1")
        # RFC 2920 3.1 / RFC 5321 3.3: DATA is refused, so what the client
        # sends next is read as commands.
        self.assertReply(client, client.read_reply(), (503, 554))
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0")


class StartTlsTest(fx.SmtpTestCase):

    def test_mx_over_starttls_is_recorded_as_esmtps(self):
        account = self.new_account()
        client = self.session(starttls=True)
        self.assertEqual(client.sock.version(), "TLSv1.3")
        content = fx.message("over starttls")
        self.send("tls@" + fx.REMOTE, [account], content, client=client)
        [delivered] = self.mailbox(account)
        # The version and the cipher the client negotiated.
        received = self.assertDelivered(delivered, "tls@" + fx.REMOTE, content, protocol="ESMTPS", rcpt=account,
                                        tls=client.sock.cipher()[0])
        self.assertIn("TLSv1.3", received)

    def test_commands_pipelined_behind_starttls_are_discarded(self):
        # CVE-2011-0411: plaintext sent after STARTTLS must not be executed
        # inside the TLS session.
        account = self.new_account()
        client = self.session()
        client.send("STARTTLS\r\nMAIL FROM:<evil@%s>\r\nRCPT TO:<%s>\r\n" % (fx.REMOTE, account))
        reply = client.read_reply()
        self.assertReply(client, reply, 220, "2.0.0")
        try:
            client.starttls(self.smtp.ssl_context(), fx.HOSTNAME)
        except (ssl.SSLError, ConnectionError):
            # Refusing the handshake after such a pipeline is fine too.
            self.assertEqual(self.count(account), 0)
            return
        self.assertEhlo(client, client.ehlo())
        # No transaction was started by the smuggled commands.
        self.assertReply(client, client.cmd("DATA"), 503, None, "smuggled MAIL/RCPT were executed")
        self.assertEqual(self.count(account), 0)

    def test_starttls_with_arguments_and_twice(self):
        client = self.session()
        self.assertReply(client, client.cmd("STARTTLS now"), 501)
        self.starttls(client)
        self.assertReply(client, client.cmd("STARTTLS"), 503)
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0")

    def test_tls_below_1_2_is_refused(self):
        context = self.smtp.ssl_context()
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        client = self.session()
        self.assertReply(client, client.cmd("STARTTLS"), 220, "2.0.0")
        with self.assertRaises((ssl.SSLError, OSError)):
            client.starttls(context, fx.HOSTNAME)
            client.ehlo()

    def test_garbage_instead_of_a_handshake(self):
        client = self.session()
        self.assertReply(client, client.cmd("STARTTLS"), 220, "2.0.0")
        client.sock.sendall(b"EHLO not-a-handshake\r\n" * 10)
        try:
            rest = client.read_until_eof()
        except socket.timeout:
            self.fail("the server kept a connection that sent garbage instead of a TLS handshake")
        self.assertNotIn(b"250", rest, "plaintext answered after STARTTLS")
        # The server goes on serving.
        self.session()


class MetricsTest(fx.SmtpTestCase):

    def test_metrics_and_healthz(self):
        account = self.new_account()
        self.send("m@" + fx.REMOTE, [account], fx.message("metrics"))
        status, text = kh.http_get(self.smtp.metrics_port, "/metrics")
        self.assertEqual(status, 200)
        self.assertIn("smtp", text)
        samples = [line for line in text.splitlines() if line and not line.startswith("#")]
        self.assertTrue(samples, text)
        for line in samples:
            self.assertRegex(line, r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfaN]+( [0-9]+)?$", "exposition format")
        status, _ = kh.http_get(self.smtp.metrics_port, "/healthz")
        self.assertEqual(status, 200)

    def test_client_input_makes_no_metric_series(self):
        client = self.session()
        for verb in ("ZQA1", "ZQB2", "ZQC3"):
            client.cmd(verb)
        client.cmd("QUIT")
        self.assertNotIn("ZQ", self.smtp.metrics(), "a client's command word became a metric label")


# The message of D.1 and D.4. On the wire its second line, "...etc. etc.
# etc.", starts with a dot and is therefore dot-stuffed: it arrives with
# one dot less (RFC 5321 4.5.2).
BLAH = b"Blah blah blah...\r\n..etc. etc. etc.\r\n"


def load_golden(name, values):
    """[(side, text)] of a testdata transcript with {PLACEHOLDERS} filled in."""
    lines = []
    with open(os.path.join(TESTDATA, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            side, text = line[:2], line[3:]
            for key, value in values.items():
                text = text.replace("{%s}" % key, value)
            lines.append((side, text))
    return lines


class GoldenTestCase(fx.SmtpTestCase):
    """RFC 5321 Appendix D replayed over a raw socket (testdata/). Replies
    are compared by code and enhanced code; the text only where it matters
    (the greeting and EHLO name the host)."""

    ACCOUNTS = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jones = "jones.d1@" + fx.DOMAIN
        cls.brown = "brown.d1@" + fx.DOMAIN
        cls.mrc = "admin.mrc@" + fx.DOMAIN
        cls.jqp = "jqp@" + fx.DOMAIN
        for account in (cls.jones, cls.brown, cls.mrc, cls.jqp) + cls.ACCOUNTS:
            cls.ctl.add_account(account, fx.PASSWORD)

    def replay(self, name, listener="smtp"):
        values = {"JONES": self.jones, "GREEN": "green.d1@" + fx.DOMAIN, "BROWN": self.brown, "MRC": self.mrc,
                  "JQP": self.jqp, "PLAIN": kh.sasl_plain(self.jqp, fx.PASSWORD)}
        script = load_golden(name, values)
        client = self.smtp.connect(listener)
        self.addCleanup(client.close)
        actual = []
        last_command = ""
        for side, text in script:
            if side == "C:":
                client.sendline(text)
                last_command = text
                continue
            alternatives = text.split("|")
            try:
                reply = client.read_reply()
            except (socket.timeout, EOFError, ValueError) as e:
                actual.append("<%s: %s>" % (type(e).__name__, e))
                break
            if reply.code == 220 and text == "220":
                got = "220" if reply.lines[0].startswith(fx.HOSTNAME + " ") else str(reply)
            elif text == "250 EHLO":
                ok = reply.code == 250 and reply.lines[0].split()[0] == fx.HOSTNAME and last_command.upper().startswith(
                    "EHLO")
                got = "250 EHLO" if ok else str(reply)
            elif reply.code in fx.ENHANCED_EXEMPT_CODES:
                got = str(reply.code)
            else:
                got = "%d %s" % (reply.code, reply.enhanced)
            actual.append(text if got in alternatives else got)
        self.assertEqual("\n".join(actual), "\n".join(text for _, text in script if _ == "S:"),
                         "replies differ from %s\n--- transcript ---\n%s" % (name, client.transcript_text()))
        self.assertClosed(client, "QUIT closes the connection")
        return client


class Rfc5321AppendixDTest(GoldenTestCase):
    """D.1 to D.4; xyz.com is not local here, so D.3's first step on the MX
    is a relay attempt."""

    def test_d1_typical_transaction(self):
        self.replay("rfc5321_d1_typical.txt")
        content = BLAH
        for account in (self.jones, self.brown):
            [delivered] = self.mailbox(account)
            self.assertDelivered(delivered, "Smith@bar.com", content, helo="bar.com",
                                 rcpts=[self.jones, self.brown])

    def test_d2_aborted_transaction(self):
        before = self.count(self.jones)
        self.replay("rfc5321_d2_aborted.txt")
        self.assertEqual(self.count(self.jones), before)

    def test_d3_step1_mx_is_not_a_relay(self):
        self.replay("rfc5321_d3_step1_mx_refuses.txt")
        self.assertNotIn("Jones@XYZ.COM", self.queue())
        self.assertNotIn("JQP@bar.com", self.queue())

    def test_d3_step1_through_submission(self):
        self.replay("rfc5321_d3_step1_submission.txt", listener="submissions")
        [entry] = self.queued("The Next Meeting of the Board")
        self.assertEqual((entry["from"], entry["submitter"]), (self.jqp, self.jqp))
        self.assertEqual(len(entry["to"]), 1)
        self.assertTrue(fx.same_address(entry["to"][0], "Jones@XYZ.COM"), entry["to"])

    def test_d4_verify_then_send(self):
        self.replay("rfc5321_d4_verify.txt")
        [delivered] = self.mailbox(self.mrc)
        self.assertDelivered(delivered, "EAK@bar.com", BLAH, helo="bar.com", rcpt=self.mrc)


class Rfc5321DestinationTest(GoldenTestCase):
    """D.3's second step: Kurier is the destination, xyz.com is local."""

    ACCOUNTS = ("jones@xyz.com",)

    def test_d3_step2_destination(self):
        self.replay("rfc5321_d3_step2_destination.txt")
        content = (b"Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n"
                   b"    05:33:29 -0700\r\n"
                   b"Date: Thu, 21 May 1998 05:33:22 -0700\r\n"
                   b"From: John Q. Public <JQP@bar.com>\r\n"
                   b"Subject:  The Next Meeting of the Board\r\n"
                   b"To: Jones@xyz.com\r\n"
                   b"\r\n"
                   b"Bill:\r\n"
                   b"The next meeting of the board of directors will be\r\n"
                   b"on Tuesday.\r\n"
                   b"John.\r\n")
        [delivered] = self.mailbox("jones@xyz.com")
        # "for": the recipient as the client wrote it.
        self.assertDelivered(delivered, "JQP@bar.com", content, helo="foo.com", rcpt="Jones@XYZ.COM")


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
