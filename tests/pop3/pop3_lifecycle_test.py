"""pop3 processes coming and going: two instances sharing one store (the
exclusive-access lease, and its expiry when the holder is SIGKILLed), graceful
shutdown on SIGTERM, and a store that goes away under a running pop3."""

import signal
import socket
import subprocess
import time
import unittest

from tests.pop3 import pop3_fixture as fx
from tests.support import kurier_harness as kh

LEASE_SECONDS = 3
# Slack over the lease for the store's expiry check and our polling.
LEASE_MARGIN = 4.0


class LifecycleTestCase(unittest.TestCase):
    """A fresh store per test; each test starts the pop3 instances it needs."""

    def setUp(self):
        self.cluster = kh.Cluster(self.id())
        self.addCleanup(self.cluster.close)
        self.store = self.cluster.start_store()
        self.ctl = self.cluster.kurierctl(self.store)
        self.account = "lifecycle@example.org"
        self.ctl.add_account(self.account, fx.PASSWORD)
        self.messages = [fx.message("a", ["first"]), fx.message("b", ["second"])]
        for m in self.messages:
            self.ctl.deliver([self.account], m)

    def start_pop3(self, **flags):
        all_flags = {"pop3.allow_plaintext_auth": True, "pop3.lease_seconds": LEASE_SECONDS}
        all_flags.update({k.replace("__", "."): v for k, v in flags.items()})
        return self.cluster.start_pop3(self.store, all_flags)

    def connect(self, server, timeout=10.0):
        client = server.connect(timeout)
        self.addCleanup(client.close)
        greeting = client.readline_text()
        self.assertTrue(greeting.startswith("+OK"), greeting)
        return client

    def login(self, server, timeout=10.0):
        """(client, reply to PASS)."""
        client = self.connect(server, timeout)
        reply = client.command("USER " + self.account)
        self.assertTrue(reply.startswith("+OK"), reply)
        return client, client.command("PASS " + fx.PASSWORD)

    def assertLoggedIn(self, reply):
        self.assertTrue(reply.startswith("+OK"), "login refused: %r" % reply)


class TwoInstancesTest(LifecycleTestCase):

    def test_lock_is_shared_and_released_by_quit(self):
        a, b = self.start_pop3(), self.start_pop3()
        holder, reply = self.login(a)
        self.assertLoggedIn(reply)
        _, reply = self.login(b)
        self.assertTrue(reply.startswith("-ERR [IN-USE]"), reply)
        self.assertTrue(holder.command("QUIT").startswith("+OK"))
        # QUIT released the lease before answering: no retry needed.
        _, reply = self.login(b)
        self.assertLoggedIn(reply)

    def test_lease_is_renewed_while_the_session_lives(self):
        a, b = self.start_pop3(), self.start_pop3()
        holder, reply = self.login(a)
        self.assertLoggedIn(reply)
        self.assertTrue(holder.command("DELE 1").startswith("+OK"))
        # For twice the lease's lifetime the other instance stays locked out,
        # while the holder keeps using its session.
        deadline = time.monotonic() + 2 * LEASE_SECONDS
        checks = 0
        while time.monotonic() < deadline:
            _, reply = self.login(b)
            self.assertTrue(reply.startswith("-ERR [IN-USE]"), "lease lost after %d checks: %r" % (checks, reply))
            self.assertTrue(holder.command("NOOP").startswith("+OK"))
            checks += 1
            time.sleep(0.25)  # pacing of the checks, not synchronization
        # The renewed lease still lets the holder commit.
        reply = holder.command("QUIT")
        self.assertTrue(reply.startswith("+OK"), reply)
        self.assertEqual([m["size"] for m in self.ctl.message_list(self.account)], [len(self.messages[1])])

    def test_lease_of_a_killed_instance_expires(self):
        a, b = self.start_pop3(), self.start_pop3()
        holder, reply = self.login(a)
        self.assertLoggedIn(reply)
        self.assertTrue(holder.command("DELE 1").startswith("+OK"))
        a.process.send_signal(signal.SIGKILL)
        a.process.wait(10)
        killed = time.monotonic()
        _, reply = self.login(b)
        self.assertTrue(reply.startswith("-ERR [IN-USE]"), "the dead instance's lease vanished at once: %r" % reply)
        attempts = [reply]

        def login_b():
            client, reply = self.login(b)
            attempts.append(reply)
            if reply.startswith("+OK"):
                return client
            self.assertTrue(reply.startswith("-ERR [IN-USE]"), reply)
            client.close()
            return None

        client = kh.wait_until(login_b, LEASE_SECONDS + LEASE_MARGIN, "the killed instance's lease to expire",
                               interval=0.1)
        took = time.monotonic() - killed
        print("login on the other instance %.2f s after SIGKILL (lease %d s, %d attempts)"
              % (took, LEASE_SECONDS, len(attempts)))
        self.assertLessEqual(took, LEASE_SECONDS + LEASE_MARGIN)
        self.assertEqual(fx.stat_of(client.command("STAT"))[0], 2, "the killed session's DELE was applied")


