"""What the IMAP integration tests share: a store with imap instances in
front of it (one as in production, one that allows plaintext logins), an
smtp instance when a test class asks for one, fresh accounts per test, a raw
IMAP client that keeps a transcript, a parser for IMAP responses (FETCH,
LIST, STATUS, ESEARCH), and imaplib connections of every kind.

`tls_only` runs as in production (LOGINDISABLED until STARTTLS or on the
implicit-TLS port); `plaintext` sets imap.allow_plaintext_auth so that raw
transcripts and imaplib can log in without TLS.
"""

import imaplib
import itertools
import re
import signal
import ssl
import time
import unittest

from tests.support import kurier_harness as kh

PASSWORD = "correct horse battery staple"
DOMAIN = "example.org"

_counter = itertools.count(1)


def unique():
    """A number not used before in this process (for names and markers)."""
    return next(_counter)


def message(subject, body_lines=("Hello.",), extra_headers=(), sender="Sender Name <sender@example.net>",
            to="someone@example.org", date="Sun, 22 Nov 2026 07:00:00 +0000"):
    """An RFC 5322 message with CRLF line ends, as bytes."""
    headers = [b"From: " + sender.encode(), b"To: " + to.encode(), b"Subject: " + subject.encode("utf-8")]
    if date:
        headers.append(b"Date: " + date.encode())
    headers.append(b"Message-ID: <" + re.sub(r"[^A-Za-z0-9.-]", "-", subject).encode() + b"@test.example>")
    headers += [h if isinstance(h, bytes) else h.encode() for h in extra_headers]
    body = [line if isinstance(line, bytes) else line.encode("utf-8") for line in body_lines]
    return b"\r\n".join(headers) + b"\r\n\r\n" + b"".join(line + b"\r\n" for line in body)


# --------------------------------------------------------------------------
# Parsing IMAP responses


class ParseError(ValueError):
    pass


class _Parser:
    """Values of IMAP response data (RFC 9051 section 9): atoms as str
    ("NIL" as None, numbers as int), quoted strings and literals as bytes,
    parenthesized lists as Python lists. A FETCH item name with a section
    ("BODY[HEADER.FIELDS (SUBJECT)]<0>") stays one atom."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def values(self, until=None):
        out = []
        while True:
            self._skip_spaces()
            if self.pos >= len(self.data):
                if until is not None:
                    raise ParseError("missing %r in %r" % (until, self.data[:300]))
                return out
            c = self.data[self.pos:self.pos + 1]
            if until is not None and c == until:
                self.pos += 1
                return out
            out.append(self.value())

    def _skip_spaces(self):
        while self.pos < len(self.data) and self.data[self.pos:self.pos + 1] in (b" ", b"\r", b"\n"):
            self.pos += 1

    def value(self):
        c = self.data[self.pos:self.pos + 1]
        if c == b"(":
            self.pos += 1
            return self.values(until=b")")
        if c == b"\"":
            return self._quoted()
        if c == b"{" or self.data[self.pos:self.pos + 2] == b"~{":
            return self._literal()
        return self._atom()

    def _quoted(self):
        self.pos += 1
        out = bytearray()
        while True:
            if self.pos >= len(self.data):
                raise ParseError("unterminated quoted string in %r" % self.data[:300])
            c = self.data[self.pos]
            self.pos += 1
            if c == 0x5C:  # backslash
                out.append(self.data[self.pos])
                self.pos += 1
            elif c == 0x22:
                return bytes(out)
            else:
                out.append(c)

    def _literal(self):
        m = re.compile(rb"~?\{(\d+)\+?\}\r\n").match(self.data, self.pos)
        if not m:
            raise ParseError("bad literal at %r" % self.data[self.pos:self.pos + 40])
        start = m.end()
        end = start + int(m.group(1))
        if end > len(self.data):
            raise ParseError("literal runs past the response")
        self.pos = end
        return self.data[start:end]

    def _atom(self):
        start = self.pos
        while self.pos < len(self.data):
            c = self.data[self.pos:self.pos + 1]
            if c in (b" ", b"(", b")", b"\r", b"\n", b"\""):
                break
            if c == b"[":
                end = self.data.find(b"]", self.pos)
                if end < 0:
                    raise ParseError("unbalanced [ in %r" % self.data[start:start + 80])
                self.pos = end + 1
                continue
            self.pos += 1
        atom = self.data[start:self.pos].decode("utf-8", "surrogateescape")
        if not atom:
            raise ParseError("unexpected %r at %d in %r" % (self.data[self.pos:self.pos + 1], self.pos,
                                                             self.data[:300]))
        if atom.upper() == "NIL":
            return None
        if atom.isdigit():
            return int(atom)
        return atom


def parse(data):
    """The values of IMAP response data (see _Parser)."""
    if isinstance(data, str):
        data = data.encode()
    return _Parser(data).values()


def text(value):
    """A parsed string (bytes) or atom as str; None stays None."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def lower(value):
    return None if value is None else text(value).lower()


