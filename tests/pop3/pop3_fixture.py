"""What the POP3 integration tests share: a store with two pop3 instances in
front of it, fresh accounts per test, messages to deliver, and login helpers.

`tls_only` is configured as in production (USER/PASS and PLAIN/LOGIN only
after STLS or on the implicit-TLS port); `plaintext` sets
pop3.allow_plaintext_auth so that raw transcripts can log in without TLS.
"""

import itertools
import poplib
import re
import unittest

from tests.support import kurier_harness as kh

PASSWORD = "correct horse battery staple"

_accounts = itertools.count(1)


def message(subject, body_lines, extra_headers=()):
    """An RFC 5322 message with CRLF line ends, as bytes."""
    headers = [b"From: sender@example.net", b"To: someone@example.org", b"Subject: " + subject.encode(),
               b"Message-ID: <" + subject.replace(" ", "-").encode() + b"@test.example>"]
    headers += [h if isinstance(h, bytes) else h.encode() for h in extra_headers]
    body = [line if isinstance(line, bytes) else line.encode() for line in body_lines]
    return b"\r\n".join(headers) + b"\r\n\r\n" + b"".join(line + b"\r\n" for line in body)


class Pop3TestCase(unittest.TestCase):
    """One store and two pop3 instances for all tests of a class.

    Every test logs in from 127.0.0.1, and the auth throttle counts failures
    per IP across tests; the shared instances therefore raise its limits so
    that the deliberate failures of one test never delay another. The
    throttle itself is tested on an instance of its own. Subclasses may add
    POP3_FLAGS (for both instances).
    """

    BASE_FLAGS = {
        "pop3.limits.auth_failures_before_delay": 1000,
        "pop3.limits.auth_failures_before_lockout": 100000,
    }
    POP3_FLAGS = {}

    @classmethod
    def setUpClass(cls):
        cls.cluster = kh.Cluster(cls.__name__)
        cls.addClassCleanup(cls.cluster.close)
        cls.store = cls.cluster.start_store()
        cls.ctl = cls.cluster.kurierctl(cls.store)
        flags = dict(cls.BASE_FLAGS, **cls.POP3_FLAGS)
        cls.tls_only = cls.cluster.start_pop3(cls.store, flags, name="pop3-tls-only")
        flags = dict(flags)
        flags["pop3.allow_plaintext_auth"] = True
        cls.plaintext = cls.cluster.start_pop3(cls.store, flags, name="pop3-plaintext")

    def new_account(self, messages=()):
        """A fresh account holding `messages` (delivered in order): its name."""
        name = "user%d@example.org" % next(_accounts)
        self.ctl.add_account(name, PASSWORD)
        for m in messages:
            self.ctl.deliver([name], m)
        return name

    # --- raw sessions -----------------------------------------------------

    def assertOk(self, reply, what=""):
        reply = reply.decode() if isinstance(reply, bytes) else reply
        self.assertTrue(reply.startswith("+OK"), "%s: expected +OK, got %r" % (what, reply))

    def assertErr(self, reply, code=None, what=""):
        reply = reply.decode() if isinstance(reply, bytes) else reply
        if code is None:
            self.assertTrue(reply.startswith("-ERR"), "%s: expected -ERR, got %r" % (what, reply))
        else:
            self.assertTrue(reply.startswith("-ERR [%s]" % code), "%s: expected -ERR [%s], got %r" % (what, code,
                                                                                                   reply))

    def raw(self, server=None, tls=False, timeout=10.0, rcvbuf=None):
        """A LineClient with the greeting read and checked."""
        server = server or self.plaintext
        client = server.connect_tls(timeout) if tls else server.connect(timeout, rcvbuf)
        self.addCleanup(client.close)
        self.assertOk(client.readline_text(), "greeting")
        return client

    def raw_login(self, account, server=None, tls=False, password=PASSWORD, rcvbuf=None):
        """A LineClient in TRANSACTION state (USER/PASS)."""
        client = self.raw(server, tls, rcvbuf=rcvbuf)
        self.assertOk(client.command("USER " + account), "USER")
        self.assertOk(client.command("PASS " + password), "PASS")
        return client

    # --- poplib sessions --------------------------------------------------

    def poplib_tls(self, server=None, timeout=10.0):
        """poplib on the implicit-TLS port, certificate verified."""
        server = server or self.tls_only
        client = poplib.POP3_SSL(kh.LOOPBACK, server.tls_port, timeout=timeout, context=server.ssl_context())
        self.addCleanup(_close_quietly, client)
        return client

    def poplib_login(self, account, server=None, password=PASSWORD):
        client = self.poplib_tls(server)
        client.user(account)
        client.pass_(password)
        return client

    def uidl_map(self, client):
        """{message number: unique id} via poplib."""
        _, lines, _ = client.uidl()
        result = {}
        for line in lines:
            number, uid = line.decode().split()
            result[int(number)] = uid
        return result

    def login_until_not_in_use(self, account, server=None, timeout=10.0):
        """Logs in, retrying while the account is still IN-USE (a lease is
        released after the old connection's end is noticed)."""
        def attempt():
            client = self.raw(server)
            client.command("USER " + account)
            reply = client.command("PASS " + PASSWORD)
            if reply.startswith("+OK"):
                return client
            client.close()
            self.assertErr(reply, "IN-USE", "login while the old session ends")
            return None

        return kh.wait_until(attempt, timeout, "the lease of %s to be released" % account, interval=0.05)


def _close_quietly(client):
    try:
        client.close()
    except Exception:
        pass


def stat_of(reply):
    """(count, octets) of a "+OK n m" STAT reply."""
    m = re.match(r"\+OK (\d+) (\d+)", reply)
    if not m:
        raise AssertionError("not a STAT reply: %r" % reply)
    return int(m.group(1)), int(m.group(2))
