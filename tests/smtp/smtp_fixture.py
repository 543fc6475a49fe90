"""What the SMTP integration tests share: a store with an smtp instance in
front of it (MX, submission, submissions) and a pop3 instance to read the
delivered mail back, fresh accounts per test, reply assertions, and the
check of a delivered message against the bytes the client sent.

The shared smtp instance runs as in production (AUTH on 587 only after
STARTTLS) with a small maximum message size (MAX_MESSAGE_BYTES), so that the
size limits are quick to reach, and with the rate limits and the auth
throttle raised far out of the way; the limits themselves are tested on
instances of their own.
"""

import email.utils
import itertools
import re
import time
import unittest

from tests.support import kurier_harness as kh

PASSWORD = "correct horse battery staple"
HOSTNAME = "mx.test"
# Our local domain (accounts are created in it) and a domain that is not ours.
DOMAIN = "example.org"
REMOTE = "remote.example"
CLIENT_HELO = "client.example"
MAX_MESSAGE_BYTES = 1048576

# The enhanced code of the 250 after DATA or the last BDAT (RFC 3463: 2.0.0,
# or 2.6.0 "message content" where a server says so).
DATA_OK = ("2.0.0", "2.6.0")

_accounts = itertools.count(1)


def unique():
    """A number not used before in this process (for names and markers)."""
    return next(_accounts)

# Replies that RFC 2034 section 3 and RFC 3463 leave without an enhanced
# status code: the greeting, the EHLO/HELO reply, and the 3xx intermediate
# replies (354, 334), for which RFC 3463 defines no class.
ENHANCED_EXEMPT_CODES = (334, 354)


def message(subject, body_lines=("Hello.",), extra_headers=(), date=True, message_id=True):
    """An RFC 5322 message with CRLF line ends, as bytes."""
    headers = [b"From: sender@" + REMOTE.encode(), b"To: someone@" + DOMAIN.encode(),
               b"Subject: " + subject.encode()]
    if date:
        headers.append(b"Date: Sun, 22 Nov 2026 07:00:00 +0000")
    if message_id:
        headers.append(b"Message-ID: <" + re.sub(r"[^A-Za-z0-9.-]", "-", subject).encode() + b"@test.example>")
    headers += [h if isinstance(h, bytes) else h.encode() for h in extra_headers]
    body = [line if isinstance(line, bytes) else line.encode() for line in body_lines]
    return b"\r\n".join(headers) + b"\r\n\r\n" + b"".join(line + b"\r\n" for line in body)


def unfold(value):
    """A header field value with its folding (CRLF before white space) removed."""
    return re.sub(r"\r\n(?=[ \t])", "", value)


def split_delivered(data):
    """Splits a delivered message into (Return-Path line, Received field
    (unfolded, without the name), the rest). Raises AssertionError when the
    message does not start with exactly these two fields."""
    m = re.match(rb"Return-Path: ([^\r\n]*)\r\n", data)
    if not m:
        raise AssertionError("the delivered message does not start with Return-Path: %r" % data[:200])
    rest = data[m.end():]
    r = re.match(rb"Received:((?:[^\r\n]*)(?:\r\n[ \t][^\r\n]*)*)\r\n", rest)
    if not r:
        raise AssertionError("no Received: field after Return-Path: %r" % rest[:300])
    received = unfold(r.group(1).decode("utf-8", "backslashreplace")).strip()
    return m.group(1).decode("utf-8", "backslashreplace"), received, rest[r.end():]


def same_address(a, b):
    """Two addresses are the same mailbox: equal local parts (whose case
    belongs to the receiving host, RFC 5321 2.4), domains in any case."""
    local_a, _, domain_a = a.rpartition("@")
    local_b, _, domain_b = b.rpartition("@")
    return local_a == local_b and domain_a.lower() == domain_b.lower()


RECEIVED_CLAUSES = ("from", "by", "via", "with", "id", "for")


