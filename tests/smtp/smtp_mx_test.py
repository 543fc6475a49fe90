"""The MX listener's policy against the real smtp binary: which recipients it
takes (accounts, aliases, subaddresses, a domain's catch-all), which it
refuses (unknown users, other domains in every spelling a relay abuser
tries), quota, the recipient limit, the null sender, and what a delivered
message looks like when read back over POP3: Return-Path, Received, then
the client's bytes."""

import email
import re
import threading

from tests.smtp import smtp_fixture as fx
from tests.support import kurier_harness as kh


class RecipientsTest(fx.SmtpTestCase):

    def deliver_one(self, rcpt, subject):
        content = fx.message(subject)
        self.send("sender@" + fx.REMOTE, [rcpt], content)
        return content

    def test_account_alias_and_case(self):
        alias = "alias-%s@%s" % (fx.unique(), fx.DOMAIN)
        account = self.new_account(aliases=[alias])
        sent = []
        for rcpt in (account, alias, account.upper(), account.split("@")[0] + "@" + fx.DOMAIN.upper()):
            with self.subTest(rcpt=rcpt):
                sent.append((rcpt, self.deliver_one(rcpt, "to " + rcpt)))
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), len(sent))
        for got, (rcpt, content) in zip(delivered, sent):
            self.assertDelivered(got, "sender@" + fx.REMOTE, content, rcpt=rcpt)

    def test_subaddress(self):
        account = self.new_account()
        local, domain = account.split("@")
        rcpt = "%s+news-2026@%s" % (local, domain)
        content = self.deliver_one(rcpt, "subaddress")
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, "sender@" + fx.REMOTE, content, rcpt=rcpt)

    def test_catch_all(self):
        domain = "catch%d.example" % fx.unique()
        catcher = self.new_account("catcher", domain=domain)
        other = self.new_account("someone", domain=domain)
        self.assertReply(None, self.rcpt_reply("nobody@" + domain), 550, "5.1.1", "before the catch-all is set")
        self.ctl.add_domain(domain, catch_all=catcher)
        self.wait_for_rcpt("nobody@" + domain, 250, "2.1.5", "the catch-all to take effect")
        content = self.deliver_one("anything-at-all@" + domain, "catch-all")
        [delivered] = self.mailbox(catcher)
        self.assertDelivered(delivered, "sender@" + fx.REMOTE, content, rcpt="anything-at-all@" + domain)
        # An existing address still goes to its own account.
        mine = self.deliver_one(other, "not for the catch-all")
        [delivered] = self.mailbox(other)
        self.assertDelivered(delivered, "sender@" + fx.REMOTE, mine, rcpt=other)
        self.assertEqual(self.count(catcher), 1)

    def test_account_deleted_while_its_address_is_cached(self):
        # smtp reuses the store's answer for an address for a few seconds
        # (smtp.recipient_cache_seconds); the store still decides at DATA, so
        # an account deleted meanwhile refuses the message after DATA.
        account = self.new_account()
        self.deliver_one(account, "warms the cache")
        self.ctl.run("account", "del", account)
        client = self.session()
        reply = self.transaction(client, "sender@" + fx.REMOTE, [account], fx.message("after the deletion"))
        self.assertReply(client, reply, 550, "5.1.1", "the store refuses what the cache let through")

    def test_unknown_user_of_a_local_domain(self):
        account = self.new_account()
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<s@%s>" % fx.REMOTE), 250, "2.1.0")
        for rcpt in ("no-such-user@" + fx.DOMAIN, "x" + account, account.replace("@", "-x@")):
            with self.subTest(rcpt=rcpt):
                self.assertReply(client, client.cmd("RCPT TO:<%s>" % rcpt), 550, "5.1.1")
        # The refused recipients did not end the transaction.
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(fx.message("after refusals")), 250, fx.DATA_OK)
        self.assertEqual(self.count(account), 1)

    def test_removed_domain_is_no_longer_local(self):
        domain = "gone%d.example" % fx.unique()
        self.assertReply(None, self.rcpt_reply("nobody@" + domain), 550, "5.7.1", "not local yet")
        self.ctl.add_domain(domain)
        self.wait_for_rcpt("nobody@" + domain, 550, "5.1.1", "the new domain to be local")
        self.ctl.remove_domain(domain)
        self.wait_for_rcpt("nobody@" + domain, 550, "5.7.1", "the removed domain to be no longer local")

    def test_postmaster_without_a_domain(self):
        # RFC 5321 4.5.1: <Postmaster> is this host's postmaster.
        postmaster = "postmaster@" + fx.HOSTNAME
        self.ctl.add_account(postmaster, fx.PASSWORD)
        sent = []
        for spelling in ("Postmaster", "postmaster", "POSTMASTER"):
            with self.subTest(rcpt=spelling):
                content = fx.message("to " + spelling)
                self.send("s@" + fx.REMOTE, [spelling], content)
                sent.append(content)
        delivered = self.mailbox(postmaster)
        self.assertEqual(len(delivered), len(sent))
        for got, content in zip(delivered, sent):
            self.assertDelivered(got, "s@" + fx.REMOTE, content)

    def test_null_sender(self):
        account = self.new_account()
        client = self.session()
        content = fx.message("a bounce")
        self.assertReply(client, client.cmd("MAIL FROM:<>"), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(content), 250, fx.DATA_OK)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, "", content, rcpt=account)

    def test_several_recipients_one_copy_each_and_no_for_clause(self):
        a, b, c = self.new_account(), self.new_account(), self.new_account()
        content = fx.message("three recipients")
        self.send("sender@" + fx.REMOTE, [a, b, c], content)
        for account in (a, b, c):
            [delivered] = self.mailbox(account)
            self.assertDelivered(delivered, "sender@" + fx.REMOTE, content, rcpts=[a, b, c])


