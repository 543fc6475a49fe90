"""What a careless or hostile client can send to pop3: commands in the wrong
state, bad arguments, over-long lines, binary garbage, half lines, garbage
instead of a TLS handshake, STLS twice or with commands smuggled behind it,
10,000 pipelined commands, too many connections, password guessing. Each
test checks the answer and that the server goes on serving."""

import random
import re
import socket
import ssl
import threading
import time
import unittest

from tests.pop3 import pop3_fixture as fx
from tests.support import kurier_harness as kh


class BadInputTest(fx.Pop3TestCase):

    def two_message_account(self):
        a, b = fx.message("a", ["first"]), fx.message("b", ["second", "lines"])
        return self.new_account([a, b]), (a, b)

    def test_transaction_commands_before_login_are_refused(self):
        account, _ = self.two_message_account()
        client = self.raw()
        for command in ("STAT", "LIST", "LIST 1", "RETR 1", "DELE 1", "RSET", "NOOP", "UIDL", "UIDL 1", "TOP 1 1",
                        "PASS " + fx.PASSWORD):
            with self.subTest(command=command):
                self.assertErr(client.command(command), None, command)
        client.sendline("CAPA")
        self.assertOk(client.readline_text())
        self.assertIn(b"USER", client.read_multiline())
        self.assertOk(client.command("USER " + account))
        self.assertOk(client.command("PASS " + fx.PASSWORD))
        self.assertEqual(fx.stat_of(client.command("STAT"))[0], 2)
        for command in ("USER " + account, "PASS x", "AUTH PLAIN", "STLS"):
            with self.subTest(command=command, state="TRANSACTION"):
                self.assertErr(client.command(command), None, command + " after login")
        self.assertEqual(fx.stat_of(client.command("STAT"))[0], 2)

    def test_unknown_commands_leave_the_connection_usable(self):
        account, _ = self.two_message_account()
        client = self.raw()
        for command in ("FOO", "XYZZY", "", " ", "HELO example.org", "GET / HTTP/1.0", "APOP user 0123abcd",
                        "EHLO", "LIST\tx", "AUTH NO-SUCH-MECH"):
            with self.subTest(command=command):
                self.assertErr(client.command(command), None, repr(command))
        self.assertOk(client.command("user " + account), "keywords are case-insensitive")
        self.assertOk(client.command("pAsS " + fx.PASSWORD))
        self.assertOk(client.command("noop"))

    def test_bad_message_numbers(self):
        account, (a, b) = self.two_message_account()
        # Fewer than 20 per connection: that many bad commands close it.
        batches = [
            ["RETR 0", "RETR -1", "RETR x", "RETR", "RETR 3", "RETR 1.5", "RETR +1", "RETR 0x1",
             "RETR 1 2", "LIST 99999999999", "LIST 4294967297", "LIST 2147483648"],
            ["UIDL 0", "UIDL 99999999999", "DELE 0", "DELE x", "DELE 99999999999", "DELE",
             "TOP 1", "TOP 1 -1", "TOP 1 x", "TOP x 1", "TOP 0 1", "TOP 3 1"],
        ]
        for batch in batches:
            client = self.raw_login(account)
            for command in batch:
                with self.subTest(command=command):
                    self.assertErr(client.command(command), None, command)
            self.assertEqual(fx.stat_of(client.command("STAT")), (2, len(a) + len(b)))
            client.sendline("RETR 2")
            self.assertOk(client.readline_text())
            self.assertEqual(client.read_message(), b)
            self.assertOk(client.command("QUIT"))
            self.assertEqual(client.read_until_eof(), b"")
        self.assertEqual(len(self.ctl.message_list(account)), 2, "nothing was deleted")

    def test_overlong_lines_are_refused_once_and_the_connection_goes_on(self):
        account, _ = self.two_message_account()
        client = self.raw()
        line = "USER " + "a" * 293  # 300 octets with CRLF (RFC 2449: at most 255)
        self.assertEqual(len(line) + 2, 300)
        self.assertErr(client.command(line))
        # A line far longer than any buffer, then a good one: one -ERR for the
        # long line, then the answer to the good one.
        client.send(b"NOOP " + b"x" * 200000 + b"\r\nCAPA\r\n")
        self.assertErr(client.readline_text(), None, "100 KB line")
        self.assertOk(client.readline_text(), "CAPA after the long line")
        client.read_multiline()
        self.assertOk(client.command("USER " + account))
        self.assertOk(client.command("PASS " + fx.PASSWORD))
        self.assertErr(client.command("LIST " + "1" * 298))
        self.assertOk(client.command("NOOP"))

    def test_binary_garbage_and_nul(self):
        account, _ = self.two_message_account()
        client = self.raw_login(account)
        rng = random.Random(7)
        garbage = [
            b"\x00",
            b"NOOP\x00",
            b"RETR\x001",
            b"\x00\x01\x02\x03\xff\xfe\xfd",
            b"\x80\x81\x82\x83 NOOP",
            b"\x1b[31mRETR 1\x1b[0m",
            bytes(rng.choice([b for b in range(256) if b not in (10, 13)]) for _ in range(120)),
            b"\r",
            b"STAT\rSTAT",
        ]
        for data in garbage:
            with self.subTest(data=data):
                client.send(data + b"\r\n")
                self.assertErr(client.readline_text(), None, repr(data))
        client.send(b"NOOP\n")  # a bare LF ends a line too
        self.assertOk(client.readline_text(), "NOOP with a bare LF")
        self.assertEqual(fx.stat_of(client.command("STAT"))[0], 2)

    def test_twenty_bad_commands_close_the_connection(self):
        client = self.raw()
        client.send(b"".join(b"XBAD %d\r\n" % i for i in range(30)))
        replies = client.read_until_eof().split(b"\r\n")
        self.assertEqual(replies[-1], b"", "the last reply ends with CRLF")
        replies = replies[:-1]
        self.assertEqual(len(replies), 20, replies)
        for reply in replies:
            self.assertTrue(reply.startswith(b"-ERR"), reply)

    def test_three_failed_logins_close_the_connection(self):
        account, _ = self.two_message_account()
        client = self.raw()
        for _ in range(3):
            self.assertOk(client.command("USER " + account))
            self.assertErr(client.command("PASS wrong"), "AUTH")
        self.assertEqual(client.read_until_eof().count(b"\r\n"), 1, "one -ERR saying why, then EOF")
        self.raw_login(account)  # the account is not locked by this

    def test_stls_twice(self):
        account, _ = self.two_message_account()
        client = self.raw(self.tls_only)
        self.assertOk(client.command("STLS"))
        client.starttls(self.tls_only.ssl_context())
        self.assertErr(client.command("STLS"), None, "STLS inside TLS")
        client.sendline("CAPA")
        self.assertOk(client.readline_text())
        capa = client.read_multiline()
        self.assertNotIn(b"STLS", capa)
        self.assertIn(b"USER", capa)
        self.assertOk(client.command("USER " + account))
        self.assertOk(client.command("PASS " + fx.PASSWORD))
        self.assertErr(client.command("STLS"), None, "STLS after login")
        self.assertEqual(fx.stat_of(client.command("STAT"))[0], 2)
        implicit = self.raw(self.tls_only, tls=True)
        self.assertErr(implicit.command("STLS"), None, "STLS on the implicit-TLS port")
        self.assertOk(implicit.command("USER " + "x@example.org"), "the connection goes on")

    def test_stls_forgets_what_came_before(self):
        # RFC 2595 section 4: the server discards what it learnt from the
        # client before TLS, such as a USER name.
        account, _ = self.two_message_account()
        client = self.raw(self.plaintext)
        self.assertOk(client.command("USER " + account))
        self.assertOk(client.command("STLS"))
        client.starttls(self.plaintext.ssl_context())
        self.assertErr(client.command("PASS " + fx.PASSWORD), None, "PASS for a USER sent before STLS")
        self.assertOk(client.command("USER " + account))
        self.assertOk(client.command("PASS " + fx.PASSWORD))

    def test_commands_smuggled_behind_stls_are_discarded(self):
        # RFC 2595 section 4 (cf. CVE-2011-0411): plaintext sent in the same
        # packet as STLS must not be executed inside the TLS session.
        account, _ = self.two_message_account()
        client = self.raw(self.tls_only)
        client.send(b"STLS\r\nCAPA\r\n")
        self.assertOk(client.readline_text())
        try:
            client.starttls(self.tls_only.ssl_context())
        except (ssl.SSLError, ConnectionError):
            return  # refusing the handshake is safe too
        self.assertOk(client.command("QUIT"), "the first reply inside TLS")
        rest = client.read_until_eof()
        self.assertNotIn(b"capability", rest.lower())
        self.assertEqual(rest, b"")

    def test_garbage_instead_of_a_tls_handshake(self):
        for garbage in (b"USER someone\r\n", b"\x16\x03\x01\x00\x10" + bytes(range(16)) + b"\x00" * 600,
                        bytes(random.Random(3).randrange(256) for _ in range(4096))):
            with self.subTest(garbage=garbage[:16]):
                sock = socket.create_connection((kh.LOOPBACK, self.tls_only.tls_port), 10)
                self.addCleanup(sock.close)
                client = kh.LineClient(sock, 10)
                client.send(garbage)
                data = client.read_until_eof()  # a TLS alert at most, then the close
                self.assertNotIn(b"+OK", data)
        # The server still serves TLS clients, certificate verified.
        good = self.raw(self.tls_only, tls=True)
        self.assertOk(good.command("USER x@example.org"))

    def test_passwords_never_reach_the_log(self):
        password = "Unmistakable-%d-secret" % random.Random().randrange(10 ** 9)
        account = "logcheck%d@example.org" % next(fx._accounts)
        self.ctl.add_account(account, password)
        client = self.raw()
        self.assertOk(client.command("USER " + account))
        self.assertErr(client.command("PASS " + password + "x"), "AUTH")
        self.assertErr(client.command("AUTH PLAIN " + kh.sasl_plain(account, password + "y")), "AUTH")
        self.assertOk(client.command("AUTH PLAIN " + kh.sasl_plain(account, password)))
        self.assertOk(client.command("QUIT"))
        client.read_until_eof()
        log = self.plaintext.process.log_text()
        self.assertIn(account, log, "the log names the account (so it is the right log)")
        self.assertNotIn("Unmistakable", log)
        self.assertNotIn(kh.sasl_plain(account, password), log)

    def test_tls_before_1_2_is_refused(self):
        for version in ("TLSv1", "TLSv1_1"):
            with self.subTest(version=version):
                context = self.tls_only.ssl_context()
                context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer it at all
                context.minimum_version = context.maximum_version = getattr(ssl.TLSVersion, version)
                with self.assertRaises((ssl.SSLError, ConnectionError)):
                    kh.LineClient.connect(kh.LOOPBACK, self.tls_only.tls_port, 10, context, kh.LOOPBACK).close()
        context = self.tls_only.ssl_context()
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
        with kh.LineClient.connect(kh.LOOPBACK, self.tls_only.tls_port, 10, context, kh.LOOPBACK) as client:
            self.assertOk(client.readline_text(), "TLS 1.2")

    def test_metrics_and_healthz(self):
        account, _ = self.two_message_account()
        self.raw_login(account).command("QUIT")
        metrics = self.plaintext.metrics()
        ok_logins = re.search(r'^kurier_pop3_logins_total\{result="ok"\} (\d+)', metrics, re.M)
        self.assertIsNotNone(ok_logins, metrics)
        self.assertGreaterEqual(int(ok_logins.group(1)), 1)
        with socket.create_connection((kh.LOOPBACK, self.plaintext.metrics_port), 10) as s:
            s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            response = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                response += chunk
        self.assertTrue(response.startswith(b"HTTP/1.0 200") or response.startswith(b"HTTP/1.1 200"), response)

    # Regression: session.cc once counted every keyword a client sent as its
    # own kurier_pop3_commands_total{command="<keyword>"} series, unescaped.
    def test_unknown_keywords_do_not_become_metric_labels(self):
        # Keywords are client-chosen: each distinct one must not create a
        # metrics series (unbounded memory), nor break the exposition format.
        client = self.raw()
        for keyword in ("ZQA1", "ZQA2", "ZQA3", 'Q"}Q', "Q\\Q"):
            self.assertErr(client.command(keyword))
        metrics = self.plaintext.metrics()
        self.assertNotIn("ZQA1", metrics)
        label = r'[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"'
        sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{%s(,%s)*\})? \S+( -?\d+)?$' % (label, label))
        for line in metrics.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, sample, "not a Prometheus sample line")


