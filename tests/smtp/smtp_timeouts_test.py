"""The timeouts of the smtp service (RFC 5321 4.5.3.2), on instances of
their own with the timeout set to 2 s: waiting for a command, for the next
block of DATA, for a BDAT chunk; and a client that keeps talking is never
cut off."""

import socket
import time

from tests.smtp import smtp_fixture as fx

SENDER = "sender@" + fx.REMOTE


class TimeoutTest(fx.SmtpTestCase):
    SHARED_SMTP = False

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
        client = self.connect(server=smtp)
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


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
