"""A small SMTP server on 127.0.0.1 for the mail-notifier tests (stdlib sockets only).

It speaks the part of RFC 5321 ``smtplib`` uses (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT), never offers STARTTLS, keeps every accepted message, and can refuse the next
``fail_next`` transactions with ``451`` (a mail server that is down for a while).
"""

from __future__ import annotations

import socketserver
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


class SmtpCapture:
    """Start with ``SmtpCapture()``; ``port`` is free, ``messages`` fills as mail arrives."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.fail_next = 0
        capture = self

        class Handler(socketserver.StreamRequestHandler):
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
                        self.reply("250 8BITMIME")
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
                        capture.messages.append(Received(sender, recipients, parsed))
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
