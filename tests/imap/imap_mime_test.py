"""Mail as it arrives over SMTP from real mail programs, read back over
IMAP: BODYSTRUCTURE of a multipart/alternative with an inline image in a
multipart/related, a forwarded message/rfc822 with its own multipart body,
attachments named with RFC 2231 and with encoded words, a message without
its final boundary, and one without any MIME header; BODY[n], BODY[n.MIME],
BODY[n.HEADER] and BINARY[n] return the bytes of each part."""

import base64
import email.header
import unittest

from tests.imap import imap_fixture as fx

PNG = base64.b64decode(b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PNG_B64 = base64.b64encode(PNG)

HEAD = (b"From: Sender <sender@remote.example>\r\nTo: %s\r\nSubject: %s\r\n"
        b"Date: Sun, 22 Nov 2026 07:00:00 +0000\r\nMessage-ID: <%s@remote.example>\r\nMIME-Version: 1.0\r\n")

ALT_PLAIN = b"Hello =E2=9C=89 plain text,\r\nwith a soft=\r\n break."
ALT_HTML = b"<html><body><p>Hello</p><img src=\"cid:logo@remote.example\"></body></html>"
ALTERNATIVE_BODY = (
    b"Content-Type: multipart/alternative; boundary=\"alt-1\"\r\n\r\n"
    b"--alt-1\r\n"
    b"Content-Type: text/plain; charset=\"utf-8\"\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    + ALT_PLAIN + b"\r\n"
    b"--alt-1\r\n"
    b"Content-Type: multipart/related; boundary=\"rel-1\"; type=\"text/html\"\r\n\r\n"
    b"--rel-1\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    + ALT_HTML + b"\r\n"
    b"--rel-1\r\n"
    b"Content-Type: image/png; name=\"logo.png\"\r\n"
    b"Content-ID: <logo@remote.example>\r\n"
    b"Content-Disposition: inline; filename=\"logo.png\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + PNG_B64 + b"\r\n"
    b"--rel-1--\r\n"
    b"--alt-1--\r\n")

INNER_HEADER = (b"From: Inner Person <inner@example.net>\r\nTo: outer@example.org\r\nSubject: Inner subject\r\n"
                b"Date: Sat, 21 Nov 2026 12:00:00 +0100\r\nMessage-ID: <inner@example.net>\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=\"inner-b\"\r\n\r\n")
INNER_TEXT = (b"--inner-b\r\n"
              b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
              b"inner text\r\n"
              b"--inner-b\r\n"
              b"Content-Type: application/pdf; name=\"x.pdf\"\r\n"
              b"Content-Transfer-Encoding: base64\r\n\r\n"
              b"JVBERi0xLjQK\r\n"
              b"--inner-b--\r\n")
INNER = INNER_HEADER + INNER_TEXT
FORWARD_BODY = (b"Content-Type: multipart/mixed; boundary=\"outer-b\"\r\n\r\n"
                b"--outer-b\r\n"
                b"Content-Type: text/plain\r\n\r\n"
                b"See the forwarded message.\r\n"
                b"--outer-b\r\n"
                b"Content-Type: message/rfc822\r\n"
                b"Content-Description: forwarded\r\n\r\n"
                + INNER + b"\r\n"
                b"--outer-b--\r\n")

RATES = "\u20ac rates \u00fcber.txt"
ATTACHMENT_BODY = (
    b"Content-Type: multipart/mixed; boundary=\"att\"\r\n\r\n"
    b"--att\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Two attachments.\r\n"
    b"--att\r\n"
    b"Content-Type: text/plain; charset=utf-8; name*=UTF-8''%E2%82%AC%20rates%20%C3%BCber.txt\r\n"
    b"Content-Disposition: attachment;\r\n"
    b" filename*0*=UTF-8''%E2%82%AC%20ra;\r\n"
    b" filename*1*=tes%20%C3%BC;\r\n"
    b" filename*2=ber.txt\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + base64.b64encode("EUR 1 = CHF 0.94\r\n".encode()) + b"\r\n"
    b"--att\r\n"
    b"Content-Type: application/pdf; name=\"=?UTF-8?B?" + base64.b64encode("R\u00e9sum\u00e9.pdf".encode()) + b"?=\"\r\n"
    b"Content-Disposition: attachment; filename=\"=?UTF-8?B?" + base64.b64encode("R\u00e9sum\u00e9.pdf".encode())
    + b"?=\"; size=8\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    b"JVBERi0xLjQK\r\n"
    b"--att--\r\n")

BROKEN_BODY = (b"Content-Type: multipart/mixed; boundary=\"never-closed\"\r\n\r\n"
               b"preamble\r\n"
               b"--never-closed\r\n"
               b"Content-Type: text/plain\r\n\r\n"
               b"first part\r\n"
               b"--never-closed\r\n"
               b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
               b"second part, never closed\r\n"
               b"last line\r\n")


def make(account, subject, body):
    tag = subject.replace(" ", "-").encode()
    return HEAD % (account.encode(), subject.encode(), tag) + body


def children(part):
    """The sub-parts of a multipart BODYSTRUCTURE (its leading lists)."""
    out = []
    for item in part:
        if not isinstance(item, list):
            break
        out.append(item)
    return out


def content_type(part):
    """(type, subtype) in lower case; ("multipart", subtype) for a multipart."""
    kids = children(part)
    if kids:
        return "multipart", fx.lower(part[len(kids)])
    return fx.lower(part[0]), fx.lower(part[1])


def params(values):
    """{name (lower case): value (str)} of a body parameter list (NIL: {})."""
    if values is None:
        return {}
    return {fx.lower(values[i]): fx.text(values[i + 1]) for i in range(0, len(values), 2)}


def multipart_extension(part):
    """(params, disposition, language, location) of a multipart's extension data."""
    rest = part[len(children(part)) + 1:]
    return rest + [None] * (4 - len(rest))


def decoded(value):
    """A parameter value with any RFC 2047 encoded words decoded."""
    return str(email.header.make_header(email.header.decode_header(value)))


class MimeTest(fx.ImapTestCase):
    WITH_SMTP = True

    def delivered(self, subject, body, enable=None):
        """A fresh account, the message delivered to it over SMTP, and a
        session with INBOX selected: (client, the bytes sent)."""
        account = self.new_account()
        content = make(account, subject, body)
        self.deliver_smtp(account, content)
        client = self.raw_login(account, select="INBOX", enable=enable)
        return client, content

    def test_alternative_with_inline_image(self):
        client, content = self.delivered("alternative", ALTERNATIVE_BODY)
        items = self.fetch_one(client, "FETCH 1 (BODYSTRUCTURE BODY.PEEK[])")
        self.assertTrue(items["BODY[]"].endswith(content), "the message as sent, after the trace fields")
        top = items["BODYSTRUCTURE"]
        self.assertEqual(content_type(top), ("multipart", "alternative"))
        self.assertEqual(params(multipart_extension(top)[0]), {"boundary": "alt-1"})
        plain, related = children(top)
        self.assertEqual(content_type(plain), ("text", "plain"))
        self.assertEqual(params(plain[2]), {"charset": "utf-8"})
        self.assertEqual(fx.lower(plain[5]), "quoted-printable")
        self.assertEqual(plain[6], len(ALT_PLAIN))
        self.assertEqual(content_type(related), ("multipart", "related"))
        self.assertEqual(params(multipart_extension(related)[0]), {"boundary": "rel-1", "type": "text/html"})
        html, image = children(related)
        self.assertEqual(content_type(html), ("text", "html"))
        self.assertEqual(content_type(image), ("image", "png"))
        self.assertEqual(params(image[2]), {"name": "logo.png"})
        self.assertEqual(fx.text(image[3]), "<logo@remote.example>", "body-fld-id")
        self.assertEqual(fx.lower(image[5]), "base64")
        self.assertEqual(image[6], len(PNG_B64))
        disposition = image[8]  # non-text: type subtype params id desc enc size md5 disposition
        self.assertEqual(fx.lower(disposition[0]), "inline")
        self.assertEqual(params(disposition[1]), {"filename": "logo.png"})

        items = self.fetch_one(client, "FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.1] BODY.PEEK[2.2] BINARY.PEEK[2.2] "
                                       "BINARY.PEEK[1] BODY.PEEK[2.2.MIME])")
        self.assertEqual(items["BODY[1]"], ALT_PLAIN)
        self.assertEqual(items["BINARY[1]"], "Hello \u2709 plain text,\r\nwith a soft break.".encode())
        self.assertEqual(items["BODY[2.1]"], ALT_HTML)
        self.assertEqual(items["BODY[2.2]"], PNG_B64)
        self.assertEqual(items["BINARY[2.2]"], PNG)
        self.assertEqual(items["BODY[2.2.MIME]"], b"Content-Type: image/png; name=\"logo.png\"\r\n"
                                                  b"Content-ID: <logo@remote.example>\r\n"
                                                  b"Content-Disposition: inline; filename=\"logo.png\"\r\n"
                                                  b"Content-Transfer-Encoding: base64\r\n\r\n")

    def test_forwarded_message_rfc822(self):
        client, content = self.delivered("forwarded", FORWARD_BODY)
        top = self.fetch_one(client, "FETCH 1 BODYSTRUCTURE")["BODYSTRUCTURE"]
        self.assertEqual(content_type(top), ("multipart", "mixed"))
        note, forwarded = children(top)
        self.assertEqual(content_type(note), ("text", "plain"))
        self.assertEqual(params(note[2]), {"charset": "us-ascii"}, "the default charset is made explicit")
        self.assertEqual(content_type(forwarded), ("message", "rfc822"))
        self.assertEqual(fx.text(forwarded[4]), "forwarded", "body-fld-desc")
        self.assertEqual(forwarded[6], len(INNER))
        envelope, inner, lines = forwarded[7], forwarded[8], forwarded[9]
        self.assertEqual(fx.text(envelope[1]), "Inner subject")
        self.assertEqual(envelope[2], [[b"Inner Person", None, b"inner", b"example.net"]])
        self.assertEqual(fx.text(envelope[9]), "<inner@example.net>")
        self.assertEqual(content_type(inner), ("multipart", "mixed"))
        text, pdf = children(inner)
        self.assertEqual(content_type(text), ("text", "plain"))
        self.assertEqual(content_type(pdf), ("application", "pdf"))
        self.assertEqual(params(pdf[2]), {"name": "x.pdf"})
        self.assertIn(lines, (INNER.count(b"\n"), INNER.count(b"\n") + 1), "message/rfc822 body lines")

        items = self.fetch_one(client, "FETCH 1 (BODY.PEEK[2] BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] "
                                       "BODY.PEEK[2.1] BODY.PEEK[2.2] BINARY.PEEK[2.2] BODY.PEEK[2.MIME])")
        self.assertEqual(items["BODY[2]"], INNER)
        self.assertEqual(items["BODY[2.HEADER]"], INNER_HEADER)
        self.assertEqual(items["BODY[2.TEXT]"], INNER_TEXT)
        self.assertEqual(items["BODY[2.1]"], b"inner text")
        self.assertEqual(items["BODY[2.2]"], b"JVBERi0xLjQK")
        self.assertEqual(items["BINARY[2.2]"], b"%PDF-1.4\n")
        self.assertEqual(items["BODY[2.MIME]"], b"Content-Type: message/rfc822\r\nContent-Description: forwarded\r\n\r\n")
        items = self.fetch_one(client, "FETCH 1 BODY.PEEK[2.HEADER.FIELDS (SUBJECT FROM)]")
        self.assertEqual(items["BODY[2.HEADER.FIELDS (SUBJECT FROM)]"],
                         b"From: Inner Person <inner@example.net>\r\nSubject: Inner subject\r\n\r\n")

    def check_rfc2231_names(self, client, utf8):
        top = self.fetch_one(client, "FETCH 1 BODYSTRUCTURE")["BODYSTRUCTURE"]
        rates = children(top)[1]
        self.assertEqual(content_type(rates), ("text", "plain"))
        rates_disposition = rates[9]  # text: ... size lines md5 disposition
        self.assertEqual(fx.lower(rates_disposition[0]), "attachment")
        for key, found in (("name", params(rates[2])), ("filename", params(rates_disposition[1]))):
            with self.subTest(parameter=key, utf8=utf8):
                # RFC 9051 7.5.2: servers SHOULD decode RFC 2231 continuations
                # and character sets.
                self.assertIn(key, found, "parameters %r: RFC 2231 not decoded" % (found,))
                # In UTF-8 after UTF8=ACCEPT; before it, UTF-8 in a literal
                # or encoded words.
                self.assertEqual(found[key] if utf8 else decoded(found[key]), RATES)

    def test_rfc2231_parameters_are_decoded(self):
        client, _ = self.delivered("rfc2231", ATTACHMENT_BODY)
        self.check_rfc2231_names(client, utf8=False)

    def test_rfc2231_parameters_are_decoded_with_utf8_accept(self):
        client, _ = self.delivered("rfc2231 utf8", ATTACHMENT_BODY, enable="UTF8=ACCEPT")
        self.check_rfc2231_names(client, utf8=True)

    def test_attachments_with_encoded_word_names(self):
        client, _ = self.delivered("attachments", ATTACHMENT_BODY)
        top = self.fetch_one(client, "FETCH 1 BODYSTRUCTURE")["BODYSTRUCTURE"]
        self.assertEqual(len(children(top)), 3)
        body, rates, resume = children(top)
        self.assertEqual(content_type(body), ("text", "plain"))
        self.assertEqual(fx.lower(rates[9][0]), "attachment")
        self.assertEqual(content_type(resume), ("application", "pdf"))
        resume_disposition = resume[8]
        self.assertEqual(fx.lower(resume_disposition[0]), "attachment")
        self.assertEqual(decoded(params(resume_disposition[1])["filename"]), "R\u00e9sum\u00e9.pdf")
        self.assertEqual(params(resume_disposition[1])["size"], "8")
        self.assertEqual(decoded(params(resume[2])["name"]), "R\u00e9sum\u00e9.pdf")
        items = self.fetch_one(client, "FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2] BINARY.PEEK[3] BODY.PEEK[3])")
        self.assertEqual(items["BINARY[2]"], b"EUR 1 = CHF 0.94\r\n")
        self.assertEqual(items["BINARY.SIZE[2]"], len(b"EUR 1 = CHF 0.94\r\n"))
        self.assertEqual(items["BINARY[3]"], b"%PDF-1.4\n")
        self.assertEqual(items["BODY[3]"], b"JVBERi0xLjQK")

    def test_missing_final_boundary(self):
        client, content = self.delivered("broken", BROKEN_BODY)
        items = self.fetch_one(client, "FETCH 1 (BODYSTRUCTURE BODY.PEEK[1] BODY.PEEK[2] RFC822.SIZE)")
        top = items["BODYSTRUCTURE"]
        self.assertEqual(content_type(top), ("multipart", "mixed"))
        self.assertEqual(len(children(top)), 2, top)
        first, second = children(top)
        self.assertEqual(content_type(first), ("text", "plain"))
        self.assertEqual(params(second[2]), {"charset": "utf-8"})
        self.assertEqual(items["BODY[1]"], b"first part")
        self.assertIn(items["BODY[2]"], (b"second part, never closed\r\nlast line\r\n",
                                         b"second part, never closed\r\nlast line"),
                      "the unclosed last part runs to the end of the message")
        self.assertEqual(second[6], len(items["BODY[2]"]))
        # The whole message is still served as it came.
        whole = self.fetch_one(client, "FETCH 1 BODY.PEEK[]")["BODY[]"]
        self.assertTrue(whole.endswith(content))
        self.assertEqual(items["RFC822.SIZE"], len(whole))

    def test_message_without_mime_headers(self):
        account = self.new_account()
        content = (b"From: old@remote.example\r\nTo: %s\r\nSubject: no MIME\r\n\r\n"
                   b"Just text,\r\nthree\r\nlines.\r\n" % account.encode())
        self.deliver_smtp(account, content)
        client = self.raw_login(account, select="INBOX")
        items = self.fetch_one(client, "FETCH 1 (BODYSTRUCTURE BODY.PEEK[1] BODY.PEEK[TEXT])")
        part = items["BODYSTRUCTURE"]
        self.assertEqual(content_type(part), ("text", "plain"))
        self.assertEqual(params(part[2]), {"charset": "us-ascii"})
        self.assertEqual(fx.lower(part[5]), "7bit")
        self.assertEqual(part[6], len(b"Just text,\r\nthree\r\nlines.\r\n"))
        self.assertEqual(part[7], 3)
        self.assertEqual(items["BODY[1]"], b"Just text,\r\nthree\r\nlines.\r\n", "BODY[1] of a single part is TEXT")
        self.assertEqual(items["BODY[TEXT]"], b"Just text,\r\nthree\r\nlines.\r\n")


if __name__ == "__main__":
    unittest.main()
