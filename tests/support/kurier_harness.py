"""Runs Kurier's real binaries on loopback for integration tests.

The tests in tests/ drive the real services with real clients; this module
starts and stops the processes and speaks the small amount of protocol the
standard library does not.

  cluster = Cluster("my-test")          # a temporary directory, no processes
  store = cluster.start_store()         # mailstore on 127.0.0.1:0
  ctl = cluster.kurierctl(store)        # the admin CLI against it
  ctl.add_account("alice@example.org", "secret")
  ctl.deliver(["alice@example.org"], b"Subject: hi\\r\\n\\r\\nbody\\r\\n")
  pop3 = cluster.start_pop3(store)      # pop3 with every listener on port 0
  smtp = cluster.start_smtp(store)      # smtp (MX, submission, submissions)
  client = smtp.connect("smtp")         # an SmtpClient: raw lines, parsed replies
  ...
  cluster.close()                       # kills whatever is still running

Every port is chosen by the kernel (port 0) and read back from the port file
the service writes once it listens. Every wait is a poll with a deadline, never
a fixed sleep. Cluster.close() kills every process it started, whatever state
the test left them in, and copies their logs to $TEST_UNDECLARED_OUTPUTS_DIR.

Binaries are found in the Bazel runfiles ($TEST_SRCDIR/$TEST_WORKSPACE); run
outside Bazel, the module falls back to bazel-bin/ of the checkout it lives in.
$KURIER_BIN_DIR overrides both (a directory laid out like bazel-bin/).

Only the Python standard library is used.
"""

import base64
import hashlib
import hmac
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

MAILSTORE = "services/mailstore/mailstore"
POP3 = "services/pop3/pop3"
SMTP = "services/smtp/smtp"
KURIERCTL = "tools/kurierctl/kurierctl"

LOOPBACK = "127.0.0.1"
# How long a service may take to start (write its port file).
START_TIMEOUT = 30.0


# --------------------------------------------------------------------------
# Finding binaries, waiting


def binary(relative_path):
    """The path of a binary built by Bazel, e.g. binary(POP3)."""
    roots = []
    if os.environ.get("KURIER_BIN_DIR"):
        roots.append(os.environ["KURIER_BIN_DIR"])
    if os.environ.get("TEST_SRCDIR"):
        roots.append(os.path.join(os.environ["TEST_SRCDIR"], os.environ.get("TEST_WORKSPACE", "kurier")))
    if os.environ.get("RUNFILES_DIR"):
        roots.append(os.path.join(os.environ["RUNFILES_DIR"], os.environ.get("TEST_WORKSPACE", "kurier")))
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    roots.append(os.path.join(checkout, "bazel-bin"))
    for root in roots:
        path = os.path.join(root, relative_path)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError("%s not found under any of %s (add it to the test's data)" % (relative_path, roots))


def wait_until(predicate, timeout, what, interval=0.02):
    """Polls predicate() until it returns a true value, which is returned.

    Raises TimeoutError naming `what` after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def tmp_root():
    return os.environ.get("TEST_TMPDIR") or tempfile.gettempdir()


# --------------------------------------------------------------------------
# Processes


class ServiceProcess:
    """One child process with its output in a log file."""

    def __init__(self, name, argv, log_path):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def send_signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def freeze(self, timeout=10.0):
        """SIGSTOP, and waits until every thread has stopped: a loaded
        machine may let one thread run on for a while after the signal."""
        self.send_signal(signal.SIGSTOP)

        def stopped():
            task_dir = "/proc/%d/task" % self.pid
            try:
                for tid in os.listdir(task_dir):
                    with open(os.path.join(task_dir, tid, "stat")) as f:
                        # "pid (comm) S ...": the state follows the last ")".
                        if f.read().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
                            return False
            except FileNotFoundError:
                return False  # a thread ended while we looked: look again
            return True

        wait_until(stopped, timeout, "%s to stop after SIGSTOP" % self.name, interval=0.005)

    def thaw(self):
        """SIGCONT after freeze()."""
        self.send_signal(signal.SIGCONT)

    def wait(self, timeout):
        """The exit status; raises subprocess.TimeoutExpired if still running."""
        return self.proc.wait(timeout=timeout)

    def stop(self, timeout=15.0):
        """SIGTERM, then waits; SIGKILL if it does not exit in time. The exit status."""
        self.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self):
        if self.alive():
            self.proc.kill()
        self.proc.wait()
        self._log.close()

    def log_text(self):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def memory_kb(self, field="VmRSS"):
        """A field of /proc/PID/status in kB: VmRSS (resident now), VmHWM (peak)."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise KeyError(field)

    def check_started(self, what):
        """Raises if the process died while we waited for `what`."""
        if not self.alive():
            raise RuntimeError("%s exited with status %s while waiting for %s; its log:\n%s"
                               % (self.name, self.proc.returncode, what, self.log_text()))


