"""Submission (587 with STARTTLS, 465 with implicit TLS) against the real
smtp binary: AUTH with PLAIN, LOGIN and SCRAM-SHA-256, what is refused
before and without it, whose addresses an account may send as, remote
recipients on the outbound queue next to local delivery, and the headers a
submitted message gets (Received with ESMTPSA, Date, Message-ID)."""

import re

from tests.smtp import smtp_fixture as fx
from tests.support import kurier_harness as kh


class AuthTest(fx.SmtpTestCase):

    def test_every_mechanism_on_both_listeners(self):
        account = self.new_account()
        for listener in ("submission", "submissions"):
            for mechanism in ("PLAIN", "LOGIN", "SCRAM-SHA-256"):
                with self.subTest(listener=listener, mechanism=mechanism):
                    client = self.submission(account, listener, mechanism=mechanism)
                    self.assertReply(client, client.cmd("MAIL FROM:<%s>" % account), 250, "2.1.0")
                    self.assertReply(client, client.cmd("QUIT"), 221, "2.0.0")

    def test_plain_and_login_variants(self):
        account = self.new_account()
        # PLAIN without an initial response: an empty challenge first.
        client = self.session("submissions")
        reply = client.cmd("AUTH PLAIN")
        self.assertEqual((reply.code, reply.lines), (334, [""]), client.transcript_text())
        self.assertReply(client, client.cmd(kh.sasl_plain(account, fx.PASSWORD)), 235, "2.7.0")
        # LOGIN with the user name as initial response (RFC 4954 allows it).
        client = self.session("submissions")
        reply = client.cmd("AUTH LOGIN " + kh.b64(account))
        self.assertEqual((reply.code, reply.lines), (334, [kh.b64("Password:")]), client.transcript_text())
        self.assertReply(client, client.cmd(kh.b64(fx.PASSWORD)), 235, "2.7.0")
        # SCRAM without an initial response.
        client = self.session("submissions")
        self.assertReply(client, self.scram(client, account, fx.PASSWORD, initial_response=False), 235, "2.7.0")
        # PLAIN with authzid equal to the user.
        client = self.session("submissions")
        self.assertReply(client, client.cmd("AUTH PLAIN " + kh.b64("%s\0%s\0%s" % (account, account, fx.PASSWORD))),
                         235, "2.7.0")

    def test_wrong_credentials(self):
        account, other = self.new_account(), self.new_account()
        for mechanism in ("PLAIN", "LOGIN", "SCRAM-SHA-256"):
            with self.subTest(mechanism=mechanism):
                client = self.session("submissions")
                self.assertReply(client, self.authenticate(client, account, "wrong", mechanism), 535, "5.7.8")
                self.assertReply(client, client.cmd("MAIL FROM:<%s>" % account), 530, "5.7.0", "still anonymous")
                # The session can still log in properly.
                self.assertReply(client, self.authenticate(client, account, mechanism=mechanism), 235, "2.7.0")
        client = self.session("submissions")
        unknown = self.authenticate(client, "nobody@" + fx.DOMAIN, fx.PASSWORD)
        wrong = self.authenticate(client, account, "wrong")
        self.assertReply(client, unknown, 535, "5.7.8")
        self.assertEqual(str(unknown), str(wrong), "an unknown user looks like a wrong password")
        # Logging in as someone else (PLAIN authzid, SCRAM a=) is refused.
        client = self.session("submissions")
        self.assertReply(client, client.cmd("AUTH PLAIN " + kh.b64("%s\0%s\0%s" % (other, account, fx.PASSWORD))),
                         535)
        scram = self.scram(client, account, fx.PASSWORD, gs2_header="n,a=%s," % other)
        self.assertReply(client, scram, 535)

    def test_repeated_failures_end_the_session(self):
        account = self.new_account()
        client = self.session("submissions")
        replies = []
        for attempt in range(10):
            try:
                replies.append(self.authenticate(client, account, "guess%d" % attempt))
            except (EOFError, ConnectionError):
                break
        codes = [r.code for r in replies]
        self.assertIn(421, codes, "the session is ended after some failures\n" + client.transcript_text())
        self.assertEqual(codes[:codes.index(421)], [535] * codes.index(421))
        self.assertGreaterEqual(codes.index(421), 3, "at least three tries (like pop3)")
        self.assertReply(client, replies[codes.index(421)], 421, "4.7.0")
        self.assertClosed(client)
        # Another connection still logs in (the throttle is raised out of the way here).
        self.submission(account)

    def test_sasl_protocol_errors(self):
        account = self.new_account()
        client = self.session("submissions")
        self.assertReply(client, client.cmd("AUTH NO-SUCH-MECH"), 504, "5.5.4")
        self.assertReply(client, client.cmd("AUTH"), 501)
        # RFC 4954 4 and 6: "*" cancels an exchange (501 5.7.0); a response
        # that is not base64 is 501 5.5.2.
        self.assertEqual(client.cmd("AUTH LOGIN").code, 334)
        self.assertReply(client, client.cmd("*"), 501, "5.7.0")
        self.assertEqual(client.cmd("AUTH PLAIN").code, 334)
        self.assertReply(client, client.cmd("not base64 !!!"), 501, "5.5.2")
        self.assertReply(client, self.authenticate(client, account), 235, "2.7.0")
        self.assertReply(client, self.authenticate(client, account), 503, None, "AUTH twice (RFC 4954 4)")
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % account), 250, "2.1.0")

    def test_auth_not_allowed_during_a_transaction(self):
        account = self.new_account()
        client = self.submission(account)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % account), 250, "2.1.0")
        self.assertReply(client, client.cmd("AUTH PLAIN " + kh.sasl_plain(account, fx.PASSWORD)), 503)

    def test_587_requires_starttls_before_auth(self):
        account = self.new_account()
        client = self.session("submission")
        reply = self.authenticate(client, account)
        # RFC 3207 / RFC 4954: 530 5.7.0 "Must issue a STARTTLS command
        # first" (538 5.7.11 names the same for one mechanism).
        self.assertReply(client, reply, (530, 538, 503, 504))
        self.assertEqual(reply.code // 100, 5)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % account), 530, "5.7.0")
        self.starttls(client)
        self.assertReply(client, self.authenticate(client, account), 235, "2.7.0")

    def test_mail_before_auth(self):
        account = self.new_account()
        for listener in ("submission", "submissions"):
            with self.subTest(listener=listener):
                client = self.session(listener, starttls=listener == "submission")
                self.assertReply(client, client.cmd("MAIL FROM:<%s>" % account), 530, "5.7.0")
                self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 503, None,
                                 "RCPT after the refused MAIL")


