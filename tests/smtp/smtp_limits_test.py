"""The limits of the smtp service, each on an instance of its own with the
limit set low: bad commands before disconnect, a client that never reads,
connections and messages per IP per minute, open connections per IP,
recipients per message, and failed authentications. The timeouts are in
smtp_timeouts_test.py."""

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


class SlowReaderTest(LimitsTestCase):

    def test_client_that_never_reads_is_dropped(self):
        smtp = self.start_smtp(smtp__limits__write_timeout_seconds=2)
        client = smtp.connect("smtp", rcvbuf=4096)
        self.addCleanup(client.close)
        client.sock.settimeout(1)
        sent = 0
        deadline = time.monotonic() + 20
        try:
            while time.monotonic() < deadline:  # until the server stops reading us
                client.sock.sendall(b"NOOP\r\n" * 1000)
                sent += 1000
        except socket.timeout:
            pass
        except ConnectionError:
            return  # dropped already
        self.assertLess(time.monotonic(), deadline, "the server read %d commands without us reading" % sent)
        time.sleep(2 + 3)  # the write timeout, and a margin
        client.sock.settimeout(10)
        try:
            client.read_until_eof()
        except socket.timeout:
            self.fail("a client that did not read for longer than the write timeout is still served")
        # Others are served.
        self.assertReply(None, self.session(server=smtp).cmd("NOOP"), 250, "2.0.0")


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
