"""Message content over DATA and BDAT, through raw sockets against the real
smtp binary, read back over POP3 byte for byte: dot-stuffing, line length,
bare LF and bare CR (refused, RFC 5321 2.3.8), the SMTP smuggling probes,
8BITMIME, SMTPUTF8, SIZE, and CHUNKING in every shape a client may send.
smtplib would fix up what these tests send on purpose (it dot-stuffs and
turns bare LF into CRLF), so none of it goes through smtplib."""

import socket

from tests.smtp import smtp_fixture as fx
from tests.support import kurier_harness as kh

SENDER = "sender@" + fx.REMOTE


def exact_size_message(subject, size):
    """A message of exactly `size` octets in lines of at most 78."""
    head = b"From: sender@remote.example\r\nSubject: " + subject.encode() + b"\r\n\r\n"
    lines = []
    total = len(head)
    n = 0
    while total + 80 <= size:
        line = (b".%077d" if n % 7 == 0 else b"%078d") % n
        lines.append(line + b"\r\n")
        total += 80
        n += 1
    rest = size - total
    if rest == 1:  # cannot end in CRLF with one octet: widen the line before
        lines[-1] = lines[-1][:-2] + b"z\r\n"
    elif rest >= 2:
        lines.append(b"z" * (rest - 2) + b"\r\n")
    message = head + b"".join(lines)
    assert len(message) == size, (len(message), size)
    return message


class DataTestCase(fx.SmtpTestCase):

    def open_data(self, client, recipients, mail_params=""):
        self.assertReply(client, client.cmd("MAIL FROM:<%s>%s" % (SENDER, mail_params)), 250, "2.1.0")
        for rcpt in recipients:
            self.assertReply(client, client.cmd("RCPT TO:<%s>" % rcpt), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)

    def assertRefused(self, client, reply, what):
        """A permanent refusal of the message: 5xx with an enhanced code of class 5."""
        self.assertReply(client, reply, tuple(range(500, 560)), None, what)

    def assertInStep(self, client):
        """The session is still in step: the next command gets its own reply."""
        self.assertReply(client, client.cmd("NOOP"), 250, "2.0.0", "NOOP after the refused message")


