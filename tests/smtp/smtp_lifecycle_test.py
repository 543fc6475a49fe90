"""smtp processes and the store coming and going. The store stopped (nothing
listens), frozen (SIGSTOP), or answering too late (a proxy holds its answer
back): the client gets 451 4.3.0, nothing is half-stored, and once the store
is back a retry of the same message is delivered exactly once (the
idempotency key). smtp started without a store, and smtp told to stop
(SIGTERM) while sessions are open."""

import signal
import socket
import threading
import time

from tests.smtp import smtp_fixture as fx
from tests.support import kurier_harness as kh

SENDER = "sender@" + fx.REMOTE
# smtp's deadline on each store call: short, so that an outage is noticed fast.
DEADLINE_MS = 1500


class HoldingProxy:
    """A TCP proxy in front of the store whose answers can be held back:
    requests reach the store at once, its replies wait while hold() is on.
    That is a store that did the work but whose answer smtp never saw in
    time."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.bind((kh.LOOPBACK, 0))
        self.listener.listen(16)
        self.address = "%s:%d" % (kh.LOOPBACK, self.listener.getsockname()[1])
        self._released = threading.Event()
        self._released.set()
        self._closed = False
        self._sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self):
        self._released.clear()

    def release(self):
        self._released.set()

    def close(self):
        self._closed = True
        self._released.set()
        for sock in self._sockets + [self.listener]:
            try:
                sock.close()
            except OSError:
                pass

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection((kh.LOOPBACK, self.target_port))
            except OSError:
                return
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source, sink, answers):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if answers:
                    self._released.wait()
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class StoreOutageTest(fx.SmtpTestCase):
    SHARED_SMTP = False

    def setUp(self):
        self.smtp = self.start_smtp(store_client__deadline_ms=DEADLINE_MS)
        port = self.store.port

        def store_running_again():
            # A test that failed half-way must not leave the store down
            # (or frozen) for the next one.
            self.store.process.thaw()
            if not self.store.process.alive():
                self.store.start(port)

        self.addCleanup(store_running_again)

    def begin(self, client, sender, recipients):
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % sender), 250, "2.1.0")
        for rcpt in recipients:
            self.assertReply(client, client.cmd("RCPT TO:<%s>" % rcpt), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)

    def retry_until_accepted(self, listener, sender, recipients, content, account=None, timeout=30.0):
        """What a client does after a 451: sends the same message again,
        later, until it is accepted; every refusal on the way must be
        temporary (4xx). Returns the number of attempts."""
        attempts = []

        def attempt():
            client = self.session(listener)
            replies = []
            if account is not None:
                replies.append(self.authenticate(client, account))
                if replies[-1].code != 235:
                    client.close()
                    self.assertEqual(replies[-1].code // 100, 4, "a permanent AUTH refusal\n" + client.transcript_text())
                    return False
            replies.append(client.cmd("MAIL FROM:<%s>" % sender))
            for rcpt in recipients:
                if replies[-1].code == 250:
                    replies.append(client.cmd("RCPT TO:<%s>" % rcpt))
            if replies[-1].code == 250:
                replies.append(client.cmd("DATA"))
                if replies[-1].code == 354:
                    replies.append(client.data(content))
            client.close()
            attempts.append(replies[-1])
            self.assertIn(replies[-1].code // 100, (2, 4), "a permanent refusal during the outage's end\n"
                          + client.transcript_text())
            return replies[-1].code == 250

        kh.wait_until(attempt, timeout, "a retry to be accepted once the store is back", interval=0.5)
        return len(attempts)

    def test_store_stopped_during_data(self):
        account = self.new_account()
        content = fx.message("store stopped")
        client = self.session()
        self.begin(client, SENDER, [account])
        port = self.store.port
        self.assertEqual(self.store.stop(), 0)
        started = time.monotonic()
        reply = client.data(content)
        self.assertReply(client, reply, 451, "4.3.0", "DATA ended while the store is down")
        self.assertLess(time.monotonic() - started, DEADLINE_MS / 1000 + 10, "451 within the store deadline")
        # The session goes on: the next transaction is refused, at RCPT, or
        # (the recipient's address is still in smtp's recipient cache) at the
        # end of DATA.
        reply = client.cmd("MAIL FROM:<%s>" % SENDER)
        if reply.code == 250:
            reply = client.cmd("RCPT TO:<%s>" % account)
            if reply.code == 250:
                self.assertReply(client, client.cmd("DATA"), 354)
                reply = client.data(content)
            self.assertReply(client, reply, 451, None, "a transaction while the store is down")
        else:
            self.assertReply(client, reply, 451)
        self.store.start(port)
        self.assertEqual(self.count(account), 0, "nothing of the refused message is stored")
        self.retry_until_accepted("smtp", SENDER, [account], content)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_store_frozen_during_data_then_retry_delivers_once(self):
        # SIGSTOP: smtp's call times out, but the request may sit in the
        # store's socket and be carried out after SIGCONT. The retry then
        # must not make a second copy.
        account = self.new_account()
        content = fx.message("store frozen")
        client = self.session()
        self.begin(client, SENDER, [account])
        self.store.process.freeze()
        try:
            reply = client.data(content)
        finally:
            self.store.process.thaw()
        self.assertReply(client, reply, 451, "4.3.0", "DATA ended while the store is frozen")
        attempts = self.retry_until_accepted("smtp", SENDER, [account], content)
        time.sleep(DEADLINE_MS / 1000)  # a late copy would have landed by now
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), 1, "delivered %d times after %d retries" % (len(delivered), attempts))
        self.assertDelivered(delivered[0], SENDER, content, rcpt=account)

    def test_store_delivered_but_its_answer_was_late_then_retry_delivers_once(self):
        # The store commits, smtp's deadline passes before the answer comes:
        # smtp says 451, the client retries, and the idempotency key keeps
        # the retry from making a second copy.
        proxy = HoldingProxy(self.store.port)
        self.addCleanup(proxy.close)
        smtp = self.start_smtp(store_client__deadline_ms=DEADLINE_MS, store_client__shards=proxy.address)
        account = self.new_account()
        content = fx.message("answer late")
        client = self.session(server=smtp)
        self.begin(client, SENDER, [account])
        proxy.hold()
        try:
            self.assertReply(client, client.data(content), 451, "4.3.0", "the store's answer did not come in time")
            kh.wait_until(lambda: self.count(account) == 1, 10, "the store to have delivered it all the same")
        finally:
            proxy.release()
        self.smtp = smtp
        attempts = self.retry_until_accepted("smtp", SENDER, [account], content)
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), 1, "delivered %d times after %d retries" % (len(delivered), attempts))
        self.assertDelivered(delivered[0], SENDER, content, rcpt=account)

    def test_submission_with_remote_recipients_during_an_outage(self):
        account, local = self.new_account(), self.new_account()
        marker = "outage-%d" % fx.unique()
        remote_rcpt = "far-%s@%s" % (marker, fx.REMOTE)
        content = fx.message(marker)
        client = self.submission(account)
        self.begin(client, account, [local, remote_rcpt])
        port = self.store.port
        self.assertEqual(self.store.stop(), 0)
        self.assertReply(client, client.data(content), 451, "4.3.0")
        self.store.start(port)
        self.assertEqual(self.count(local), 0)
        self.assertNotIn(marker, self.queue(), "the queue entry and the local copy are one write")
        self.retry_until_accepted("submissions", account, [local, remote_rcpt], content, account=account)
        self.assertEqual(self.count(local), 1)
        self.assertEqual(self.queue().count("Subject: " + marker), 1)

    def test_auth_while_the_store_is_down_is_temporary(self):
        account = self.new_account()
        port = self.store.port
        self.assertEqual(self.store.stop(), 0)
        client = self.session("submissions")
        reply = self.authenticate(client, account)
        # RFC 4954 6: 454 4.7.0 Temporary authentication failure.
        self.assertReply(client, reply, 454, "4.7.0")
        self.store.start(port)


class StartAndStopTest(fx.SmtpTestCase):
    SHARED_SMTP = False
    GRACE = 3

    def test_starts_without_a_store_and_defers_mail(self):
        unused = socket.socket()
        unused.bind((kh.LOOPBACK, 0))
        port = unused.getsockname()[1]
        unused.close()  # nothing listens there now
        smtp = self.start_smtp(store_client__shards="%s:%d" % (kh.LOOPBACK, port),
                               store_client__deadline_ms=DEADLINE_MS)
        client = self.session(server=smtp)
        reply = client.cmd("MAIL FROM:<%s>" % SENDER)
        if reply.code == 250:
            reply = client.cmd("RCPT TO:<someone@%s>" % fx.DOMAIN)
        # Temporary: a sender must keep the mail and try again, never bounce it.
        self.assertReply(client, reply, 451, "4.3.0", "mail while no store is reachable")
        self.assertReply(client, client.cmd("QUIT"), 221, "2.0.0")

    def test_sigterm_lets_a_transaction_finish_and_tells_the_rest(self):
        smtp = self.start_smtp(smtp__shutdown_grace_seconds=self.GRACE)
        account = self.new_account()
        finishing = self.session(server=smtp)
        self.assertReply(finishing, finishing.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        self.assertReply(finishing, finishing.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(finishing, finishing.cmd("DATA"), 354)
        content = fx.message("finished during shutdown")
        finishing.send(content[:30])
        idle = self.session(server=smtp)

        smtp.process.send_signal(signal.SIGTERM)

        def refused():
            try:
                socket.create_connection((kh.LOOPBACK, smtp.port("smtp")), 5).close()
                return False
            except ConnectionResetError:
                return False
            except ConnectionRefusedError:
                return True

        kh.wait_until(refused, self.GRACE, "smtp to stop accepting connections after SIGTERM")
        # Within the grace period the transaction finishes normally.
        finishing.send(kh.smtp_dot_stuff(content)[30:])
        self.assertReply(finishing, finishing.read_reply(), 250, fx.DATA_OK, "DATA ended during the grace period")
        # The idle session is told to come back later (RFC 5321 3.8), then closed.
        idle.settimeout(self.GRACE + 10)
        reply = idle.read_reply()
        self.assertReply(idle, reply, 421)
        self.assertClosed(idle)
        self.assertEqual(smtp.process.wait(self.GRACE + 10), 0)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