def parse_received(value):
    """An unfolded Received: value (RFC 5321 4.4, RFC 5322 3.6.7) as
    {"clauses": {name: [[tokens], ...]}, "comments": [text], "date": text or
    None}: comments (nested, with quoted-pairs) taken out, the date after
    the last ";" outside them, clause names lower-cased."""
    text, comments, depth, current, escaped = [], [], 0, [], False
    for ch in value:
        if depth:
            if escaped:
                current.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "(":
                depth += 1
                current.append(ch)
            elif ch == ")":
                depth -= 1
                if depth:
                    current.append(ch)
                else:
                    comments.append("".join(current))
                    current = []
                    text.append(" ")
            else:
                current.append(ch)
        elif ch == "(":
            depth = 1
        else:
            text.append(ch)
    plain = "".join(text)
    clauses_text, semicolon, date = plain.rpartition(";")
    if not semicolon:
        clauses_text, date = plain, None
    clauses, name = {}, None
    for token in clauses_text.split():
        if token.lower() in RECEIVED_CLAUSES:
            name = token.lower()
            clauses.setdefault(name, []).append([])
        elif name is not None:
            clauses[name][-1].append(token)
        else:
            clauses.setdefault("", []).append([token])
    return {"clauses": clauses, "comments": comments, "date": date.strip() if date else None}


def header_fields(content):
    """[(lower-case name, raw field bytes with CRLF)] of a message's header."""
    head = content.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    fields = []
    for m in re.finditer(rb"([^\s:]+):[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*", head):
        fields.append((m.group(1).decode("ascii", "replace").lower(), m.group(0)))
    return fields