def pairs(values):
    """{NAME (upper case): value} of a list of alternating names and values
    (a FETCH response's items, STATUS attributes)."""
    if len(values) % 2:
        raise ParseError("odd number of items in %r" % (values,))
    return {str(text(values[i])).upper(): values[i + 1] for i in range(0, len(values), 2)}


def sequence_set(value):
    """The numbers of an IMAP sequence set without "*" ("1:3,7" -> {1,2,3,7})."""
    numbers = set()
    for part in str(value).split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            numbers.update(range(min(a, b), max(a, b) + 1))
        else:
            numbers.add(int(part))
    return numbers


# --------------------------------------------------------------------------
# A raw IMAP client


class Response:
    """The outcome of one command: .tagged (the tagged line, str), .status
    (OK, NO, BAD), .code (the response code in brackets, e.g.
    "APPENDUID 38505 3955", or None), .untagged (every untagged response in
    order, as bytes with literals inlined), .continuations ("+" lines)."""

    CODE = re.compile(r"\[([^\]]*)\]")

    def __init__(self, tag, tagged, untagged, continuations):
        self.tag = tag
        self.tagged = tagged
        self.untagged = untagged
        self.continuations = continuations
        words = tagged.split(" ", 2)
        self.status = words[1].upper() if len(words) > 1 else ""
        rest = words[2] if len(words) > 2 else ""
        m = self.CODE.match(rest)
        self.code = m.group(1) if m else None

    def lines(self, kind):
        """The untagged responses of a kind: "EXISTS", "FETCH", "LIST", "OK"...
        ("* 3 EXISTS" is of kind EXISTS; "* LIST ..." of kind LIST)."""
        kind = kind.upper().encode()
        out = []
        for line in self.untagged:
            words = line.split(b" ", 3)
            if len(words) > 1 and words[1].upper() == kind:
                out.append(line)
            elif len(words) > 2 and words[1].isdigit() and words[2].upper() == kind:
                out.append(line)
        return out

    def numbers(self, kind):
        """The numbers of "* n KIND" responses (EXISTS, EXPUNGE, RECENT), in order."""
        return [int(line.split(b" ")[1]) for line in self.lines(kind)]

    def fetches(self):
        """[(sequence number, {ITEM: value})] of the FETCH responses, in order."""
        out = []
        for line in self.lines("FETCH"):
            m = re.match(rb"\* (\d+) FETCH ", line, re.I)
            values = parse(line[m.end():])
            if len(values) != 1 or not isinstance(values[0], list):
                raise ParseError("not a FETCH response: %r" % line)
            out.append((int(m.group(1)), pairs(values[0])))
        return out

    def codes(self):
        """The response codes of untagged OK/NO/BAD/PREAUTH lines, e.g.
        {"UIDVALIDITY": "123", "PERMANENTFLAGS": "(\\Seen \\*)"}."""
        out = {}
        for line in self.untagged:
            m = re.match(r"\* (?:OK|NO|BAD) \[([^ \]]+)(?: ([^\]]*))?\]", line.decode("utf-8", "replace"), re.I)
            if m:
                out[m.group(1).upper()] = m.group(2)
        return out

    def search(self):
        """The numbers of the "* SEARCH" responses, as a list in order."""
        numbers = []
        for line in self.lines("SEARCH"):
            numbers += [int(w) for w in line.split()[2:]]
        return numbers

    def esearch(self):
        """{"TAG": ..., "UID": bool, "MIN": ..., "ALL": set, ...} of the one ESEARCH response."""
        found = self.lines("ESEARCH")
        if len(found) != 1:
            raise AssertionError("expected one ESEARCH response, got %r" % (found,))
        values = parse(found[0][len(b"* ESEARCH"):])
        result = {"UID": False}
        if values and isinstance(values[0], list):
            correlator = values.pop(0)
            result["TAG"] = text(correlator[1])
        if values and str(values[0]).upper() == "UID":
            result["UID"] = True
            values.pop(0)
        for name, value in pairs(values).items():
            result[name] = sequence_set(value) if name == "ALL" else value
        return result

    def list_entries(self, kind="LIST"):
        """[(attributes (lower case), delimiter, name (str), extended data)]
        of the LIST (or LSUB) responses."""
        out = []
        for line in self.lines(kind):
            values = parse(line[len(b"* ") + len(kind):])
            attributes = [a.lower() for a in values[0]]
            out.append((attributes, text(values[1]), text(values[2]), values[3:]))
        return out

    def status_items(self):
        """{mailbox name (str): {ATTRIBUTE: value}} of the STATUS responses."""
        out = {}
        for line in self.lines("STATUS"):
            values = parse(line[len(b"* STATUS"):])
            out[text(values[0])] = pairs(values[1])
        return out

    def __repr__(self):
        return "<%s, untagged %r>" % (self.tagged, self.untagged)


