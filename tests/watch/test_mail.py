"""Mail notifications of `narrowgate watch` against a local SMTP server on 127.0.0.1: the
mails carry the flipped claims, a refused mail stays in the outbox and goes out on the next
cycle, and that next cycle (nothing new) records no second scorecard. Settings resolution
and the refusals are checked without an evaluation."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrowgate.cli.main import app
from narrowgate.data.store import Store
from narrowgate.watch.mail import (
    MailConfigError,
    parse_mail_url,
    send_mail,
    smtp_settings,
)
from narrowgate.watch.outbox import events
from tests.conftest import narrowgate_main
from tests.watch.conftest import LATE
from tests.watch.smtp_capture import SmtpCapture

FLIPS = {"btc-cycle": "pending 待观察 → mixed 部分成立",
         "earnings-up-pe-down": "contradicted 被否定 → mixed 部分成立"}


@pytest.fixture
def smtp() -> Iterator[SmtpCapture]:
    server = SmtpCapture()
    yield server
    server.close()


def _watch(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["watch", "--once", "--offline", "--as-of", LATE,
                                      *args])
    return result.exit_code, result.output


def test_mails_carry_the_flips_and_a_refused_mail_goes_out_next_cycle(
        early_home: Path, smtp: SmtpCapture, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate.watch.history import list_runs

    for key, value in {"HOST": "127.0.0.1", "PORT": str(smtp.port), "TLS": "none",
                       "FROM": "narrowgate@example.org"}.items():
        monkeypatch.setenv(f"NARROWGATE_SMTP_{key}", value)
    by_url = f"smtp://127.0.0.1:{smtp.port}/?to=desk@example.org&from=ng@example.org&tls=none"
    targets = ["--notify", "mailto:investor@example.org", "--notify", by_url]
    smtp.fail_next = 8  # 4 events × 2 targets, all refused this cycle
    code, out = _watch(*targets)
    assert code == 5, out
    assert "451" in out and "sent again next cycle" in out and smtp.messages == []
    store = Store(early_home / "store.duckdb")
    assert [(e.delivered, e.attempts) for e in events(store)] == [(False, 1)] * 8
    assert all("451" in str(e.last_error) for e in events(store))

    code, out = _watch(*targets)  # nothing new: no second run, the queued mails go out
    assert code == 0, out
    assert "unchanged since run 2" in out and "notifications: 8 of 8 delivered" in out
    assert [(e.delivered, e.attempts) for e in events(store)] == [(True, 2)] * 8
    runs = list_runs(store)
    assert [r.run_id for r in runs] == [1, 2]
    checks = runs[-1].checks
    assert checks is not None and (checks.count, checks.last_as_of.isoformat()) == (1, LATE)

    flips = [m for m in smtp.messages if m.message["X-Narrowgate-Event"].endswith("/flip")]
    assert sorted((m.sender, tuple(m.recipients)) for m in flips) == sorted(
        [("narrowgate@example.org", ("investor@example.org",)),
         ("ng@example.org", ("desk@example.org",))] * 2)
    for received in flips:
        mail = received.message
        claim = str(mail["X-Narrowgate-Event"]).split("/")[1]
        # RFC 2047 drops the space between two encoded words: compare without spaces
        subject = "".join(str(mail["Subject"]).split())
        assert subject == "".join(f"[narrowgate] ai-narrow-gate · {claim}: verdict flipped "
                                  f"结论翻转 ({FLIPS[claim]})".split())
        body = mail.get_content()
        assert f"Verdict 结论: {FLIPS[claim]}" in body and f"As of 评估日: {LATE}" in body
        event = json.loads(body.split("事件 JSON --\n", 1)[1])
        assert (event["claim"], f"{event['old']} → {event['new']}") == (
            claim, FLIPS[claim].replace(" 待观察", "").replace(" 被否定", "").replace(
                " 部分成立", ""))
    assert sorted(str(m.message["X-Narrowgate-Event"]) for m in smtp.messages) == sorted(
        f"ai-narrow-gate/{c}/{k}" for c, k in [
            ("btc-cycle", "flip"), ("earnings-up-pe-down", "flip"),
            ("a-share-view", "watch"), ("gold-over-silver", "watch")] * 2)

    shown = CliRunner().invoke(app, ["history", "ai-narrow-gate"])
    assert "unchanged in 1 later watch cycle(s), the latest as of 2026-11-24" in shown.output


def test_settings_come_from_the_url_then_env_then_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "smtp.toml"
    config.write_text('host = "mail.example.org"\nport = 2525\nuser = "bot@example.org"\n'
                      'password = "from-file"\ntls = "tls"\n', encoding="utf-8")
    env = {"NARROWGATE_SMTP_CONFIG": str(config), "NARROWGATE_SMTP_PORT": "465"}
    from_file = smtp_settings(parse_mail_url("mailto:a@example.org,b@example.org"), env)
    assert (from_file.host, from_file.port, from_file.security, from_file.user,
            from_file.password, from_file.sender) == (
        "mail.example.org", 465, "tls", "bot@example.org", "from-file", "bot@example.org")
    named = smtp_settings(parse_mail_url(
        "smtps://relay.example.org/?to=a@example.org&from=desk@example.org"), env)
    assert (named.host, named.port, named.security, named.sender) == (
        "relay.example.org", 465, "tls", "desk@example.org")
    default = smtp_settings(parse_mail_url("smtp://relay.example.org/?to=a@example.org"),
                            {"NARROWGATE_SMTP_FROM": "ng@example.org",
                             "NARROWGATE_SMTP_CONFIG": str(config)})
    assert (default.port, default.security) == (2525, "tls")  # the file's, not 587
    assert parse_mail_url("mailto:a@example.org,b@example.org").recipients == (
        "a@example.org", "b@example.org")


@pytest.mark.parametrize(("url", "env", "says"), [
    ("smtp://bot:secret@relay.example.org/?to=a@example.org", {}, "holds a password"),
    ("smtp://relay.example.org/", {}, "names no recipient"),
    ("mailto:", {}, "names no recipient"),
    ("mailto:not-an-address", {}, "is not an email address"),
    ("mailto:a@example.org", {}, "no SMTP server"),
    ("mailto:a@example.org", {"NARROWGATE_SMTP_HOST": "relay.example.org"},
     "no sender address"),
    ("smtp://relay.example.org/?to=a@example.org&from=b@example.org&tls=none", {},
     "clear text"),
    ("smtp://relay.example.org/?to=a@example.org&tls=ssl3", {}, "is not one of"),
])
def test_mail_settings_that_cannot_work_are_refused(url: str, env: dict[str, str],
                                                    says: str) -> None:
    with pytest.raises(MailConfigError, match=says):  # the test home holds no smtp.toml
        smtp_settings(parse_mail_url(url), env)


def test_starttls_missing_is_an_error_not_clear_text(smtp: SmtpCapture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARROWGATE_SMTP_FROM", "ng@example.org")
    body = json.dumps({"kind": "flip", "thesis": "t", "claim": "c", "old": "pending",
                       "new": "mixed", "text": "t · c"})
    url = f"smtp://127.0.0.1:{smtp.port}/?to=a@example.org"  # STARTTLS by default
    error = send_mail(url, body, timeout_s=10)
    assert error is not None and "does not offer STARTTLS" in error
    assert smtp.messages == []
    assert send_mail(url + "&tls=none", body, timeout_s=10) is None
    assert [m.recipients for m in smtp.messages] == [["a@example.org"]]


def test_cli_refuses_a_mail_target_without_settings_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARROWGATE_HOME", str(tmp_path))
    for key in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "TLS", "CONFIG"):
        monkeypatch.delenv(f"NARROWGATE_SMTP_{key}", raising=False)
    code, lines = narrowgate_main("watch", "--once", "--notify", "mailto:a@example.org",
                                  timeout=60)
    assert code == 2 and len(lines) == 1 and "no SMTP server" in lines[0], lines


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made by openssl at test time."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_mail_goes_out_encrypted_and_checks_the_certificate(
        tls: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """STARTTLS (the default) and implicit TLS both deliver over TLS to a server whose
    certificate the system trusts (SSL_CERT_FILE), and refuse one it does not."""
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = SmtpCapture(context, tls=tls)
    try:
        monkeypatch.setenv("NARROWGATE_SMTP_FROM", "ng@example.org")
        body = json.dumps({"kind": "flip", "thesis": "t", "claim": "c", "old": "pending",
                           "new": "mixed", "text": "t · c"})
        scheme = "smtps" if tls == "implicit" else "smtp"
        url = f"{scheme}://localhost:{server.port}/?to=a@example.org"
        untrusted = send_mail(url, body, timeout_s=10)  # the system CAs do not sign it
        assert untrusted is not None and "CERTIFICATE_VERIFY_FAILED" in untrusted
        assert server.messages == []
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        assert send_mail(url, body, timeout_s=10) is None
        assert [(m.recipients, m.encrypted) for m in server.messages] == [
            (["a@example.org"], True)]
    finally:
        server.close()
