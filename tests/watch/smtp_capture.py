"""A small SMTP server on 127.0.0.1 for the mail-notifier tests (stdlib sockets only).

It speaks the part of RFC 5321 ``smtplib`` uses (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT), keeps every accepted message, and can refuse the next ``fail_next`` transactions
with ``451`` (a mail server that is down for a while). Given an ``ssl.SSLContext`` it offers
STARTTLS (``tls="starttls"``) or speaks TLS from the first byte (``tls="implicit"``), and
records on each message whether it arrived encrypted.
"""

from __future__ import annotations

import socketserver
import ssl
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    """One accepted message: the envelope and the parsed mail."""

    sender: str
    recipients: list[str]
    message: EmailMessage
    encrypted: bool = False


class SmtpCapture:
    """Start with ``SmtpCapture()``; ``port`` is free, ``messages`` fills as mail arrives."""

    def __init__(self, context: ssl.SSLContext | None = None,
                 tls: str = "starttls") -> None:
        self.messages: list[Received] = []
        self.fail_next = 0
        capture = self

        class Handler(socketserver.StreamRequestHandler):
            encrypted = False

            def setup(self) -> None:
                if context is not None and tls == "implicit":
                    self.request = context.wrap_socket(self.request, server_side=True)
                    self.connection = self.request
                    self.encrypted = True
                super().setup()

            def upgrade(self) -> None:
                assert context is not None
                self.wfile.flush()
                self.connection = context.wrap_socket(self.connection, server_side=True)
                self.request = self.connection
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")  # reply() flushes each line
                self.encrypted = True

            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())
                self.wfile.flush()

            def handle(self) -> None:
                self.reply("220 narrowgate-test ESMTP")
                sender, recipients = "", []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    verb = line[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-narrowgate-test")
                        if context is not None and tls == "starttls" and not self.encrypted:
                            self.reply("250-STARTTLS")
                        self.reply("250 8BITMIME")
                    elif verb == "STAR" and context is not None and not self.encrypted:
                        self.reply("220 go ahead")
                        self.upgrade()
                    elif verb == "HELO" or verb == "NOOP":
                        self.reply("250 ok")
                    elif verb == "MAIL":
                        if capture.fail_next > 0:
                            capture.fail_next -= 1
                            self.reply("451 4.3.0 try again later")
                            continue
                        sender, recipients = line.split(":", 1)[1].strip(" <>"), []
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        recipients.append(line.split(":", 1)[1].strip(" <>"))
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        body = bytearray()
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            body += chunk[1:] if chunk.startswith(b"..") else chunk
                        parsed = message_from_bytes(bytes(body), policy=policy.default)
                        assert isinstance(parsed, EmailMessage)
                        capture.messages.append(Received(sender, recipients, parsed,
                                                        self.encrypted))
                        self.reply("250 queued")
                    elif verb == "RSET":
                        sender, recipients = "", []
                        self.reply("250 ok")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 command not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