class ImapClient(kh.LineClient):
    """A LineClient that speaks IMAP: tagged commands, whole responses with
    their literals, and a transcript for failure messages."""

    LITERAL_AT_END = re.compile(rb"~?\{(\d+)\}$")

    def __init__(self, sock, timeout):
        super().__init__(sock, timeout)
        self.transcript = []
        self._tags = itertools.count(1)
        self.greeting = None

    def _note(self, side, data):
        if len(data) > 400:
            data = data[:300] + b"...<%d octets>..." % len(data) + data[-60:]
        self.transcript.append((side, data))

    def transcript_text(self, last=60):
        out = []
        for side, data in self.transcript[-last:]:
            for line in data.rstrip(b"\r\n").split(b"\r\n"):
                out.append("%s %s" % (side, line.decode("utf-8", "backslashreplace")))
        return "\n".join(out)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self._note("C:", data)
        super().send(data)

    def readline(self):
        line = super().readline()
        self._note("S:", line)
        return line

    def read_exact(self, n):
        while len(self._buffer) < n:
            self._fill()
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        self._note("S:", data)
        return data

    def buffered(self):
        """Bytes received but not yet read as a response."""
        return self._buffer

    def read_response(self):
        """One whole response as bytes: its line and, for every literal it
        announces at a line end, "\\r\\n", the literal and the line after."""
        data = self.readline()
        while True:
            m = self.LITERAL_AT_END.search(data)
            if not m:
                return data
            data += b"\r\n" + self.read_exact(int(m.group(1)))
            data += self.readline()

    def next_tag(self):
        return "A%03d" % next(self._tags)

    def send_command(self, line):
        """Sends `TAG line`; the tag."""
        tag = self.next_tag()
        if isinstance(line, str):
            line = line.encode("utf-8")
        self.send(tag.encode() + b" " + line + b"\r\n")
        return tag

    def read_until_tagged(self, tag, on_continuation=None):
        """The Response of `tag`: reads untagged responses until the tagged
        one. A "+" continuation calls on_continuation(line) or fails."""
        untagged, continuations = [], []
        prefix = tag.encode() + b" "
        while True:
            data = self.read_response()
            if data.startswith(prefix):
                return Response(tag, data.decode("utf-8", "replace"), untagged, continuations)
            if data.startswith(b"+"):
                continuations.append(data)
                if on_continuation is None:
                    raise AssertionError("unexpected continuation %r\n%s" % (data, self.transcript_text()))
                on_continuation(data)
                continue
            if not data.startswith(b"* "):
                raise AssertionError("neither tagged, untagged nor continuation: %r\n%s" % (
                    data, self.transcript_text()))
            untagged.append(data)

    def command(self, line):
        """Sends one command (without literals); its Response."""
        return self.read_until_tagged(self.send_command(line))

    def command_with_literals(self, parts, literal_plus=False):
        """A command with literals: parts alternate between text (str or
        bytes) and literal data (bytes), starting with text. Synchronizing
        literals wait for "+"; LITERAL+ ones ({n+}) are sent at once. The
        Response; if the server refuses a literal (tagged NO/BAD instead of
        "+"), that Response at once."""
        tag = self.next_tag()
        pending = tag.encode() + b" "
        for i, part in enumerate(parts):
            if isinstance(part, str):
                part = part.encode("utf-8")
            if i % 2 == 0:
                pending += part
                continue
            pending += b"{%d%s}\r\n" % (len(part), b"+" if literal_plus else b"")
            self.send(pending)
            pending = b""
            if not literal_plus:
                data = self.read_response()
                if data.startswith(tag.encode() + b" "):
                    return Response(tag, data.decode("utf-8", "replace"), [], [])
                while data.startswith(b"* "):
                    data = self.read_response()
                if not data.startswith(b"+"):
                    raise AssertionError("expected a continuation for the literal, got %r" % data)
            self.send(part)
        self.send(pending + b"\r\n")
        return self.read_until_tagged(tag)

    def read_untagged_until(self, predicate, timeout):
        """Reads untagged responses until predicate(line) is true, for up to
        `timeout` seconds: (the matching line, the lines before it). Raises
        socket.timeout (TimeoutError) if none comes."""
        seen = []
        deadline = time.monotonic() + timeout
        old = self.sock.gettimeout()
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no matching response within %.1f s; got %r" % (timeout, seen))
                self.sock.settimeout(left)
                try:
                    line = self.read_response()
                except OSError as e:  # socket.timeout
                    raise TimeoutError("no matching response within %.1f s; got %r (%s)" % (timeout, seen, e))
                if predicate(line):
                    return line, seen
                seen.append(line)
        finally:
            self.sock.settimeout(old)

    def nothing_within(self, seconds):
        """The responses that arrive within `seconds` (expected: none)."""
        got = []
        deadline = time.monotonic() + seconds
        old = self.sock.gettimeout()
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return got
                self.sock.settimeout(left)
                try:
                    got.append(self.read_response())
                except OSError:
                    return got
        finally:
            self.sock.settimeout(old)


