"""SMTP against mail clients that are not ours: Python's smtplib (plain,
STARTTLS, implicit TLS, AUTH PLAIN and LOGIN, SMTPUTF8, 8-bit bodies, its
error exceptions), swaks and curl (smtp:// and smtps://), each verifying
the generated certificate; every delivered message read back over POP3.

swaks and curl come from the system (./kurier installs them). Where one is
missing its tests are skipped, except under CI (CI set), where that is a
failure."""

import email.generator
import email.message
import email.policy
import io
import os
import shutil
import smtplib
import subprocess
import unittest

from tests.smtp import smtp_fixture as fx
from tests.support import kurier_harness as kh

SWAKS = shutil.which("swaks") or "/usr/bin/swaks"
CURL = shutil.which("curl") or "/usr/bin/curl"
SENDER = "sender@" + fx.REMOTE


def require(tool, name):
    if os.access(tool, os.X_OK):
        return
    if os.environ.get("CI"):
        raise AssertionError("%s is not installed, but CI is set: ./kurier installs it" % name)
    raise unittest.SkipTest("%s is not installed (./kurier test installs it)" % name)


def close_quietly(client):
    try:
        client.quit()
    except Exception:
        try:
            client.close()
        except Exception:
            pass


class SmtplibTest(fx.SmtpTestCase):

    def smtplib_client(self, listener="smtp", implicit_tls=False):
        port = self.smtp.port(listener)
        if implicit_tls:
            client = smtplib.SMTP_SSL(kh.LOOPBACK, port, local_hostname=fx.CLIENT_HELO, timeout=10,
                                      context=self.smtp.ssl_context())
        else:
            client = smtplib.SMTP(kh.LOOPBACK, port, local_hostname=fx.CLIENT_HELO, timeout=10)
        self.addCleanup(close_quietly, client)
        return client

    def test_plain_mx_with_dots_and_a_refused_recipient(self):
        a, b = self.new_account(), self.new_account()
        content = fx.message("smtplib", ["first", ".leading dot", "..", ".", "last"])
        client = self.smtplib_client()
        refused = client.sendmail(SENDER, [a, "nobody@" + fx.DOMAIN, b], content)
        self.assertEqual(list(refused), ["nobody@" + fx.DOMAIN])
        code, text = refused["nobody@" + fx.DOMAIN]
        self.assertEqual(code, 550)
        self.assertTrue(text.startswith(b"5.1.1"), text)
        for account in (a, b):
            [delivered] = self.mailbox(account)
            self.assertDelivered(delivered, SENDER, content, rcpts=[a, b])

    def test_starttls_on_587_with_auth_plain(self):
        account, local = self.new_account(), self.new_account()
        client = self.smtplib_client("submission")
        client.ehlo()
        self.assertFalse(client.has_extn("auth"))
        # smtplib verifies the certificate for 127.0.0.1 against the generated one.
        client.starttls(context=self.smtp.ssl_context())
        client.ehlo()
        self.assertEqual(sorted(client.esmtp_features["auth"].split()), ["LOGIN", "PLAIN", "SCRAM-SHA-256"])
        code, _ = client.login(account, fx.PASSWORD)  # smtplib picks PLAIN of these
        self.assertEqual(code, 235)
        content = fx.message("smtplib starttls", date=False, message_id=False)
        remote = "far-%d@%s" % (fx.unique(), fx.REMOTE)
        self.assertEqual(client.sendmail(account, [local, remote], content), {})
        [delivered] = self.mailbox(local)
        self.assertDelivered(delivered, account, content, protocol="ESMTPSA", rcpts=[local, remote], tls=True,
                             submission=True)
        self.assertIn(remote, self.queue())

    def test_implicit_tls_on_465_with_auth_login(self):
        account = self.new_account()
        client = self.smtplib_client("submissions", implicit_tls=True)
        client.ehlo()
        client.user, client.password = account, fx.PASSWORD
        code, _ = client.auth("LOGIN", client.auth_login)
        self.assertEqual(code, 235)
        content = fx.message("smtplib 465")
        self.assertEqual(client.sendmail(account, [account], content), {})
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, account, content, protocol="ESMTPSA", rcpt=account, tls=True,
                             submission=True)

    def test_smtputf8_and_8bit_with_send_message(self):
        account = self.new_account()
        msg = email.message.EmailMessage()
        msg["From"] = "J\u00f6s\u00e9 <j\u00f6s\u00e9@b\u00fccher.example>"
        msg["To"] = account
        msg["Subject"] = "Gr\u00fc\u00dfe \u2709"
        msg.set_content("K\u00f6rper \u65e5\u672c\u8a9e\n", cte="8bit")
        client = self.smtplib_client()
        client.ehlo()
        self.assertTrue(client.has_extn("smtputf8"))
        self.assertEqual(client.send_message(msg), {})  # adds SMTPUTF8 and BODY=8BITMIME itself
        # The bytes smtplib sent: what its generator makes of the message.
        out = io.BytesIO()
        email.generator.BytesGenerator(out, policy=msg.policy.clone(utf8=True)).flatten(msg, linesep="\r\n")
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, "j\u00f6s\u00e9@b\u00fccher.example", out.getvalue(), rcpt=account,
                             protocol="UTF8SMTP")

    def test_8bit_body_with_sendmail(self):
        account = self.new_account()
        content = (b"Subject: 8bit\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
                   b"Content-Transfer-Encoding: 8bit\r\n\r\n\xe9t\xe9 \xe0 K\xf6ln\r\n")
        client = self.smtplib_client()
        self.assertEqual(client.sendmail(SENDER, [account], content, mail_options=["BODY=8BITMIME"]), {})
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, content, rcpt=account)

    def test_errors_become_smtplib_exceptions(self):
        account, other = self.new_account(), self.new_account()
        client = self.smtplib_client()
        with self.assertRaises(smtplib.SMTPRecipientsRefused) as caught:
            client.sendmail(SENDER, ["victim@" + fx.REMOTE], fx.message("relay"))
        self.assertEqual(caught.exception.recipients["victim@" + fx.REMOTE][0], 550)
        with self.assertRaises(smtplib.SMTPSenderRefused) as caught:
            client.sendmail(SENDER, [account], fx.message("x") + b"y" * fx.MAX_MESSAGE_BYTES)
        self.assertEqual(caught.exception.smtp_code, 552, "smtplib sends SIZE=; too big is refused at MAIL")

        secure = self.smtplib_client("submissions", implicit_tls=True)
        with self.assertRaises(smtplib.SMTPAuthenticationError) as caught:
            secure.login(account, "wrong")
        self.assertEqual(caught.exception.smtp_code, 535)
        secure.login(account, fx.PASSWORD)
        with self.assertRaises(smtplib.SMTPSenderRefused) as caught:
            secure.sendmail(other, [account], fx.message("as someone else"))
        self.assertEqual(caught.exception.smtp_code, 553)
        self.assertEqual(self.count(account), 0)


