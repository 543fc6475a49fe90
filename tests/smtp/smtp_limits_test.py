"""The limits of the smtp service, each on an instance of its own with the
limit set low: bad commands before disconnect, command and DATA timeouts
(RFC 5321 4.5.3.2), connections and messages per IP per minute, open
connections per IP, recipients per message, and failed authentications."""

import socket
import time

from tests.smtp import smtp_fixture as fx
from tests.support import kurier_harness as kh

SENDER = "sender@" + fx.REMOTE


class LimitsTestCase(fx.SmtpTestCase):
    SHARED_SMTP = False

    def connect_to(self, server, listener="smtp"):
        return self.connect(listener, server=server)


class ErrorLimitTest(LimitsTestCase):

    def test_too_many_bad_commands_close_the_connection(self):
        smtp = self.start_smtp(smtp__max_errors=5)
        client = self.session(server=smtp)
        for n in range(4):
            self.assertReply(client, client.cmd("XBAD%d" % n), (500, 502))
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0", "four bad commands are tolerated")
        client.sendline("XBAD5")
        replies = []
        try:
            for _ in range(3):
                replies.append(client.read_reply())
                client.sendline("XBAD-more")
        except (EOFError, ConnectionError):
            pass
        self.assertTrue(replies, "no reply to the fifth bad command\n" + client.transcript_text())
        self.assertIn(replies[-1].code, (421, 500, 502), client.transcript_text())
        if replies[-1].code == 421:
            self.assertReply(client, replies[-1], 421, None)
        self.assertLessEqual(len(replies), 2, "the connection stays open after the limit\n" + client.transcript_text())
        self.assertClosed(client)
        # Other connections are not affected.
        self.assertReply(None, self.session(server=smtp).cmd("NOOP"), 250, "2.0.0")


class TimeoutTest(LimitsTestCase):

    def wait_for_421(self, client, seconds, what):
        started = time.monotonic()
        client.settimeout(seconds + 15)
        try:
            reply = client.read_reply()
        except socket.timeout:
            self.fail("%s: no 421 within %d s\n%s" % (what, seconds + 15, client.transcript_text()))
        took = time.monotonic() - started
        self.assertReply(client, reply, 421, "4.4.2", what)
        self.assertClosed(client, what)
        return took

    def test_command_timeout(self):
        smtp = self.start_smtp(smtp__command_timeout_seconds=2)
        client = self.connect_to(smtp)
        took = self.wait_for_421(client, 2, "silent after the greeting")
        self.assertGreater(took, 1.0, "closed long before the timeout")
        account = self.new_account()
        client = self.session(server=smtp)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        client.send(b"NOO")  # half a command, then silence
        self.wait_for_421(client, 2, "silent in a transaction, half a command sent")
        self.assertEqual(self.count(account), 0)

    def test_active_client_is_not_timed_out(self):
        smtp = self.start_smtp(smtp__command_timeout_seconds=2)
        client = self.session(server=smtp)
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0")
            time.sleep(0.5)  # pacing, well within the timeout

    def test_data_timeout_and_a_slow_but_steady_sender(self):
        smtp = self.start_smtp(smtp__data_timeout_seconds=2, smtp__command_timeout_seconds=30)
        account = self.new_account()
        client = self.session(server=smtp)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        client.send(b"Subject: stalled\r\n\r\nhalf a li")
        self.wait_for_421(client, 2, "silent inside DATA")
        self.assertEqual(self.count(account), 0, "nothing of the stalled message is stored")

        # The timeout is per read: a sender that keeps sending is not cut off
        # although the whole message takes longer than the timeout.
        client = self.session(server=smtp)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        content = b"Subject: slow\r\n\r\n" + b"".join(b"line %d\r\n" % i for i in range(8))
        for i in range(0, len(content), 12):
            client.send(content[i:i + 12])
            time.sleep(0.5)
        client.send(b".\r\n")
        self.assertReply(client, client.read_reply(), 250, fx.DATA_OK)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_bdat_chunk_that_never_arrives(self):
        smtp = self.start_smtp(smtp__data_timeout_seconds=2, smtp__command_timeout_seconds=30)
        account = self.new_account()
        client = self.session(server=smtp)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        client.send(b"BDAT 1000 LAST\r\nonly a little")
        self.wait_for_421(client, 2, "a BDAT chunk that stops")
        self.assertEqual(self.count(account), 0)


