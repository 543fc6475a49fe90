"""SEARCH by header keys answers from the imap process's header cache once
a mailbox has been searched (services/imap/search_header_cache.h). What a
user checks: the answers stay right while mail comes and goes, and one
account never gets answers from another account's mail, even when both
mailboxes have the same UIDs."""

import unittest

from tests.imap import imap_fixture as fx


class SearchCacheTest(fx.ImapTestCase):

    def search(self, client, query):
        response = client.command("UID SEARCH " + query)
        self.assertStatus(response, "OK", client=client)
        return sorted(response.search())

    def test_answers_follow_new_and_expunged_mail(self):
        account = self.new_account([fx.message("invoice 1"), fx.message("hello"), fx.message("Invoice 3")])
        client = self.raw_login(account, server=self.plaintext, select="INBOX")
        self.assertEqual(self.search(client, 'SUBJECT "invoice"'), [1, 3])
        # Warm now: the same answers, then new mail and an expunge.
        self.assertEqual(self.search(client, 'SUBJECT "invoice"'), [1, 3])
        self.assertEqual(self.search(client, 'FROM "sender name" NOT SUBJECT "invoice"'), [2])
        self.ctl.deliver([account], fx.message("one more invoice"))
        self.assertStatus(client.command("NOOP"), "OK", client=client)
        self.assertEqual(self.search(client, 'SUBJECT "invoice"'), [1, 3, 4])
        other = self.raw_login(account, server=self.plaintext, select="INBOX")
        self.assertStatus(other.command("UID STORE 3 +FLAGS.SILENT (\\Deleted)"), "OK", client=other)
        self.assertStatus(other.command("EXPUNGE"), "OK", client=other)
        self.assertStatus(client.command("NOOP"), "OK", client=client)
        self.assertEqual(self.search(client, 'SUBJECT "invoice"'), [1, 4])
        # Flags and headers together: flags come from the store, not the cache.
        self.assertStatus(client.command("UID STORE 4 +FLAGS (\\Flagged)"), "OK", client=client)
        self.assertEqual(self.search(client, 'FLAGGED SUBJECT "invoice"'), [4])
        self.assertEqual(self.search(client, 'UNFLAGGED SUBJECT "invoice"'), [1])

    def test_accounts_never_share_answers(self):
        # Two fresh accounts: the same mailbox layout, the same UIDs.
        alice = self.new_account([fx.message("alpha secret"), fx.message("common")], prefix="alice")
        bob = self.new_account([fx.message("bravo"), fx.message("common")], prefix="bob")
        a = self.raw_login(alice, server=self.plaintext, select="INBOX")
        b = self.raw_login(bob, server=self.plaintext, select="INBOX")
        self.assertEqual(self.search(a, 'SUBJECT "secret"'), [1])
        self.assertEqual(self.search(b, 'SUBJECT "secret"'), [])
        self.assertEqual(self.search(b, 'SUBJECT "bravo"'), [1])
        self.assertEqual(self.search(a, 'SUBJECT "bravo"'), [])
        self.assertEqual(self.search(a, 'SUBJECT "common"'), [2])

    def test_a_mailbox_made_again_is_not_answered_from_its_predecessor(self):
        account = self.new_account()
        client = self.raw_login(account, server=self.plaintext)
        self.assertStatus(client.command("CREATE Projects"), "OK", client=client)
        self.assertStatus(self.append(client, "Projects", fx.message("old plan")), "OK", client=client)
        self.assertStatus(client.command("SELECT Projects"), "OK", client=client)
        self.assertEqual(self.search(client, 'SUBJECT "plan"'), [1])
        self.assertStatus(client.command("UNSELECT"), "OK", client=client)
        self.assertStatus(client.command("DELETE Projects"), "OK", client=client)
        self.assertStatus(client.command("CREATE Projects"), "OK", client=client)
        self.assertStatus(self.append(client, "Projects", fx.message("new budget")), "OK", client=client)
        self.assertStatus(client.command("SELECT Projects"), "OK", client=client)
        self.assertEqual(self.search(client, 'SUBJECT "plan"'), [])
        self.assertEqual(self.search(client, 'SUBJECT "budget"'), [1])


if __name__ == "__main__":
    unittest.main()