class ExternalToolTestCase(fx.SmtpTestCase):

    def write(self, name, content):
        path = os.path.join(self.cluster.dir, "%s-%d.eml" % (name, fx.unique()))
        with open(path, "wb") as f:
            f.write(content)
        return path

    def run_tool(self, argv, check=True):
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        output = result.stdout.decode("utf-8", "replace")
        if check and result.returncode != 0:
            self.fail("%s exited %d:\n%s" % (" ".join(argv), result.returncode, output))
        return result.returncode, output


class SwaksTest(ExternalToolTestCase):

    def setUp(self):
        require(SWAKS, "swaks")

    def swaks(self, listener, *args, check=True):
        argv = [SWAKS, "--server", kh.LOOPBACK, "--port", str(self.smtp.port(listener)), "--helo", fx.CLIENT_HELO,
                "--timeout", "30"] + list(args)
        return self.run_tool(argv, check)

    # swaks sends the file and then CRLF.CRLF: a file without its last CRLF
    # arrives with one.

    def test_mx_pipelined_to_two_accounts(self):
        a, b = self.new_account(), self.new_account()
        body = fx.message("swaks mx", [".dot", "end"])[:-2]
        _, output = self.swaks("smtp", "--from", SENDER, "--to", "%s,%s" % (a, b), "--pipeline",
                               "--data", "@" + self.write("swaks", body))
        self.assertIn("PIPELINING", output)
        for account in (a, b):
            [delivered] = self.mailbox(account)
            self.assertDelivered(delivered, SENDER, body + b"\r\n", rcpts=[a, b])

    def test_starttls_587_auth_plain_verified(self):
        account = self.new_account()
        body = fx.message("swaks 587", date=False, message_id=False)[:-2]
        self.swaks("submission", "--tls", "--tls-verify", "--tls-ca-path", self.smtp.cafile, "--auth", "PLAIN",
                   "--auth-user", account, "--auth-password", fx.PASSWORD, "--from", account, "--to", account,
                   "--data", "@" + self.write("swaks", body))
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, account, body + b"\r\n", protocol="ESMTPSA", rcpt=account, tls=True,
                             submission=True)

    def test_implicit_tls_465_auth_login(self):
        account = self.new_account()
        body = fx.message("swaks 465")[:-2]
        self.swaks("submissions", "--tls-on-connect", "--tls-verify", "--tls-ca-path", self.smtp.cafile, "--auth",
                   "LOGIN", "--auth-user", account, "--auth-password", fx.PASSWORD, "--from", account, "--to",
                   account, "--data", "@" + self.write("swaks", body))
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, account, body + b"\r\n", protocol="ESMTPSA", rcpt=account, tls=True,
                             submission=True)

    def test_relay_attempt_and_wrong_password_fail(self):
        account = self.new_account()
        status, output = self.swaks("smtp", "--from", SENDER, "--to", "victim@" + fx.REMOTE, check=False)
        self.assertNotEqual(status, 0, output)
        self.assertIn("550 5.7.1", output)
        status, output = self.swaks("submissions", "--tls-on-connect", "--auth", "PLAIN", "--auth-user", account,
                                    "--auth-password", "wrong", "--from", account, "--to", account, check=False)
        self.assertNotEqual(status, 0, output)
        self.assertIn("535 5.7.8", output)
        self.assertEqual(self.count(account), 0)
        self.assertNotIn("victim@" + fx.REMOTE, self.queue())

    def test_helo_session(self):
        account = self.new_account()
        body = fx.message("swaks helo")[:-2]
        self.swaks("smtp", "--protocol", "SMTP", "--from", SENDER, "--to", account,
                   "--data", "@" + self.write("swaks", body))
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, SENDER, body + b"\r\n", protocol="SMTP", rcpt=account)