def _flag_args(flags):
    args = []
    for key, value in (flags or {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        args.append("--%s=%s" % (key, value))
    return args


class Store:
    """A mailstore process on 127.0.0.1 with its data directory."""

    def __init__(self, cluster, name, data_dir, flags):
        self.cluster = cluster
        self.name = name
        self.data_dir = data_dir
        self.flags = dict(flags or {})
        self.port = None
        self.process = None

    def start(self, port=0):
        """Starts the store (again, on the same data). port=0 picks a free port;
        pass the old port to come back where clients expect it."""
        port_file = os.path.join(self.cluster.dir, self.name + ".port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        flags = {
            "store.data_dir": self.data_dir,
            "store.listen": "%s:%d" % (LOOPBACK, port),
            "store.port_file": port_file,
            "store.metrics_listen": "off",
            "store.scrypt_n": 1024,
        }
        flags.update(self.flags)
        self.process = self.cluster.spawn(self.name, [binary(MAILSTORE)] + _flag_args(flags))

        def ready():
            self.process.check_started("its port file")
            return os.path.exists(port_file)

        wait_until(ready, START_TIMEOUT, "%s to write %s" % (self.name, port_file))
        with open(port_file) as f:
            self.port = int(f.read().strip())
        return self

    @property
    def address(self):
        return "%s:%d" % (LOOPBACK, self.port)

    def stop(self, timeout=15.0):
        return self.process.stop(timeout)


class PortFileService:
    """A protocol service (pop3, later imap and smtp) that writes "name port"
    lines to its port file once every listener is up."""

    def __init__(self, cluster, name, argv, port_file, expected_ports):
        self.cluster = cluster
        self.name = name
        self.port_file = port_file
        self.process = cluster.spawn(name, argv)

        def ready():
            self.process.check_started("its port file")
            return os.path.exists(port_file)

        wait_until(ready, START_TIMEOUT, "%s to write %s" % (name, port_file))
        self.ports = {}
        with open(port_file) as f:
            for line in f:
                if line.strip():
                    key, value = line.split()
                    self.ports[key] = int(value)
        missing = set(expected_ports) - set(self.ports)
        if missing:
            raise RuntimeError("%s port file %s lacks %s: %r" % (name, port_file, sorted(missing), self.ports))

    @property
    def pid(self):
        return self.process.pid

    def stop(self, timeout=15.0):
        return self.process.stop(timeout)

    def kill(self):
        self.process.kill()


def http_get(port, path, timeout=10.0):
    """GET http://127.0.0.1:port/path over HTTP/1.0: (status code, body text).
    The status is 0 when the answer is not HTTP at all."""
    with socket.create_connection((LOOPBACK, port), timeout) as s:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\nHost: localhost\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(m.group(1)) if m else 0), body.decode("utf-8", "replace")


class Pop3Server(PortFileService):
    """A pop3 process: .port (plain, STLS), .tls_port (implicit TLS), .cafile
    (its self-signed certificate, to verify TLS against)."""

    def __init__(self, cluster, name, store, flags):
        state = os.path.join(cluster.dir, name)
        os.makedirs(state, exist_ok=True)
        self.tls_dir = os.path.join(state, "tls")
        port_file = os.path.join(state, "ports")
        all_flags = {
            "store_client.shards": store.address,
            "pop3.listen": LOOPBACK + ":0",
            "pop3.tls_listen": LOOPBACK + ":0",
            "pop3.metrics_listen": LOOPBACK + ":0",
            "pop3.health_listen": LOOPBACK + ":0",
            "pop3.port_file": port_file,
            "pop3.tls.self_signed_dir": self.tls_dir,
            "pop3.hostname": "localhost",
        }
        all_flags.update(flags or {})
        super().__init__(cluster, name, [binary(POP3)] + _flag_args(all_flags), port_file,
                         ["pop3", "pop3s", "metrics", "health"])
        self.cafile = os.path.join(self.tls_dir, "localhost.crt")
        if not os.path.exists(self.cafile):
            raise RuntimeError("%s wrote no certificate at %s" % (name, self.cafile))

    @property
    def port(self):
        return self.ports["pop3"]

    @property
    def tls_port(self):
        return self.ports["pop3s"]

    @property
    def metrics_port(self):
        return self.ports["metrics"]

    def ssl_context(self):
        """A client context that trusts exactly this server's certificate."""
        return ssl.create_default_context(cafile=self.cafile)

    def connect(self, timeout=10.0, rcvbuf=None):
        """A LineClient on the plain port, greeting not yet read."""
        return LineClient.connect(LOOPBACK, self.port, timeout, rcvbuf=rcvbuf)

    def connect_tls(self, timeout=10.0):
        """A LineClient on the implicit-TLS port, certificate verified."""
        return LineClient.connect(LOOPBACK, self.tls_port, timeout, self.ssl_context(), LOOPBACK)

    def metrics(self, timeout=10.0):
        """The text of /metrics."""
        return http_get(self.metrics_port, "/metrics", timeout)[1]


class SmtpServer(PortFileService):
    """An smtp process with its three listeners on port 0: .port("smtp") (MX,
    STARTTLS), .port("submission") (STARTTLS, AUTH), .port("submissions")
    (implicit TLS, AUTH); .cafile is its self-signed certificate (for
    `hostname`, localhost and 127.0.0.1)."""

    LISTENERS = ("smtp", "submission", "submissions")

    def __init__(self, cluster, name, store, flags, hostname):
        state = os.path.join(cluster.dir, name)
        os.makedirs(state, exist_ok=True)
        self.hostname = hostname
        self.tls_dir = os.path.join(state, "tls")
        port_file = os.path.join(state, "ports")
        all_flags = {
            "store_client.shards": store.address,
            "smtp.listen": LOOPBACK + ":0",
            "smtp.submission_listen": LOOPBACK + ":0",
            "smtp.submissions_listen": LOOPBACK + ":0",
            "smtp.metrics_listen": LOOPBACK + ":0",
            "smtp.health_listen": LOOPBACK + ":0",
            "smtp.port_file": port_file,
            "smtp.tls.self_signed_dir": self.tls_dir,
            "smtp.hostname": hostname,
        }
        all_flags.update(flags or {})
        super().__init__(cluster, name, [binary(SMTP)] + _flag_args(all_flags), port_file,
                         list(self.LISTENERS) + ["metrics", "health"])
        self.cafile = os.path.join(self.tls_dir, hostname + ".crt")
        if not os.path.exists(self.cafile):
            raise RuntimeError("%s wrote no certificate at %s" % (name, self.cafile))

    def port(self, listener="smtp"):
        """The port of "smtp", "submission" or "submissions"."""
        return self.ports[listener]

    @property
    def metrics_port(self):
        return self.ports["metrics"]

    def ssl_context(self):
        """A client context that trusts exactly this server's certificate."""
        return ssl.create_default_context(cafile=self.cafile)

    def connect(self, listener="smtp", timeout=10.0, rcvbuf=None):
        """An SmtpClient, greeting not yet read. "submissions" is implicit
        TLS, verified against .cafile for the name `hostname`."""
        if listener == "submissions":
            return SmtpClient.connect(LOOPBACK, self.port(listener), timeout, self.ssl_context(), self.hostname,
                                      rcvbuf=rcvbuf)
        return SmtpClient.connect(LOOPBACK, self.port(listener), timeout, rcvbuf=rcvbuf)

    def metrics(self, timeout=10.0):
        """The text of /metrics."""
        return http_get(self.metrics_port, "/metrics", timeout)[1]


class Cluster:
    """The processes of one test and the temporary directory they live in."""

    def __init__(self, name="cluster"):
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[-60:]
        self.dir = tempfile.mkdtemp(prefix=safe + "-", dir=tmp_root())
        self._processes = []
        self._names = set()

    def _unique(self, name):
        base, n = name, 1
        while name in self._names:
            n += 1
            name = "%s%d" % (base, n)
        self._names.add(name)
        return name

    def spawn(self, name, argv):
        process = ServiceProcess(name, argv, os.path.join(self.dir, name + ".log"))
        self._processes.append(process)
        return process

    def start_store(self, flags=None, name="mailstore"):
        name = self._unique(name)
        return Store(self, name, os.path.join(self.dir, name + "-data"), flags).start()

    def start_pop3(self, store, flags=None, name="pop3"):
        """flags: {"pop3.allow_plaintext_auth": True, ...} on top of the
        loopback/port-0 defaults."""
        return Pop3Server(self, self._unique(name), store, flags)

    def start_smtp(self, store, flags=None, name="smtp", hostname="mx.test"):
        """flags: {"smtp.max_message_bytes": 1048576, ...} on top of the
        loopback/port-0 defaults."""
        return SmtpServer(self, self._unique(name), store, flags, hostname)

    def kurierctl(self, store):
        return Kurierctl(store)

    def close(self):
        """Kills every process still running and keeps the logs."""
        for process in reversed(self._processes):
            try:
                process.kill()
            except Exception:  # keep killing the others
                pass
        outputs = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
        if outputs:
            target = os.path.join(outputs, os.path.basename(self.dir))
            os.makedirs(target, exist_ok=True)
            for process in self._processes:
                try:
                    shutil.copy(process.log_path, target)
                except OSError:
                    pass

    def logs(self):
        """Every process's log, for a failure message."""
        return "\n".join("==== %s (pid %d)\n%s" % (p.name, p.pid, p.log_text()) for p in self._processes)


# --------------------------------------------------------------------------
# kurierctl


class KurierctlError(Exception):
    pass


class Kurierctl:
    """The admin CLI pointed at one store."""

    def __init__(self, store):
        self.store = store

    def run(self, *args, input=None, check=True, timeout=60):
        """Runs `kurierctl --store=... args...`; stdout as text (input: bytes)."""
        argv = [binary(KURIERCTL), "--store=" + self.store.address] + [str(a) for a in args]
        result = subprocess.run(argv, input=input if input is not None else b"", stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=timeout)
        if check and result.returncode != 0:
            raise KurierctlError("%s exited %d\nstdout: %s\nstderr: %s" % (
                " ".join(argv[1:]), result.returncode, result.stdout.decode(errors="replace"),
                result.stderr.decode(errors="replace")))
        return result.stdout.decode("utf-8", "replace")

    def add_account(self, name, password):
        self.run("account", "add", name, "--password=" + password)

    def set_pop3_policy(self, account, policy, days=None):
        args = ["account", "pop3", account, policy]
        if days is not None:
            args.append(days)
        self.run(*args)

    def deliver(self, recipients, message):
        """Delivers the bytes of `message` (read from stdin, byte-exact) to
        every recipient; returns {recipient: uid}."""
        if isinstance(recipients, str):
            recipients = [recipients]
        out = self.run("deliver", *recipients, input=message)
        uids = {}
        for line in out.splitlines():
            m = re.match(r"delivered (\S+) uid (\d+)", line)
            if m:
                uids[m.group(1)] = int(m.group(2))
        if set(uids) != set(recipients):
            raise KurierctlError("deliver reported %r for %r" % (out, recipients))
        return uids

    def message_list(self, account, mailbox="INBOX"):
        """[{"uid", "size", "flags": [...], "pop3_hidden": bool}] in UID order."""
        out = self.run("message", "list", account, mailbox)
        messages = []
        for line in out.splitlines():
            words = line.split()
            if not words or not words[0].isdigit():
                continue  # the header, or "no messages in INBOX"
            # UID SIZE DATE(YYYY-MM-DD HH:MM:SS UTC) FLAGS... [pop3-hidden]
            rest = words[words.index("UTC") + 1:] if "UTC" in words else words[4:]
            hidden = "pop3-hidden" in rest
            flags = [w for w in rest if w not in ("-", "pop3-hidden")]
            messages.append({"uid": int(words[0]), "size": int(words[1]), "flags": flags, "pop3_hidden": hidden})
        return messages

    def set_quota(self, account, quota):
        """quota: bytes (int) or a size such as "10K"; 0 is unlimited."""
        self.run("account", "quota", account, quota)

    def add_domain(self, name, catch_all=None):
        """Makes `name` a local domain; catch_all: the account that receives
        mail for its unknown addresses."""
        args = ["domain", "add", name]
        if catch_all is not None:
            args.append("--catch-all=" + catch_all)
        self.run(*args)

    def remove_domain(self, name):
        self.run("domain", "remove", name)

    def domains(self):
        """The local domains, lower case, as `domain list` prints them."""
        out = self.run("domain", "list")
        names = []
        for line in out.splitlines():
            words = line.split()
            if words and "." in words[0] and words[0].upper() != words[0]:
                names.append(words[0])
        return names

    def queue_text(self, content=False):
        """The output of `queue list` (with --content: the messages too)."""
        return self.run("queue", "list", *(["--content"] if content else []))

    _QUEUE_ENTRY = re.compile(r"^id:[ \t]+(\S+)\nqueued:[ \t]+([^\n]*)\nsize:[ \t]+(\d+)\nfrom:[ \t]+([^\n]*)\n"
                              r"to:[ \t]+([^\n]*)\n((?:(?:ret|envid|notify):[ \t]+[^\n]*\n)*)"
                              r"submitter:[ \t]+([^\n]*)\n", re.M)

    def queue(self):
        """The outbound queue, oldest first: [{"id", "from", "to": [...],
        "submitter", "size", "content", "dsn": {"ret", "envid", "notify":
        {address: "NOTIFY=... ORCPT=..."}}}] from `queue list --content`
        (content as text; from "<>" for the null sender; submitter "-" for
        none)."""
        text = self.queue_text(content=True)
        matches = list(self._QUEUE_ENTRY.finditer(text))
        entries = []
        for i, m in enumerate(matches):
            # The fields, an empty line, the content; "\n" before the next entry.
            start = m.end() + 1 if text[m.end():m.end() + 1] == "\n" else m.end()
            end = matches[i + 1].start() - 1 if i + 1 < len(matches) else len(text)
            dsn = {"ret": "", "envid": "", "notify": {}}
            for line in m.group(6).splitlines():
                name, value = line.split(":", 1)
                if name == "notify":
                    address, params = value.strip().split(" ", 1)
                    dsn["notify"][address] = params
                else:
                    dsn[name] = value.strip()
            entries.append({"id": m.group(1), "size": int(m.group(3)), "from": m.group(4).strip(),
                            "to": [a for a in m.group(5).strip().split(",") if a], "submitter": m.group(7).strip(),
                            "content": text[start:end], "dsn": dsn})
        if not entries and "queue is empty" not in text:
            raise KurierctlError("cannot read the queue listing: %r" % text[:500])
        return entries

    def uid_validity(self, account, mailbox="INBOX"):
        out = self.run("mailbox", "list", account)
        lines = out.splitlines()
        header = lines[0].split()
        column = header.index("UIDVALIDITY")
        for line in lines[1:]:
            words = line.split()
            if words and words[0] == mailbox:
                # Columns before UIDVALIDITY may hold a value with a space
                # ("21 B"); count from the right instead.
                return int(words[column - len(header)])
        raise KurierctlError("no mailbox %s in %r" % (mailbox, out))


# --------------------------------------------------------------------------
# Talking to a server byte by byte


class LineClient:
    """A socket that speaks CRLF lines, for what a client library would not
    send: garbage, pipelines, half lines, exact transcripts."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.sock.settimeout(timeout)
        self._buffer = b""

    @classmethod
    def connect(cls, host, port, timeout=10.0, tls_context=None, server_hostname=None, rcvbuf=None):
        """rcvbuf: a small receive buffer (set before connecting, so that the
        TCP window is small too) makes the server's writes block soon when
        the test does not read."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.settimeout(timeout)
            sock.connect((host, port))
        except Exception:
            sock.close()
            raise
        if tls_context is not None:
            try:
                sock = tls_context.wrap_socket(sock, server_hostname=server_hostname or host)
            except Exception:
                sock.close()
                raise
        return cls(sock, timeout)

    def settimeout(self, timeout):
        self.sock.settimeout(timeout)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def sendline(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.send(line + b"\r\n")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by the server (unread: %r)" % self._buffer[:200])
        self._buffer += chunk

    def readline(self):
        """The next line without its CRLF, as bytes. EOFError at end of stream."""
        while True:
            end = self._buffer.find(b"\r\n")
            if end >= 0:
                line, self._buffer = self._buffer[:end], self._buffer[end + 2:]
                return line
            self._fill()

    def readline_text(self):
        return self.readline().decode("utf-8", "replace")

    def command(self, line):
        """Sends one line and returns the first reply line as text."""
        self.sendline(line)
        return self.readline_text()

    def read_multiline(self):
        """The lines of a multi-line reply up to ".", dot-unstuffed (bytes)."""
        lines = []
        while True:
            line = self.readline()
            if line == b".":
                return lines
            if line.startswith(b"."):
                line = line[1:]
            lines.append(line)

    def read_message(self):
        """The body of a RETR/TOP reply as the message bytes (CRLF lines)."""
        return b"".join(line + b"\r\n" for line in self.read_multiline())

    def read_until_eof(self):
        """Everything left until the server closes; a reset counts as a close.
        socket.timeout if the server does not close in time."""
        data = self._buffer
        self._buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                return data
            if not chunk:
                return data
            data += chunk

    def starttls(self, context, server_hostname=LOOPBACK):
        if self._buffer:
            raise AssertionError("bytes after the STLS reply before the handshake: %r" % self._buffer)
        self.sock = context.wrap_socket(self.sock, server_hostname=server_hostname)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SmtpReply:
    """One SMTP reply (RFC 5321 4.2): .code (int), .lines (the text after
    "250-" / "250 " of each line), .enhanced (the RFC 3463 status code at
    the start of the first line's text, or None)."""

    ENHANCED = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})(?= |$)")

    def __init__(self, code, lines):
        self.code = code
        self.lines = lines
        m = self.ENHANCED.match(lines[0]) if lines else None
        self.enhanced = m.group(0) if m else None

    @property
    def text(self):
        """The first line's text without the enhanced code."""
        first = self.lines[0] if self.lines else ""
        return first[len(self.enhanced):].lstrip(" ") if self.enhanced else first

    def keywords(self):
        """For an EHLO reply: {KEYWORD: [params...]} of the lines after the first."""
        result = {}
        for line in self.lines[1:]:
            words = line.split()
            if words:
                result[words[0].upper()] = words[1:]
        return result

    def __str__(self):
        return "\n".join("%d%s%s" % (self.code, "-" if i < len(self.lines) - 1 else " ", line)
                         for i, line in enumerate(self.lines))

    __repr__ = __str__


