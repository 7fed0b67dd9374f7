#!/usr/bin/python3
"""A throw-away SMTP server for authpp's mail tests (Debian package python3-aiosmtpd).

usage: smtp_sink.py DIR [--host 127.0.0.1] [--starttls CERT KEY | --smtps CERT KEY]
                        [--auth USER:PASS]

It listens on a free port and prints "listening HOST:PORT" once it accepts connections. Each
message it accepts becomes DIR/message-NNNN.json, written whole (a temporary file, then a
rename) before the server answers 250 to the data, so a client that got its 250 finds the file.
The record holds the envelope, the raw message, and the message as Python's `email` package
parses it (headers decoded, bodies decoded, defects listed): an independent reading of what the
client wrote. Each AUTH attempt becomes DIR/auth-NNNN.json (login, success, TLS; never the
password). RCPT TO an address whose local part is "reject" is refused with 550.

--starttls offers STARTTLS and requires it before MAIL; --smtps speaks TLS from the first byte;
--auth requires AUTH (PLAIN or LOGIN) with these credentials, and with TLS when TLS is set up.
It runs until killed.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import ssl
import sys
import warnings

try:
    from aiosmtpd.controller import UnthreadedController
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError as error:
    sys.stderr.write(f"smtp_sink: {error}: install the Debian package python3-aiosmtpd\n")
    sys.exit(3)


class Sink:
    def __init__(self, directory, credentials):
        self.directory = directory
        self.credentials = credentials
        self.count = 0

    def record(self, kind, value):
        self.count += 1
        path = os.path.join(self.directory, f"{kind}-{self.count:04d}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(value, f, indent=1)
        os.replace(path + ".tmp", path)

    @staticmethod
    def uses_tls(server):
        return server.transport is not None and \
            server.transport.get_extra_info("ssl_object") is not None

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            (auth_data.login, auth_data.password) == self.credentials
        login = auth_data.login.decode("utf-8", "replace") \
            if isinstance(auth_data, LoginPassword) else None
        self.record("auth", {"mechanism": mechanism, "login": login, "success": ok,
                             "tls": self.uses_tls(server)})
        return AuthResult(success=ok, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower() == "reject":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        # Python's email package expects "\n" line ends; "raw" keeps the CRLFs as received.
        parsed = email.message_from_bytes(raw.replace(b"\r\n", b"\n"),
                                          policy=email.policy.default)
        defects = [repr(d) for d in parsed.defects]
        parts = {}
        for part in parsed.walk():
            defects += [repr(d) for d in part.defects]
            if part.get_content_maintype() == "text":
                parts[part.get_content_subtype()] = part.get_content()
        self.record("message", {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": self.uses_tls(server),
            "authenticated": bool(session.authenticated),
            "raw": raw.decode("latin-1"),
            "headers": {k: str(v) for k, v in parsed.items()},
            "content_type": parsed.get_content_type(),
            "text": parts.get("plain"),
            "html": parts.get("html"),
            "defects": defects,
        })
        return "250 2.0.0 Message accepted"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--host", default="127.0.0.1")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    tls.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", metavar="USER:PASS")
    args = parser.parse_args()
    # aiosmtpd warns about its own deprecations and about AUTH without TLS, which the
    # STARTTLS-stripping test sets up on purpose; real errors still reach stderr.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)

    credentials = None
    if args.auth:
        user, _, password = args.auth.partition(":")
        credentials = (user.encode(), password.encode())
    sink = Sink(args.directory, credentials)

    context = None
    if args.starttls or args.smtps:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*(args.starttls or args.smtps))

    kwargs = {"hostname": args.host, "port": 0, "server_hostname": "sink.test",
              "loop": asyncio.new_event_loop()}
    if args.starttls:
        kwargs.update(tls_context=context, require_starttls=True)
    if args.smtps:
        kwargs.update(ssl_context=context)
    if credentials:
        kwargs.update(authenticator=sink.authenticate, auth_required=True,
                      auth_require_tls=context is not None)
    controller = UnthreadedController(sink, **kwargs)
    controller.begin()
    host, port = controller.server.sockets[0].getsockname()[:2]
    print(f"listening {host}:{port}", flush=True)
    controller.loop.run_forever()


if __name__ == "__main__":
    main()