class TimeoutTest(fx.Pop3TestCase):
    POP3_FLAGS = {
        "pop3.limits.idle_timeout_seconds": 2,
        "pop3.limits.auth_idle_timeout_seconds": 3,
        "pop3.limits.write_timeout_seconds": 2,
    }

    def test_half_a_line_then_silence_is_logged_out(self):
        client = self.raw()
        client.send(b"US")
        started = time.monotonic()
        reply = client.readline_text()
        waited = time.monotonic() - started
        self.assertTrue(reply.startswith("-ERR autologout"), reply)
        self.assertEqual(client.read_until_eof(), b"")
        self.assertGreater(waited, 1.0, "logged out long before the idle timeout of 2 s")

    def test_idle_after_login_is_logged_out_and_frees_the_account(self):
        account = self.new_account([fx.message("a", ["x"])])
        client = self.raw_login(account)
        self.assertOk(client.command("DELE 1"))
        self.assertTrue(client.readline_text().startswith("-ERR autologout"))
        self.assertEqual(client.read_until_eof(), b"")
        again = self.login_until_not_in_use(account)
        self.assertEqual(fx.stat_of(again.command("STAT"))[0], 1, "an autologout is not a QUIT")

    def test_client_that_never_reads_is_dropped_and_frees_the_account(self):
        big = fx.message("big", ["%075d" % i for i in range(40000)])  # about 3 MB
        account = self.new_account([big])
        stalled = self.raw_login(account, rcvbuf=4096)
        stalled.sendline("RETR 1")  # and never read
        # After the write timeout the session is gone and the account free.
        again = self.login_until_not_in_use(account, timeout=15)
        self.assertEqual(fx.stat_of(again.command("STAT")), (1, len(big)))

    def test_tls_handshake_never_started_is_closed(self):
        sock = socket.create_connection((kh.LOOPBACK, self.tls_only.tls_port), 10)
        self.addCleanup(sock.close)
        self.assertEqual(kh.LineClient(sock, 10).read_until_eof(), b"")