def smtp_dot_stuff(content):
    """DATA as a client sends it (RFC 5321 4.5.2): content (CRLF lines; a
    missing last CRLF is added) with a "." doubled at the start of each line,
    and the terminating ".\r\n"."""
    if content and not content.endswith(b"\r\n"):
        content += b"\r\n"
    lines = content.split(b"\r\n")[:-1] if content else []
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines) + b".\r\n"


class SmtpClient(LineClient):
    """A LineClient that reads SMTP replies and keeps a transcript of the
    session (for failure messages: str(client.transcript_text()))."""

    def __init__(self, sock, timeout):
        super().__init__(sock, timeout)
        self.transcript = []

    def _note(self, side, data):
        if len(data) > 300:
            data = data[:240] + b"...<%d octets>..." % len(data) + data[-40:]
        self.transcript.append((side, data))

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self._note("C:", data)
        super().send(data)

    def readline(self):
        line = super().readline()
        self._note("S:", line + b"\r\n")
        return line

    def transcript_text(self):
        """C:/S: lines of everything sent and read so far."""
        out = []
        for side, data in self.transcript:
            for line in data.split(b"\r\n")[:-1] if data.endswith(b"\r\n") else data.split(b"\r\n"):
                out.append("%s %s" % (side, line.decode("utf-8", "backslashreplace")))
        return "\n".join(out)

    def read_reply(self):
        """The next reply (all its lines). EOFError if the server closed."""
        lines = []
        code = None
        while True:
            raw = self.readline()
            text = raw.decode("utf-8", "backslashreplace")
            m = re.match(r"(\d{3})([ -]|$)(.*)", text)
            if not m or (code is not None and int(m.group(1)) != code):
                raise ValueError("malformed SMTP reply line %r after %r" % (text, lines))
            code = int(m.group(1))
            lines.append(m.group(3))
            if m.group(2) != "-":
                return SmtpReply(code, lines)

    def cmd(self, line):
        """Sends one command line; its reply."""
        self.sendline(line)
        return self.read_reply()

    def ehlo(self, name="client.example"):
        return self.cmd("EHLO " + name)

    def data(self, content):
        """After a 354: sends content dot-stuffed with the final "."; the reply."""
        self.send(smtp_dot_stuff(content))
        return self.read_reply()


