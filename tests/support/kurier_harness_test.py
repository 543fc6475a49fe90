"""Checks of the harness itself, so that a failing protocol test points at the
service and not at its helpers."""

import signal
import unittest

from tests.support import kurier_harness as kh


class ScramClientTest(unittest.TestCase):

    def test_rfc7677_example(self):
        # RFC 7677 section 3: user "user", password "pencil".
        scram = kh.ScramSha256Client("user", "pencil", nonce="rOprNGfwEbeRWgbNEkqO")
        self.assertEqual(scram.client_first(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        final = scram.client_final(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                   b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        self.assertEqual(final, b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        scram.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        with self.assertRaises(ValueError):
            scram.verify_server_final(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")

    def test_saslname_escapes(self):
        scram = kh.ScramSha256Client("a=b,c", "x", nonce="n")
        self.assertEqual(scram.client_first(), b"n,,n=a=3Db=2Cc,r=n")

    def test_server_nonce_must_extend_client_nonce(self):
        scram = kh.ScramSha256Client("user", "pencil", nonce="abc")
        scram.client_first()
        with self.assertRaises(ValueError):
            scram.client_final(b"r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")


class SmtpHelpersTest(unittest.TestCase):

    def test_reply_parsing(self):
        ehlo = kh.SmtpReply(250, ["mx.test Hello", "PIPELINING", "SIZE 1048576", "AUTH PLAIN LOGIN"])
        self.assertIsNone(ehlo.enhanced)
        self.assertEqual(ehlo.keywords(), {"PIPELINING": [], "SIZE": ["1048576"], "AUTH": ["PLAIN", "LOGIN"]})
        refused = kh.SmtpReply(550, ["5.1.1 no such user"])
        self.assertEqual((refused.enhanced, refused.text), ("5.1.1", "no such user"))
        self.assertIsNone(kh.SmtpReply(250, ["2.1.0x"]).enhanced)
        self.assertEqual(str(kh.SmtpReply(214, ["2.0.0 a", "2.0.0 b"])), "214-2.0.0 a\n214 2.0.0 b")

    def test_dot_stuffing(self):
        self.assertEqual(kh.smtp_dot_stuff(b".\r\n..\r\nx.\r\n.y"), b"..\r\n...\r\nx.\r\n..y\r\n.\r\n")
        self.assertEqual(kh.smtp_dot_stuff(b""), b".\r\n")

    def test_queue_listing(self):
        class Fake(kh.Kurierctl):
            def queue_text(self, content=False):
                return ("id:         0001\nqueued:     2026-11-22 07:00:00 UTC\nsize:       9\nfrom:       a@b.example\n"
                        "to:         c@d.example,e@f.example\nsubmitter:  a@b.example\n\nX: 1\r\n\r\nb\r\n"
                        "\n"
                        "id:         0002\nqueued:     2026-11-22 07:00:01 UTC\nsize:       6\nfrom:       <>\n"
                        "to:         a@b.example\nsubmitter:  -\n\nY: 2\r\n")

        entries = Fake(None).queue()
        self.assertEqual([(e["id"], e["from"], e["to"], e["submitter"], e["content"]) for e in entries], [
            ("0001", "a@b.example", ["c@d.example", "e@f.example"], "a@b.example", "X: 1\r\n\r\nb\r\n"),
            ("0002", "<>", ["a@b.example"], "-", "Y: 2\r\n"),
        ])


class StoreAndKurierctlTest(unittest.TestCase):

    def test_deliver_and_list(self):
        cluster = kh.Cluster(self.id())
        self.addCleanup(cluster.close)
        store = cluster.start_store()
        ctl = cluster.kurierctl(store)
        ctl.add_account("alice@example.org", "pw")
        message = b"Subject: x\r\n\r\n.\r\n\x00\xff\r\n"
        uids = ctl.deliver(["alice@example.org"], message)
        self.assertEqual(uids, {"alice@example.org": 1})
        self.assertEqual(ctl.message_list("alice@example.org"),
                         [{"uid": 1, "size": len(message), "flags": [], "pop3_hidden": False}])
        self.assertGreater(ctl.uid_validity("alice@example.org"), 0)
        with self.assertRaises(kh.KurierctlError):
            ctl.deliver(["nobody@example.org"], message)

    def test_close_kills_every_process(self):
        cluster = kh.Cluster(self.id())
        store = cluster.start_store()
        cluster.close()
        self.assertFalse(store.process.alive())
        self.assertEqual(store.process.proc.returncode, -signal.SIGKILL)

    def test_store_stops_cleanly_and_restarts_on_its_data(self):
        cluster = kh.Cluster(self.id())
        self.addCleanup(cluster.close)
        store = cluster.start_store()
        ctl = cluster.kurierctl(store)
        ctl.add_account("bob@example.org", "pw")
        port = store.port
        self.assertEqual(store.stop(), 0)
        store.start(port)
        self.assertEqual(store.port, port)
        self.assertEqual(ctl.message_list("bob@example.org"), [])

    def test_wait_until_times_out(self):
        with self.assertRaises(TimeoutError):
            kh.wait_until(lambda: False, 0.05, "nothing")
        self.assertEqual(kh.wait_until(lambda: 7, 1, "seven"), 7)

    def test_dead_service_is_reported_with_its_log(self):
        cluster = kh.Cluster(self.id())
        self.addCleanup(cluster.close)
        with self.assertRaises(RuntimeError) as caught:
            cluster.start_store({"store.no_such_key": 1})
        self.assertIn("no_such_key", str(caught.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