class DataTest(DataTestCase):

    def test_dot_stuffing_and_exact_bytes(self):
        account = self.new_account()
        content = (b"From: sender@remote.example\r\nSubject: dots\r\n"
                   b"X-Folded: first\r\n\tsecond\r\n"
                   b"\r\n"
                   b".\r\n..\r\n...\r\n.leading dot\r\n. space\r\n"
                   b"trailing spaces   \r\n\ttab first\r\n\r\n\r\n"
                   b"\x7f DEL and ~ tilde\r\n"
                   + b"L" * 998 + b"\r\n"
                   b".\r\n")
        client = self.session()
        self.open_data(client, [account])
        wire = kh.smtp_dot_stuff(content)
        self.assertIn(b"\r\n...\r\n", wire)  # what the server has to un-stuff
        client.send(wire)
        self.assertReply(client, client.read_reply(), 250, fx.DATA_OK)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_empty_message_and_header_only_message(self):
        account = self.new_account()
        for content in (b"Subject: header only\r\n", b"Subject: empty body\r\n\r\n"):
            with self.subTest(content=content):
                self.send(SENDER, [account], content)
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), 2)
        self.assertDelivered(delivered[0], SENDER, b"Subject: header only\r\n", rcpt=account)
        self.assertDelivered(delivered[1], SENDER, b"Subject: empty body\r\n\r\n", rcpt=account)

    def test_overlong_line_refuses_the_message(self):
        account = self.new_account()
        client = self.session()
        self.open_data(client, [account])
        client.send(b"Subject: long line\r\n\r\n" + b"L" * 999 + b"\r\nafter\r\n.\r\n")  # 1001 octets with CRLF
        self.assertRefused(client, client.read_reply(), "a 1001-octet line in DATA")
        self.assertInStep(client)
        self.assertEqual(self.count(account), 0)

    def test_bare_lf_and_bare_cr_refuse_the_message(self):
        account = self.new_account()
        bodies = {
            "bare LF in the body": b"Subject: x\r\n\r\nline one\nline two\r\n",
            "bare LF in the header": b"Subject: x\nX-Other: y\r\n\r\nbody\r\n",
            "bare LF before the end": b"Subject: x\r\n\r\nbody\n",
            "only LF line ends": b"Subject: x\n\nbody\n",
            "bare CR in the body": b"Subject: x\r\n\r\nline one\rline two\r\n",
            "bare CR in the header": b"Subject: x\rX-Other: y\r\n\r\nbody\r\n",
            "CR CR LF": b"Subject: x\r\n\r\nbody\r\r\n",
            "LF CR": b"Subject: x\r\n\r\nbody\n\r\nmore\r\n",
        }
        client = self.session()
        for name, body in bodies.items():
            with self.subTest(case=name):
                self.open_data(client, [account])
                client.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
                self.assertRefused(client, client.read_reply(), name)
                self.assertInStep(client)
        self.assertEqual(self.count(account), 0, "nothing of a refused message is stored")
        # The session still delivers a clean message.
        content = fx.message("clean after the refusals")
        self.send(SENDER, [account], content, client=client)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_client_gone_before_the_end_stores_nothing(self):
        account = self.new_account()
        for how in ("DATA", "BDAT"):
            with self.subTest(how=how):
                client = self.session()
                self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
                self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
                if how == "DATA":
                    self.assertReply(client, client.cmd("DATA"), 354)
                    client.send(fx.message("never ended"))  # no final dot
                else:
                    chunk = fx.message("never last")
                    client.send(b"BDAT %d\r\n" % len(chunk) + chunk)
                    self.assertReply(client, client.read_reply(), 250)
                client.close()
        # A complete message after them is the only one stored.
        content = fx.message("complete")
        self.send(SENDER, [account], content)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_mail_loop_is_refused(self):
        # RFC 5321 6.3: a message with very many Received: fields is looping.
        account = self.new_account()

        def hops(n):
            return b"".join(b"Received: from hop%d.example by hop%d.example; Sun, 22 Nov 2026 07:00:00 +0000\r\n"
                            % (i, i + 1) for i in range(n)) + b"Subject: %d hops\r\n\r\nbody\r\n" % n

        client = self.session()
        self.open_data(client, [account])
        self.assertReply(client, client.data(hops(150)), 554, "5.4.6", "150 Received: fields")
        self.open_data(client, [account])
        self.assertReply(client, client.data(hops(50)), 250, fx.DATA_OK, "50 Received: fields")
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, hops(50), rcpt=account)

    def test_8bitmime(self):
        account = self.new_account()
        content = (b"From: sender@remote.example\r\nSubject: 8bit\r\n"
                   b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                   + "Gr\u00fc\u00dfe aus K\u00f6ln \u2709 \u65e5\u672c\u8a9e \U0001f4ec\r\n".encode("utf-8")
                   + b"\xe9t\xe9 in latin-1, lone high octets \xff\xfe\x80\r\n"
                   + bytes(b for b in range(1, 256) if b not in (10, 13)) + b"\r\n")
        client = self.session()
        self.open_data(client, [account], " BODY=8BITMIME")
        self.assertReply(client, client.data(content), 250, fx.DATA_OK)
        self.open_data(client, [account], " BODY=7BIT")
        plain = fx.message("7bit")
        self.assertReply(client, client.data(plain), 250, fx.DATA_OK)
        delivered = self.mailbox(account)
        self.assertDelivered(delivered[0], SENDER, content, rcpt=account)
        self.assertDelivered(delivered[1], SENDER, plain, rcpt=account)

    def test_body_types_not_offered(self):
        client = self.session()
        for params in (" BODY=BINARYMIME", " BODY=9BIT", " BODY="):
            with self.subTest(params=params):
                reply = client.cmd("MAIL FROM:<%s>%s" % (SENDER, params))
                self.assertReply(client, reply, (501, 504, 555))

    def test_smtputf8_addresses_and_headers(self):
        account = self.new_account()
        sender = "j\u00f6s\u00e9@b\u00fccher.example"
        content = ("From: J\u00f6s\u00e9 <%s>\r\nTo: <%s>\r\nSubject: Gr\u00fc\u00dfe \u2709\r\n\r\n"
                   "K\u00f6rper \u65e5\u672c\u8a9e\r\n" % (sender, account)).encode("utf-8")
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<%s> SMTPUTF8 BODY=8BITMIME" % sender), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(content), 250, fx.DATA_OK)
        [delivered] = self.mailbox(account)
        # RFC 6531 3.7.3 registers UTF8SMTP (and ...S, ...A, ...SA) for the
        # "with" clause of mail that used SMTPUTF8.
        self.assertDelivered(delivered, sender, content, rcpt=account, protocol="UTF8SMTP")

    def test_non_ascii_address_needs_smtputf8(self):
        account = self.new_account()
        client = self.session()
        reply = client.cmd("MAIL FROM:<j\u00f6s\u00e9@b\u00fccher.example>")
        self.assertReply(client, reply, (501, 550, 553), None, "RFC 6531 3.4: non-ASCII without SMTPUTF8")
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        reply = client.cmd("RCPT TO:<%s>" % account.replace("user", "\u00fcser"))
        self.assertReply(client, reply, (501, 550, 553))

    def test_smtputf8_local_account(self):
        name = "j\u00f6ran%d@%s" % (fx.unique(), fx.DOMAIN)
        try:
            self.ctl.add_account(name, fx.PASSWORD)
        except kh.KurierctlError as e:
            self.skipTest("kurierctl does not create UTF-8 account names: %s" % e)
        content = ("Subject: f\u00fcr %s\r\n\r\nhej\r\n" % name).encode("utf-8")
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<%s> SMTPUTF8" % SENDER), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % name), 250, "2.1.5")
        self.assertReply(client, client.cmd("DATA"), 354)
        self.assertReply(client, client.data(content), 250, fx.DATA_OK)
        self.assertEqual(self.count(name), 1)