# --------------------------------------------------------------------------
# SASL


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode("ascii")


def sasl_plain(user, password):
    """The PLAIN initial response (RFC 4616), base64."""
    return b64(b"\0" + user.encode() + b"\0" + password.encode())


class ScramSha256Client:
    """The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel
    binding: gs2_header "n,," (or "y,," for a client that could bind but
    sees no -PLUS mechanism; "n,a=authzid," to ask for another identity).
    Passwords are taken as UTF-8 as given: SASLprep is the
    identity for the ASCII passwords the tests use.

      scram = ScramSha256Client(user, password)
      first = scram.client_first()                   # bytes to send
      final = scram.client_final(server_first)       # bytes to send
      scram.verify_server_final(server_final)        # raises if forged
    """

    def __init__(self, username, password, nonce=None, gs2_header="n,,"):
        self.gs2_header = gs2_header
        self.username = username
        self.password = password.encode("utf-8")
        self.nonce = nonce or base64.b64encode(secrets.token_bytes(18)).decode("ascii")
        self._client_first_bare = None
        self._expected_server_signature = None

    @staticmethod
    def _saslname(name):
        return name.replace("=", "=3D").replace(",", "=2C")

    def client_first(self):
        self._client_first_bare = "n=%s,r=%s" % (self._saslname(self.username), self.nonce)
        return (self.gs2_header + self._client_first_bare).encode()

    def client_final(self, server_first):
        server_first = server_first.decode() if isinstance(server_first, bytes) else server_first
        attrs = dict(item.split("=", 1) for item in server_first.split(","))
        combined_nonce, salt, iterations = attrs["r"], base64.b64decode(attrs["s"]), int(attrs["i"])
        if not combined_nonce.startswith(self.nonce) or combined_nonce == self.nonce:
            raise ValueError("server nonce %r does not extend the client nonce %r" % (combined_nonce, self.nonce))
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=%s,r=%s" % (b64(self.gs2_header), combined_nonce)
        auth_message = ",".join([self._client_first_bare, server_first, without_proof]).encode()
        client_signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, client_signature))
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        self._expected_server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
        return ("%s,p=%s" % (without_proof, b64(proof))).encode()

    def verify_server_final(self, server_final):
        server_final = server_final.decode() if isinstance(server_final, bytes) else server_final
        if server_final.startswith("e="):
            raise ValueError("server reported SCRAM error %r" % server_final)
        if not server_final.startswith("v="):
            raise ValueError("malformed server-final-message %r" % server_final)
        signature = base64.b64decode(server_final[2:])
        if not hmac.compare_digest(signature, self._expected_server_signature):
            raise ValueError("server signature does not match: the server does not know the password")


