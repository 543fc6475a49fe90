"""IMAP through Python's imaplib, as a mail client would use it, with a raw
client where a response must be checked line by line: logins and
STARTTLS, SASL, CAPABILITY, ID, ENABLE, mailboxes and the LIST variants,
STATUS, APPEND, SELECT/EXAMINE, FETCH items byte for byte, STORE,
COPY/MOVE, EXPUNGE, SEARCH/ESEARCH/SEARCHRES, CLOSE/UNSELECT, and UTF-8
mailbox names."""

import base64
import datetime
import imaplib
import re
import unittest

from tests.imap import imap_fixture as fx
from tests.support import kurier_harness as kh

PRE_LOGIN = ["IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ENABLE", "ID", "IDLE", "AUTH=SCRAM-SHA-256"]
POST_LOGIN = ["NAMESPACE", "UNSELECT", "UIDPLUS", "MULTIAPPEND", "MOVE", "CHILDREN", "SPECIAL-USE", "LIST-EXTENDED",
              "LIST-STATUS", "ESEARCH", "SEARCHRES", "BINARY", "STATUS=SIZE", "UTF8=ACCEPT", "CONDSTORE"]

# A message with every part a FETCH test looks at: a preamble, a base64
# UTF-8 text part and a base64 binary attachment with NUL bytes.
TEXT_PART = "Gr\u00fc\u00dfe aus K\u00f6ln\r\nZweite Zeile\r\n".encode("utf-8")
BINARY_PART = bytes(range(256))


def _b64_lines(data):
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


PART1_HEADER = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
PART1_BODY = _b64_lines(TEXT_PART)
PART2_HEADER = (b"Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
                b"Content-Disposition: attachment; filename=\"data.bin\"\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n")
PART2_BODY = _b64_lines(BINARY_PART)
REPORT_HEADER = (b"From: Alice Example <alice@example.net>\r\n"
                 b"To: Bob <bob@example.org>, carol@example.org\r\n"
                 b"Cc: dave@example.org\r\n"
                 b"Subject: Quarterly report\r\n"
                 b"Date: Mon, 02 Feb 2026 10:11:12 +0100\r\n"
                 b"Message-ID: <report-1@example.net>\r\n"
                 b"In-Reply-To: <prev@example.net>\r\n"
                 b"MIME-Version: 1.0\r\n"
                 b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                 b"\r\n")
REPORT_TEXT = (b"This is a multi-part message in MIME format.\r\n"
               b"--b1\r\n" + PART1_HEADER + PART1_BODY + b"\r\n"
               b"--b1\r\n" + PART2_HEADER + PART2_BODY + b"\r\n"
               b"--b1--\r\n")
REPORT = REPORT_HEADER + REPORT_TEXT
REPORT_DATE = '"02-Feb-2026 10:11:12 +0100"'  # quoted, as imaplib.append wants a string


def internaldate_timestamp(value):
    """Seconds since the epoch of an INTERNALDATE ("02-Feb-2026 09:11:12 +0000")."""
    return datetime.datetime.strptime(fx.text(value), "%d-%b-%Y %H:%M:%S %z").timestamp()


def code_of(data):
    """The response code of an imaplib tagged reply text ([b"[APPENDUID 1 2] ..."]) as words."""
    first = data[0].decode() if isinstance(data[0], bytes) else data[0]
    m = re.match(r"\[([^\]]*)\]", first)
    return m.group(1).split() if m else []


def apply_expunges(uids, numbers):
    """The UIDs left after "* n EXPUNGE" responses (in the order sent) on a
    mailbox holding `uids`: each removes the n-th message of what is left."""
    left = list(uids)
    for n in numbers:
        if not 1 <= n <= len(left):
            raise AssertionError("* %d EXPUNGE with only %d messages (%r)" % (n, len(left), numbers))
        del left[n - 1]
    return left