class SizeTest(DataTestCase):

    def test_size_parameter(self):
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<%s> SIZE=%d" % (SENDER, fx.MAX_MESSAGE_BYTES)), 250, "2.1.0")
        self.assertReply(client, client.cmd("RSET"), 250, "2.0.0")
        self.assertReply(client, client.cmd("MAIL FROM:<%s> SIZE=%d" % (SENDER, fx.MAX_MESSAGE_BYTES + 1)),
                         552, "5.3.4")
        self.assertReply(client, client.cmd("MAIL FROM:<%s> SIZE=99999999999999999999999" % SENDER), (501, 552))
        for bad in ("SIZE=abc", "SIZE=-1", "SIZE=", "SIZE=1e6"):
            with self.subTest(param=bad):
                self.assertReply(client, client.cmd("MAIL FROM:<%s> %s" % (SENDER, bad)), 501)
        self.assertReply(client, client.cmd("MAIL FROM:<%s> SIZE=100" % SENDER), 250, "2.1.0")

    def test_message_at_and_over_the_maximum(self):
        account = self.new_account()
        at_limit = exact_size_message("at the limit", fx.MAX_MESSAGE_BYTES)
        client = self.session()
        self.open_data(client, [account])
        self.assertReply(client, client.data(at_limit), 250, fx.DATA_OK, "exactly SIZE octets (RFC 1870)")
        over = exact_size_message("one octet over", fx.MAX_MESSAGE_BYTES + 1)
        self.open_data(client, [account])
        self.assertReply(client, client.data(over), 552, "5.3.4", "one octet over SIZE")
        self.assertInStep(client)
        far_over = exact_size_message("far over", 3 * fx.MAX_MESSAGE_BYTES)
        self.open_data(client, [account])
        self.assertReply(client, client.data(far_over), 552, "5.3.4")
        self.assertInStep(client)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, at_limit, rcpt=account)

    def test_size_announced_small_but_message_bigger(self):
        account = self.new_account()
        client = self.session()
        self.open_data(client, [account], " SIZE=100")
        self.assertReply(client, client.data(exact_size_message("lied", fx.MAX_MESSAGE_BYTES + 10)), 552, "5.3.4")
        self.assertEqual(self.count(account), 0)


