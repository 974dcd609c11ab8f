"""Email notifications over SMTP: one bilingual mail per queued event (stdlib ``smtplib``).

Targets are URLs, so the outbox keeps them beside webhook URLs (docs/living.md "Email"):
``mailto:a@example.org[,b@example.org]`` takes the server from the settings below;
``smtp://[user@]host[:port]/?to=a@example.org[&to=…][&from=…][&tls=starttls|tls|none]``
and ``smtps://host[:465]/?to=…`` (implicit TLS) name it in the URL. A password is never
part of a URL (the outbox stores URLs): it comes from ``NARROWGATE_SMTP_PASSWORD`` or the
config file. Settings, first found wins: the URL, then ``NARROWGATE_SMTP_HOST/PORT/USER/
PASSWORD/FROM/TLS``, then a TOML file (``NARROWGATE_SMTP_CONFIG``, else ``smtp.toml`` in
the narrowgate home) with keys ``host, port, user, password, from, tls``.

Security: STARTTLS by default (port 587), a server that does not offer it is an error, not
a fallback to clear text; ``tls`` is implicit TLS (port 465); ``none`` (port 25) is allowed
only for a relay on this machine (loopback), e.g. a local postfix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast
from urllib.parse import parse_qs, unquote, urlsplit

from narrowgate.errors import NarrowgateError
from narrowgate.hosts import is_loopback

if TYPE_CHECKING:
    from email.message import EmailMessage

Security = Literal["starttls", "tls", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "tls", "none")
DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}
MAIL_SCHEMES = ("mailto:", "smtp://", "smtps://")
ENV_PREFIX = "NARROWGATE_SMTP_"
CONFIG_FILE = "smtp.toml"


class MailConfigError(NarrowgateError):
    """A mail target or SMTP setting that cannot work (bad URL, no host, no sender)."""

    exit_code = 2


def is_mail_url(url: str) -> bool:
    return url.lower().startswith(MAIL_SCHEMES)


@dataclass(frozen=True)
class MailTarget:
    """What a mail URL says: recipients, and any server settings it names (None: take
    them from the environment or the config file)."""

    recipients: tuple[str, ...]
    host: str | None = None
    port: int | None = None
    user: str | None = None
    sender: str | None = None
    security: Security | None = None


@dataclass(frozen=True)
class SmtpSettings:
    """A resolved server: where, how (``security``), as whom, from which address."""

    host: str
    port: int
    security: Security
    user: str | None
    password: str | None
    sender: str


def _address(text: str, url: str) -> str:
    address = unquote(text).strip()
    if "@" not in address or any(c in address for c in " <>,;"):
        raise MailConfigError(f"'{address}' in --notify '{url}' is not an email address",
                              "write e.g. mailto:you@example.org (收件地址无效)")
    return address


def _security(text: str, where: str) -> Security:
    value = text.strip().lower()
    if value not in SECURITIES:
        raise MailConfigError(f"tls '{text}' in {where} is not one of "
                              f"{', '.join(SECURITIES)}",
                              "use starttls (port 587), tls (port 465) or none (a relay on "
                              "this machine only) — TLS 设置无效")
    return cast(Security, value)


def parse_mail_url(url: str) -> MailTarget:
    """The target of a ``mailto:``, ``smtp://`` or ``smtps://`` URL; MailConfigError says
    what is wrong (no recipient, a password in the URL, a bad port or tls value)."""
    if url.lower().startswith("mailto:"):
        people = [p for p in url[len("mailto:"):].split("?", 1)[0].split(",") if p.strip()]
        if not people:
            raise MailConfigError(f"--notify '{url}' names no recipient",
                                  "write e.g. mailto:you@example.org (缺少收件人)")
        return MailTarget(tuple(_address(p, url) for p in people))
    parts = urlsplit(url)
    if parts.password is not None:
        raise MailConfigError(f"--notify '{parts.scheme}://…' holds a password",
                              "a URL is stored in the outbox: remove the password and set "
                              f"{ENV_PREFIX}PASSWORD instead (密码请用环境变量)")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1:
        raise MailConfigError(f"--notify '{url}' has no valid host[:port]",
                              "write e.g. smtp://smtp.example.org:587/?to=you@example.org")
    query = parse_qs(parts.query)
    people = [p for value in query.get("to", []) for p in value.split(",") if p.strip()]
    if not people:
        raise MailConfigError(f"--notify '{url}' names no recipient",
                              "add ?to=you@example.org (缺少收件人)")
    tls = query.get("tls", [None])[0]
    security: Security | None = (_security(tls, f"--notify '{url}'") if tls else
                                 "tls" if parts.scheme.lower() == "smtps" else None)
    sender = query.get("from", [None])[0]
    return MailTarget(tuple(_address(p, url) for p in people), parts.hostname, port,
                      unquote(parts.username) if parts.username else None,
                      _address(sender, url) if sender else None, security)


def _config_file(env: Mapping[str, str]) -> dict[str, object]:
    """The TOML settings file, {} when there is none; a broken one is a MailConfigError."""
    import tomllib

    from narrowgate.data.store import narrowgate_home

    named = env.get(f"{ENV_PREFIX}CONFIG")
    path = Path(named) if named else narrowgate_home() / CONFIG_FILE
    if not path.exists():
        if named:
            raise MailConfigError(f"{ENV_PREFIX}CONFIG names {path}, which does not exist",
                                  "create it (keys: host, port, user, password, from, tls) "
                                  "or unset the variable")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MailConfigError(f"{path}: cannot read the SMTP settings ({exc})",
                              "fix the TOML (keys: host, port, user, password, from, tls)"
                              ) from None


def smtp_settings(target: MailTarget, env: Mapping[str, str] | None = None) -> SmtpSettings:
    """The server of a target: the URL's values, then ``NARROWGATE_SMTP_*``, then the
    config file; MailConfigError when no host or sender can be found."""
    environ = os.environ if env is None else env
    lazy: list[dict[str, object]] = []

    def pick(key: str, given: object | None) -> str | None:
        if given is not None:
            return str(given)
        value = environ.get(f"{ENV_PREFIX}{key.upper()}")
        if value:
            return value
        if not lazy:
            lazy.append(_config_file(environ))
        found = lazy[0].get(key)
        return None if found is None else str(found)

    host = pick("host", target.host)
    if not host:
        raise MailConfigError("no SMTP server for the mail notification",
                              f"set {ENV_PREFIX}HOST (and {ENV_PREFIX}FROM), name it in the "
                              "URL (smtp://host/?to=…), or write smtp.toml in the narrowgate "
                              "home (未配置 SMTP 服务器)")
    security = _security(pick("tls", target.security) or "starttls", "the SMTP settings")
    port_text = pick("port", target.port)
    if port_text is not None and not port_text.isdigit():
        raise MailConfigError(f"SMTP port '{port_text}' is not a number",
                              f"set {ENV_PREFIX}PORT to e.g. 587")
    user = pick("user", target.user)
    sender = pick("from", target.sender) or (user if user and "@" in user else None)
    if not sender:
        raise MailConfigError("no sender address for the mail notification",
                              f"set {ENV_PREFIX}FROM, or add &from=… to the URL (缺少发件人)")
    if security == "none" and not is_loopback(host):
        raise MailConfigError(f"tls=none to {host}: mail would cross the network in clear "
                              "text", "use starttls or tls; none is for a relay on this "
                              "machine (127.0.0.1) only (明文发送仅限本机)")
    return SmtpSettings(host, int(port_text) if port_text else DEFAULT_PORTS[security],
                        security, user, pick("password", None), sender)


def check_mail_url(url: str) -> str:
    """Validate a mail target and its settings now (at the command line), so a cycle does
    not learn of a typo only when a verdict flips."""
    smtp_settings(parse_mail_url(url))
    return url


_KIND_WORDS = {"flip": "verdict flipped 结论翻转", "watch": "watch item crossed 越过阈值"}


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _line(label: str, value: object) -> str | None:
    return None if value in (None, "", {}) else f"{label}: {value}"


def compose(payload: Mapping[str, object], settings: SmtpSettings,
            recipients: tuple[str, ...]) -> EmailMessage:
    """One plain-text mail (UTF-8) for one queued event: a subject naming the thesis,
    claim and verdict change, the event's one-line text, the facts line by line in
    English and Chinese, and the event JSON (the webhook's body) at the end."""
    import json
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    thesis, claim, kind = payload.get("thesis"), payload.get("claim"), payload.get("kind")
    from narrowgate.watch.notify import verdict_text

    old, new = payload.get("old"), payload.get("new")
    change = (f"{verdict_text(_text_or_none(old))} → {verdict_text(_text_or_none(new))}"
              if old != new else verdict_text(_text_or_none(new)))
    message = EmailMessage()
    message["Subject"] = (f"[narrowgate] {thesis} · {claim}: "
                          f"{_KIND_WORDS.get(str(kind), str(kind))} ({change})")
    message["From"] = settings.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["X-Narrowgate-Event"] = f"{thesis}/{claim}/{kind}"
    figure = payload.get("figure")
    shown = None
    if isinstance(figure, dict):
        label = figure.get("label")
        name = (f"{label.get('en')} {label.get('zh')}" if isinstance(label, dict)
                else figure.get("key"))
        shown = f"{name} = {figure.get('value')} {figure.get('unit') or ''}".rstrip()
        if figure.get("before") is not None:
            shown += f" (before 之前: {figure.get('before')})"
    lines = [str(payload.get("text", "")), "",
             *(x for x in (_line("Thesis 观点", thesis), _line("Claim 论点", claim),
                           _line("Verdict 结论", change), _line("Figure 数字", shown),
                           _line("As of 评估日", payload.get("as_of")),
                           _line("Link 链接", payload.get("link"))) if x),
             "", "-- event JSON (the webhook body) 事件 JSON --",
             json.dumps(payload, ensure_ascii=False, indent=2)]
    message.set_content("\n".join(lines) + "\n", charset="utf-8")
    return message


def send_mail(url: str, body: str, timeout_s: float) -> str | None:
    """Send one queued event (``body``: its JSON) to a mail target; None when the server
    accepted it, else why not in one line, so the outbox keeps the event."""
    import json
    import smtplib
    import ssl

    try:
        target = parse_mail_url(url)
        settings = smtp_settings(target)
    except NarrowgateError as exc:
        return str(exc).splitlines()[0]
    message = compose(json.loads(body), settings, target.recipients)
    context = ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout_s,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout_s)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                if not client.has_extn("starttls"):
                    return (f"{settings.host}:{settings.port} does not offer STARTTLS; "
                            "refusing to send in clear text (use tls=tls, or tls=none for "
                            "a relay on this machine)")
                client.starttls(context=context)
                client.ehlo()
            if settings.user:
                if not settings.password:
                    return (f"SMTP user {settings.user} but no password: set "
                            f"{ENV_PREFIX}PASSWORD")
                client.login(settings.user, settings.password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        return f"SMTP {type(exc).__name__}: {exc}".replace("\n", " ")[:300]
    return None