class PipeliningTest(fx.Pop3TestCase):

    def test_forty_parallel_tls_sessions_each_get_their_own_mail(self):
        accounts = {}
        for i in range(40):
            message = fx.message("parallel %d" % i, [("%d " % i) * 40] * (i * 20 + 1))
            accounts[self.new_account([message])] = message
        failures = []

        def session(account):
            try:
                with self.tls_only.connect_tls(30) as client:
                    client.readline()
                    client.command("USER " + account)
                    reply = client.command("PASS " + fx.PASSWORD)
                    if not reply.startswith("+OK"):
                        raise AssertionError("login: %r" % reply)
                    client.sendline("RETR 1")
                    client.readline()
                    if client.read_message() != accounts[account]:
                        raise AssertionError("%s got other bytes" % account)
                    if not client.command("QUIT").startswith("+OK"):
                        raise AssertionError("QUIT")
            except Exception as e:  # collected, reported below
                failures.append("%s: %r" % (account, e))

        threads = [threading.Thread(target=session, args=(account,)) for account in accounts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(failures, [])

    def test_racing_logins_to_one_account_exactly_one_wins(self):
        account = self.new_account([fx.message("a", ["x"])])
        clients = []
        for _ in range(20):
            client = self.raw()
            self.assertOk(client.command("USER " + account))
            clients.append(client)
        barrier = threading.Barrier(len(clients))
        replies = []

        def race(client):
            barrier.wait()
            replies.append(client.command("PASS " + fx.PASSWORD))

        threads = [threading.Thread(target=race, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sum(r.startswith("+OK") for r in replies), 1, replies)
        self.assertEqual(sum(r.startswith("-ERR [IN-USE]") for r in replies), len(clients) - 1, replies)

    def test_ten_thousand_pipelined_commands(self):
        a, b = fx.message("a", ["first"]), fx.message("b", ["second"])
        account = self.new_account([a, b])
        other = self.new_account([a])
        server = self.plaintext
        pipelined = self.raw_login(account, rcvbuf=4096)  # the replies back up in the server soon
        pipelined.settimeout(30)
        prompt = self.raw_login(other)
        prompt.settimeout(5)

        cycle = [("NOOP", "+OK"), ("STAT", "+OK 2 %d" % (len(a) + len(b))), ("LIST 1", "+OK 1 %d" % len(a)),
                 ("LIST 2", "+OK 2 %d" % len(b))]
        count = 10000
        commands = [cycle[i % len(cycle)] for i in range(count)]
        payload = b"".join(c.encode() + b"\r\n" for c, _ in commands)
        rss_before = server.process.memory_kb("VmRSS")
        hwm_before = server.process.memory_kb("VmHWM")

        started = time.monotonic()
        pipelined.send(payload)  # all 10,000 commands in one send
        # Before a single reply is read, another client is served.
        latencies = []
        for _ in range(20):
            asked = time.monotonic()
            self.assertEqual(prompt.command("STAT"), "+OK 1 %d" % len(a))
            latencies.append(time.monotonic() - asked)
        replies = [pipelined.readline_text() for _ in range(count)]
        took = time.monotonic() - started
        for i, ((command, expected), reply) in enumerate(zip(commands, replies)):
            if reply.split(" ")[:len(expected.split(" "))] != expected.split(" "):
                self.fail("reply %d to %r is %r, expected %r" % (i, command, reply, expected))
        self.assertOk(pipelined.command("QUIT"))
        self.assertEqual(pipelined.read_until_eof(), b"", "nothing after the QUIT reply: no extra replies")
        rss_after = server.process.memory_kb("VmRSS")
        growth_mb = (max(rss_after, server.process.memory_kb("VmHWM")) - max(rss_before, hwm_before)) / 1024
        print("pipeline of %d answered in %.2f s; the other client's STATs meanwhile took at most %.3f s; "
              "VmRSS %d -> %d kB, peak growth %.1f MB" % (count, took, max(latencies), rss_before, rss_after,
                                                          growth_mb))
        self.assertLess((rss_after - rss_before) / 1024, 30, "pop3 kept the memory the pipeline took")
        self.assertLess(growth_mb, 30, "pop3 grew by %.1f MB answering the pipeline" % growth_mb)

    def test_login_and_sasl_pipelined(self):
        a = fx.message("a", ["first"])
        account = self.new_account([a])
        client = self.raw(self.plaintext)
        client.send("USER %s\r\nPASS %s\r\nSTAT\r\nLIST\r\nQUIT\r\n" % (account, fx.PASSWORD))
        self.assertOk(client.readline_text(), "USER")
        self.assertOk(client.readline_text(), "PASS")
        self.assertEqual(client.readline_text(), "+OK 1 %d" % len(a))
        self.assertOk(client.readline_text(), "LIST")
        self.assertEqual(client.read_multiline(), [b"1 %d" % len(a)])
        self.assertOk(client.readline_text(), "QUIT")
        self.assertEqual(client.read_until_eof(), b"")

        client = self.raw(self.plaintext)
        client.send("AUTH PLAIN\r\n%s\r\nSTAT\r\nQUIT\r\n" % kh.sasl_plain(account, fx.PASSWORD))
        self.assertEqual(client.readline_text(), "+ ")
        self.assertOk(client.readline_text(), "AUTH PLAIN")
        self.assertEqual(client.readline_text(), "+OK 1 %d" % len(a))
        self.assertOk(client.readline_text(), "QUIT")

    def test_client_that_stops_reading_or_vanishes_mid_retr(self):
        big = fx.message("big", ["%075d" % i for i in range(40000)])  # about 3 MB
        account = self.new_account([big])
        bystander = self.new_account([fx.message("small", ["x"])])
        stalled = self.raw_login(account, rcvbuf=4096)
        stalled.sendline("RETR 1")
        # While that client reads nothing, others are served.
        other = self.raw_login(bystander)
        for _ in range(5):
            self.assertEqual(fx.stat_of(other.command("STAT"))[0], 1)
        self.assertOk(stalled.readline_text())
        stalled.close()  # gone in the middle of the message, without QUIT
        again = self.login_until_not_in_use(account)
        again.sendline("RETR 1")
        self.assertEqual(again.readline_text(), "+OK %d octets" % len(big))
        self.assertEqual(again.read_message(), big)
        self.assertEqual(self.ctl.message_list(account)[0]["flags"], [], "no QUIT, so not \\Seen")


class ConnectionLimitTest(fx.Pop3TestCase):
    POP3_FLAGS = {"pop3.limits.max_connections_per_ip": 3}

    def test_connections_per_ip(self):
        open_clients = [self.raw(self.tls_only) for _ in range(3)]
        refused = self.tls_only.connect()
        self.addCleanup(refused.close)
        reply = refused.readline_text()
        self.assertErr(reply, "SYS/TEMP", "the fourth connection")
        self.assertEqual(refused.read_until_eof(), b"")
        open_clients[0].sendline("QUIT")
        self.assertEqual(open_clients[0].read_until_eof()[:3], b"+OK")

        def greeted():
            client = self.tls_only.connect()
            self.addCleanup(client.close)
            line = client.readline_text()
            return client if line.startswith("+OK") else None

        kh.wait_until(greeted, 10, "a free connection slot after QUIT", interval=0.05)
        for client in open_clients[1:]:
            client.sendline("CAPA")
            self.assertOk(client.readline_text(), "the connections within the limit still work")


class AuthThrottleTest(fx.Pop3TestCase):
    BASE_FLAGS = {}
    POP3_FLAGS = {
        "pop3.limits.auth_failures_before_delay": 2,
        "pop3.limits.auth_max_delay_ms": 200,
        "pop3.limits.auth_failures_before_lockout": 4,
        "pop3.limits.auth_lockout_seconds": 120,
    }

    def test_lockout_after_failures(self):
        account = self.new_account([fx.message("a", ["x"])])
        bystander = self.new_account([fx.message("b", ["y"])])
        for attempt in range(4):
            client = self.raw()
            self.assertOk(client.command("USER " + account))
            self.assertErr(client.command("PASS guess%d" % attempt), "AUTH", "wrong password %d" % attempt)
            client.close()
        # Now even the right password is refused, for this account and, since
        # the failures came from this IP, for every account from it.
        for user in (account, bystander):
            with self.subTest(user=user):
                client = self.raw()
                self.assertOk(client.command("USER " + user))
                reply = client.command("PASS " + fx.PASSWORD)
                self.assertErr(reply, "AUTH", "login after the lockout")
                self.assertIn("too many failed", reply)
                client.close()
        client = self.raw()
        self.assertErr(client.command("AUTH PLAIN " + kh.sasl_plain(account, fx.PASSWORD)), "AUTH",
                       "AUTH PLAIN after the lockout")


if __name__ == "__main__":
    unittest.main(verbosity=2)
