"""Sessions on one account see each other's changes: an IDLE session gets
EXISTS, FETCH (FLAGS) and EXPUNGE within a second of an APPEND, STORE or
EXPUNGE made by another session on the same imap instance or on another
instance of the same store; a session that does not idle gets them at its
next NOOP, and never an EXPUNGE in the middle of a FETCH (RFC 9051 7.5.1)."""

import re
import time
import unittest

from tests.imap import imap_fixture as fx

# How soon an idling session must hear of another session's change.
PROMPT = 1.0


def flags_of(line):
    """The FLAGS of a "* n FETCH (... FLAGS (...) ...)" response."""
    items = fx.pairs(fx.parse(re.sub(rb"^\* \d+ FETCH ", b"", line))[0])
    return sorted(items["FLAGS"])


class IdleTestCase(fx.ImapTestCase):

    def idle(self, client):
        """Starts IDLE; returns once the server's "+" continuation came."""
        tag = client.send_command("IDLE")
        line = client.read_response()
        self.assertTrue(line.startswith(b"+"), "IDLE continuation: %r\n%s" % (line, client.transcript_text()))
        return tag

    def done(self, client, tag):
        """Ends IDLE; the tagged Response."""
        client.sendline("DONE")
        response = client.read_until_tagged(tag)
        self.assertStatus(response, "OK", client=client)
        return response

    def expect(self, client, pattern, what, timeout=PROMPT):
        """The next untagged response matching `pattern` (a regular
        expression on bytes), within `timeout` seconds of now."""
        started = time.monotonic()
        try:
            line, before = client.read_untagged_until(lambda l: re.match(pattern, l) is not None, timeout)
        except TimeoutError as e:
            self.fail("%s: no %r within %.1f s: %s\n%s" % (what, pattern, timeout, e, client.transcript_text()))
        took = time.monotonic() - started
        print("%s after %.3f s" % (what, took))
        return line, before

    def changes_reach_the_idler(self, idler_server, actor_server):
        account = self.new_account([fx.message("first"), fx.message("second")])
        idler = self.raw_login(account, server=idler_server, select="INBOX")
        actor = self.raw_login(account, server=actor_server, select="INBOX")
        tag = self.idle(idler)

        self.assertStatus(self.append(actor, "INBOX", fx.message("third")), "OK", client=actor)
        self.expect(idler, rb"\* 3 EXISTS$", "EXISTS after APPEND")

        self.assertStatus(actor.command("STORE 1 +FLAGS (\\Flagged)"), "OK", client=actor)
        line, _ = self.expect(idler, rb"\* 1 FETCH ", "FETCH after STORE")
        self.assertEqual(flags_of(line), ["\\Flagged"])

        self.assertStatus(actor.command("STORE 2 +FLAGS.SILENT (\\Deleted \\Seen)"), "OK", client=actor)
        line, _ = self.expect(idler, rb"\* 2 FETCH ", "FETCH after STORE .SILENT in another session")
        self.assertEqual(flags_of(line), ["\\Deleted", "\\Seen"])
        self.assertStatus(actor.command("EXPUNGE"), "OK", client=actor)
        self.expect(idler, rb"\* 2 EXPUNGE$", "EXPUNGE after EXPUNGE")

        # A change to another mailbox says nothing to the idler.
        self.assertStatus(self.append(actor, "Drafts", fx.message("draft")), "OK", client=actor)
        self.assertEqual(idler.nothing_within(0.5), [], "nothing about another mailbox")
        self.done(idler, tag)
        # The idler's view now matches the store: UIDs 1 and 3.
        response = idler.command("FETCH 1:* (UID FLAGS)")
        self.assertEqual([(n, i["UID"]) for n, i in response.fetches()], [(1, 1), (2, 3)])


    def several_expunges_are_numbered_right(self, idler_server, actor_server):
        """Messages 2 and 4 of 5 expunged, then message 1 moved away: the
        idler's EXPUNGE numbers, applied in order, leave UIDs 3 and 5."""
        account = self.new_account([fx.message("m%d" % i) for i in range(1, 6)])
        idler = self.raw_login(account, server=idler_server, select="INBOX")
        actor = self.raw_login(account, server=actor_server, select="INBOX")
        tag = self.idle(idler)
        actor.command("STORE 2,4 +FLAGS.SILENT (\\Deleted)")
        self.assertStatus(actor.command("EXPUNGE"), "OK", client=actor)
        self.assertStatus(actor.command("UID MOVE 1 Archive"), "OK", client=actor)
        uids = [1, 2, 3, 4, 5]
        numbers = []
        deadline = time.monotonic() + 2 * PROMPT
        while len(numbers) < 3:
            try:
                line, _ = idler.read_untagged_until(lambda l: re.match(rb"\* \d+ EXPUNGE$", l) is not None,
                                                    max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                self.fail("only %r EXPUNGE responses within %.1f s\n%s" % (numbers, 2 * PROMPT,
                                                                           idler.transcript_text()))
            numbers.append(int(line.split()[1]))
        for n in numbers:
            self.assertTrue(1 <= n <= len(uids), "* %d EXPUNGE with %d messages left: %r" % (n, len(uids), numbers))
            del uids[n - 1]
        self.assertEqual(uids, [3, 5], "EXPUNGE numbers %r" % numbers)
        self.done(idler, tag)
        response = idler.command("FETCH 1:* UID")
        self.assertEqual([(n, i["UID"]) for n, i in response.fetches()], [(1, 3), (2, 5)])


    def bulk_changes_reach_the_idler(self, idler_server, actor_server):
        """20 messages copied in, flagged and expunged by one command each:
        the idler hears of every one within a second of each command."""
        account = self.new_account([fx.message("m%d" % i) for i in range(1, 21)])
        idler = self.raw_login(account, server=idler_server, select="Archive")
        actor = self.raw_login(account, server=actor_server, select="INBOX")
        tag = self.idle(idler)
        self.assertStatus(actor.command("COPY 1:20 Archive"), "OK", client=actor)
        self.expect(idler, rb"\* 20 EXISTS$", "EXISTS of all 20 copies")
        self.assertStatus(actor.command("SELECT Archive"), "OK", client=actor)
        self.assertStatus(actor.command("STORE 1:20 +FLAGS.SILENT (\\Deleted)"), "OK", client=actor)
        flagged = set()
        deadline = time.monotonic() + PROMPT
        while len(flagged) < 20:
            try:
                line, _ = idler.read_untagged_until(lambda l: re.match(rb"\* \d+ FETCH ", l) is not None,
                                                    max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                self.fail("FETCH for only %d of 20 messages within %.1f s" % (len(flagged), PROMPT))
            self.assertIn("\\Deleted", flags_of(line))
            flagged.add(int(line.split()[1]))
        self.assertEqual(flagged, set(range(1, 21)))
        self.assertStatus(actor.command("EXPUNGE"), "OK", client=actor)
        expunged = 0
        deadline = time.monotonic() + PROMPT
        while expunged < 20:
            try:
                idler.read_untagged_until(lambda l: re.match(rb"\* \d+ EXPUNGE$", l) is not None,
                                          max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                self.fail("only %d of 20 EXPUNGEs within %.1f s" % (expunged, PROMPT))
            expunged += 1
        self.done(idler, tag)
        self.assertEqual(idler.command("SEARCH ALL").search(), [])


class OneInstanceTest(IdleTestCase):

    def test_bulk_changes_reach_the_idler(self):
        self.bulk_changes_reach_the_idler(self.plaintext, self.plaintext)

    def test_several_expunges_are_numbered_right(self):
        self.several_expunges_are_numbered_right(self.plaintext, self.plaintext)

    def test_idle_sees_append_store_expunge_from_another_session(self):
        self.changes_reach_the_idler(self.plaintext, self.plaintext)

    def test_noop_reports_what_changed(self):
        account = self.new_account([fx.message("first"), fx.message("second")])
        quiet = self.raw_login(account, select="INBOX")
        actor = self.raw_login(account, select="INBOX")
        self.append(actor, "INBOX", fx.message("third"))
        actor.command("STORE 1 +FLAGS (\\Answered)")

        seen = []

        def both_reported():
            response = quiet.command("NOOP")
            self.assertStatus(response, "OK", client=quiet)
            seen.extend(response.untagged)
            return b"* 3 EXISTS" in seen and any(line.startswith(b"* 1 FETCH") for line in seen)

        try:
            fx.kh.wait_until(both_reported, 3 * PROMPT, "EXISTS and FETCH at NOOP", interval=0.05)
        except TimeoutError:
            self.fail("NOOPs answered only %r\n%s" % (seen, quiet.transcript_text()))
        self.assertEqual(seen.count(b"* 3 EXISTS"), 1, seen)
        fetch = [line for line in seen if line.startswith(b"* 1 FETCH")]
        self.assertEqual(len(fetch), 1, seen)
        self.assertEqual(flags_of(fetch[0]), ["\\Answered"])
        # Nothing twice.
        self.assertEqual(quiet.command("NOOP").untagged, [])

    def test_no_expunge_during_fetch_but_at_noop(self):
        account = self.new_account([fx.message("m%d" % i) for i in range(1, 4)])
        reader = self.raw_login(account, select="INBOX")
        witness = self.raw_login(account, select="INBOX")
        actor = self.raw_login(account, select="INBOX")
        witness_tag = self.idle(witness)
        actor.command("STORE 2 +FLAGS.SILENT (\\Deleted)")
        self.assertStatus(actor.command("EXPUNGE"), "OK", client=actor)
        # The witness on the same instance has heard of it: so has the reader's
        # instance; its session holds the expunge until it may send it.
        self.expect(witness, rb"\* 2 EXPUNGE$", "the witness's EXPUNGE")
        self.done(witness, witness_tag)

        response = reader.command("FETCH 1:3 (UID FLAGS)")
        self.assertEqual(response.lines("EXPUNGE"), [], "no EXPUNGE during FETCH:\n%s" % reader.transcript_text())
        numbers = [n for n, _ in response.fetches()]
        self.assertIn(3, numbers, "message 3 keeps its number until the EXPUNGE is sent")
        self.assertIn(response.status, ("OK", "NO"), reader.transcript_text())
        response = reader.command("STORE 3 +FLAGS (\\Seen)")
        self.assertEqual(response.lines("EXPUNGE"), [], "no EXPUNGE during STORE")
        response = reader.command("SEARCH ALL")
        self.assertEqual(response.lines("EXPUNGE"), [], "no EXPUNGE during SEARCH")
        response = reader.command("NOOP")
        self.assertEqual(response.numbers("EXPUNGE"), [2], reader.transcript_text())
        response = reader.command("FETCH 1:* UID")
        self.assertEqual([(n, i["UID"]) for n, i in response.fetches()], [(1, 1), (2, 3)])

    def test_uid_fetch_may_report_the_expunge(self):
        account = self.new_account([fx.message("m%d" % i) for i in range(1, 4)])
        reader = self.raw_login(account, select="INBOX")
        actor = self.raw_login(account, select="INBOX")
        actor.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
        actor.command("EXPUNGE")

        def expunge_announced():
            return reader.command("UID FETCH 1:* FLAGS").numbers("EXPUNGE") or None

        numbers = fx.kh.wait_until(expunge_announced, 3 * PROMPT, "the EXPUNGE at a UID FETCH", interval=0.05)
        self.assertEqual(numbers, [1])
        self.assertEqual([i["UID"] for _, i in reader.command("FETCH 1:* UID").fetches()], [2, 3])

    def test_two_idlers_and_a_flag_change_of_their_own(self):
        account = self.new_account([fx.message("first")])
        a = self.raw_login(account, select="INBOX")
        b = self.raw_login(account, select="INBOX")
        tag_b = self.idle(b)
        response = a.command("STORE 1 +FLAGS ($Important)")
        # (That it is told once, not twice, is MessageTest.test_flag_changes_are_reported_once.)
        self.assertTrue(response.lines("FETCH"), "STORE without .SILENT answers FETCH")
        self.assertEqual({tuple(flags_of(l)) for l in response.lines("FETCH")}, {("$Important",)})
        line, _ = self.expect(b, rb"\* 1 FETCH ", "FETCH in the other session")
        self.assertEqual(flags_of(line), ["$Important"])
        self.done(b, tag_b)


class TwoInstancesTest(IdleTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second = cls.start_imap(name="imap-second", **{"imap.allow_plaintext_auth": True})

    def test_idle_on_one_instance_sees_changes_made_on_the_other(self):
        self.changes_reach_the_idler(self.plaintext, self.second)

    def test_several_expunges_are_numbered_right(self):
        self.several_expunges_are_numbered_right(self.plaintext, self.second)

    def test_bulk_changes_reach_the_idler(self):
        self.bulk_changes_reach_the_idler(self.second, self.plaintext)

    def test_and_the_other_way(self):
        self.changes_reach_the_idler(self.second, self.plaintext)

    def test_delivery_reaches_idlers_on_both_instances(self):
        account = self.new_account()
        idlers = [self.raw_login(account, server=s, select="INBOX") for s in (self.plaintext, self.second)]
        tags = [self.idle(c) for c in idlers]
        self.ctl.deliver([account], fx.message("delivered"))
        for client, tag in zip(idlers, tags):
            self.expect(client, rb"\* 1 EXISTS$", "EXISTS after delivery")
            self.done(client, tag)
            items = self.fetch_one(client, "FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            self.assertEqual(items["BODY[HEADER.FIELDS (SUBJECT)]"], b"Subject: delivered\r\n\r\n")

    def test_noop_on_the_other_instance(self):
        account = self.new_account([fx.message("first"), fx.message("second")])
        quiet = self.raw_login(account, server=self.second, select="INBOX")
        actor = self.raw_login(account, server=self.plaintext, select="INBOX")
        actor.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
        actor.command("EXPUNGE")

        def expunged():
            return quiet.command("NOOP").numbers("EXPUNGE") or None

        self.assertEqual(fx.kh.wait_until(expunged, 3 * PROMPT, "EXPUNGE at NOOP on the other instance",
                                          interval=0.05), [1])


if __name__ == "__main__":
    unittest.main()