def _close_quietly(client):
    try:
        if isinstance(client, imaplib.IMAP4):
            client.shutdown()
        else:
            client.close()
    except Exception:
        pass


def unverified_context():
    """A TLS client context that accepts any certificate (curl --insecure)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# --------------------------------------------------------------------------
# Test cases


class ImapTestCase(unittest.TestCase):
    """One store and two imap instances (tls_only, plaintext) for all tests
    of a class; an smtp instance too when WITH_SMTP is true.

    Every test logs in from 127.0.0.1, and the auth throttle counts failures
    per IP across tests; the shared instances therefore raise its limits so
    that the deliberate failures of one test never delay another.
    Subclasses may add IMAP_FLAGS (for both instances).
    """

    maxDiff = None

    BASE_FLAGS = {
        "imap.limits.auth_failures_before_delay": 1000,
        "imap.limits.auth_failures_before_lockout": 100000,
    }
    IMAP_FLAGS = {}
    WITH_SMTP = False

    @classmethod
    def setUpClass(cls):
        cls.cluster = kh.Cluster(cls.__name__)
        cls.addClassCleanup(cls.cluster.close)
        cls.store = cls.cluster.start_store()
        cls.ctl = cls.cluster.kurierctl(cls.store)
        cls.plaintext = cls.start_imap(name="imap-plaintext", **{"imap.allow_plaintext_auth": True})
        cls.tls_only = cls.start_imap(name="imap-tls-only")
        cls.smtp = None
        if cls.WITH_SMTP:
            cls.smtp = cls.cluster.start_smtp(cls.store, {
                "smtp.limits.auth_failures_before_delay": 1000,
                "smtp.connections_per_ip_per_minute": 100000,
                "smtp.messages_per_ip_per_minute": 100000,
            })

    @classmethod
    def start_imap(cls, name="imap", **flags):
        """Another imap instance on the class's store: BASE_FLAGS,
        IMAP_FLAGS, then `flags` (full names, "imap.idle_seconds": 2)."""
        all_flags = dict(cls.BASE_FLAGS)
        all_flags.update(cls.IMAP_FLAGS)
        all_flags.update(flags)
        server = kh.ImapServer.start(cls.cluster, cls.store, all_flags, name=name)
        server.start_flags = (name, all_flags)
        return server

    def setUp(self):
        super().setUp()
        self.addCleanup(self._check_imap_alive)

    def _check_imap_alive(self):
        """Fails the test during which a shared imap instance died (naming
        the signal), and starts it again so that the tests after it run."""
        cls = type(self)
        dead = []
        for attr in dir(cls):
            server = getattr(cls, attr, None)
            if not isinstance(server, kh.ImapServer) or server.process.alive():
                continue
            code = server.process.proc.returncode
            how = "signal %s" % signal.Signals(-code).name if code < 0 else "status %d" % code
            dead.append("%s (%s) died with %s; the end of its log:\n%s" % (
                attr, server.process.name, how, server.process.log_text()[-2000:]))
            name, flags = server.start_flags
            setattr(cls, attr, kh.ImapServer.start(cls.cluster, cls.store, flags, name=name + "-restarted"))
            getattr(cls, attr).start_flags = (name, flags)
        if dead:
            self.fail("imap crashed during this test:\n" + "\n".join(dead))

    # --- accounts and mail ---------------------------------------------------

    def new_account(self, messages=(), prefix="user"):
        """A fresh account holding `messages` in INBOX (delivered in order
        with kurierctl, UIDs 1, 2, ...): its name."""
        name = "%s%d@%s" % (prefix, unique(), DOMAIN)
        self.ctl.add_account(name, PASSWORD)
        for m in messages:
            self.ctl.deliver([name], m)
        return name

    def deliver_smtp(self, recipient, content, sender="sender@remote.example"):
        """Delivers `content` over SMTP (the MX listener) to `recipient`."""
        if self.smtp is None:
            raise AssertionError("set WITH_SMTP = True to deliver over SMTP")
        client = self.smtp.connect("smtp")
        try:
            for reply, command in ((client.read_reply(), None), (client.ehlo(), "EHLO"),
                                   (client.cmd("MAIL FROM:<%s>" % sender), "MAIL"),
                                   (client.cmd("RCPT TO:<%s>" % recipient), "RCPT")):
                self.assertEqual(reply.code // 100, 2, "%s: %s\n%s" % (command, reply, client.transcript_text()))
            reply = client.cmd("DATA")
            self.assertEqual(reply.code, 354, "DATA: %s" % reply)
            reply = client.data(content)
            self.assertEqual(reply.code, 250, "end of DATA: %s\n%s" % (reply, client.transcript_text()))
            client.cmd("QUIT")
        finally:
            client.close()

    # --- raw sessions ----------------------------------------------------------

    def assertStatus(self, response, status, code=None, client=None):
        """The tagged status is `status` (and the response code starts with
        `code` when given); the transcript goes into the failure message."""
        ok = response.status == status and (code is None or (response.code or "").upper().startswith(code.upper()))
        if not ok:
            self.fail("expected %s%s, got %r%s" % (status, " [%s]" % code if code else "", response.tagged,
                                                   "\n" + client.transcript_text() if client else ""))

    def raw(self, server=None, tls=False, timeout=10.0, rcvbuf=None):
        """An ImapClient with the "* OK" greeting read and checked."""
        server = server or self.plaintext
        if tls:
            client = ImapClient.connect(kh.LOOPBACK, server.tls_port, timeout, server.ssl_context(), kh.LOOPBACK)
        else:
            client = ImapClient.connect(kh.LOOPBACK, server.port, timeout, rcvbuf=rcvbuf)
        self.addCleanup(client.close)
        client.greeting = client.read_response()
        self.assertTrue(client.greeting.startswith(b"* OK"), "greeting: %r" % client.greeting)
        return client

    def raw_login(self, account, server=None, tls=False, select=None, rcvbuf=None, enable=None):
        """An ImapClient after LOGIN (and ENABLE `enable`, SELECT `select`)."""
        client = self.raw(server, tls, rcvbuf=rcvbuf)
        response = client.command('LOGIN "%s" "%s"' % (account, PASSWORD))
        self.assertStatus(response, "OK", client=client)
        if enable:
            self.assertStatus(client.command("ENABLE " + enable), "OK", client=client)
        if select:
            self.assertStatus(client.command("SELECT " + select), "OK", client=client)
        return client

    def append(self, client, mailbox, content, flags=None, date=None, literal_plus=False):
        """APPEND over a raw client; the Response (OK expected by the caller)."""
        head = "APPEND %s" % mailbox
        if flags is not None:
            head += " (%s)" % flags
        if date is not None:
            head += ' "%s"' % date
        return client.command_with_literals([head + " ", content, ""], literal_plus=literal_plus)

    def fetch_one(self, client, command):
        """The items of the FETCH responses to `command` (which must be
        answered OK, about one message), merged."""
        response = client.command(command)
        self.assertStatus(response, "OK", client=client)
        fetches = response.fetches()
        self.assertTrue(fetches, "no FETCH response to %r" % command)
        self.assertEqual(len({n for n, _ in fetches}), 1, "FETCH responses about one message to %r: %r" % (
            command, response.untagged))
        items = {}
        for _, more in fetches:
            items.update(more)
        return items

    # --- imaplib sessions ----------------------------------------------------

    def imaplib_plain(self, server=None, timeout=10.0):
        """imaplib on the plain port, not logged in."""
        server = server or self.plaintext
        client = imaplib.IMAP4(kh.LOOPBACK, server.port, timeout=timeout)
        self.addCleanup(_close_quietly, client)
        return client

    def imaplib_starttls(self, server=None, timeout=10.0):
        """imaplib on the plain port after STARTTLS (certificate verified)."""
        server = server or self.tls_only
        client = self.imaplib_plain(server, timeout)
        client.starttls(ssl_context=server.ssl_context())
        return client

    def imaplib_ssl(self, server=None, verify=True, timeout=10.0):
        """imaplib on the implicit-TLS port, the certificate verified against
        the server's own (verify=True) or not checked at all."""
        server = server or self.tls_only
        context = server.ssl_context() if verify else unverified_context()
        client = imaplib.IMAP4_SSL(kh.LOOPBACK, server.tls_port, ssl_context=context, timeout=timeout)
        self.addCleanup(_close_quietly, client)
        return client

    def imaplib_login(self, account, server=None):
        """imaplib logged in on the plaintext instance's plain port."""
        client = self.imaplib_plain(server)
        typ, _ = client.login(account, PASSWORD)
        self.assertEqual(typ, "OK")
        return client