class CurlTest(ExternalToolTestCase):

    def setUp(self):
        require(CURL, "curl")

    def curl(self, url, *args, check=True):
        argv = [CURL, "--silent", "--show-error", "--max-time", "30", "--cacert", self.smtp.cafile] + list(args) + [url]
        return self.run_tool(argv, check)

    def url(self, scheme, listener):
        # curl takes the URL's path as its EHLO name.
        return "%s://%s:%d/%s" % (scheme, kh.LOOPBACK, self.smtp.port(listener), fx.CLIENT_HELO)

    def test_smtp_mx(self):
        a, b = self.new_account(), self.new_account()
        content = fx.message("curl mx", [".dot", "..two", "end"])
        self.curl(self.url("smtp", "smtp"), "--mail-from", SENDER, "--mail-rcpt", a, "--mail-rcpt", b,
                  "--upload-file", self.write("curl", content))
        for account in (a, b):
            [delivered] = self.mailbox(account)
            self.assertDelivered(delivered, SENDER, content, rcpts=[a, b])

    def test_smtps_465(self):
        account = self.new_account()
        for mechanism in ("PLAIN", "LOGIN"):
            with self.subTest(mechanism=mechanism):
                content = fx.message("curl 465 " + mechanism)
                self.curl(self.url("smtps", "submissions"), "--user", "%s:%s" % (account, fx.PASSWORD),
                          "--login-options", "AUTH=" + mechanism, "--mail-from", account, "--mail-rcpt", account,
                          "--upload-file", self.write("curl", content))
        delivered = self.mailbox(account)
        self.assertEqual(len(delivered), 2)
        for got, mechanism in zip(delivered, ("PLAIN", "LOGIN")):
            self.assertDelivered(got, account, fx.message("curl 465 " + mechanism), protocol="ESMTPSA", rcpt=account,
                                 tls=True, submission=True)

    def test_smtp_587_with_ssl_reqd(self):
        account = self.new_account()
        content = fx.message("curl 587", date=False, message_id=False)
        remote = "curl-far-%d@%s" % (fx.unique(), fx.REMOTE)
        self.curl(self.url("smtp", "submission"), "--ssl-reqd", "--user", "%s:%s" % (account, fx.PASSWORD),
                  "--mail-from", account, "--mail-rcpt", account, "--mail-rcpt", remote,
                  "--upload-file", self.write("curl", content))
        [delivered] = self.mailbox(account)
        self.assertDelivered(delivered, account, content, protocol="ESMTPSA", rcpts=[account, remote], tls=True,
                             submission=True)
        self.assertIn(remote, self.queue())
        # Without TLS, the password is not taken on 587.
        status, output = self.curl(self.url("smtp", "submission"), "--user", "%s:%s" % (account, fx.PASSWORD),
                                   "--mail-from", account, "--mail-rcpt", account,
                                   "--upload-file", self.write("curl", content), check=False)
        self.assertNotEqual(status, 0, output)
        self.assertEqual(self.count(account), 1)

    def test_refusals(self):
        account = self.new_account()
        status, output = self.curl(self.url("smtp", "smtp"), "--mail-from", SENDER, "--mail-rcpt",
                                   "victim@" + fx.REMOTE, "--upload-file", self.write("curl", fx.message("relay")),
                                   check=False)
        self.assertNotEqual(status, 0, output)
        big = fx.message("too big", ["z" * 76] * (fx.MAX_MESSAGE_BYTES // 78 + 10))
        status, output = self.curl(self.url("smtp", "smtp"), "--mail-from", SENDER, "--mail-rcpt", account,
                                   "--upload-file", self.write("curl", big), check=False)
        self.assertNotEqual(status, 0, output)
        self.assertIn("552", output)
        self.assertEqual(self.count(account), 0)
        self.assertNotIn("victim@" + fx.REMOTE, self.queue())


if __name__ == "__main__":
    unittest.main(verbosity=2)