class SmtpTestCase(unittest.TestCase):
    """One store, one smtp instance and one pop3 instance for all tests of a
    class. Subclasses may add SMTP_FLAGS."""

    maxDiff = None

    BASE_FLAGS = {
        "smtp.max_message_bytes": MAX_MESSAGE_BYTES,
        "smtp.limits.auth_failures_before_delay": 1000,
        "smtp.limits.auth_failures_before_lockout": 100000,
        "smtp.connections_per_ip_per_minute": 100000,
        "smtp.messages_per_ip_per_minute": 100000,
    }
    SMTP_FLAGS = {}
    # False: each test starts the smtp instances it needs (start_smtp).
    SHARED_SMTP = True

    @classmethod
    def setUpClass(cls):
        cls.cluster = kh.Cluster(cls.__name__)
        cls.addClassCleanup(cls.cluster.close)
        cls.store = cls.cluster.start_store()
        cls.ctl = cls.cluster.kurierctl(cls.store)
        cls.smtp = cls.start_smtp(**cls.SMTP_FLAGS) if cls.SHARED_SMTP else None
        cls.pop3 = cls.cluster.start_pop3(cls.store, {
            "pop3.allow_plaintext_auth": True,
            "pop3.limits.auth_failures_before_delay": 1000,
            "pop3.limits.auth_failures_before_lockout": 100000,
        })

    @classmethod
    def start_smtp(cls, **flags):
        """Another smtp instance on the class's store: BASE_FLAGS, then
        `flags` (smtp__max_errors=3 stands for smtp.max_errors)."""
        all_flags = dict(cls.BASE_FLAGS)
        all_flags.update({k.replace("__", "."): v for k, v in flags.items()})
        return cls.cluster.start_smtp(cls.store, all_flags)

    # --- accounts ------------------------------------------------------------

    def new_account(self, prefix="user", domain=DOMAIN, aliases=(), quota=None):
        """A fresh account (its domain becomes local); its name."""
        name = "%s%d@%s" % (prefix, next(_accounts), domain)
        args = ["account", "add", name, "--password=" + PASSWORD]
        args += ["--alias=" + a for a in aliases]
        if quota is not None:
            args.append("--quota=%s" % quota)
        self.ctl.run(*args)
        return name

    def mailbox(self, account):
        """Every message in the account's INBOX, read over POP3 (RETR, no
        DELE), as bytes with CRLF lines."""
        client = self.pop3.connect()
        try:
            greeting = client.readline_text()
            self.assertTrue(greeting.startswith("+OK"), greeting)
            for command in ("USER " + account, "PASS " + PASSWORD):
                reply = client.command(command)
                self.assertTrue(reply.startswith("+OK"), "POP3 %s: %s" % (command.split()[0], reply))
            stat = client.command("STAT")
            count = int(stat.split()[1])
            messages = []
            for n in range(1, count + 1):
                reply = client.command("RETR %d" % n)
                self.assertTrue(reply.startswith("+OK"), reply)
                messages.append(client.read_message())
            client.command("QUIT")
            return messages
        finally:
            client.close()

    def rcpt_reply(self, rcpt, sender="probe@" + REMOTE, listener="smtp"):
        """The reply to RCPT TO:<rcpt> in a fresh session."""
        client = self.session(listener)
        try:
            self.assertReply(client, client.cmd("MAIL FROM:<%s>" % sender), 250, "2.1.0")
            return client.cmd("RCPT TO:<%s>" % rcpt)
        finally:
            client.close()

    def wait_for_rcpt(self, rcpt, code, enhanced, what, timeout=10.0):
        """Polls until RCPT TO:<rcpt> gets `code` (a change of configuration
        in the store reaching smtp); the reply."""
        last = []

        def check():
            reply = self.rcpt_reply(rcpt)
            last[:] = [reply]
            return reply if (reply.code, reply.enhanced) == (code, enhanced) else None

        try:
            return kh.wait_until(check, timeout, what, interval=0.2)
        except TimeoutError:
            self.fail("%s: RCPT TO:<%s> still answered %s after %.0f s" % (what, rcpt, last[0], timeout))

    def count(self, account):
        """Messages in the account's INBOX, as the store lists them."""
        return len(self.ctl.message_list(account))

    def queue(self):
        """The text of `kurierctl queue list --content`."""
        return self.ctl.queue_text(content=True)

    def queued(self, marker):
        """The outbound queue entries whose content holds `marker`."""
        return [entry for entry in self.ctl.queue() if marker in entry["content"]]

    # --- sessions --------------------------------------------------------------

    def connect(self, listener="smtp", server=None, timeout=10.0, rcvbuf=None):
        """An SmtpClient with the greeting read and checked."""
        server = server or self.smtp
        client = server.connect(listener, timeout, rcvbuf)
        self.addCleanup(client.close)
        greeting = client.read_reply()
        self.assertEqual(greeting.code, 220, "greeting: %s" % greeting)
        self.assertTrue(greeting.lines[0].startswith(server.hostname + " ") or greeting.lines[0] == server.hostname,
                        "the greeting names the host: %s" % greeting)
        return client

    def session(self, listener="smtp", helo=CLIENT_HELO, starttls=False, server=None, timeout=10.0):
        """An SmtpClient after the greeting and EHLO (and STARTTLS plus a new
        EHLO when asked)."""
        server = server or self.smtp
        client = self.connect(listener, server, timeout)
        self.assertEhlo(client, client.ehlo(helo), server)
        if starttls:
            self.starttls(client, server, helo)
        return client

    def starttls(self, client, server=None, helo=CLIENT_HELO):
        """STARTTLS, the handshake verified against the server's certificate
        for its host name, and a new EHLO; that EHLO's reply."""
        server = server or self.smtp
        self.assertReply(client, client.cmd("STARTTLS"), 220, "2.0.0")
        client.starttls(server.ssl_context(), server.hostname)
        reply = client.ehlo(helo)
        self.assertEhlo(client, reply, server)
        return reply

    def authenticate(self, client, account, password=PASSWORD, mechanism="PLAIN"):
        """AUTH with PLAIN (initial response), LOGIN or SCRAM-SHA-256; the final reply."""
        if mechanism == "PLAIN":
            return client.cmd("AUTH PLAIN " + kh.sasl_plain(account, password))
        if mechanism == "LOGIN":
            reply = client.cmd("AUTH LOGIN")
            if reply.code != 334:
                return reply
            self.assertEqual(reply.lines, [kh.b64("Username:")], client.transcript_text())
            reply = client.cmd(kh.b64(account))
            if reply.code != 334:
                return reply
            self.assertEqual(reply.lines, [kh.b64("Password:")], client.transcript_text())
            return client.cmd(kh.b64(password))
        if mechanism == "SCRAM-SHA-256":
            return self.scram(client, account, password)
        raise ValueError(mechanism)

    def scram(self, client, account, password, initial_response=True, gs2_header="n,,"):
        """AUTH SCRAM-SHA-256 (RFC 4954, RFC 7677): the final reply. The
        server-final-message comes as a last 334 challenge, answered with an
        empty line (RFC 4954 section 4), and is verified."""
        scram = kh.ScramSha256Client(account, password, gs2_header=gs2_header)
        if initial_response:
            reply = client.cmd("AUTH SCRAM-SHA-256 " + kh.b64(scram.client_first()))
        else:
            reply = client.cmd("AUTH SCRAM-SHA-256")
            if reply.code != 334:
                return reply
            self.assertEqual(reply.lines, [""], "an empty challenge asks for the client-first-message")
            reply = client.cmd(kh.b64(scram.client_first()))
        if reply.code != 334:
            return reply
        reply = client.cmd(kh.b64(scram.client_final(kh.base64.b64decode(reply.lines[0]))))
        if reply.code != 334:
            return reply
        server_final = kh.base64.b64decode(reply.lines[0])
        if server_final.startswith(b"e="):
            return client.cmd("")  # a SCRAM error as the last challenge: the server's verdict follows
        scram.verify_server_final(server_final)
        return client.cmd("")

    def submission(self, account, listener="submissions", password=PASSWORD, mechanism="PLAIN", server=None):
        """An authenticated submission session (587: after STARTTLS)."""
        client = self.session(listener, starttls=(listener == "submission"), server=server)
        self.assertReply(client, self.authenticate(client, account, password, mechanism), 235, "2.7.0")
        return client

    # --- transactions --------------------------------------------------------

    def transaction(self, client, sender, recipients, content, mail_params=""):
        """MAIL, RCPT for each recipient (each must get 250), DATA with
        `content` dot-stuffed; the reply to the final dot."""
        self.assertReply(client, client.cmd("MAIL FROM:<%s>%s" % (sender, mail_params)), 250, "2.1.0")
        for rcpt in recipients:
            self.assertReply(client, client.cmd("RCPT TO:<%s>" % rcpt), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        return client.data(content)

    def send(self, sender, recipients, content, listener="smtp", client=None):
        """One message through a fresh MX session (or `client`); asserts 250."""
        client = client or self.session(listener)
        self.assertReply(client, self.transaction(client, sender, recipients, content), 250, DATA_OK)
        return client

    # --- assertions ----------------------------------------------------------

    def assertReply(self, client, reply, code, enhanced=None, what=""):
        """reply has `code`; its enhanced status code is `enhanced` (a string
        such as "5.1.1", or a tuple of allowed ones), or, when None, any
        code of the reply's class. The failure message holds the transcript."""
        context = "%s\n--- transcript ---\n%s" % (what, client.transcript_text() if client else "")
        codes = code if isinstance(code, (tuple, list, set)) else (code,)
        self.assertIn(reply.code, codes, "expected %s, got %s%s" % (code, reply, context))
        if reply.code in ENHANCED_EXEMPT_CODES:
            return
        if enhanced is None:
            self.assertIsNotNone(reply.enhanced, "no enhanced status code in %s%s" % (reply, context))
            self.assertEqual(reply.enhanced[0], str(reply.code)[0],
                             "enhanced code of another class: %s%s" % (reply, context))
        else:
            allowed = enhanced if isinstance(enhanced, (tuple, list, set)) else (enhanced,)
            self.assertIn(reply.enhanced, allowed, "expected enhanced code %s in %s%s" % (enhanced, reply, context))
        for line in reply.lines[1:]:
            self.assertTrue(line.startswith(reply.enhanced + " ") or line == reply.enhanced,
                            "a line of a multi-line reply lacks the enhanced code: %s%s" % (reply, context))

    def assertEhlo(self, client, reply, server=None):
        """A positive EHLO (or HELO) reply: 250, the first line starting
        with our host name (RFC 5321 4.1.1.1; no enhanced code there, RFC
        2034 section 3). Returns {KEYWORD: [params]}."""
        server = server or self.smtp
        self.assertEqual(reply.code, 250, "EHLO: %s\n%s" % (reply, client.transcript_text()))
        first = reply.lines[0]
        self.assertTrue(first == server.hostname or first.startswith(server.hostname + " "),
                        "the EHLO reply starts with the host name: %s" % reply)
        return reply.keywords()

    def assertClosed(self, client, what="the server closes the connection"):
        try:
            rest = client.read_until_eof()
        except OSError as e:  # socket.timeout included
            self.fail("%s: still open (%r)\n%s" % (what, e, client.transcript_text()))
        self.assertEqual(rest, b"", what)

    def assertReceived(self, received, helo, protocol, rcpt=None, rcpts=(), tls=False):
        """The Received: field (unfolded, without its name) records the
        client (HELO name, and its address literal in a comment, RFC 5321
        4.4 TCP-info), this host, the protocol (RFC 3848: ESMTP, ESMTPS,
        ESMTPA, ESMTPSA, SMTP after HELO; RFC 6531: UTF8SMTP...), the TLS
        version and cipher in a comment when there was TLS, the recipient
        when there was exactly one (`rcpt`) and none of several (`rcpts`),
        and the date. Each clause appears once."""
        parsed = parse_received(received)
        clauses, comments = parsed["clauses"], parsed["comments"]
        self.assertNotIn("", clauses, "words before the from clause in %r" % received)
        for name, values in clauses.items():
            self.assertEqual(len(values), 1, "clause %r more than once, or a value with spaces, in %r"
                             % (name, received))
        self.assertEqual(clauses.get("from"), [[helo]], "from <helo> in %r" % received)
        self.assertTrue(any("[127.0.0.1]" in c for c in comments), "the client's address in %r" % received)
        self.assertEqual(clauses.get("by"), [[HOSTNAME]], "by <our host> in %r" % received)
        protocols = protocol if isinstance(protocol, (tuple, list)) else (protocol,)
        self.assertIn(clauses.get("with", [[None]])[0][0], protocols, "the with clause in %r" % received)
        tls_comments = [c for c in comments if re.search(r"TLSv1\.[0-3]", c)]
        if tls:
            self.assertTrue(tls_comments, "no TLS version in %r" % received)
            self.assertRegex(tls_comments[0], r"TLSv1\.[23]")
            cipher = tls if isinstance(tls, str) else r"[A-Z0-9]+(?:[_-][A-Z0-9]+){2,}"
            self.assertRegex(tls_comments[0], cipher, "the cipher in %r" % received)
        else:
            self.assertEqual(tls_comments, [], "TLS recorded for a plaintext session: %r" % received)
        if rcpt is not None:
            self.assertEqual(len(clauses.get("for", [])), 1, "no for clause in %r" % received)
            written = clauses["for"][0]
            self.assertTrue(len(written) == 1 and same_address(written[0], "<%s>" % rcpt),
                            "the single recipient %s in %r" % (rcpt, received))
        if rcpts:
            self.assertNotIn("for", clauses, "a for clause with several recipients in %r" % received)
            for other in rcpts:
                self.assertNotIn(other, received, "one of several recipients revealed (Bcc) in %r" % received)
        self.assertIsNotNone(parsed["date"], "no date in %r" % received)
        when = email.utils.parsedate_to_datetime(parsed["date"])
        self.assertIsNotNone(when.tzinfo, "date without a zone: %r" % parsed["date"])
        self.assertLess(abs(when.timestamp() - time.time()), 600, "date %r is not now" % parsed["date"])

    def assertDelivered(self, delivered, sender, content, helo=CLIENT_HELO, protocol="ESMTP", rcpt=None, rcpts=(),
                        tls=False, submission=False):
        """delivered == Return-Path + Received + [on submission: Date and/or
        Message-ID where content lacks them] + content, byte for byte.
        Returns the Received field (unfolded)."""
        return_path, received, rest = split_delivered(delivered)
        self.assertEqual(return_path, "<%s>" % sender)
        self.assertReceived(received, helo, protocol, rcpt, rcpts, tls)
        if not submission:
            self.assertEqual(rest, content, "the delivered message after Received: is the client's bytes")
            return received
        self.assertTrue(rest.endswith(content), "the client's bytes end the delivered message: %r" % rest[:500])
        added = header_fields(rest[:len(rest) - len(content)] + b"\r\n") if len(rest) > len(content) else []
        self.assertEqual(b"".join(f for _, f in added), rest[:len(rest) - len(content)],
                         "only whole header fields are added: %r" % rest[:len(rest) - len(content)])
        present = {name for name, _ in header_fields(content)}
        expected = {name for name in ("date", "message-id") if name not in present}
        self.assertEqual(sorted(name for name, _ in added), sorted(expected), "fields added on submission")
        for name, field in added:
            value = unfold(field.decode("utf-8", "replace")).split(":", 1)[1].strip()
            if name == "date":
                when = email.utils.parsedate_to_datetime(value)
                self.assertLess(abs(when.timestamp() - time.time()), 600, "added Date: %r" % value)
            else:
                self.assertRegex(value, r"^<[^<>@\s]+@[^<>@\s]+>$", "added Message-ID")
        return received