class SmugglingTest(DataTestCase):
    """SMTP smuggling (2023): an end-of-data look-alike inside DATA, followed
    by a second transaction. Kurier refuses the message for its bare LF/CR,
    so no second message can appear."""

    PROBES = {
        "LF.LF": b"\n.\n",
        "CR.LF": b"\r.\n",
        "LF.CRLF": b"\n.\r\n",
        "CRLF.LF": b"\r\n.\n",
        "CRLF.CR": b"\r\n.\r",
        "LF.CR": b"\n.\r",
        "CR.CRLF": b"\r.\r\n",
    }

    def smuggle(self, terminator):
        """Sends a message with `terminator` then a smuggled transaction to
        a second account, then QUIT; (outer account, smuggled account,
        every reply after 354)."""
        outer, target = self.new_account(), self.new_account()
        client = self.session()
        self.open_data(client, [outer])
        payload = (b"From: sender@remote.example\r\nSubject: outer\r\n\r\nouter body" + terminator
                   + b"MAIL FROM:<admin@" + fx.REMOTE.encode() + b">\r\n"
                   + b"RCPT TO:<" + target.encode() + b">\r\n"
                   + b"DATA\r\n"
                   + b"From: admin@" + fx.DOMAIN.encode() + b"\r\nSubject: smuggled\r\n\r\nsmuggled body\r\n"
                   + b".\r\n"
                   + b"QUIT\r\n")
        client.send(payload)
        replies = []
        try:
            while True:
                replies.append(client.read_reply())
        except EOFError:
            pass
        except socket.timeout:
            replies.append("<timeout: the server neither answered QUIT nor closed>")
        return client, outer, target, replies

    def test_probes_never_make_a_second_message(self):
        for name, terminator in self.PROBES.items():
            with self.subTest(probe=name):
                client, outer, target, replies = self.smuggle(terminator)
                transcript = client.transcript_text()
                self.assertEqual(self.count(target), 0, "smuggled message delivered\n" + transcript)
                self.assertEqual(self.count(outer), 0, "message with bare CR/LF delivered\n" + transcript)
                self.assertEqual(len(replies), 2, "one reply for the message, one for QUIT:\n" + transcript)
                self.assertReply(client, replies[0], tuple(range(500, 560)))
                self.assertReply(client, replies[1], 221, "2.0.0")
        self.assertNotIn("smuggled", self.queue())

    def test_control_a_real_end_of_data_does_start_a_second_transaction(self):
        # The same payload with a real CRLF.CRLF is two messages: this is
        # what the probes would look like if the server fell for them.
        client, outer, target, replies = self.smuggle(b"\r\n.\r\n")
        self.assertEqual([r.code for r in replies], [250, 250, 250, 354, 250, 221], client.transcript_text())
        self.assertEqual((self.count(outer), self.count(target)), (1, 1))