class RateLimitTest(LimitsTestCase):

    def test_connections_per_ip_per_minute(self):
        smtp = self.start_smtp(smtp__connections_per_ip_per_minute=3)
        for n in range(3):
            client = self.connect_to(smtp)  # greeting 220 checked
            self.assertReply(client, client.cmd("QUIT"), 221, "2.0.0")
            client.close()
        refused = smtp.connect("smtp")
        self.addCleanup(refused.close)
        reply = refused.read_reply()
        self.assertReply(refused, reply, 421, "4.7.0", "the fourth connection within a minute")
        self.assertClosed(refused)
        # Every listener of the instance counts the same IP.
        other = smtp.connect("submissions")
        self.addCleanup(other.close)
        self.assertEqual(other.read_reply().code, 421)

    def test_messages_per_ip_per_minute(self):
        smtp = self.start_smtp(smtp__messages_per_ip_per_minute=2)
        account = self.new_account()
        client = self.session(server=smtp)
        for n in range(2):
            self.assertReply(client, self.transaction(client, SENDER, [account], fx.message("rate %d" % n)), 250,
                             fx.DATA_OK)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 451, "4.7.0", "the third message")
        fresh = self.session(server=smtp)
        self.assertReply(fresh, fresh.cmd("MAIL FROM:<%s>" % SENDER), 451, "4.7.0", "on a new connection too")
        self.assertEqual(self.count(account), 2)


class ConnectionLimitTest(LimitsTestCase):

    def test_open_connections_per_ip(self):
        smtp = self.start_smtp(smtp__limits__max_connections_per_ip=2)
        first, second = self.connect_to(smtp), self.connect_to(smtp)
        refused = smtp.connect("smtp")
        self.addCleanup(refused.close)
        try:
            reply = refused.read_reply()
            self.assertReply(refused, reply, 421, None, "the third open connection")
        except (EOFError, ConnectionError):
            pass  # closed without a word is fine too
        self.assertClosed(refused)
        self.assertReply(first, first.cmd("QUIT"), 221, "2.0.0")
        first.read_until_eof()

        def greeted():
            client = smtp.connect("smtp")
            self.addCleanup(client.close)
            try:
                return client if client.read_reply().code == 220 else None
            except (EOFError, ConnectionError):
                return None

        kh.wait_until(greeted, 10, "a free connection slot after QUIT", interval=0.05)
        self.assertReply(second, second.cmd("NOOP"), 250, "2.0.0", "the connections within the limit still work")


class RecipientLimitTest(LimitsTestCase):

    def test_configured_recipient_limit(self):
        smtp = self.start_smtp(smtp__max_recipients=3)
        accounts = [self.new_account() for _ in range(4)]
        client = self.session(server=smtp)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        for account in accounts[:3]:
            self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % accounts[3]), 452, "4.5.3")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(fx.message("three of four")), 250, fx.DATA_OK)
        self.assertEqual([self.count(a) for a in accounts], [1, 1, 1, 0])


class AuthThrottleTest(LimitsTestCase):
    BASE_FLAGS = dict(fx.SmtpTestCase.BASE_FLAGS)
    del BASE_FLAGS["smtp.limits.auth_failures_before_delay"]
    del BASE_FLAGS["smtp.limits.auth_failures_before_lockout"]

    def test_lockout_after_failures(self):
        smtp = self.start_smtp(smtp__limits__auth_failures_before_delay=2, smtp__limits__auth_max_delay_ms=200,
                               smtp__limits__auth_failures_before_lockout=4, smtp__limits__auth_lockout_seconds=120)
        account, bystander = self.new_account(), self.new_account()
        for attempt in range(4):
            client = self.session("submissions", server=smtp)
            self.assertReply(client, self.authenticate(client, account, "guess%d" % attempt), 535, "5.7.8")
            client.close()
        # Now even the right password is refused, for this account and, as
        # the failures came from this IP, for every account from it.
        for user in (account, bystander):
            for mechanism in ("PLAIN", "SCRAM-SHA-256"):
                with self.subTest(user=user, mechanism=mechanism):
                    client = self.session("submissions", server=smtp)
                    reply = self.authenticate(client, user, fx.PASSWORD, mechanism)
                    self.assertNotEqual(reply.code, 235, "login during the lockout\n" + client.transcript_text())
                    self.assertIn(reply.code, (454, 535, 421), client.transcript_text())
                    if reply.code != 421:
                        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % user), 530, "5.7.0")
                    client.close()


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
