"""IMAP against mail clients that are not ours: curl (imap:// with and
without STARTTLS, imaps:// verifying the generated certificate or not) and
mbsync (package isync) keeping a local Maildir in step with an account in
both directions: new mail, new folders, flags and deletions."""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from tests.imap import imap_fixture as fx
from tests.support import kurier_harness as kh

CURL = shutil.which("curl") or "/usr/bin/curl"
MBSYNC = shutil.which("mbsync") or "/usr/bin/mbsync"

MESSAGES = [
    fx.message("plain", ["Hello from the external clients test."]),
    fx.message("foo report", ["The foo numbers.", "", "-- ", "Sender"]),
    (b"From: sender@example.net\r\nTo: someone@example.org\r\nSubject: 8bit\r\n"
     b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
     + "Gr\u00fc\u00dfe aus K\u00f6ln \u2709\r\n".encode("utf-8")),
]


class CurlTest(fx.ImapTestCase):

    def curl(self, url, *args, check=True):
        argv = [CURL, "--silent", "--show-error", "--max-time", "30"] + list(args) + [url]
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if check and result.returncode != 0:
            self.fail("curl %s exited %d: %s" % (" ".join(argv[1:]), result.returncode, result.stderr.decode()))
        return result

    def user(self, account):
        return ["--user", "%s:%s" % (account, fx.PASSWORD)]

    def listed_names(self, output):
        names = set()
        for line in output.decode("utf-8", "replace").splitlines():
            m = re.match(r'\* LIST \([^)]*\) (?:"/"|NIL) (.*)$', line)
            self.assertTrue(m, "not a LIST response: %r" % line)
            names.add(m.group(1).strip('"'))
        return names

    def test_list_fetch_search_over_plain_imap(self):
        account = self.new_account(MESSAGES)
        base = "imap://%s:%d/" % (kh.LOOPBACK, self.plaintext.port)
        names = self.listed_names(self.curl(base, *self.user(account)).stdout)
        self.assertEqual(names, {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"})
        for uid, expected in enumerate(MESSAGES, 1):
            with self.subTest(uid=uid):
                self.assertEqual(self.curl(base + "INBOX;UID=%d" % uid, *self.user(account)).stdout, expected)
        found = self.curl(base + "INBOX", *self.user(account), "--request", "SEARCH SUBJECT foo").stdout
        self.assertEqual(found, b"* SEARCH 2\r\n")
        found = self.curl(base + "INBOX", *self.user(account), "--request", "UID SEARCH TEXT numbers").stdout
        self.assertEqual(found, b"* SEARCH 2\r\n")
        # A wrong password: curl fails, nothing is printed.
        refused = self.curl(base, "--user", account + ":wrong", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertEqual(refused.stdout, b"")

    def test_starttls_required_and_implicit_tls(self):
        account = self.new_account(MESSAGES)
        starttls = "imap://%s:%d/" % (kh.LOOPBACK, self.tls_only.port)
        imaps = "imaps://%s:%d/" % (kh.LOOPBACK, self.tls_only.tls_port)
        verified = ["--cacert", self.tls_only.cafile]
        self.assertEqual(self.curl(starttls + "INBOX;UID=1", "--ssl-reqd", *verified, *self.user(account)).stdout,
                         MESSAGES[0])
        # Without STARTTLS the production instance takes no password.
        refused = self.curl(starttls + "INBOX;UID=1", *self.user(account), check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertEqual(refused.stdout, b"")
        self.assertEqual(self.curl(imaps + "INBOX;UID=2", *verified, *self.user(account)).stdout, MESSAGES[1])
        self.assertEqual(self.curl(imaps + "INBOX;UID=3", "--insecure", *self.user(account)).stdout, MESSAGES[2])
        names = self.listed_names(self.curl(imaps, *verified, *self.user(account)).stdout)
        self.assertIn("INBOX", names)
        # Without --cacert the self-signed certificate is refused.
        untrusted = self.curl(imaps, *self.user(account), check=False)
        self.assertNotEqual(untrusted.returncode, 0)

    def test_append_with_upload(self):
        account = self.new_account()
        path = os.path.join(self.cluster.dir, "upload-%d.eml" % fx.unique())
        content = fx.message("uploaded by curl", ["line one", "line two"])
        with open(path, "wb") as f:
            f.write(content)
        imaps = "imaps://%s:%d/INBOX" % (kh.LOOPBACK, self.tls_only.tls_port)
        self.curl(imaps, "--cacert", self.tls_only.cafile, *self.user(account), "--upload-file", path)
        listed = self.ctl.message_list(account)
        self.assertEqual([m["size"] for m in listed], [len(content)])
        self.assertEqual(self.curl(imaps + ";UID=%d" % listed[0]["uid"], "--cacert", self.tls_only.cafile,
                                   *self.user(account)).stdout, content)


def lf(data):
    """A message with LF line ends and without the X-TUID field mbsync adds
    to what it copies (to find the copy again)."""
    data = data.replace(b"\r\n", b"\n")
    return re.sub(rb"(?m)^X-TUID: [^\n]*\n", b"", data, count=1)


class Maildir:
    """A Maildir tree as mbsync keeps it (SubFolders Verbatim, INBOX under Path)."""

    UID = re.compile(r",U=(\d+)")

    def __init__(self, root):
        self.root = root

    def folder(self, name):
        return os.path.join(self.root, name)

    def files(self, name="INBOX"):
        """{uid (int, or None before mbsync numbered it): (path, flags)}."""
        out = {}
        for sub in ("new", "cur"):
            directory = os.path.join(self.folder(name), sub)
            if not os.path.isdir(directory):
                continue
            for entry in sorted(os.listdir(directory)):
                m = self.UID.search(entry)
                flags = entry.split(":2,", 1)[1] if ":2," in entry else ""
                out[int(m.group(1)) if m else entry] = (os.path.join(directory, entry), flags)
        return out

    def contents(self, name="INBOX"):
        result = {}
        for uid, (path, _) in self.files(name).items():
            with open(path, "rb") as f:
                result[uid] = f.read()
        return result

    def create_folder(self, name):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.folder(name), sub), exist_ok=True)

    def add(self, name, content, flags=""):
        """Writes a message as a mail reader would (cur/ with flags, or new/)."""
        unique_name = "%d.%d_%d.test" % (time.time(), os.getpid(), fx.unique())
        if flags:
            path = os.path.join(self.folder(name), "cur", unique_name + ":2," + flags)
        else:
            path = os.path.join(self.folder(name), "new", unique_name)
        with open(path, "wb") as f:
            f.write(content)
        return path

    def set_flags(self, path, flags):
        """Renames a message file to carry `flags` (in cur/)."""
        base = os.path.basename(path).split(":2,", 1)[0]
        target = os.path.join(os.path.dirname(os.path.dirname(path)), "cur", base + ":2," + flags)
        os.rename(path, target)
        return target


@unittest.skipUnless(os.access(MBSYNC, os.X_OK), "mbsync (package isync) is not installed")
class MbsyncTest(fx.ImapTestCase):

    def setUp(self):
        super().setUp()
        self.account = self.new_account(MESSAGES[:2])
        self.home = tempfile.mkdtemp(prefix="mbsync-", dir=self.cluster.dir)
        self.maildir = Maildir(os.path.join(self.home, "mail"))
        os.makedirs(self.maildir.root)

    def write_config(self, tls):
        if tls:
            server, port = self.tls_only, self.tls_only.tls_port
            security = "SSLType IMAPS\nCertificateFile %s\n" % server.cafile
        else:
            server, port = self.plaintext, self.plaintext.port
            # mbsync takes no password over a plain connection unless told to.
            security = "SSLType None\nAuthMechs LOGIN PLAIN\n"
        path = os.path.join(self.home, "mbsyncrc")
        with open(path, "w") as f:
            f.write("IMAPAccount kurier\nHost %s\nPort %d\nUser %s\nPass \"%s\"\n%sTimeout 20\n\n"
                    "IMAPStore far\nAccount kurier\n\n"
                    "MaildirStore near\nPath %s/\nInbox %s\nSubFolders Verbatim\n\n"
                    "Channel kurier\nFar :far:\nNear :near:\nPatterns *\nCreate Both\nExpunge Both\n"
                    "SyncState *\n" % (kh.LOOPBACK, port, self.account, fx.PASSWORD, security, self.maildir.root,
                                      self.maildir.folder("INBOX")))
        return path

    def mbsync(self, config):
        started = time.monotonic()
        result = subprocess.run([MBSYNC, "--verbose", "-c", config, "--all"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=60, env=dict(os.environ, HOME=self.home))
        output = result.stdout.decode("utf-8", "replace")
        if result.returncode != 0:
            self.fail("mbsync exited %d after %.1f s:\n%s" % (result.returncode, time.monotonic() - started,
                                                              output[-6000:]))
        print("mbsync took %.2f s" % (time.monotonic() - started))
        return output

    def server(self):
        """A raw session on the plaintext instance."""
        return self.raw_login(self.account)

    def server_flags(self, client, mailbox="INBOX"):
        """{uid: sorted flags} of a mailbox, read over IMAP."""
        self.assertStatus(client.command("EXAMINE \"%s\"" % mailbox), "OK", client=client)
        response = client.command("FETCH 1:* (UID FLAGS)")
        return {items["UID"]: sorted(items["FLAGS"]) for _, items in response.fetches()}

    def sync_both_ways(self, tls):
        config = self.write_config(tls)
        # 1. Everything comes down.
        self.mbsync(config)
        local = self.maildir.contents()
        self.assertEqual(sorted(local), [1, 2], self.maildir.files())
        for uid, content in local.items():
            self.assertEqual(lf(content), lf(MESSAGES[uid - 1]), "message %d as mbsync stored it" % uid)
        for name in ("Sent", "Drafts", "Trash", "Junk", "Archive"):
            self.assertTrue(os.path.isdir(os.path.join(self.maildir.folder(name), "cur")), name)

        # 2. Changes on both sides: new mail and a flag on the server; a
        # new folder, a new message and \Seen locally.
        self.ctl.deliver([self.account], MESSAGES[2])
        server = self.server()
        server.command("SELECT INBOX")
        self.assertStatus(server.command("UID STORE 2 +FLAGS (\\Flagged)"), "OK", client=server)
        server.command("UNSELECT")
        self.maildir.create_folder("Local")
        local_message = fx.message("written locally", ["Filed by hand."])
        self.maildir.add("Local", local_message.replace(b"\r\n", b"\n"))
        path1 = self.maildir.files()[1][0]
        self.maildir.set_flags(path1, "S")
        self.mbsync(config)

        files = self.maildir.files()
        self.assertEqual(sorted(files), [1, 2, 3], files)
        self.assertIn("F", files[2][1], "\\Flagged came down: %s" % files[2][0])
        self.assertNotIn("F", files[1][1])
        self.assertEqual(lf(self.maildir.contents()[3]), lf(MESSAGES[2]))
        names = {name for _, _, name, _ in server.command('LIST "" "*"').list_entries()}
        self.assertIn("Local", names, "the local folder was created on the server")
        flags = self.server_flags(server)
        self.assertIn("\\Seen", flags[1], "\\Seen went up")
        self.assertNotIn("\\Seen", flags[2])
        self.assertIn("\\Flagged", flags[2])
        self.assertEqual(len(self.ctl.message_list(self.account, "Local")), 1)
        self.assertStatus(server.command("EXAMINE Local"), "OK", client=server)
        items = self.fetch_one(server, "FETCH 1 BODY.PEEK[]")
        uploaded = re.sub(rb"(?m)^X-TUID: [^\r\n]*\r\n", b"", items["BODY[]"], count=1)
        self.assertEqual(uploaded, local_message, "the local message on the server, with CRLF")
        server.command("UNSELECT")

        # 3. Deletions both ways: message 1 locally, message 3 on the server.
        os.unlink(self.maildir.files()[1][0])
        server.command("SELECT INBOX")
        server.command("UID STORE 3 +FLAGS.SILENT (\\Deleted)")
        self.assertStatus(server.command("EXPUNGE"), "OK", client=server)
        server.command("UNSELECT")
        self.mbsync(config)
        self.assertEqual(sorted(self.maildir.files()), [2], "the server's deletion came down")
        self.assertEqual([m["uid"] for m in self.ctl.message_list(self.account)], [2],
                         "the local deletion went up and was expunged")
        # 4. A run with nothing to do changes nothing.
        self.mbsync(config)
        self.assertEqual(sorted(self.maildir.files()), [2])
        self.assertEqual(sorted(self.server_flags(server)), [2])

    def test_sync_both_ways_over_imaps(self):
        self.sync_both_ways(tls=True)

    def test_sync_both_ways_over_plain_imap(self):
        self.sync_both_ways(tls=False)


if __name__ == "__main__":
    unittest.main()