class ParallelTest(fx.SmtpTestCase):

    def test_parallel_sessions_to_one_mailbox(self):
        account = self.new_account()
        sessions, per_session = 16, 5
        errors = []

        def run(n):
            try:
                # Half on the MX, half authenticated on 465 (TLS).
                submission = n % 2 == 0
                client = self.smtp.connect("submissions" if submission else "smtp")
                try:
                    assert client.read_reply().code == 220
                    assert client.ehlo("parallel%d.example" % n).code == 250
                    sender = account if submission else "p%d@%s" % (n, fx.REMOTE)
                    if submission:
                        assert client.cmd("AUTH PLAIN " + kh.sasl_plain(account, fx.PASSWORD)).code == 235
                    for i in range(per_session):
                        content = fx.message("parallel %d.%d" % (n, i))
                        for line, code in (("MAIL FROM:<%s>" % sender, 250), ("RCPT TO:<%s>" % account, 250),
                                           ("DATA", 354)):
                            reply = client.cmd(line)
                            assert reply.code == code, client.transcript_text()
                        reply = client.data(content)
                        assert reply.code == 250, client.transcript_text()
                finally:
                    client.close()
            except Exception as e:  # reported by the main thread
                errors.append("session %d: %r" % (n, e))

        threads = [threading.Thread(target=run, args=(n,)) for n in range(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(errors, [])
        listed = self.ctl.message_list(account)
        self.assertEqual(len(listed), sessions * per_session)
        self.assertEqual(len({m["uid"] for m in listed}), sessions * per_session, "unique UIDs")
        subjects = sorted(re.search(rb"Subject: (parallel [0-9.]+)", m).group(1) for m in self.mailbox(account))
        self.assertEqual(subjects, sorted(b"parallel %d.%d" % (n, i) for n in range(sessions)
                                          for i in range(per_session)))


class TraceFieldTest(fx.SmtpTestCase):

    def test_helo_name_cannot_forge_the_received_field(self):
        account = self.new_account()
        for helo in ("evil.example by trusted.example with ESMTPSA", "evil.example (trusted) ; Mon, 1 Jan 2001",
                     "evil.example\x7f\x01"):
            with self.subTest(helo=helo):
                client = self.connect()
                reply = client.cmd("EHLO " + helo)
                if reply.code in (500, 501):
                    continue  # refused as no domain name: fine
                self.assertEhlo(client, reply)
                content = fx.message("helo " + helo[:20])
                self.send("s@" + fx.REMOTE, [account], content, client=client)
                delivered = self.mailbox(account)[-1]
                _, received, rest = fx.split_delivered(delivered)
                self.assertEqual(rest, content)
                # One clause of each kind, the from clause one word, the date now.
                parsed = fx.parse_received(received)
                self.assertReceived(received, parsed["clauses"]["from"][0][0], "ESMTP", rcpt=account)
                self.assertNotIn("trusted", " ".join(" ".join(v[0]) for v in parsed["clauses"].values()))
                self.assertTrue(all(c == "\t" or 32 <= ord(c) < 127 for c in received), repr(received))


class NotAnOpenRelayTest(fx.SmtpTestCase):
    """Every spelling of "deliver this elsewhere" is refused on the MX, and
    nothing reaches the outbound queue or a mailbox."""

    # Refused as not local: exactly 550 5.7.1.
    REMOTE_FORMS = [
        "victim@" + fx.REMOTE,
        "victim@[127.0.0.1]",
        "victim@[IPv6:::1]",
        "@%s:victim@%s" % (fx.DOMAIN, fx.REMOTE),                   # source route (RFC 5321 C)
        "@%s,@%s:victim@%s" % (fx.HOSTNAME, fx.DOMAIN, fx.REMOTE),
        "victim@sub." + fx.DOMAIN,                                 # a subdomain of ours is not ours
        "victim@not" + fx.DOMAIN,                                  # nor one that ends like it
        "victim@%s.%s" % (fx.DOMAIN, fx.REMOTE),
    ]
    # Local domain, relay syntax in the local part: refused (no such user, or
    # as relaying); either way never queued.
    LOCAL_PART_FORMS = [
        '"victim@%s"@%s' % (fx.REMOTE, fx.DOMAIN),
        "victim%%%s@%s" % (fx.REMOTE, fx.DOMAIN),
        "%s!victim@%s" % (fx.REMOTE, fx.DOMAIN),
        '"victim%%%s"@%s' % (fx.REMOTE, fx.DOMAIN),
        "victim@" + fx.HOSTNAME,  # our host name, not configured as a mail domain
    ]
    # Malformed: refused somehow (501 or 550/553).
    MALFORMED_FORMS = [
        "victim@%s." % fx.REMOTE,
        "victim@%s@%s" % (fx.REMOTE, fx.DOMAIN),
        "victim@%s\tx" % fx.REMOTE,
    ]

    def test_relay_probes_are_refused(self):
        self.new_account()  # makes the domain local
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<spammer@%s>" % fx.REMOTE), 250, "2.1.0")
        for rcpt in self.REMOTE_FORMS:
            with self.subTest(rcpt=rcpt):
                self.assertReply(client, client.cmd("RCPT TO:<%s>" % rcpt), 550, "5.7.1")
        for rcpt in self.LOCAL_PART_FORMS:
            with self.subTest(rcpt=rcpt):
                self.assertReply(client, client.cmd("RCPT TO:<%s>" % rcpt), 550, ("5.1.1", "5.7.1"))
        for rcpt in self.MALFORMED_FORMS:
            with self.subTest(rcpt=rcpt):
                self.assertReply(client, client.cmd("RCPT TO:<%s>" % rcpt), (501, 550, 553))
        self.assertReply(client, client.cmd("DATA"), (503, 554), None, "DATA with no recipient accepted")
        queue = self.queue()
        self.assertNotIn("victim", queue)
        self.assertNotIn("spammer", queue)

    def test_without_angle_brackets_and_with_spaces(self):
        self.new_account()
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<spammer@%s>" % fx.REMOTE), 250, "2.1.0")
        for line in ("RCPT TO:victim@" + fx.REMOTE, "RCPT TO: <victim@%s>" % fx.REMOTE,
                     "RCPT TO:<victim@%s> NOTIFY=NEVER" % fx.REMOTE):
            with self.subTest(line=line):
                reply = client.cmd(line)
                self.assertNotEqual(reply.code // 100, 2, "%s accepted: %s" % (line, reply))
        self.assertNotIn("victim", self.queue())

    def test_a_refused_relay_never_lands_on_the_queue_even_with_a_local_recipient(self):
        account = self.new_account()
        client = self.session()
        marker = "relay-marker-%d" % fx.unique()
        self.assertReply(client, client.cmd("MAIL FROM:<spammer@%s>" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<victim@%s>" % fx.REMOTE), 550, "5.7.1")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(fx.message(marker)), 250, fx.DATA_OK)
        self.assertEqual(self.count(account), 1)
        self.assertNotIn(marker, self.queue())

    def test_mx_refuses_auth(self):
        account = self.new_account()
        client = self.session(starttls=True)
        reply = self.authenticate(client, account)
        self.assertReply(client, reply, (500, 502, 503))
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % account), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<victim@%s>" % fx.REMOTE), 550, "5.7.1",
                         "a refused AUTH must not open the relay")


class QuotaTest(fx.SmtpTestCase):

    def full_account(self):
        account = self.new_account()
        self.ctl.deliver([account], fx.message("filler", ["x" * 70] * 40))  # about 3 KB
        self.ctl.set_quota(account, 1024)
        return account

    def test_full_mailbox_at_rcpt_and_the_others_still_get_it(self):
        full, other = self.full_account(), self.new_account()
        client = self.session()
        content = fx.message("quota")
        self.assertReply(client, client.cmd("MAIL FROM:<s@%s>" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % full), 452, "4.2.2")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % other), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(content), 250, fx.DATA_OK)
        self.assertEqual(self.count(full), 1, "only the filler")
        [delivered] = self.mailbox(other)
        self.assertDelivered(delivered, "s@" + fx.REMOTE, content, rcpt=other)

    def test_announced_size_over_the_quota_at_rcpt(self):
        account = self.new_account()
        self.ctl.set_quota(account, 20000)
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<s@%s> SIZE=50000" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 452, "4.2.2")
        self.assertReply(client, client.cmd("RSET"), 250, "2.0.0")
        self.assertReply(client, client.cmd("MAIL FROM:<s@%s> SIZE=5000" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")

    def test_quota_exceeded_by_the_data(self):
        account = self.new_account()
        self.ctl.set_quota(account, 4000)
        client = self.session()
        content = fx.message("too big for the quota", ["y" * 70] * 100)  # about 7 KB, no SIZE announced
        self.assertReply(client, client.cmd("MAIL FROM:<s@%s>" % fx.REMOTE), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(content), 552, "5.2.2")
        self.assertEqual(self.count(account), 0)
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0")
        # Refused for good: once the quota allows it, the same bytes are a
        # new message, not the retry of the refused one.
        self.ctl.set_quota(account, 0)
        self.assertReply(client, self.transaction(client, "s@" + fx.REMOTE, [account], content), 250, fx.DATA_OK)
        self.assertEqual(self.count(account), 1)


    def test_quota_exceeded_by_the_data_for_one_of_two_is_not_lost_silently(self):
        # RFC 5321 6.1: once the server says 250 it must deliver to every
        # accepted recipient or send a non-delivery report (a bounce from
        # <>, here on the outbound queue for the remote sender). The issue
        # lets the other recipients have the message.
        small, other = self.new_account(), self.new_account()
        self.ctl.set_quota(small, 4000)
        sender = "bounce-me-%d@%s" % (fx.unique(), fx.REMOTE)
        client = self.session()
        content = fx.message("too big for one of two", ["y" * 70] * 100)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % sender), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % small), 250, "2.1.5")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % other), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        reply = client.data(content)
        if reply.code != 250:
            self.assertIn(reply.code // 100, (4, 5), client.transcript_text())
            self.assertEqual((self.count(small), self.count(other)), (0, 0))
            return
        self.assertEqual(self.count(other), 1)
        bounces = [e for e in self.ctl.queue() if e["to"] == [sender] and e["from"] == "<>"]
        self.assertTrue(self.count(small) == 1 or bounces,
                        "250 for two recipients, %s got nothing and no bounce went to %s\n%s"
                        % (small, sender, client.transcript_text()))
        if self.count(small) == 1:
            return
        # RFC 3464: a delivery status notification for the one recipient.
        [bounce] = bounces
        report = email.message_from_string(bounce["content"].replace("\r\n", "\n"))
        self.assertEqual(report.get_content_type(), "multipart/report")
        self.assertEqual(report.get_param("report-type"), "delivery-status")
        status = [part for part in report.walk() if part.get_content_type() == "message/delivery-status"]
        self.assertEqual(len(status), 1, bounce["content"])
        fields = status[0].get_payload()[1]  # per-recipient fields after the per-message ones
        self.assertEqual(fields["Final-Recipient"].replace(" ", "").lower(), "rfc822;" + small)
        self.assertEqual((fields["Action"], fields["Status"]), ("failed", "5.2.2"))
        self.assertNotIn(other, bounce["content"], "the bounce names only the failed recipient")

    def test_no_bounce_for_a_bounce(self):
        # RFC 5321 6.1 / RFC 3461: a message from <> never causes a notification.
        small, other = self.new_account(), self.new_account()
        self.ctl.set_quota(small, 4000)
        before = len(self.ctl.queue())
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<>"), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % small), 250, "2.1.5")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % other), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        reply = client.data(fx.message("a big bounce", ["y" * 70] * 100))
        self.assertIn(reply.code // 100, (2, 4, 5))
        self.assertEqual(len(self.ctl.queue()), before, "nothing queued for a message from <>")


class RecipientLimitTest(fx.SmtpTestCase):

    def test_default_limit_is_100_recipients(self):
        account = self.new_account()
        local, domain = account.split("@")
        client = self.session()
        lines = ["MAIL FROM:<many@%s>" % fx.REMOTE] + ["RCPT TO:<%s+%d@%s>" % (local, n, domain) for n in range(101)]
        client.send("".join(line + "\r\n" for line in lines))
        self.assertReply(client, client.read_reply(), 250, "2.1.0")
        for n in range(100):
            self.assertReply(client, client.read_reply(), 250, "2.1.5", "recipient %d" % (n + 1))
        self.assertReply(client, client.read_reply(), 452, "4.5.3", "recipient 101")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(fx.message("to 100")), 250, fx.DATA_OK)
        self.assertGreaterEqual(self.count(account), 1)


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