class LoginTest(fx.ImapTestCase):

    def test_capability_before_and_after_login(self):
        account = self.new_account()
        client = self.imaplib_plain(self.plaintext)
        self.assertTrue(client.welcome.startswith(b"* OK"), client.welcome)
        caps = set(client.capabilities)  # imaplib upper-cases them
        for cap in (c.upper() for c in PRE_LOGIN + ["STARTTLS", "AUTH=PLAIN"]):
            self.assertIn(cap, caps, "advertised before login")
        self.assertNotIn("LOGINDISABLED", caps, "plaintext logins are allowed on this instance")
        for cap in POST_LOGIN:
            self.assertNotIn(cap.upper(), caps, "only after login")
        client.login(account, fx.PASSWORD)
        typ, data = client.capability()
        self.assertEqual(typ, "OK")
        caps = set(data[0].decode().split())
        for cap in PRE_LOGIN[:-1] + POST_LOGIN:
            self.assertIn(cap, caps, "advertised after login")
        for cap in ("STARTTLS", "LOGINDISABLED", "AUTH=PLAIN"):
            self.assertNotIn(cap, caps, "not after login")
        self.assertEqual(client.noop()[0], "OK")
        typ, data = client.logout()
        self.assertEqual(typ, "BYE")

    def test_login_good_and_bad(self):
        account = self.new_account()
        client = self.raw(self.plaintext)
        for line in ('LOGIN "%s" "wrong password"' % account, 'LOGIN "nobody@%s" "%s"' % (fx.DOMAIN, fx.PASSWORD)):
            response = client.command(line)
            self.assertStatus(response, "NO", "AUTHENTICATIONFAILED", client)
        response = client.command("LOGIN %s {%d+}\r\n%s" % (account, len(fx.PASSWORD), fx.PASSWORD))
        self.assertStatus(response, "OK", client=client)
        self.assertStatus(client.command("SELECT INBOX"), "OK", client=client)
        # And with imaplib, the way a program sees a wrong password.
        other = self.imaplib_plain(self.plaintext)
        with self.assertRaisesRegex(imaplib.IMAP4.error, "AUTHENTICATIONFAILED"):
            other.login(account, "nope")

    def test_logindisabled_until_starttls(self):
        account = self.new_account()
        client = self.imaplib_plain(self.tls_only)
        caps = set(client.capabilities)
        self.assertIn("LOGINDISABLED", caps)
        self.assertIn("STARTTLS", caps)
        self.assertNotIn("AUTH=PLAIN", caps, "no plaintext mechanism without TLS")
        with self.assertRaises(imaplib.IMAP4.error):
            client.login(account, fx.PASSWORD)
        raw = self.raw(self.tls_only)
        response = raw.command('LOGIN "%s" "%s"' % (account, fx.PASSWORD))
        self.assertIn(response.status, ("NO", "BAD"), raw.transcript_text())
        response = raw.command("AUTHENTICATE PLAIN " + kh.sasl_plain(account, fx.PASSWORD))
        self.assertIn(response.status, ("NO", "BAD"), raw.transcript_text())
        self.assertStatus(raw.command("SELECT INBOX"), "BAD", client=raw)

        client = self.imaplib_starttls(self.tls_only)
        caps = set(client.capabilities)
        self.assertNotIn("LOGINDISABLED", caps, "after STARTTLS")
        self.assertNotIn("STARTTLS", caps, "after STARTTLS")
        self.assertIn("AUTH=PLAIN", caps)
        self.assertEqual(client.login(account, fx.PASSWORD)[0], "OK")
        self.assertEqual(client.select("INBOX")[0], "OK")

    def test_implicit_tls_verified_and_unverified(self):
        account = self.new_account([fx.message("over tls")])
        for verify in (True, False):
            with self.subTest(verify=verify):
                client = self.imaplib_ssl(self.tls_only, verify=verify)
                caps = set(client.capabilities)
                self.assertNotIn("STARTTLS", caps)
                self.assertNotIn("LOGINDISABLED", caps)
                self.assertIn("AUTH=PLAIN", caps)
                self.assertEqual(client.login(account, fx.PASSWORD)[0], "OK")
                self.assertEqual(client.select("INBOX"), ("OK", [b"1"]))
                client.logout()

    def test_authenticate_plain(self):
        account = self.new_account()
        client = self.imaplib_plain(self.plaintext)
        typ, _ = client.authenticate("PLAIN", lambda _: b"\0" + account.encode() + b"\0" + fx.PASSWORD.encode())
        self.assertEqual(typ, "OK")
        self.assertEqual(client.state, "AUTH")
        bad = self.imaplib_plain(self.plaintext)
        with self.assertRaisesRegex(imaplib.IMAP4.error, "AUTHENTICATIONFAILED"):
            bad.authenticate("PLAIN", lambda _: b"\0" + account.encode() + b"\0wrong")

    def test_authenticate_plain_with_initial_response(self):
        account = self.new_account()
        client = self.raw(self.plaintext)
        response = client.command("AUTHENTICATE PLAIN " + kh.sasl_plain(account, fx.PASSWORD))
        self.assertStatus(response, "OK", client=client)
        self.assertEqual(response.continuations, [], "SASL-IR: no empty challenge")
        self.assertStatus(client.command("SELECT INBOX"), "OK", client=client)
        client = self.raw(self.plaintext)
        response = client.command("AUTHENTICATE PLAIN " + kh.sasl_plain(account, "wrong"))
        self.assertStatus(response, "NO", "AUTHENTICATIONFAILED", client)
        # Without an initial response the server asks with an empty challenge.
        tag = client.send_command("AUTHENTICATE PLAIN")
        response = client.read_until_tagged(
            tag, on_continuation=lambda _: client.sendline(kh.sasl_plain(account, fx.PASSWORD)))
        self.assertStatus(response, "OK", client=client)
        self.assertEqual([c.rstrip() for c in response.continuations], [b"+"])
        # "*" cancels the exchange (RFC 9051 6.2.2).
        client = self.raw(self.plaintext)
        tag = client.send_command("AUTHENTICATE PLAIN")
        response = client.read_until_tagged(tag, on_continuation=lambda _: client.sendline("*"))
        self.assertStatus(response, "BAD", client=client)

    def test_authenticate_scram_sha_256(self):
        account = self.new_account()
        for server, tls in ((self.tls_only, False), (self.tls_only, True)):
            with self.subTest(tls=tls):
                client = self.raw(server, tls=tls)
                scram = kh.ScramSha256Client(account, fx.PASSWORD)
                tag = client.send_command("AUTHENTICATE SCRAM-SHA-256 " + kh.b64(scram.client_first()))
                steps = []

                def answer(line):
                    challenge = base64.b64decode(line[2:])
                    steps.append(challenge)
                    if len(steps) == 1:
                        client.sendline(kh.b64(scram.client_final(challenge)))
                    else:
                        scram.verify_server_final(challenge)
                        client.sendline("")

                response = client.read_until_tagged(tag, on_continuation=answer)
                self.assertStatus(response, "OK", client=client)
                self.assertEqual(len(steps), 2, "server-first and server-final as challenges")
                self.assertStatus(client.command("SELECT INBOX"), "OK", client=client)

    def test_login_with_quoted_specials_and_literal(self):
        account = "quoted%d@%s" % (fx.unique(), fx.DOMAIN)
        password = 'pa"ss\\w \u00f6rd'
        self.ctl.add_account(account, password)
        client = self.raw(self.plaintext)
        response = client.command('LOGIN "%s" "%s"' % (account, 'pa\\"ss\\\\w \u00f6rd'))
        self.assertStatus(response, "OK", client=client)  # a quoted UTF-8 password (RFC 9051 allows 8-bit)
        client = self.raw(self.plaintext)
        encoded = password.encode("utf-8")
        response = client.command_with_literals(['LOGIN "%s" ' % account, encoded, ""])
        self.assertStatus(response, "OK", client=client)
        client = self.raw(self.plaintext)
        response = client.command("AUTHENTICATE PLAIN " + kh.sasl_plain(account, password))
        self.assertStatus(response, "OK", client=client)

    def test_authenticate_scram_with_a_wrong_password(self):
        account = self.new_account()
        client = self.raw(self.plaintext)
        scram = kh.ScramSha256Client(account, "not the password")
        tag = client.send_command("AUTHENTICATE SCRAM-SHA-256 " + kh.b64(scram.client_first()))
        steps = []

        def answer(line):
            steps.append(line)
            if len(steps) == 1:
                client.sendline(kh.b64(scram.client_final(base64.b64decode(line[2:]))))
            else:  # a server-final-message with e=... : the verdict follows
                self.assertTrue(base64.b64decode(line[2:]).startswith(b"e="), line)
                client.sendline("")

        response = client.read_until_tagged(tag, on_continuation=answer)
        self.assertStatus(response, "NO", "AUTHENTICATIONFAILED", client)
        self.assertStatus(client.command("SELECT INBOX"), "BAD", client=client)

    def test_id(self):
        account = self.new_account()
        client = self.raw(self.plaintext)
        response = client.command('ID ("name" "kurier-test" "version" "1.0")')
        self.assertStatus(response, "OK", client=client)
        lines = response.lines("ID")
        self.assertEqual(len(lines), 1, response.untagged)
        values = fx.parse(lines[0][len(b"* ID"):])
        self.assertEqual(len(values), 1)
        if values[0] is not None:
            fields = {fx.lower(k): v for k, v in fx.pairs(values[0]).items()}
            self.assertIn("name", fields)
        self.assertStatus(client.command("ID NIL"), "OK", client=client)
        client.command('LOGIN "%s" "%s"' % (account, fx.PASSWORD))
        self.assertStatus(client.command('ID ("name" "again")'), "OK", client=client)

    def test_enable(self):
        account = self.new_account()
        client = self.raw_login(account)
        response = client.command("ENABLE IMAP4rev2")
        self.assertStatus(response, "OK", client=client)
        self.assertEqual(response.lines("ENABLED"), [b"* ENABLED IMAP4rev2"])
        response = client.command("ENABLE X-UNKNOWN-EXTENSION")
        self.assertStatus(response, "OK", client=client)
        for line in response.lines("ENABLED"):
            self.assertEqual(line.strip(), b"* ENABLED", "nothing enabled that the server does not know")
        # With imaplib: UTF8=ACCEPT.
        other = self.imaplib_login(account)
        typ, data = other.enable("UTF8=ACCEPT")
        self.assertEqual(typ, "OK")
        self.assertEqual(other.response("ENABLED"), ("ENABLED", [b"UTF8=ACCEPT"]))

    def test_logout(self):
        account = self.new_account()
        client = self.raw_login(account, select="INBOX")
        response = client.command("LOGOUT")
        self.assertStatus(response, "OK", client=client)
        self.assertTrue(response.lines("BYE"), "LOGOUT sends BYE before the tagged OK")
        self.assertEqual(client.read_until_eof(), b"", "the server closes after LOGOUT")