class PlaintextAuthTest(fx.SmtpTestCase):
    SMTP_FLAGS = {"smtp.allow_plaintext_auth": True}

    def test_587_offers_auth_before_tls_when_configured(self):
        account = self.new_account()
        client = self.session("submission")
        keywords = self.assertEhlo(client, client.ehlo())
        self.assertEqual(sorted(keywords.get("AUTH", [])), ["LOGIN", "PLAIN", "SCRAM-SHA-256"], keywords)
        self.assertIn("STARTTLS", keywords)
        self.assertReply(client, self.authenticate(client, account, mechanism="LOGIN"), 235, "2.7.0")
        content = fx.message("plaintext submission")
        self.send(account, [account], content, client=client)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, account, content, protocol="ESMTPA", rcpt=account, submission=True)

    def test_mx_still_offers_no_auth(self):
        client = self.session("smtp")
        self.assertNotIn("AUTH", client.ehlo().keywords())


class SenderAndRecipientsTest(fx.SmtpTestCase):

    def test_sender_must_be_an_address_of_the_account(self):
        alias = "alias%d@%s" % (fx.unique(), fx.DOMAIN)
        account = self.new_account(aliases=[alias])
        other = self.new_account()
        client = self.submission(account)
        local, domain = account.split("@")
        for sender in (other, "someone@" + fx.REMOTE, "%s@%s" % (local, fx.REMOTE), "x" + account,
                       "%s@sub.%s" % (local, domain)):
            with self.subTest(sender=sender):
                self.assertReply(client, client.cmd("MAIL FROM:<%s>" % sender), 553, "5.7.1")
        for sender in (account, alias, "%s@%s" % (local, domain.upper())):
            with self.subTest(sender=sender):
                self.assertReply(client, client.cmd("MAIL FROM:<%s>" % sender), 250, "2.1.0")
                self.assertReply(client, client.cmd("RSET"), 250, "2.0.0")

    def test_local_and_remote_recipients(self):
        sender, local = self.new_account(), self.new_account()
        marker = "submitted-%d" % fx.unique()
        content = fx.message(marker)
        remote_rcpt = "friend-%s@%s" % (marker, fx.REMOTE)
        client = self.submission(sender)
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % sender), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % local), 250, "2.1.5")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % remote_rcpt), 250, "2.1.5")
        self.assertReply(client, client.cmd("RCPT TO:<nobody@%s>" % fx.DOMAIN), 550, "5.1.1",
                         "an unknown local user is refused on submission too")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(content), 250, fx.DATA_OK)
        [delivered] = self.mailbox(local)
        self.assertDelivered(delivered, sender, content, protocol="ESMTPSA", rcpts=[local, remote_rcpt], tls=True,
                             submission=True)
        [entry] = self.queued(marker)
        self.assertEqual((entry["from"], entry["to"], entry["submitter"]), (sender, [remote_rcpt], sender),
                         "only the remote recipient is queued, with the envelope sender and the submitter")
        # The queued copy is the delivered one without Return-Path (the relay
        # adds none; the receiving side does).
        self.assertEqual(entry["content"].encode("utf-8"), delivered[delivered.index(b"\r\n") + 2:])
        self.assertEqual(entry["size"], len(entry["content"].encode("utf-8")))
        self.assertEqual(self.count(sender), 0)

    def test_only_remote_recipients(self):
        sender = self.new_account()
        marker = "remote-only-%d" % fx.unique()
        rcpts = ["a-%s@%s" % (marker, fx.REMOTE), "b-%s@elsewhere.example" % marker]
        client = self.submission(sender, "submission")
        self.assertReply(client, self.transaction(client, sender, rcpts, fx.message(marker)), 250, fx.DATA_OK)
        [entry] = self.queued(marker)  # one queued message for both recipients
        self.assertEqual(entry["to"], rcpts)
        _, received, rest = fx.split_delivered(b"Return-Path: <%s>\r\n" % sender.encode()
                                               + entry["content"].encode("utf-8"))
        self.assertReceived(received, fx.CLIENT_HELO, "ESMTPSA", rcpts=rcpts, tls=True)
        self.assertTrue(rest.endswith(fx.message(marker)))

    def test_dsn_parameters(self):
        # RFC 3461: accepted and kept on the queue entry for the relay.
        account = self.new_account()
        marker = "dsn-%d" % fx.unique()
        rcpt = "dsn-%s@%s" % (marker, fx.REMOTE)
        client = self.submission(account)
        self.assertReply(client, client.cmd("MAIL FROM:<%s> RET=HDRS ENVID=QQ314159+2Bx" % account), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;%s" % (rcpt, rcpt)),
                         250, "2.1.5")
        self.assertReply(client, client.cmd("RCPT TO:<x-%s> NOTIFY=NEVER" % rcpt), 250, "2.1.5")
        for bad in ("NOTIFY=NEVER,SUCCESS", "NOTIFY=SOMETIMES", "ORCPT=no-type", "NOTIFY="):
            with self.subTest(param=bad):
                self.assertReply(client, client.cmd("RCPT TO:<y-%s> %s" % (rcpt, bad)), 501)
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(fx.message(marker)), 250, fx.DATA_OK)
        [entry] = self.queued(marker)
        self.assertEqual(entry["to"], [rcpt, "x-" + rcpt])
        self.assertEqual(entry["dsn"]["ret"], "HDRS")
        self.assertEqual(entry["dsn"]["envid"], "QQ314159+2Bx")
        self.assertEqual(entry["dsn"]["notify"], {rcpt: "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" + rcpt,
                                                  "x-" + rcpt: "NOTIFY=NEVER ORCPT=-"})
        client = self.submission(account)
        for bad in ("RET=BODY", "RET=FULL RET=HDRS", "ENVID=bad=xtext", "ENVID=" + "x" * 101):
            with self.subTest(param=bad):
                self.assertReply(client, client.cmd("MAIL FROM:<%s> %s" % (account, bad)), (501, 555))

    def test_received_date_and_message_id(self):
        account = self.new_account()
        bare = b"From: <" + account.encode() + b">\r\nSubject: no date, no id\r\n\r\nbody\r\n"
        only_date = b"Date: Sun, 22 Nov 2026 07:00:00 +0000\r\nSubject: only date\r\n\r\nbody\r\n"
        complete = fx.message("complete")
        lower_case = b"date: Sun, 22 Nov 2026 07:00:00 +0000\r\nmessage-id: <lower@test.example>\r\n\r\nbody\r\n"
        client = self.submission(account, "submission", mechanism="SCRAM-SHA-256")
        for content in (bare, only_date, complete, lower_case):
            self.assertReply(client, self.transaction(client, account, [account], content), 250, fx.DATA_OK)
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), 4)
        for got, content in zip(delivered, (bare, only_date, complete, lower_case)):
            with self.subTest(content=content[:40]):
                self.assertDelivered(got, account, content, protocol="ESMTPSA", rcpt=account, tls=True,
                                     submission=True)
        # MX mail gets neither (RFC 6409 8: adding them is submission's job).
        mx_content = b"Subject: mx without date\r\n\r\nbody\r\n"
        self.send("x@" + fx.REMOTE, [account], mx_content)
        self.assertDelivered(self.mailbox(account)[-1], "x@" + fx.REMOTE, mx_content, rcpt=account)

    def test_message_ids_are_unique(self):
        account = self.new_account()
        client = self.submission(account)
        for n in range(3):
            content = b"Subject: id %d\r\n\r\nx\r\n" % n
            self.assertReply(client, self.transaction(client, account, [account], content), 250, fx.DATA_OK)
        ids = set()
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), 3)
        for got in delivered:
            m = re.search(rb"\r\nMessage-ID: *(<[^>]*>)", got, re.I)
            self.assertIsNotNone(m, got[:400])
            ids.add(m.group(1))
        self.assertEqual(len(ids), 3, ids)

    def test_the_same_message_submitted_twice_arrives_twice(self):
        # Two submissions that each got 250 are two messages for the user,
        # even with identical bytes (a script sending the same alert twice);
        # the submission even gives each its own Message-ID.
        account = self.new_account()
        content = b"Subject: disk full\r\n\r\n/var is full\r\n"
        for n in range(2):
            client = self.submission(account)
            self.assertReply(client, self.transaction(client, account, [account], content), 250, fx.DATA_OK)
            self.assertReply(client, client.cmd("QUIT"), 221, "2.0.0")
        self.assertEqual(self.count(account), 2, "two submissions answered 250, fewer messages delivered")

if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
