#!/usr/bin/python3
"""An SMTP server for tests/integration/test_notify.c: Debian's
python3-aiosmtpd keeping every message it accepts in a Maildir (with the
envelope in X-MailFrom and X-RcptTo).

usage: smtp_sink.py PORT MAILDIR [CERT KEY [USER PASSWORD]]

With CERT and KEY the server offers STARTTLS and requires it before MAIL;
with USER and PASSWORD it also requires AUTH (PLAIN or LOGIN, over TLS
only). It runs on 127.0.0.1 until SIGTERM.
"""
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


class Credentials:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        # handled=False: the server answers 535 itself on a failure
        return AuthResult(success=ok, handled=False)


def main(argv):
    if len(argv) not in (3, 5, 7):
        sys.exit(__doc__)
    port, maildir = int(argv[1]), argv[2]
    kwargs = {}
    if len(argv) >= 5:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(argv[3], argv[4])
        kwargs.update(tls_context=tls, require_starttls=True)
    if len(argv) == 7:
        kwargs.update(authenticator=Credentials(argv[5], argv[6]), auth_required=True,
                      auth_require_tls=True)
    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port, **kwargs)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    controller.start()
    print("ready", flush=True)
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main(sys.argv)
