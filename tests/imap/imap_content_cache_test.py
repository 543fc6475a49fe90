"""FETCH serves message contents from the imap process's content cache once
they have been read (services/imap/content_cache.h). What a user checks:
every message comes back with its own bytes, the second time as the first,
while mail is expunged and delivered in between; sections and partials of a
cached message are right; accounts holding identical mail each get it, and
nobody gets anybody else's."""

import unittest

from tests.imap import imap_fixture as fx


def numbered(i, marker):
    # Distinct bytes and sizes, so that a message served in another's place shows.
    return fx.message("%s message %d" % (marker, i), body_lines=["line %d of %d" % (n, i) for n in range(i % 7 + 1)])


class ContentCacheTest(fx.ImapTestCase):

    def bodies(self, client, command):
        response = client.command(command)
        self.assertStatus(response, "OK", client=client)
        out = {}
        for _, items in response.fetches():
            out[int(items["UID"])] = items["BODY[]"]
        return out

    def test_every_message_keeps_its_own_bytes_when_fetched_again(self):
        marker = "m%d" % fx.unique()
        account = self.new_account()
        client = self.raw_login(account, server=self.plaintext)
        # More than two of FETCH's 200-message batches: the first read of the
        # mailbox takes both of its paths, the second read hits the cache.
        expected = {}
        for i in range(1, 451):
            expected[i] = numbered(i, marker)
            self.assertStatus(self.append(client, "INBOX", expected[i]), "OK", client=client)
        self.assertStatus(client.command("SELECT INBOX"), "OK", client=client)
        self.assertEqual(self.bodies(client, "UID FETCH 1:* BODY.PEEK[]"), expected)
        self.assertEqual(self.bodies(client, "UID FETCH 1:* BODY.PEEK[]"), expected)
        # Expunge some, deliver one: sequence numbers shift, bytes stay.
        self.assertStatus(client.command("UID STORE 2,100:120,201 +FLAGS.SILENT (\\Deleted)"), "OK", client=client)
        self.assertStatus(client.command("EXPUNGE"), "OK", client=client)
        for uid in [2, 201] + list(range(100, 121)):
            del expected[uid]
        expected[451] = numbered(451, marker)
        self.ctl.deliver([account], expected[451])
        self.assertStatus(client.command("NOOP"), "OK", client=client)
        self.assertEqual(self.bodies(client, "UID FETCH 1:* BODY.PEEK[]"), expected)
        # Another session reads the same mail (from the cache) by sequence number.
        other = self.raw_login(account, server=self.plaintext, select="INBOX")
        self.assertEqual(self.bodies(other, "FETCH 1:* (UID BODY.PEEK[])"), expected)

    def test_sections_and_partials_of_a_cached_message(self):
        content = fx.message("sections", body_lines=["first line", "second line"])
        account = self.new_account([content])
        client = self.raw_login(account, server=self.plaintext, select="INBOX")
        self.assertEqual(self.fetch_one(client, "FETCH 1 BODY.PEEK[]")["BODY[]"], content)
        items = self.fetch_one(client, "FETCH 1 (BODY.PEEK[]<0.10> BODY.PEEK[TEXT] BODY.PEEK[1] RFC822.SIZE)")
        self.assertEqual(items["BODY[]<0>"], content[:10])
        self.assertEqual(items["BODY[TEXT]"], b"first line\r\nsecond line\r\n")
        self.assertEqual(items["BODY[1]"], b"first line\r\nsecond line\r\n")
        self.assertEqual(int(items["RFC822.SIZE"]), len(content))
        # Without PEEK the message becomes \Seen, served from the cache too.
        items = self.fetch_one(client, "FETCH 1 (BODY[] FLAGS)")
        self.assertEqual(items["BODY[]"], content)
        self.assertIn("\\Seen", [fx.text(flag) for flag in items["FLAGS"]])

    def test_accounts_with_identical_mail_each_get_only_their_own(self):
        shared = fx.message("the same newsletter %d" % fx.unique())
        secret = fx.message("alice only %d" % fx.unique())
        alice = self.new_account([shared, secret], prefix="alice")
        bob = self.new_account([shared], prefix="bob")
        a = self.raw_login(alice, server=self.plaintext, select="INBOX")
        b = self.raw_login(bob, server=self.plaintext, select="INBOX")
        self.assertEqual(self.bodies(a, "UID FETCH 1:* BODY.PEEK[]"), {1: shared, 2: secret})
        self.assertEqual(self.bodies(b, "UID FETCH 1:* BODY.PEEK[]"), {1: shared})
        response = b.command("UID FETCH 2 BODY.PEEK[]")
        self.assertStatus(response, "OK", client=b)
        self.assertEqual(response.fetches(), [])


if __name__ == "__main__":
    unittest.main()