class BdatTest(DataTestCase):

    def bdat_transaction(self, client, account, chunks, last_separately=False, params=""):
        """MAIL, RCPT, then BDAT per chunk (LAST on the last one, or a BDAT 0
        LAST after them); each reply checked; the final reply."""
        self.assertReply(client, client.cmd("MAIL FROM:<%s>%s" % (SENDER, params)), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1 and not last_separately
            client.send(b"BDAT %d%s\r\n" % (len(chunk), b" LAST" if last else b"") + chunk)
            reply = client.read_reply()
            if not last:
                self.assertReply(client, reply, 250, None, "chunk %d" % i)
        if last_separately:
            reply = client.cmd("BDAT 0 LAST")
        return reply

    def test_chunks_are_exact_octets(self):
        account = self.new_account()
        # No dot-stuffing in BDAT: "." and ".." lines arrive as they are.
        def content(n):
            return (b"From: sender@remote.example\r\nSubject: chunks %d\r\n\r\n" % n
                    + b".\r\n..\r\n.leading\r\nmiddle\r\n" + "\u00e4\u00f6\u00fc\r\n".encode("utf-8"))

        cuts = [0, 10, 11, 47, 48, 60, len(content(1))]
        chunks = [content(1)[a:b] for a, b in zip(cuts, cuts[1:])]
        client = self.session()
        self.assertReply(client, self.bdat_transaction(client, account, chunks, params=" BODY=8BITMIME"), 250,
                         fx.DATA_OK)
        self.assertReply(client, self.bdat_transaction(client, account, [content(2)], last_separately=True), 250,
                         fx.DATA_OK, "BDAT 0 LAST")
        self.assertReply(client, self.bdat_transaction(client, account, [content(3)]), 250, fx.DATA_OK,
                         "one BDAT LAST")
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), 3)
        for n, got in enumerate(delivered, 1):
            self.assertDelivered(got, SENDER, content(n), rcpt=account)

    def test_crlf_split_across_chunks_is_crlf(self):
        account = self.new_account()
        content = b"Subject: split\r\n\r\nline one\r\nline two\r\n"
        at = content.index(b"\r\nline two") + 1  # between CR and LF
        chunks = [content[:at], content[at:at + 1], content[at + 1:]]
        self.assertEqual(chunks[1], b"\n")
        client = self.session()
        self.assertReply(client, self.bdat_transaction(client, account, chunks), 250, fx.DATA_OK)
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_pipelined_bdat(self):
        account = self.new_account()
        content = fx.message("pipelined bdat", ["one", ".two", "three"])
        first, second = content[:25], content[25:]
        client = self.session()
        client.send(b"MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nBDAT %d\r\n%sBDAT %d LAST\r\n%sNOOP\r\n" % (
            SENDER.encode(), account.encode(), len(first), first, len(second), second))
        self.assertReply(client, client.read_reply(), 250, "2.1.0")
        self.assertReply(client, client.read_reply(), 250, "2.1.5")
        self.assertReply(client, client.read_reply(), 250)
        self.assertReply(client, client.read_reply(), 250, fx.DATA_OK)
        self.assertReply(client, client.read_reply(), 250, "2.0.0")
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_bare_lf_or_cr_in_bdat_is_refused_at_last(self):
        account = self.new_account()
        client = self.session()
        for name, content in (("LF", b"Subject: x\r\n\r\none\ntwo\r\n"), ("CR", b"Subject: x\r\n\r\none\rtwo\r\n"),
                              ("smuggle", b"Subject: x\r\n\r\nbody\n.\nMAIL FROM:<a@b.example>\r\n")):
            with self.subTest(case=name):
                self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
                self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
                client.send(b"BDAT %d\r\n" % len(content) + content)
                client.read_reply()  # 250, or a 5xx already
                reply = client.cmd("BDAT 0 LAST")
                self.assertReply(client, reply, tuple(range(500, 560)), None, "bare %s in BDAT" % name)
                client.cmd("RSET")
                self.assertInStep(client)
        self.assertEqual(self.count(account), 0)

    def test_bdat_out_of_sequence_still_reads_the_chunk(self):
        client = self.session()
        chunk = b"QUIT\r\nQUIT\r\n"
        client.send(b"BDAT %d\r\n" % len(chunk) + chunk + b"NOOP\r\n")
        self.assertReply(client, client.read_reply(), 503, None, "BDAT before MAIL")
        self.assertReply(client, client.read_reply(), 250, "2.0.0", "the chunk was not read as commands")

    def test_data_and_bdat_do_not_mix(self):
        account = self.new_account()
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        client.send(b"BDAT 5\r\nabcde")
        self.assertReply(client, client.read_reply(), 250)
        self.assertReply(client, client.cmd("DATA"), 503, None, "RFC 3030: DATA after BDAT")
        self.assertReply(client, client.cmd("RSET"), 250, "2.0.0")
        self.assertEqual(self.count(account), 0)

    def test_bad_bdat_arguments(self):
        client = self.session()
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        for bad in ("BDAT", "BDAT abc", "BDAT -1", "BDAT 0x10", "BDAT LAST"):
            with self.subTest(command=bad):
                self.assertReply(client, client.cmd(bad), 501)

    def test_bdat_over_the_maximum(self):
        account = self.new_account()
        client = self.session()
        content = exact_size_message("over in chunks", fx.MAX_MESSAGE_BYTES + 1)
        half = len(content) // 2
        self.assertReply(client, client.cmd("MAIL FROM:<%s>" % SENDER), 250, "2.1.0")
        self.assertReply(client, client.cmd("RCPT TO:<%s>" % account), 250, "2.1.5")
        client.send(b"BDAT %d\r\n" % half + content[:half] + b"BDAT %d LAST\r\n" % (len(content) - half)
                    + content[half:])
        replies = [client.read_reply(), client.read_reply()]
        self.assertEqual([r.code for r in replies][-1], 552, client.transcript_text())
        self.assertReply(client, replies[-1], 552, "5.3.4")
        self.assertInStep(client)
        self.assertEqual(self.count(account), 0)


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