class MailboxTest(fx.ImapTestCase):

    def test_create_list_rename_delete(self):
        account = self.new_account()
        client = self.imaplib_login(account)
        for name in ("Projects", "Projects/2026", "Projects/2026/Q1"):
            typ, data = client.create(name)
            self.assertEqual(typ, "OK", data)
        raw = self.raw_login(account)
        everything = {name: (attributes, delimiter)
                      for attributes, delimiter, name, _ in raw.command('LIST "" "*"').list_entries()}
        self.assertEqual(set(everything), {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive", "Projects",
                                           "Projects/2026", "Projects/2026/Q1"})
        self.assertEqual({d for _, d in everything.values()}, {"/"})
        self.assertIn("\\haschildren", everything["Projects"][0])
        self.assertIn("\\hasnochildren", everything["Projects/2026/Q1"][0])
        self.assertIn("\\hasnochildren", everything["INBOX"][0])
        top = {name for _, _, name, _ in raw.command('LIST "" "%"').list_entries()}
        self.assertEqual(top, {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive", "Projects"})
        below = {name for _, _, name, _ in raw.command('LIST "Projects/" "%"').list_entries()}
        self.assertEqual(below, {"Projects/2026"})
        pattern = {name for _, _, name, _ in raw.command('LIST "" "Pro%"').list_entries()}
        self.assertEqual(pattern, {"Projects"}, "% does not match the delimiter")
        pattern = {name for _, _, name, _ in raw.command('LIST "" "Projects/%"').list_entries()}
        self.assertEqual(pattern, {"Projects/2026"})
        pattern = {name for _, _, name, _ in raw.command('LIST "" "Pro*Q%"').list_entries()}
        self.assertEqual(pattern, {"Projects/2026/Q1"})
        # The delimiter and root for an empty pattern.
        response = raw.command('LIST "" ""')
        self.assertEqual([(e[1], e[2]) for e in response.list_entries()], [("/", "")])
        self.assertIn("\\noselect", response.list_entries()[0][0])
        # imaplib's view: the same names.
        typ, data = client.list('""', "Projects*")
        self.assertEqual(typ, "OK")
        self.assertEqual(len(data), 3, data)

        self.assertEqual(client.create("Projects")[0], "NO", "CREATE of an existing mailbox")
        self.assertEqual(client.create("INBOX")[0], "NO")
        typ, data = client.rename("Projects", "Done")
        self.assertEqual(typ, "OK", data)
        names = {name for _, _, name, _ in raw.command('LIST "" "*"').list_entries()}
        self.assertTrue({"Done", "Done/2026", "Done/2026/Q1"} <= names, names)
        self.assertFalse({"Projects", "Projects/2026"} & names, "the children moved with their parent")
        self.assertEqual(client.rename("Done", "Sent")[0], "NO", "RENAME onto an existing mailbox")
        self.assertEqual(client.rename("Nothing", "Other")[0], "NO", "RENAME of a missing mailbox")
        response = raw.command("DELETE Nothing")
        self.assertStatus(response, "NO", "NONEXISTENT", raw)
        self.assertEqual(client.delete("INBOX")[0], "NO", "INBOX cannot be deleted")
        for name in ("Done/2026/Q1", "Done/2026", "Done"):
            typ, data = client.delete(name)
            self.assertEqual(typ, "OK", (name, data))
        names = {name for _, _, name, _ in raw.command('LIST "" "*"').list_entries()}
        self.assertEqual(names, {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"})

    def test_create_makes_the_missing_parents(self):
        account = self.new_account()
        client = self.raw_login(account)
        self.assertStatus(client.command("CREATE Top/Middle/Leaf"), "OK", client=client)
        # The levels above are listed, selectable or not, where % ends the pattern.
        listed = {name: a for a, _, name, _ in client.command('LIST "" "%"').list_entries()}
        self.assertIn("Top", listed)
        listed = {name: a for a, _, name, _ in client.command('LIST "" "Top*"').list_entries()}
        self.assertEqual(set(listed), {"Top", "Top/Middle", "Top/Middle/Leaf"})
        self.assertNotIn("\\noselect", listed["Top/Middle"])
        self.assertStatus(client.command("SELECT Top/Middle"), "OK", client=client)

    def test_rename_inbox_moves_its_messages(self):
        account = self.new_account([fx.message("one"), fx.message("two")])
        client = self.raw_login(account)
        self.assertStatus(client.command("RENAME INBOX Old"), "OK", client=client)
        status = client.command("STATUS INBOX (MESSAGES)").status_items()
        self.assertEqual(status["INBOX"]["MESSAGES"], 0, "INBOX stays, empty (RFC 9051 6.3.6)")
        status = client.command("STATUS Old (MESSAGES)").status_items()
        self.assertEqual(status["Old"]["MESSAGES"], 2)

    def test_special_use_and_list_status(self):
        account = self.new_account([fx.message("one"), fx.message("two")])
        client = self.raw_login(account)
        self.assertStatus(client.command("CREATE Plain"), "OK", client=client)
        client.command("SELECT INBOX")
        self.assertStatus(client.command("STORE 1 +FLAGS (\\Seen)"), "OK", client=client)
        response = client.command('LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))')
        self.assertStatus(response, "OK", client=client)
        attributes = {name: a for a, _, name, _ in response.list_entries()}
        expected_uses = {"Sent": "\\sent", "Drafts": "\\drafts", "Trash": "\\trash", "Junk": "\\junk",
                         "Archive": "\\archive"}
        for name, use in expected_uses.items():
            self.assertIn(use, attributes[name], name)
        for name in ("INBOX", "Plain"):
            self.assertFalse(set(attributes[name]) & set(expected_uses.values()), name)
        status = response.status_items()
        self.assertEqual(set(status), set(attributes), "a STATUS for every mailbox listed")
        self.assertEqual(status["INBOX"], {"MESSAGES": 2, "UNSEEN": 1})
        self.assertEqual(status["Plain"], {"MESSAGES": 0, "UNSEEN": 0})
        # The STATUS of a mailbox follows its LIST (RFC 5819 section 2).
        kinds = [line.split(b" ")[1] for line in response.untagged]
        inbox_list = next(i for i, line in enumerate(response.untagged) if line.startswith(b"* LIST")
                          and fx.text(fx.parse(line[6:])[2]) == "INBOX")
        self.assertEqual(kinds[inbox_list + 1], b"STATUS")
        # SPECIAL-USE as a selection option: only the special mailboxes.
        response = client.command('LIST (SPECIAL-USE) "" "*"')
        self.assertEqual({name for _, _, name, _ in response.list_entries()}, set(expected_uses))
        # imaplib sends the same command as any client would.
        lib = self.imaplib_login(account)
        typ, data = lib.list('""', '"*" RETURN (SPECIAL-USE)')
        self.assertEqual(typ, "OK")
        self.assertTrue(any(b"\\Sent" in line and b"Sent" in line for line in data), data)

    def test_subscribe_lsub_and_list_subscribed(self):
        account = self.new_account()
        client = self.imaplib_login(account)
        client.create("Lists")
        client.create("Lists/kurier")
        raw = self.raw_login(account)
        raw.command("UNSUBSCRIBE Lists")
        raw.command("UNSUBSCRIBE Lists/kurier")
        self.assertEqual(client.subscribe("Lists/kurier")[0], "OK")
        lsub = {name for _, _, name, _ in raw.command('LSUB "" "*"').list_entries("LSUB")}
        self.assertIn("Lists/kurier", lsub)
        self.assertNotIn("Lists", lsub)
        self.assertIn("INBOX", lsub, "the default mailboxes start subscribed")
        typ, data = client.lsub('""', "Lists/*")
        self.assertEqual(typ, "OK")
        self.assertEqual(len([d for d in data if d]), 1, data)
        response = raw.command('LIST (SUBSCRIBED) "" "*"')
        subscribed = {name: a for a, _, name, _ in response.list_entries()}
        self.assertIn("Lists/kurier", subscribed)
        self.assertNotIn("Lists", subscribed)
        self.assertIn("\\subscribed", subscribed["Lists/kurier"])
        response = raw.command('LIST "" "Lists*" RETURN (SUBSCRIBED)')
        attributes = {name: a for a, _, name, _ in response.list_entries()}
        self.assertIn("\\subscribed", attributes["Lists/kurier"])
        self.assertNotIn("\\subscribed", attributes["Lists"])
        self.assertEqual(client.unsubscribe("Lists/kurier")[0], "OK")
        lsub = {name for _, _, name, _ in raw.command('LSUB "" "*"').list_entries("LSUB")}
        self.assertNotIn("Lists/kurier", lsub)
        self.assertEqual(raw.command('LIST (SUBSCRIBED) "" "Lists*"').list_entries(), [])

    def test_namespace(self):
        account = self.new_account()
        client = self.imaplib_login(account)
        typ, data = client.namespace()
        self.assertEqual(typ, "OK")
        self.assertEqual(fx.parse(data[0]), [[[b"", b"/"]], None, None])

    def test_status_with_size(self):
        messages = [fx.message("one"), fx.message("two", ["x" * 500]), fx.message("three")]
        account = self.new_account(messages)
        client = self.imaplib_login(account)
        client.select("INBOX")
        client.store("2", "+FLAGS", "(\\Seen)")
        client.close()
        typ, data = client.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN SIZE)")
        self.assertEqual(typ, "OK")
        values = fx.parse(data[0])
        self.assertEqual(fx.text(values[0]), "INBOX")
        self.assertEqual(fx.pairs(values[1]), {"MESSAGES": 3, "UIDNEXT": 4, "UIDVALIDITY": self.ctl.uid_validity(account),
                                               "UNSEEN": 2, "SIZE": sum(len(m) for m in messages)})
        typ, data = client.status("Nothing", "(MESSAGES)")
        self.assertEqual(typ, "NO")
        raw = self.raw_login(account)
        self.assertStatus(raw.command("STATUS INBOX (BOGUS)"), "BAD", client=raw)

    def test_mailbox_names_in_modified_utf7_and_utf8(self):
        account = self.new_account()
        rev1 = self.raw_login(account)
        self.assertStatus(rev1.command('CREATE "Entw&APw-rfe"'), "OK", client=rev1)
        names = {name for _, _, name, _ in rev1.command('LIST "" "*"').list_entries()}
        self.assertIn("Entw&APw-rfe", names, "IMAP4rev1 clients see modified UTF-7")
        self.assertNotIn("Entw\u00fcrfe", names)
        for enable in ("UTF8=ACCEPT", "IMAP4rev2"):
            with self.subTest(enable=enable):
                client = self.raw_login(account, enable=enable)
                response = client.command('LIST "" "*"')
                names = {name for _, _, name, _ in response.list_entries()}
                self.assertIn("Entw\u00fcrfe", names, "after ENABLE %s the name is UTF-8" % enable)
                self.assertNotIn("Entw&APw-rfe", names)
                self.assertStatus(client.command('SELECT "Entw\u00fcrfe"'), "OK", client=client)
        # Created in UTF-8, seen in modified UTF-7 by the old client.
        utf8 = self.raw_login(account, enable="UTF8=ACCEPT")
        self.assertStatus(utf8.command('CREATE "Gesch\u00e4ft/\u65e5\u672c"'), "OK", client=utf8)
        names = {name for _, _, name, _ in rev1.command('LIST "" "Gesch*"').list_entries()}
        self.assertIn("Gesch&AOQ-ft/&ZeVnLA-", names)
        self.assertNotIn("Gesch\u00e4ft/\u65e5\u672c", names)
        names = {name for _, _, name, _ in rev1.command('LIST "" "Gesch%"').list_entries()}
        self.assertEqual(names, {"Gesch&AOQ-ft"}, "the level above, in modified UTF-7")
        self.assertStatus(rev1.command('SELECT "Gesch&AOQ-ft/&ZeVnLA-"'), "OK", client=rev1)
        # imaplib (modified UTF-7 by hand, as imaplib leaves names alone).
        lib = self.imaplib_login(account)
        self.assertEqual(lib.select('"Entw&APw-rfe"')[0], "OK")


class MessageTest(fx.ImapTestCase):

    def setUp(self):
        super().setUp()
        self.account = self.new_account()
        self.lib = self.imaplib_login(self.account)
        typ, data = self.lib.append("INBOX", "(\\Flagged $Report)", REPORT_DATE, REPORT)
        self.assertEqual(typ, "OK", data)
        self.append_code = code_of(data)
        self.client = self.raw_login(self.account)

    def test_append_with_flags_and_date_and_appenduid(self):
        validity = self.ctl.uid_validity(self.account)
        self.assertEqual(self.append_code, ["APPENDUID", str(validity), "1"])
        typ, data = self.lib.append("INBOX", None, None, fx.message("second"))
        self.assertEqual(code_of(data), ["APPENDUID", str(validity), "2"])
        listed = self.ctl.message_list(self.account)
        self.assertEqual([m["uid"] for m in listed], [1, 2])
        self.assertEqual(listed[0]["size"], len(REPORT))
        # LITERAL+ (no wait for "+") into another mailbox.
        response = self.append(self.client, "Drafts", fx.message("draft"), flags="\\Draft", literal_plus=True)
        self.assertStatus(response, "OK", "APPENDUID", self.client)
        self.assertEqual(response.continuations, [])
        self.assertEqual(response.code.split()[1], str(self.ctl.uid_validity(self.account, "Drafts")))
        # Into a mailbox that does not exist: NO [TRYCREATE].
        response = self.append(self.client, "Nowhere", fx.message("lost"))
        self.assertStatus(response, "NO", "TRYCREATE", self.client)

    def test_select_and_examine(self):
        self.lib.append("INBOX", "(\\Seen)", None, fx.message("second"))
        response = self.client.command("SELECT INBOX")
        self.assertStatus(response, "OK", "READ-WRITE", self.client)
        self.assertEqual(response.numbers("EXISTS"), [2])
        self.assertEqual(len(response.lines("RECENT")), 1, "IMAP4rev1 requires RECENT: %r" % response.untagged)
        codes = response.codes()
        self.assertEqual(int(codes["UIDVALIDITY"]), self.ctl.uid_validity(self.account))
        self.assertEqual(int(codes["UIDNEXT"]), 3)
        permanent = fx.parse(codes["PERMANENTFLAGS"])[0]
        for flag in ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\*"):
            self.assertIn(flag, permanent)
        flags = fx.parse(response.lines("FLAGS")[0][len(b"* FLAGS"):])[0]
        for flag in ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"):
            self.assertIn(flag, flags)
        self.assertEqual(self.lib.select("INBOX"), ("OK", [b"2"]))
        self.assertEqual(self.lib.response("UIDVALIDITY")[1], [str(self.ctl.uid_validity(self.account)).encode()])

        response = self.client.command("EXAMINE INBOX")
        self.assertStatus(response, "OK", "READ-ONLY", self.client)
        self.assertEqual(response.numbers("EXISTS"), [2])
        self.assertStatus(self.client.command("STORE 1 +FLAGS (\\Deleted)"), "NO", client=self.client)
        self.assertIn("\\Seen", fx.parse(response.lines("FLAGS")[0][len(b"* FLAGS"):])[0])
        self.assertNotIn("\\Seen", self.fetch_one(self.client, "FETCH 1 (BODY[] FLAGS)")["FLAGS"],
                         "EXAMINE: BODY[] does not set \\Seen")
        self.assertStatus(self.client.command("SELECT Nothing"), "NO", client=self.client)
        self.assertStatus(self.client.command("FETCH 1 FLAGS"), "BAD", client=self.client)

    def test_append_utf8_data_extension(self):
        content = "From: J\u00fcrgen <j@example.net>\r\nSubject: Gr\u00fc\u00dfe\r\n\r\nK\u00f6ln\r\n".encode()
        self.assertStatus(self.client.command("ENABLE UTF8=ACCEPT"), "OK", client=self.client)
        for literal_plus in (False, True):
            with self.subTest(literal_plus=literal_plus):
                tag = self.client.next_tag()
                self.client.send(b"%s APPEND Drafts UTF8 (~{%d%s}\r\n" % (tag.encode(), len(content),
                                                                          b"+" if literal_plus else b""))
                if not literal_plus:
                    line = self.client.read_response()
                    self.assertTrue(line.startswith(b"+"), "a continuation for the literal8: %r" % line)
                self.client.send(content + b")\r\n")
                response = self.client.read_until_tagged(tag)
                self.assertStatus(response, "OK", "APPENDUID", self.client)
        self.assertStatus(self.client.command("EXAMINE Drafts"), "OK", client=self.client)
        items = self.fetch_one(self.client, "FETCH 1 (BODY.PEEK[] ENVELOPE)")
        self.assertEqual(items["BODY[]"], content)
        self.assertEqual(fx.text(items["ENVELOPE"][1]), "Gr\u00fc\u00dfe")

    def test_append_utf8_needs_enable_and_a_literal8(self):
        content = fx.message("utf8")
        # RFC 6855 section 4: UTF8 (...) without ENABLE UTF8=ACCEPT is a BAD.
        tag = self.client.next_tag()
        self.client.send(b"%s APPEND Drafts UTF8 (~{%d+}\r\n" % (tag.encode(), len(content)) + content + b")\r\n")
        self.assertStatus(self.client.read_until_tagged(tag), "BAD", client=self.client)
        # A plain literal8 (RFC 3516) is taken without it.
        tag = self.client.next_tag()
        self.client.send(b"%s APPEND Drafts ~{%d+}\r\n" % (tag.encode(), len(content)) + content + b"\r\n")
        self.assertStatus(self.client.read_until_tagged(tag), "OK", "APPENDUID", self.client)
        # Inside UTF8 (...) only a literal8 will do.
        self.assertStatus(self.client.command("ENABLE UTF8=ACCEPT"), "OK", client=self.client)
        tag = self.client.next_tag()
        self.client.send(b"%s APPEND Drafts UTF8 ({%d+}\r\n" % (tag.encode(), len(content)) + content + b")\r\n")
        self.assertStatus(self.client.read_until_tagged(tag), "BAD", client=self.client)
        self.assertEqual(self.client.command("STATUS Drafts (MESSAGES)").status_items()["Drafts"]["MESSAGES"], 1)

    def test_multiappend(self):
        self.assertIn("MULTIAPPEND", self.client.command("CAPABILITY").lines("CAPABILITY")[0].decode().split())
        first_uid = {"Drafts": 1, "INBOX": 2}
        for mailbox, literal_plus in (("Drafts", False), ("INBOX", True)):
            with self.subTest(mailbox=mailbox, literal_plus=literal_plus):
                messages = [fx.message("multi %s %d" % (mailbox, n)) for n in (1, 2, 3)]
                flags = [["\\Seen"], ["\\Flagged", "$Work"], []]
                parts = ["APPEND %s (\\Seen) " % mailbox, messages[0],
                         ' (\\Flagged $Work) "05-Mar-2026 08:00:00 +0200" ', messages[1],
                         " ", messages[2], ""]
                response = self.client.command_with_literals(parts, literal_plus=literal_plus)
                self.assertStatus(response, "OK", "APPENDUID", self.client)
                _, validity, uid_set = response.code.split()
                self.assertEqual(int(validity), self.ctl.uid_validity(self.account, mailbox))
                uids = [first_uid[mailbox] + n for n in range(3)]
                self.assertEqual(fx.sequence_set(uid_set), set(uids))
                self.assertStatus(self.client.command("EXAMINE %s" % mailbox), "OK", client=self.client)
                fetched = {items["UID"]: items for _, items in
                           self.client.command("UID FETCH %d:* (UID FLAGS INTERNALDATE BODY.PEEK[])"
                                               % uids[0]).fetches()}
                self.assertEqual(sorted(fetched), uids)
                for uid, content, expected in zip(uids, messages, flags):
                    self.assertEqual(fetched[uid]["BODY[]"], content)
                    self.assertEqual(sorted(fx.text(f) for f in fetched[uid]["FLAGS"]), sorted(expected))
                self.assertEqual(internaldate_timestamp(fetched[uids[1]]["INTERNALDATE"]),
                                 datetime.datetime(2026, 3, 5, 6, 0, 0, tzinfo=datetime.timezone.utc).timestamp())
                self.client.command("UNSELECT")

    def test_multiappend_is_all_or_nothing(self):
        def drafts():
            return self.client.command("STATUS Drafts (MESSAGES)").status_items()["Drafts"]["MESSAGES"]

        # The second literal is over the size limit: refused when announced,
        # before its data (no continuation), and nothing is appended.
        first = fx.message("first of two")
        tag = self.client.send_command("APPEND Drafts (\\Seen) {%d}" % len(first))
        self.assertTrue(self.client.read_response().startswith(b"+"))
        self.client.send(first + b" {1000000000000}\r\n")
        response = self.client.read_until_tagged(tag)
        self.assertStatus(response, "NO", "TOOBIG", self.client)
        self.assertStatus(self.client.command("NOOP"), "OK", client=self.client)
        self.assertEqual(drafts(), 0)
        # An empty message anywhere: nothing is appended.
        response = self.client.command_with_literals(["APPEND Drafts ", first, " ", b"", ""], literal_plus=True)
        self.assertStatus(response, "NO", client=self.client)
        self.assertEqual(drafts(), 0)
        # The store refuses the third message (over quota) after taking the
        # first two: those are removed again.
        small = [fx.message("small %d" % n) for n in (1, 2)]
        large = fx.message("large", ["x" * 70] * 100)
        used = len(REPORT)
        self.ctl.set_quota(self.account, used + len(small[0]) + len(small[1]) + 100)
        response = self.client.command_with_literals(["APPEND Drafts ", small[0], " ", small[1], " ", large, ""],
                                                     literal_plus=True)
        self.assertStatus(response, "NO", "OVERQUOTA", self.client)
        self.assertEqual(drafts(), 0)
        self.assertEqual([m["uid"] for m in self.ctl.message_list(self.account)], [1], "only the first APPEND")
        # Within the quota all of them are taken.
        response = self.client.command_with_literals(["APPEND Drafts ", small[0], " ", small[1], ""],
                                                     literal_plus=True)
        self.assertStatus(response, "OK", "APPENDUID", self.client)
        self.assertEqual(drafts(), 2)
        # At most 1000 messages in one command.
        self.ctl.set_quota(self.account, 0)
        parts = ["APPEND Drafts "]
        for _ in range(1001):
            parts += [b"x", " "]
        parts[-1] = ""
        response = self.client.command_with_literals(parts, literal_plus=True)
        self.assertStatus(response, "NO", "LIMIT", self.client)
        self.assertEqual(drafts(), 2)

    def test_imap4rev2_mode(self):
        self.lib.append("INBOX", "(\\Deleted)", None, fx.message("second"))
        self.assertStatus(self.client.command("ENABLE IMAP4rev2"), "OK", client=self.client)
        response = self.client.command("SELECT INBOX")
        self.assertStatus(response, "OK", "READ-WRITE", self.client)
        self.assertEqual(response.lines("RECENT"), [], "IMAP4rev2 has no RECENT response")
        self.assertEqual([(e[1], e[2]) for e in response.list_entries()], [("/", "INBOX")],
                         "RFC 9051 6.3.2: SELECT returns a LIST response with the mailbox name")
        response = self.client.command("EXAMINE Drafts")
        self.assertTrue(response.untagged[0].startswith(b"* OK [CLOSED]"),
                        "the CLOSED response code first: %r" % response.untagged[:2])
        self.client.command("SELECT INBOX")
        response = self.client.command("SEARCH UNDELETED")
        self.assertEqual(response.lines("SEARCH"), [], "IMAP4rev2 answers SEARCH with ESEARCH")
        self.assertEqual(response.esearch()["ALL"], {1})
        status = self.client.command("STATUS INBOX (MESSAGES DELETED SIZE)").status_items()["INBOX"]
        self.assertEqual(status["MESSAGES"], 2)
        self.assertEqual(status["DELETED"], 1)

    def test_fetch_macros_and_rfc822_items(self):
        self.lib.append("INBOX", None, None, fx.message("=?utf-8?q?Caf=C3=A9?= menu"))
        self.client.command("SELECT INBOX")
        fast = self.fetch_one(self.client, "FETCH 1 FAST")
        self.assertEqual(set(fast), {"FLAGS", "INTERNALDATE", "RFC822.SIZE"})
        everything = self.fetch_one(self.client, "FETCH 1 ALL")
        self.assertEqual(set(everything), {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"})
        full = self.fetch_one(self.client, "FETCH 1 FULL")
        self.assertEqual(set(full), {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"})
        items = self.fetch_one(self.client, "FETCH 1 (RFC822.HEADER BODY.PEEK[HEADER.FIELDS.NOT (Subject Date "
                                            "Message-ID In-Reply-To MIME-Version Content-Type From Cc)])")
        self.assertEqual(items["RFC822.HEADER"], REPORT_HEADER)
        self.assertEqual(items["BODY[HEADER.FIELDS.NOT (SUBJECT DATE MESSAGE-ID IN-REPLY-TO MIME-VERSION "
                               "CONTENT-TYPE FROM CC)]"], b"To: Bob <bob@example.org>, carol@example.org\r\n\r\n")
        self.assertNotIn("\\Seen", self.fetch_one(self.client, "FETCH 1 FLAGS")["FLAGS"], "RFC822.HEADER peeks")
        # Partial fetches at and past the end.
        items = self.fetch_one(self.client, "FETCH 1 (BODY.PEEK[]<%d.100> BODY.PEEK[]<%d.10>)"
                                            % (len(REPORT) - 5, len(REPORT) + 100))
        self.assertEqual(items["BODY[]<%d>" % (len(REPORT) - 5)], REPORT[-5:])
        self.assertEqual(items["BODY[]<%d>" % (len(REPORT) + 100)], b"")
        items = self.fetch_one(self.client, "FETCH 1 RFC822.TEXT")
        self.assertEqual(items["RFC822.TEXT"], REPORT_TEXT)
        self.assertIn("\\Seen", self.fetch_one(self.client, "FETCH 1 FLAGS")["FLAGS"], "RFC822.TEXT sets \\Seen")
        # ENVELOPE gives the header as it is, encoded words and all.
        envelope = self.fetch_one(self.client, "FETCH 2 ENVELOPE")["ENVELOPE"]
        self.assertEqual(envelope[1], b"=?utf-8?q?Caf=C3=A9?= menu")
        for line in ("FETCH 1 (BODY[0])", "FETCH 1 BODY[TEXT]<x>", "FETCH 1 (FLAGS BOGUS)", "FETCH 0 FLAGS",
                     "FETCH 1:0 FLAGS"):
            with self.subTest(line=line):
                self.assertStatus(self.client.command(line), "BAD", client=self.client)

    def test_append_to_the_selected_mailbox_reports_exists(self):
        self.client.command("SELECT INBOX")
        response = self.append(self.client, "INBOX", fx.message("second"))
        self.assertStatus(response, "OK", client=self.client)
        exists = response.numbers("EXISTS") + self.client.command("NOOP").numbers("EXISTS")
        self.assertEqual(exists, [2], "one EXISTS, with the APPEND or at the next NOOP")
        self.assertEqual([i["UID"] for _, i in self.client.command("FETCH 1:* UID").fetches()], [1, 2])

    def test_copy_to_the_selected_mailbox_reports_every_copy(self):
        for n in range(2, 21):
            self.append(self.client, "INBOX", fx.message("message %d" % n), literal_plus=True)
        self.client.command("SELECT INBOX")
        count = 20
        for round_ in range(8):
            with self.subTest(round=round_):
                response = self.client.command("COPY 1:20 INBOX")
                self.assertStatus(response, "OK", "COPYUID", self.client)
                count += 20
                exists = response.numbers("EXISTS") + self.client.command("NOOP").numbers("EXISTS")
                self.assertEqual(exists[-1:], [count], "EXISTS after COPY and NOOP: %r, COPYUID %s"
                                 % (exists, response.code))
            if exists[-1:] != [count]:
                break
        uids = [i["UID"] for _, i in self.client.command("FETCH 1:* UID").fetches()]
        self.assertEqual(uids, list(range(1, count + 1)))

    def test_append_arguments(self):
        for line, status in (('APPEND INBOX "31-Feb-2026 10:00:00 +0000" {5}', "BAD"),
                             ('APPEND INBOX "1-Jan-2026 10:00:00" {5}', "BAD"),
                             ("APPEND INBOX (\\Bogus) {5}", "BAD"),
                             ("APPEND INBOX (\\Seen {5}", "BAD")):
            with self.subTest(line=line):
                tag = self.client.send_command(line)
                reply = self.client.read_response()
                if reply.startswith(b"+"):
                    self.client.send(b"x\r\n\r\n\r\n")  # the 5 octets, and the end of the command
                    reply = self.client.read_until_tagged(tag).tagged.encode()
                self.assertTrue(reply.startswith(tag.encode() + b" " + status.encode()), "%s -> %r" % (line, reply))
        self.assertEqual(len(self.ctl.message_list(self.account)), 1, "nothing appended")
        # A date with a single-digit day is written with a leading space.
        response = self.append(self.client, "INBOX", fx.message("dated"), date=" 5-Mar-2026 08:00:00 +0200")
        self.assertStatus(response, "OK", client=self.client)
        self.client.command("SELECT INBOX")
        date = self.fetch_one(self.client, "FETCH 2 INTERNALDATE")["INTERNALDATE"]
        self.assertEqual(internaldate_timestamp(date),
                         datetime.datetime(2026, 3, 5, 6, 0, 0, tzinfo=datetime.timezone.utc).timestamp())

    def test_fetch_items_byte_exact(self):
        self.client.command("SELECT INBOX")
        items = self.fetch_one(self.client, "FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
        self.assertEqual(items["UID"], 1)
        self.assertEqual(sorted(items["FLAGS"]), ["$Report", "\\Flagged"])
        self.assertEqual(internaldate_timestamp(items["INTERNALDATE"]),
                         datetime.datetime(2026, 2, 2, 9, 11, 12, tzinfo=datetime.timezone.utc).timestamp())
        self.assertEqual(items["RFC822.SIZE"], len(REPORT))
        envelope = items["ENVELOPE"]
        self.assertEqual(envelope, [b"Mon, 02 Feb 2026 10:11:12 +0100", b"Quarterly report",
                                    [[b"Alice Example", None, b"alice", b"example.net"]],
                                    [[b"Alice Example", None, b"alice", b"example.net"]],
                                    [[b"Alice Example", None, b"alice", b"example.net"]],
                                    [[b"Bob", None, b"bob", b"example.org"], [None, None, b"carol", b"example.org"]],
                                    [[None, None, b"dave", b"example.org"]], None, b"<prev@example.net>",
                                    b"<report-1@example.net>"])

        items = self.fetch_one(self.client, "FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[HEADER] "
                                            "BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[2] BODY.PEEK[TEXT]<0.10> "
                                            "BINARY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[1] BINARY.SIZE[2])")
        self.assertEqual(items["BODY[HEADER.FIELDS (SUBJECT)]"], b"Subject: Quarterly report\r\n\r\n")
        self.assertEqual(items["BODY[HEADER]"], REPORT_HEADER)
        self.assertEqual(items["BODY[1]"], PART1_BODY)
        self.assertEqual(items["BODY[1.MIME]"], PART1_HEADER)
        self.assertEqual(items["BODY[2]"], PART2_BODY)
        self.assertEqual(items["BODY[TEXT]<0>"], REPORT_TEXT[:10])
        self.assertEqual(items["BINARY[1]"], TEXT_PART)
        self.assertEqual(items["BINARY[2]"], BINARY_PART)
        self.assertEqual(items["BINARY.SIZE[1]"], len(TEXT_PART))
        self.assertEqual(items["BINARY.SIZE[2]"], len(BINARY_PART))
        self.assertNotIn("FLAGS", items, "PEEK changes no flag")
        self.assertNotIn("\\Seen", self.fetch_one(self.client, "FETCH 1 FLAGS")["FLAGS"])

        # BODY[] is the message as appended, and sets \Seen.
        items = self.fetch_one(self.client, "FETCH 1 BODY[]")
        self.assertEqual(items["BODY[]"], REPORT)
        self.assertIn("\\Seen", self.fetch_one(self.client, "FETCH 1 FLAGS")["FLAGS"])
        # The same through imaplib.
        self.lib.select("INBOX")
        typ, data = self.lib.uid("FETCH", "1", "(RFC822)")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0][1], REPORT)

    def test_bodystructure(self):
        self.client.command("SELECT INBOX")
        items = self.fetch_one(self.client, "FETCH 1 (BODYSTRUCTURE BODY)")
        structure = items["BODYSTRUCTURE"]
        part1, part2 = structure[0], structure[1]
        self.assertEqual(fx.lower(structure[2]), "mixed")
        self.assertEqual([fx.lower(x) if i % 2 == 0 else fx.text(x) for i, x in enumerate(structure[3])],
                         ["boundary", "b1"])
        self.assertEqual((fx.lower(part1[0]), fx.lower(part1[1])), ("text", "plain"))
        self.assertEqual([fx.lower(x) for x in part1[2]], ["charset", "utf-8"])
        self.assertEqual(fx.lower(part1[5]), "base64")
        self.assertEqual(part1[6], len(PART1_BODY))
        self.assertIn(part1[7], (PART1_BODY.count(b"\n"), PART1_BODY.count(b"\n") + 1), "body lines")
        self.assertEqual((fx.lower(part2[0]), fx.lower(part2[1])), ("application", "octet-stream"))
        self.assertEqual([fx.text(x) for x in part2[2]][1], "data.bin")
        self.assertEqual(part2[6], len(PART2_BODY))
        disposition = part2[8]
        self.assertEqual(fx.lower(disposition[0]), "attachment")
        self.assertEqual([fx.text(x) for x in disposition[1]][1], "data.bin")
        # BODY is the non-extensible form: no extension data.
        body = items["BODY"]
        self.assertEqual(fx.lower(body[2]), "mixed")
        self.assertEqual(len(body), 3)
        self.assertEqual(len(body[0]), 8, "text part: type, subtype, params, id, description, encoding, size, lines")

    def test_store_flags(self):
        self.lib.append("INBOX", None, None, fx.message("second"))
        self.client.command("SELECT INBOX")
        response = self.client.command("STORE 1:2 +FLAGS (\\Seen $Work)")
        self.assertStatus(response, "OK", client=self.client)
        flags = {n: sorted(items["FLAGS"]) for n, items in response.fetches()}
        self.assertEqual(flags, {1: ["$Report", "$Work", "\\Flagged", "\\Seen"], 2: ["$Work", "\\Seen"]})
        response = self.client.command("STORE 1 -FLAGS (\\Flagged $Report)")
        self.assertEqual({n: sorted(i["FLAGS"]) for n, i in response.fetches()}, {1: ["$Work", "\\Seen"]})
        response = self.client.command("STORE 2 FLAGS.SILENT (\\Answered)")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual(self.fetch_one(self.client, "FETCH 2 FLAGS")["FLAGS"], ["\\Answered"])
        response = self.client.command("UID STORE 2 +FLAGS.SILENT (\\Draft)")
        self.assertStatus(response, "OK", client=self.client)
        response = self.client.command("UID STORE 1 FLAGS (\\Deleted)")
        self.assertEqual({n: (i.get("UID"), i["FLAGS"]) for n, i in response.fetches()}, {1: (1, ["\\Deleted"])},
                         "UID STORE reports the UID")
        self.assertEqual(sorted(self.ctl.message_list(self.account)[1]["flags"]), ["\\Answered", "\\Draft"])
        # imaplib
        self.lib.select("INBOX")
        typ, data = self.lib.store("2", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"\\Flagged", data[0])
        response = self.client.command("STORE 1 +FLAGS (\\Recent)")
        self.assertIn(response.status, ("NO", "BAD"), "\\Recent cannot be stored: %r" % response.tagged)

    def test_store_silent_sends_no_fetch(self):
        self.client.command("SELECT INBOX")
        for line in ("STORE 1 FLAGS.SILENT (\\Answered)", "STORE 1 +FLAGS.SILENT (\\Seen)",
                     "STORE 1 -FLAGS.SILENT (\\Seen)", "UID STORE 1 +FLAGS.SILENT (\\Draft)"):
            with self.subTest(line=line):
                response = self.client.command(line)
                self.assertStatus(response, "OK", client=self.client)
                self.assertEqual(response.fetches(), [], "%s: no FETCH response" % line)
        late = [line for line in self.client.nothing_within(0.5) if b"FETCH" in line]
        self.assertEqual(late + self.client.command("NOOP").lines("FETCH"), [], "nor later")
        self.assertEqual(sorted(self.fetch_one(self.client, "FETCH 1 FLAGS")["FLAGS"]), ["\\Answered", "\\Draft"])

    def test_flag_changes_are_reported_once(self):
        self.client.command("SELECT INBOX")

        def reported(command):
            """The FETCH responses about message 1 to `command`, in the half
            second after it, and at the NOOP after that."""
            response = self.client.command(command)
            self.assertStatus(response, "OK", client=self.client)
            lines = response.lines("FETCH") + self.client.nothing_within(0.5)
            lines += self.client.command("NOOP").lines("FETCH")
            return [line[:12] + b"..." + line[-50:] for line in lines if line.startswith(b"* 1 FETCH")]

        self.assertEqual(len(reported("FETCH 1 BODY[]")), 1, "the \\Seen set by BODY[] is told once")
        self.assertEqual(len(reported("STORE 1 +FLAGS ($Once)")), 1, "a STORE is answered once")

    def test_copy_and_move_with_copyuid(self):
        for n in range(2, 5):
            self.lib.append("INBOX", None, None, fx.message("message %d" % n))
        self.lib.create("Kept")
        self.lib.create("Moved")
        kept_validity = self.ctl.uid_validity(self.account, "Kept")
        moved_validity = self.ctl.uid_validity(self.account, "Moved")
        self.client.command("SELECT INBOX")
        response = self.client.command("COPY 1:2 Kept")
        self.assertStatus(response, "OK", "COPYUID", self.client)
        self.assertEqual(response.code.split(), ["COPYUID", str(kept_validity), "1:2", "1:2"])
        status = self.client.command("STATUS Kept (MESSAGES)").status_items()
        self.assertEqual(status["Kept"]["MESSAGES"], 2)
        self.assertStatus(self.client.command("COPY 1 Nowhere"), "NO", "TRYCREATE", self.client)

        response = self.client.command("UID MOVE 2:3 Moved")
        self.assertStatus(response, "OK", client=self.client)
        copyuid = [line for line in response.untagged if b"[COPYUID" in line]
        self.assertEqual(len(copyuid), 1, "MOVE sends COPYUID in an untagged OK: %r" % response.untagged)
        self.assertEqual(re.search(rb"\[COPYUID ([^\]]*)\]", copyuid[0]).group(1).split(),
                         [str(moved_validity).encode(), b"2:3", b"1:2"])
        self.assertEqual(apply_expunges([1, 2, 3, 4], response.numbers("EXPUNGE")), [1, 4])
        self.assertLess(response.untagged.index(copyuid[0]), response.untagged.index(response.lines("EXPUNGE")[0]))
        uids = [items["UID"] for _, items in self.client.command("FETCH 1:* UID").fetches()]
        self.assertEqual(uids, [1, 4])
        moved = self.ctl.message_list(self.account, "Moved")
        self.assertEqual([m["uid"] for m in moved], [1, 2])
        # imaplib: COPY returns the code in the tagged text; MOVE by sequence number.
        self.lib.select("INBOX")
        typ, data = self.lib.copy("2", "Kept")
        self.assertEqual(code_of(data), ["COPYUID", str(kept_validity), "4", "3"])
        typ, data = self.lib._simple_command("MOVE", "1", "Moved")
        self.assertEqual(typ, "OK")
        self.assertEqual(self.lib.response("EXPUNGE")[1], [b"1"])
        self.assertEqual([m["uid"] for m in self.ctl.message_list(self.account)], [4])

    def test_expunge_and_uid_expunge(self):
        for n in range(2, 7):
            self.lib.append("INBOX", None, None, fx.message("message %d" % n))
        self.client.command("SELECT INBOX")
        self.client.command("STORE 2,4 +FLAGS.SILENT (\\Deleted)")
        response = self.client.command("EXPUNGE")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual(apply_expunges([1, 2, 3, 4, 5, 6], response.numbers("EXPUNGE")), [1, 3, 5, 6])
        self.assertEqual([m["uid"] for m in self.ctl.message_list(self.account)], [1, 3, 5, 6])
        # UID EXPUNGE removes only the \Deleted messages among the UIDs given.
        self.client.command("UID STORE 1,5,6 +FLAGS.SILENT (\\Deleted)")
        response = self.client.command("UID EXPUNGE 5:6")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual(apply_expunges([1, 3, 5, 6], response.numbers("EXPUNGE")), [1, 3])
        self.assertEqual([m["uid"] for m in self.ctl.message_list(self.account)], [1, 3])
        # imaplib
        self.lib.select("INBOX")
        typ, data = self.lib.expunge()
        self.assertEqual((typ, data), ("OK", [b"1"]))
        self.assertEqual([m["uid"] for m in self.ctl.message_list(self.account)], [3])

    def test_close_expunges_and_unselect_does_not(self):
        self.lib.append("INBOX", None, None, fx.message("second"))
        self.client.command("SELECT INBOX")
        self.client.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
        response = self.client.command("UNSELECT")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual(response.lines("EXPUNGE"), [])
        self.assertEqual(len(self.ctl.message_list(self.account)), 2, "UNSELECT does not expunge")
        self.assertStatus(self.client.command("FETCH 1 FLAGS"), "BAD", client=self.client)
        # CLOSE after EXAMINE does not expunge either.
        self.client.command("EXAMINE INBOX")
        self.assertStatus(self.client.command("CLOSE"), "OK", client=self.client)
        self.assertEqual(len(self.ctl.message_list(self.account)), 2, "CLOSE of a read-only mailbox")
        self.client.command("SELECT INBOX")
        self.assertStatus(self.client.command("CHECK"), "OK", client=self.client)
        response = self.client.command("CLOSE")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual(response.lines("EXPUNGE"), [], "CLOSE sends no EXPUNGE responses")
        self.assertEqual([m["uid"] for m in self.ctl.message_list(self.account)], [2])
        self.assertStatus(self.client.command("UNSELECT"), "BAD", client=self.client)
        # imaplib
        self.lib.select("INBOX")
        self.assertEqual(self.lib.unselect()[0], "OK")
        self.assertEqual(self.lib.state, "AUTH")


class SearchTest(fx.ImapTestCase):
    """One account with six messages, searched in many ways."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = "search%d@%s" % (fx.unique(), fx.DOMAIN)
        cls.ctl.add_account(cls.account, fx.PASSWORD)
        client = imaplib.IMAP4(kh.LOOPBACK, cls.plaintext.port, timeout=10)
        client.login(cls.account, fx.PASSWORD)
        messages = [
            # (message, flags, internal date)
            (fx.message("Invoice 2026-001", ["Please pay soon."], sender="billing@shop.example"),
             "(\\Seen)", '"01-Jan-2026 10:00:00 +0000"'),
            (fx.message("Meeting notes", ["Notes about the kurier project.", "x" * 3000],
                        sender="Carol <carol@example.org>", extra_headers=["X-Priority: 1"]),
             "(\\Flagged)", '"10-Feb-2026 10:00:00 +0000"'),
            (fx.message("Gr\u00fc\u00dfe aus K\u00f6ln", ["Sch\u00f6ne Gr\u00fc\u00dfe"],
                        extra_headers=["Content-Type: text/plain; charset=utf-8",
                                       "Content-Transfer-Encoding: 8bit"]),
             "()", '"15-Mar-2026 10:00:00 +0000"'),
            (fx.message("Invoice 2026-002", ["Second reminder, kurier."], sender="billing@shop.example"),
             "(\\Seen \\Answered)", '"20-Apr-2026 10:00:00 +0000"'),
            (fx.message("Lunch?", ["Pizza or pasta"], sender="dave@example.org"), "()",
             '"05-May-2026 10:00:00 +0000"'),
            (fx.message("=?utf-8?q?Caf=C3=A9_meeting?=", ["Encoded subject"], sender="erin@example.org"), "()",
             '"06-May-2026 10:00:00 +0000"'),
        ]
        for content, flags, date in messages:
            typ, data = client.append("INBOX", flags, date, content)
            assert typ == "OK", data
        client.logout()

    def setUp(self):
        super().setUp()
        self.lib = self.imaplib_login(self.account)
        self.assertEqual(self.lib.select("INBOX"), ("OK", [b"6"]))
        self.client = self.raw_login(self.account, select="INBOX")

    def search(self, *criteria, charset=None):
        typ, data = self.lib.search(charset, *criteria)
        self.assertEqual(typ, "OK", (criteria, data))
        return [int(n) for n in data[0].split()]

    def test_simple_criteria(self):
        cases = [
            (("ALL",), [1, 2, 3, 4, 5, 6]),
            (("UNSEEN",), [2, 3, 5, 6]),
            (("SEEN",), [1, 4]),
            (("FLAGGED",), [2]),
            (("ANSWERED",), [4]),
            (("SUBJECT", "invoice"), [1, 4]),
            (("SUBJECT", '"notes"'), [2]),
            (("FROM", "billing@shop.example"), [1, 4]),
            (("FROM", "Carol"), [2]),
            (("TEXT", "kurier"), [2, 4]),
            (("BODY", "reminder"), [4]),
            (("BODY", "Invoice"), []),
            (("HEADER", "X-Priority", "1"), [2]),
            (("LARGER", "2000"), [2]),
            (("SMALLER", "2000"), [1, 3, 4, 5, 6]),
            (("SINCE", "15-Mar-2026"), [3, 4, 5, 6]),
            (("BEFORE", "15-Mar-2026"), [1, 2]),
            (("ON", "05-May-2026"), [5]),
            (("2:4",), [2, 3, 4]),
            (("5:*",), [5, 6]),
            (("UID", "2:3"), [2, 3]),
            (("OR", "FLAGGED", "ANSWERED"), [2, 4]),
            (("NOT", "SEEN"), [2, 3, 5, 6]),
            (("NOT", "OR", "SUBJECT", "invoice", "FROM", "dave"), [2, 3, 6]),
            (("SUBJECT", "invoice", "UNANSWERED"), [1]),
            (("TO", "someone@example.org"), [1, 2, 3, 4, 5, 6]),
            (("CC", "someone"), []),
            (("KEYWORD", "$Nothing"), []),
            (("UNKEYWORD", "$Nothing"), [1, 2, 3, 4, 5, 6]),
            (("DELETED",), []),
            (("UNDRAFT",), [1, 2, 3, 4, 5, 6]),
            # The Date: field (SENT*) is 22 Nov 2026 in all; the internal dates differ.
            (("SENTON", "22-Nov-2026"), [1, 2, 3, 4, 5, 6]),
            (("SENTBEFORE", "22-Nov-2026"), []),
            (("SENTSINCE", "23-Nov-2026"), []),
            (("SINCE", "07-May-2026"), []),
            (("HEADER", "Message-ID", "Lunch"), [5]),
            (("UID", "4:*"), [4, 5, 6]),
            (("UID", "9:*"), [6]),  # "*" is the highest UID: 9:* is 6:9
            (("1,3,5",), [1, 3, 5]),
            (("*",), [6]),
        ]
        for criteria, expected in cases:
            with self.subTest(criteria=criteria):
                self.assertEqual(self.search(*criteria), expected)

    def test_charset_utf8_and_encoded_words(self):
        # A non-ASCII word as a literal (imaplib sends `literal` as {n}).
        for criteria, word, expected in ((("SUBJECT",), "K\u00f6ln", [3]), (("BODY",), "Sch\u00f6ne", [3]),
                                         (("TEXT",), "gr\u00fc\u00dfe", [3]), (("SUBJECT",), "Caf\u00e9", [6])):
            with self.subTest(word=word):
                self.lib.literal = word.encode("utf-8")
                self.assertEqual(self.search(*criteria, charset="UTF-8"), expected)
        response = self.client.command_with_literals(["SEARCH CHARSET UTF-8 SUBJECT ", "\u00c9T\u00c9".encode(), ""])
        self.assertStatus(response, "OK", client=self.client)
        response = self.client.command("SEARCH CHARSET X-UNKNOWN SUBJECT a")
        self.assertStatus(response, "NO", "BADCHARSET", self.client)

    def test_uid_search(self):
        typ, data = self.lib.uid("SEARCH", None, "UNSEEN")
        self.assertEqual(typ, "OK")
        self.assertEqual([int(n) for n in data[0].split()], [2, 3, 5, 6])
        response = self.client.command("UID SEARCH UID 4:*")
        self.assertEqual(response.search(), [4, 5, 6])
        response = self.client.command("UID SEARCH 1,3")
        self.assertEqual(response.search(), [1, 3], "sequence numbers here, UIDs in the answer")
        # "*" is the highest UID in use, so 10:* still names UID 6 (RFC 9051 6.4.8).
        response = self.client.command("UID FETCH 10:* UID")
        self.assertEqual([items["UID"] for _, items in response.fetches()], [6])
        response = self.client.command("UID FETCH 7:9 UID")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual(response.fetches(), [], "UIDs that do not exist are no error")

    def test_esearch(self):
        response = self.client.command("SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN")
        self.assertStatus(response, "OK", client=self.client)
        result = response.esearch()
        self.assertEqual(result["TAG"], response.tag)
        self.assertFalse(result["UID"])
        self.assertEqual((result["MIN"], result["MAX"], result["COUNT"], result["ALL"]), (2, 6, 4, {2, 3, 5, 6}))
        self.assertEqual(response.lines("SEARCH"), [], "ESEARCH instead of SEARCH")
        response = self.client.command("UID SEARCH RETURN (COUNT) SUBJECT invoice")
        result = response.esearch()
        self.assertTrue(result["UID"])
        self.assertEqual(result["COUNT"], 2)
        self.assertNotIn("ALL", result)
        response = self.client.command("SEARCH RETURN () FLAGGED")
        self.assertEqual(response.esearch()["ALL"], {2}, "RETURN () means ALL")
        response = self.client.command("SEARCH RETURN (MIN MAX) SUBJECT nothing-matches")
        result = response.esearch()
        self.assertNotIn("MIN", result, "nothing found: no MIN/MAX")
        self.assertNotIn("MAX", result)

    def test_searchres(self):
        response = self.client.command("SEARCH RETURN (SAVE) FROM billing")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual(response.lines("ESEARCH") + response.lines("SEARCH"), [], "SAVE alone answers nothing")
        response = self.client.command("FETCH $ (UID FLAGS)")
        self.assertStatus(response, "OK", client=self.client)
        self.assertEqual([(n, items["UID"]) for n, items in response.fetches()], [(1, 1), (4, 4)])
        response = self.client.command("SEARCH $ SEEN")
        self.assertEqual(response.search(), [1, 4])
        response = self.client.command("UID SEARCH RETURN (SAVE MIN) SUBJECT Lunch")
        self.assertEqual(response.esearch()["MIN"], 5)
        self.assertEqual([n for n, _ in self.client.command("UID FETCH $ FLAGS").fetches()], [5])
        # $ before any SEARCH ... SAVE in a new session is empty (RFC 5182 2.1).
        fresh = self.raw_login(self.account, select="INBOX")
        response = fresh.command("FETCH $ FLAGS")
        self.assertStatus(response, "OK", client=fresh)
        self.assertEqual(response.fetches(), [])


if __name__ == "__main__":
    unittest.main()