# --------------------------------------------------------------------------
# IMAP


class ImapServer(PortFileService):
    """An imap process with every listener on port 0: .port (plain,
    STARTTLS), .tls_port (implicit TLS), .metrics_port, .health_port;
    .cafile is its self-signed certificate (for `imap.hostname`, localhost
    by default), to verify TLS against.

      imap = ImapServer.start(cluster, store, {"imap.allow_plaintext_auth": True})
    """

    BINARY = "services/imap/imap"

    def __init__(self, cluster, name, store, flags):
        state = os.path.join(cluster.dir, name)
        os.makedirs(state, exist_ok=True)
        self.tls_dir = os.path.join(state, "tls")
        port_file = os.path.join(state, "ports")
        all_flags = {
            "store_client.shards": store.address,
            "imap.listen": LOOPBACK + ":0",
            "imap.tls_listen": LOOPBACK + ":0",
            "imap.metrics_listen": LOOPBACK + ":0",
            "imap.health_listen": LOOPBACK + ":0",
            "imap.port_file": port_file,
            "imap.tls.self_signed_dir": self.tls_dir,
            "imap.hostname": "localhost",
        }
        all_flags.update(flags or {})
        self.hostname = all_flags["imap.hostname"]
        super().__init__(cluster, name, [binary(self.BINARY)] + _flag_args(all_flags), port_file,
                         ["imap", "imaps", "metrics", "health"])
        self.cafile = os.path.join(self.tls_dir, self.hostname + ".crt")
        if not os.path.exists(self.cafile):
            raise RuntimeError("%s wrote no certificate at %s" % (name, self.cafile))

    @classmethod
    def start(cls, cluster, store, flags=None, name="imap"):
        """Starts an imap in front of `store`: flags such as
        {"imap.allow_plaintext_auth": True} on top of the loopback/port-0
        defaults. Returns once every listener is up."""
        return cls(cluster, cluster._unique(name), store, flags)

    @property
    def port(self):
        return self.ports["imap"]

    @property
    def tls_port(self):
        return self.ports["imaps"]

    @property
    def metrics_port(self):
        return self.ports["metrics"]

    @property
    def health_port(self):
        return self.ports["health"]

    def ssl_context(self):
        """A client context that trusts exactly this server's certificate."""
        return ssl.create_default_context(cafile=self.cafile)

    def connect(self, timeout=10.0, rcvbuf=None):
        """A LineClient on the plain port, greeting not yet read."""
        return LineClient.connect(LOOPBACK, self.port, timeout, rcvbuf=rcvbuf)

    def connect_tls(self, timeout=10.0):
        """A LineClient on the implicit-TLS port, certificate verified."""
        return LineClient.connect(LOOPBACK, self.tls_port, timeout, self.ssl_context(), LOOPBACK)

    def metrics(self, timeout=10.0):
        """The text of /metrics."""
        return http_get(self.metrics_port, "/metrics", timeout)[1]