class ShutdownTest(LifecycleTestCase):
    GRACE = 4

    def test_sigterm_lets_sessions_finish_then_tells_the_rest(self):
        other = "other@example.org"
        self.ctl.add_account(other, fx.PASSWORD)
        self.ctl.deliver([other], self.messages[0])
        pop3 = self.start_pop3(pop3__shutdown_grace_seconds=self.GRACE)
        finishing, reply = self.login(pop3)
        self.assertLoggedIn(reply)
        self.assertTrue(finishing.command("DELE 1").startswith("+OK"))
        lingering = self.connect(pop3)
        self.assertTrue(lingering.command("USER " + other).startswith("+OK"))
        self.assertTrue(lingering.command("PASS " + fx.PASSWORD).startswith("+OK"))
        self.assertTrue(lingering.command("DELE 1").startswith("+OK"))
        unauthenticated = self.connect(pop3)

        signalled = time.monotonic()
        pop3.process.send_signal(signal.SIGTERM)

        def refused():
            try:
                socket.create_connection((kh.LOOPBACK, pop3.port), 5).close()
                return False
            except ConnectionResetError:
                return False  # completed in the backlog as the listener closed: try again
            except ConnectionRefusedError:
                return True

        kh.wait_until(refused, self.GRACE / 2, "pop3 to stop accepting connections after SIGTERM")
        # Within the grace period a session still finishes normally.
        self.assertTrue(finishing.command("QUIT").startswith("+OK"))
        self.assertEqual(finishing.read_until_eof(), b"")
        # The others are told to come back later, then closed.
        for client in (lingering, unauthenticated):
            client.settimeout(self.GRACE + 5)
            reply = client.readline_text()
            self.assertTrue(reply.startswith("-ERR [SYS/TEMP]"), reply)
            self.assertEqual(client.read_until_eof(), b"")
        # Sessions get the grace period; closing them and exiting take a
        # moment more.
        self.assertEqual(pop3.process.wait(self.GRACE + 3), 0)
        print("pop3 exited %.2f s after SIGTERM (grace %d s)" % (time.monotonic() - signalled, self.GRACE))
        self.assertEqual(len(self.ctl.message_list(self.account)), 1, "the QUIT in the grace period committed")
        self.assertEqual(len(self.ctl.message_list(other)), 1, "no QUIT, so that DELE was not applied")

    def test_sigterm_without_sessions_exits_at_once(self):
        pop3 = self.start_pop3(pop3__shutdown_grace_seconds=30)
        client, reply = self.login(pop3)
        self.assertTrue(client.command("QUIT").startswith("+OK"))
        client.read_until_eof()
        pop3.process.send_signal(signal.SIGTERM)
        self.assertEqual(pop3.process.wait(10), 0, "with no session open, the grace period is not waited for")


class StartAndSignalsTest(LifecycleTestCase):

    def test_sighup_reloads_and_keeps_serving(self):
        pop3 = self.start_pop3()
        before = pop3.connect_tls()
        self.addCleanup(before.close)
        self.assertTrue(before.readline_text().startswith("+OK"))
        pop3.process.send_signal(signal.SIGHUP)
        kh.wait_until(lambda: "reloaded" in pop3.process.log_text(), 10, "pop3 to log the reload")
        self.assertTrue(pop3.process.alive())
        self.assertTrue(before.command("USER " + self.account).startswith("+OK"), "an open session goes on")
        after = pop3.connect_tls()  # verified against the same certificate
        self.addCleanup(after.close)
        self.assertTrue(after.readline_text().startswith("+OK"))

    def test_starts_without_a_store(self):
        unused = socket.socket()
        unused.bind((kh.LOOPBACK, 0))
        port = unused.getsockname()[1]
        unused.close()  # nothing listens there now

        class Nowhere:
            address = "%s:%d" % (kh.LOOPBACK, port)

        pop3 = self.cluster.start_pop3(Nowhere(), {"pop3.allow_plaintext_auth": True})
        client = self.connect(pop3)
        self.assertTrue(client.command("USER " + self.account).startswith("+OK"))
        reply = client.command("PASS " + fx.PASSWORD)
        self.assertTrue(reply.startswith("-ERR [SYS/TEMP]"), reply)

    def test_unknown_flag_is_refused_by_name(self):
        result = subprocess.run([kh.binary(kh.POP3), "--pop3.no_such_key=1"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertIn(b"pop3.no_such_key", result.stderr)


class StoreDownTest(LifecycleTestCase):

    def test_store_down_then_back(self):
        pop3 = self.start_pop3()
        session, reply = self.login(pop3)
        self.assertLoggedIn(reply)
        self.assertTrue(session.command("DELE 1").startswith("+OK"))
        store_port = self.store.port
        self.assertEqual(self.store.stop(), 0)

        client = self.connect(pop3)
        self.assertTrue(client.command("USER " + self.account).startswith("+OK"))
        started = time.monotonic()
        reply = client.command("PASS " + fx.PASSWORD)  # socket timeout 10 s: no hang
        print("login with the store down answered in %.2f s: %r" % (time.monotonic() - started, reply))
        self.assertTrue(reply.startswith("-ERR [SYS/TEMP]"), reply)

        # The open session can no longer read mail, and its QUIT says that
        # the deletion did not happen (RFC 2449 section 8.1.2).
        session.sendline("RETR 2")
        self.assertTrue(session.readline_text().startswith("-ERR [SYS/TEMP]"))
        reply = session.command("QUIT")
        self.assertTrue(reply.startswith("-ERR [SYS/TEMP]"), reply)

        self.assertTrue(pop3.process.alive())
        capa = self.connect(pop3)
        self.assertTrue(capa.command("CAPA").startswith("+OK"), "pop3 still answers")

        # The store comes back where pop3 expects it; logins work again.
        self.store.start(store_port)

        def login():
            client, reply = self.login(pop3)
            if reply.startswith("+OK"):
                return client
            self.assertTrue(reply.startswith("-ERR [SYS/TEMP]"), reply)
            client.close()
            return None

        client = kh.wait_until(login, 30, "logins to work again after the store restarted", interval=0.2)
        self.assertEqual(fx.stat_of(client.command("STAT"))[0], 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
