"""CONDSTORE (RFC 7162 section 3.1) over raw sockets: ENABLE and SELECT
(CONDSTORE) with HIGHESTMODSEQ, FETCH MODSEQ and CHANGEDSINCE, STORE
UNCHANGEDSINCE with [MODIFIED], SEARCH MODSEQ (SEARCH and ESEARCH), the
other CONDSTORE enabling commands, MODSEQ in the untagged FETCH another
session's STORE causes, and BAD for bad modifiers."""

import re
import time
import unittest

from tests.imap import imap_fixture as fx

MAX_MODSEQ = 2**63 - 1


class CondstoreTest(fx.ImapTestCase):

    def session(self, account, enable=None, select="INBOX"):
        return self.raw_login(account, enable=enable, select=select)

    def ok(self, client, line, code=None):
        response = client.command(line)
        self.assertStatus(response, "OK", code=code, client=client)
        return response

    def bad(self, client, line):
        response = client.command(line)
        self.assertStatus(response, "BAD", client=client)
        return response

    def modseqs(self, client, sequence="1:*"):
        """{sequence number: MODSEQ} from FETCH (MODSEQ)."""
        response = self.ok(client, "FETCH %s (MODSEQ)" % sequence)
        return {n: items["MODSEQ"][0] for n, items in response.fetches()}

    def highest_modseq(self, response, client):
        codes = response.codes()
        self.assertIn("HIGHESTMODSEQ", codes, "no [HIGHESTMODSEQ]\n" + client.transcript_text())
        return int(codes["HIGHESTMODSEQ"])

    def modified(self, response):
        """The numbers in the tagged [MODIFIED set], or None."""
        if response.code is None or not response.code.upper().startswith("MODIFIED "):
            return None
        return fx.sequence_set(response.code.split(" ", 1)[1])

    # --- enabling ------------------------------------------------------------

    def test_capability_and_enable(self):
        account = self.new_account([fx.message("one")])
        client = self.session(account, select=None)
        caps = self.ok(client, "CAPABILITY").lines("CAPABILITY")[0].decode().split()
        self.assertIn("CONDSTORE", caps)
        response = self.ok(client, "ENABLE CONDSTORE")
        self.assertEqual(response.lines("ENABLED"), [b"* ENABLED CONDSTORE"])
        # RFC 5161: ENABLED lists only what this command newly enabled.
        response = self.ok(client, "ENABLE CONDSTORE")
        self.assertEqual([line.strip() for line in response.lines("ENABLED")], [b"* ENABLED"])
        response = self.ok(client, "SELECT INBOX")
        self.assertGreater(self.highest_modseq(response, client), 0)
        response = self.ok(client, "EXAMINE INBOX")
        self.assertGreater(self.highest_modseq(response, client), 0)

        # Without an enabling command, SELECT says nothing of mod-sequences.
        plain = self.session(account, select=None)
        response = self.ok(plain, "SELECT INBOX")
        self.assertNotIn("HIGHESTMODSEQ", response.codes())
        # ENABLE while a mailbox is selected reports its HIGHESTMODSEQ at once.
        response = self.ok(plain, "ENABLE CONDSTORE")
        self.assertEqual(response.lines("ENABLED"), [b"* ENABLED CONDSTORE"])
        self.assertGreater(self.highest_modseq(response, plain), 0)

    def test_select_condstore_and_highestmodseq_after_store(self):
        account = self.new_account([fx.message("one"), fx.message("two")])
        client = self.session(account, select=None)
        response = self.ok(client, "SELECT INBOX (CONDSTORE)")
        before = self.highest_modseq(response, client)
        self.assertEqual(max(self.modseqs(client).values()), before)

        response = self.ok(client, "STORE 2 +FLAGS (\\Flagged)")
        fetches = response.fetches()
        self.assertEqual(len(fetches), 1, client.transcript_text())
        n, items = fetches[0]
        self.assertEqual(n, 2)
        self.assertEqual(items["FLAGS"], ["\\Flagged"])
        changed = items["MODSEQ"][0]
        self.assertGreater(changed, before)

        # EXAMINE (CONDSTORE) on the selected mailbox: the new HIGHESTMODSEQ.
        response = self.ok(client, "EXAMINE INBOX (CONDSTORE)")
        self.assertEqual(self.highest_modseq(response, client), changed)
        status = self.ok(client, "STATUS INBOX (HIGHESTMODSEQ MESSAGES)").status_items()
        self.assertEqual(status["INBOX"], {"HIGHESTMODSEQ": changed, "MESSAGES": 2})

        # SELECT's parameters: CONDSTORE only.
        for line in ("SELECT INBOX (QRESYNC (1 2))", "SELECT INBOX (CONDSTORE CONDSTORE)", "SELECT INBOX ()",
                     "EXAMINE INBOX (FOO)", "SELECT INBOX CONDSTORE"):
            self.bad(client, line)

    def test_other_enabling_commands(self):
        account = self.new_account([fx.message("one"), fx.message("two")])
        for enabling in ("FETCH 1 (MODSEQ)", "FETCH 1:* (FLAGS) (CHANGEDSINCE 1)", "SEARCH MODSEQ 1",
                         "STORE 1 (UNCHANGEDSINCE %d) +FLAGS (x-marker)" % MAX_MODSEQ, "STATUS INBOX (HIGHESTMODSEQ)"):
            client = self.session(account)
            # Not yet CONDSTORE-aware: no MODSEQ in STORE's FETCH.
            response = self.ok(client, "STORE 2 +FLAGS (\\Answered)")
            self.assertNotIn("MODSEQ", response.fetches()[0][1], enabling)
            self.ok(client, "STORE 2 -FLAGS (\\Answered)")
            self.ok(client, enabling)
            response = self.ok(client, "STORE 2 +FLAGS (\\Answered)")
            self.assertIn("MODSEQ", response.fetches()[0][1], "after %s\n%s" % (enabling, client.transcript_text()))
            self.ok(client, "STORE 2 -FLAGS (\\Answered)")
            # And a new SELECT reports HIGHESTMODSEQ.
            self.highest_modseq(self.ok(client, "SELECT INBOX"), client)

    # --- FETCH ---------------------------------------------------------------

    def test_fetch_changedsince(self):
        account = self.new_account([fx.message("m%d" % i) for i in range(1, 6)])
        client = self.session(account, enable="CONDSTORE")
        other = self.session(account)
        since = max(self.modseqs(client).values())
        self.ok(client, "STORE 2 +FLAGS (\\Seen)")
        self.ok(other, "STORE 4 +FLAGS (\\Flagged)")  # another session's change counts too
        self.noop_until_fetch(client, 4)

        response = self.ok(client, "FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % since)
        fetches = response.fetches()
        self.assertEqual(sorted(n for n, _ in fetches), [2, 4], client.transcript_text())
        got = {n: items for n, items in fetches}
        self.assertEqual(got[2]["FLAGS"], ["\\Seen"])
        self.assertEqual(got[4]["FLAGS"], ["\\Flagged"])
        for n in (2, 4):
            self.assertGreater(got[n]["MODSEQ"][0], since)
        modseqs = self.modseqs(client)
        self.assertEqual({n: items["MODSEQ"][0] for n, items in fetches}, {2: modseqs[2], 4: modseqs[4]})

        # UID FETCH adds the UID; CHANGEDSINCE the newest of the two: only the other.
        newest = max(modseqs[2], modseqs[4])
        oldest = min(modseqs[2], modseqs[4])
        response = self.ok(client, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % oldest)
        fetches = response.fetches()
        self.assertEqual(len(fetches), 1, client.transcript_text())
        n, items = fetches[0]
        self.assertEqual(items["MODSEQ"][0], newest)
        self.assertEqual(items["UID"], n)  # UIDs 1..5 are sequence numbers 1..5 here
        self.assertEqual(self.ok(client, "FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % newest).fetches(), [])
        self.assertEqual(self.ok(client, "FETCH 1:* FLAGS (CHANGEDSINCE %d)" % MAX_MODSEQ).fetches(), [])
        # Every message changed after 1.
        self.assertEqual(len(self.ok(client, "FETCH 1:* (UID) (changedsince 1)").fetches()), 5)

        for line in ("FETCH 1:* (FLAGS) (CHANGEDSINCE 0)", "FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % (MAX_MODSEQ + 1),
                     "FETCH 1:* (FLAGS) (CHANGEDSINCE -1)", "FETCH 1:* (FLAGS) (CHANGEDSINCE abc)",
                     "FETCH 1:* (FLAGS) (CHANGEDSINCE)", "FETCH 1:* (FLAGS) (CHANGEDSINCE 5 CHANGEDSINCE 6)",
                     "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5 VANISHED)", "FETCH 1:* (FLAGS) ()",
                     "FETCH 1:* (FLAGS) (CHANGEDSINCE 5) extra"):
            self.bad(client, line)

    # --- STORE ---------------------------------------------------------------

    def test_store_unchangedsince(self):
        account = self.new_account([fx.message("m%d" % i) for i in range(1, 6)])
        client = self.session(account, select=None)
        other = self.session(account)
        # Expunge message 1, so that UIDs (2..5) and sequence numbers (1..4) differ.
        self.ok(other, "STORE 1 +FLAGS (\\Deleted)")
        self.ok(other, "EXPUNGE")
        self.ok(client, "SELECT INBOX (CONDSTORE)")
        known = self.modseqs(client)
        self.assertEqual(sorted(known), [1, 2, 3, 4])
        since = max(known.values())

        # The other session changes message 2 (UID 3) after the client read it.
        self.ok(other, "STORE 2 +FLAGS (\\Flagged)")
        response = self.ok(client, "STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % since)
        self.assertEqual(self.modified(response), {2}, client.transcript_text())
        stored = {n: items for n, items in response.fetches() if "\\Seen" in items.get("FLAGS", [])}
        self.assertEqual(sorted(stored), [1, 3], client.transcript_text())
        for n in (1, 3):
            self.assertGreater(stored[n]["MODSEQ"][0], since)
        flags = {n: items["FLAGS"] for n, items in self.ok(client, "FETCH 1:4 (FLAGS)").fetches()}
        self.assertEqual(flags, {1: ["\\Seen"], 2: ["\\Flagged"], 3: ["\\Seen"], 4: []})

        # UID STORE: [MODIFIED] names UIDs. Message 4 (UID 5) changes again first.
        known = self.modseqs(client)
        since = max(known.values())
        self.ok(other, "STORE 4 +FLAGS (\\Answered)")
        response = self.ok(client, "UID STORE 2:5 (UNCHANGEDSINCE %d) +FLAGS (\\Draft)" % since)
        self.assertEqual(self.modified(response), {5}, client.transcript_text())
        for n, items in response.fetches():
            self.assertIn("MODSEQ", items, client.transcript_text())
            if "\\Draft" in items.get("FLAGS", []):
                self.assertNotEqual(items["UID"], 5)

        # A message unchanged since the value given is stored: no [MODIFIED].
        mine = self.modseqs(client, "1")[1]
        response = self.ok(client, "STORE 1 (UNCHANGEDSINCE %d) -FLAGS (\\Draft)" % mine)
        self.assertIsNone(self.modified(response), client.transcript_text())
        self.assertEqual(self.ok(client, "FETCH 1 (FLAGS)").fetches()[0][1]["FLAGS"], ["\\Seen"])

        # UNCHANGEDSINCE 0 fails for every message; nothing changes.
        highest_before = self.highest_modseq(self.ok(client, "SELECT INBOX"), client)
        response = self.ok(client, "STORE 1:4 (UNCHANGEDSINCE 0) +FLAGS (\\Deleted)")
        self.assertEqual(self.modified(response), {1, 2, 3, 4})
        response = self.ok(client, "UID STORE 2:5 (UNCHANGEDSINCE 0) FLAGS ()")
        self.assertEqual(self.modified(response), {2, 3, 4, 5})
        self.assertEqual(self.highest_modseq(self.ok(client, "EXAMINE INBOX"), client), highest_before)
        self.ok(client, "SELECT INBOX")

        # .SILENT: no FLAGS, but the new MODSEQ of each message changed.
        response = self.ok(client, "STORE 3 (UNCHANGEDSINCE %d) +FLAGS.SILENT (x-silent)" % MAX_MODSEQ)
        fetches = response.fetches()
        self.assertEqual(len(fetches), 1, client.transcript_text())
        self.assertEqual(fetches[0][0], 3)
        self.assertNotIn("FLAGS", fetches[0][1])
        self.assertGreater(fetches[0][1]["MODSEQ"][0], highest_before)

        for line in ("STORE 1 (UNCHANGEDSINCE -1) +FLAGS (\\Seen)",
                     "STORE 1 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % (MAX_MODSEQ + 1),
                     "STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)", "STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)",
                     "STORE 1 (CHANGEDSINCE 5) +FLAGS (\\Seen)", "STORE 1 () +FLAGS (\\Seen)",
                     "STORE 1 (UNCHANGEDSINCE 5) +FLAGS", "STORE 1 (UNCHANGEDSINCE 5)"):
            self.bad(client, line)

    # --- SEARCH --------------------------------------------------------------

    def test_search_modseq(self):
        account = self.new_account([fx.message("m%d" % i) for i in range(1, 5)])
        client = self.session(account)
        since = max(self.modseqs(client).values())  # FETCH MODSEQ enabled CONDSTORE
        self.ok(client, "STORE 3 +FLAGS (\\Flagged)")
        self.ok(client, "STORE 1 +FLAGS (\\Answered)")
        modseqs = self.modseqs(client)
        top = max(modseqs.values())

        response = self.ok(client, "SEARCH MODSEQ %d" % (since + 1))
        self.assertEqual(response.lines("SEARCH"), [b"* SEARCH 1 3 (MODSEQ %d)" % top], client.transcript_text())
        # MODSEQ n matches mod-sequences >= n: just message 3 at its own.
        response = self.ok(client, "SEARCH MODSEQ %d FLAGGED" % modseqs[3])
        self.assertEqual(response.lines("SEARCH"), [b"* SEARCH 3 (MODSEQ %d)" % modseqs[3]])
        # With the entry name and type, and as UID SEARCH.
        response = self.ok(client, 'UID SEARCH MODSEQ "/flags/\\\\Flagged" all %d' % modseqs[3])
        self.assertEqual(response.lines("SEARCH"), [b"* SEARCH 1 3 (MODSEQ %d)" % top])
        # No match: no MODSEQ.
        response = self.ok(client, "SEARCH MODSEQ %d" % (top + 1))
        self.assertEqual([line.strip() for line in response.lines("SEARCH")], [b"* SEARCH"])
        # Every message matches MODSEQ 0 (a mod-sequence-valzer).
        response = self.ok(client, "SEARCH MODSEQ 0")
        self.assertEqual(response.lines("SEARCH"), [b"* SEARCH 1 2 3 4 (MODSEQ %d)" % top])

        # ESEARCH: MODSEQ return data.
        response = self.ok(client, "SEARCH RETURN (ALL COUNT) MODSEQ %d" % (since + 1))
        result = response.esearch()
        self.assertEqual(result["ALL"], {1, 3})
        self.assertEqual(result["COUNT"], 2)
        self.assertEqual(result["MODSEQ"], top)
        # Only MIN: the MODSEQ of the message returned.
        response = self.ok(client, "SEARCH RETURN (MIN) MODSEQ %d" % (since + 1))
        self.assertEqual(response.esearch()["MODSEQ"], modseqs[1])
        self.assertNotIn("MODSEQ", self.ok(client, "SEARCH RETURN (ALL) ALL").esearch())

        for line in ("SEARCH MODSEQ", "SEARCH MODSEQ -1", "SEARCH MODSEQ %d" % (MAX_MODSEQ + 1),
                     'SEARCH MODSEQ "/flags/\\\\Seen" 5', 'SEARCH MODSEQ "/other" all 5', "SEARCH MODSEQ x"):
            self.bad(client, line)

    # --- other sessions ------------------------------------------------------

    def noop_until_fetch(self, client, seq):
        """NOOP until an untagged FETCH about `seq` arrives (2 s at most): its items."""
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for n, items in self.ok(client, "NOOP").fetches():
                if n == seq:
                    return items
            time.sleep(0.05)
        self.fail("no FETCH for message %d\n%s" % (seq, client.transcript_text()))

    def test_other_session_change_carries_modseq(self):
        account = self.new_account([fx.message("one"), fx.message("two")])
        aware = self.session(account, enable="CONDSTORE")
        unaware = self.session(account)
        actor = self.session(account)
        since = max(self.modseqs(aware).values())

        response = self.ok(actor, "STORE 2 +FLAGS (\\Flagged)")
        self.assertNotIn("MODSEQ", response.fetches()[0][1], "the actor did not enable CONDSTORE")
        items = self.noop_until_fetch(aware, 2)
        self.assertEqual(items["FLAGS"], ["\\Flagged"])
        self.assertEqual(items["UID"], 2)
        self.assertGreater(items["MODSEQ"][0], since)
        self.assertEqual(items["MODSEQ"][0], self.modseqs(aware, "2")[2])
        # A session that never enabled CONDSTORE gets the old form.
        items = self.noop_until_fetch(unaware, 2)
        self.assertEqual(items, {"FLAGS": ["\\Flagged"]})

        # During IDLE too.
        tag = aware.send_command("IDLE")
        self.assertTrue(aware.read_response().startswith(b"+"), aware.transcript_text())
        self.ok(actor, "STORE 1 +FLAGS.SILENT (\\Seen)")
        line, _ = aware.read_untagged_until(lambda l: re.match(rb"\* 1 FETCH ", l) is not None, 2.0)
        aware.sendline("DONE")
        self.assertStatus(aware.read_until_tagged(tag), "OK", client=aware)
        values = fx.pairs(fx.parse(re.sub(rb"^\* \d+ FETCH ", b"", line))[0])
        self.assertEqual(values["FLAGS"], ["\\Seen"])
        self.assertGreater(values["MODSEQ"][0], since)


if __name__ == "__main__":
    unittest.main()
