"""`narrowgate watch`: re-evaluate theses, record the runs, notify flips (docs/living.md "Watch").

Exit codes (README): 0 the cycle ran and every notification was delivered (or another
watcher held the lock and this cycle was skipped) · 2 bad usage (no ``--once``/``--every``,
a bad URL, date or duration, mail settings that cannot work) · 3 invalid thesis · 4 data
not found · 5 a notification could not be delivered (it stays in the outbox and is sent
again next cycle) · 6 store error · 130 interrupted. With ``--every`` a failed notification
is reported and the loop goes on.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from narrowgate.watch.cycle import CycleResult

#: exit code when a notification is still undelivered after the cycle (README: 5)
UNDELIVERED = 5
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: the shortest --every: data sources update daily at most, and providers rate-limit
MIN_EVERY_S = 60


def parse_duration(text: str) -> int:
    """Seconds from ``90s``, ``15m``, ``6h``, ``1d`` (or a plain number of seconds)."""
    from narrowgate.errors import NarrowgateError

    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text.lower())
    seconds = int(match.group(1)) * _UNITS[match.group(2) or "s"] if match else 0
    if seconds < MIN_EVERY_S:
        raise NarrowgateError(f"--every '{text}' is not a duration of at least "
                              f"{MIN_EVERY_S} s", "write e.g. --every 6h, 30m or 1d "
                              "(间隔至少 60 秒)")
    return seconds


def _check_url(url: str) -> str:
    """A webhook URL, or a mail target whose SMTP settings resolve now (docs/living.md)."""
    from narrowgate.errors import NarrowgateError
    from narrowgate.watch.mail import check_mail_url, is_mail_url

    if is_mail_url(url):
        return check_mail_url(url)
    if not re.match(r"^https?://[^/\s]+", url):
        raise NarrowgateError(f"--notify '{url}' is not an http(s) URL or a mail target",
                              "write e.g. --notify https://hooks.slack.com/services/… or "
                              "--notify mailto:you@example.org "
                              "(需要 http(s):// 地址或 mailto:/smtp:// 邮件地址)")
    return url


def _report(result: CycleResult) -> None:
    """One line per thesis and per failed send, on stderr (stdout stays quiet for cron)."""
    if result.skipped:
        typer.echo("another narrowgate watch holds this store's watch.lock: cycle skipped "
                   "— 另一个 watch 正在运行，本轮跳过", err=True)
        return
    for done in result.theses:
        if done.unchanged:
            typer.echo(f"{done.thesis_id} as of {done.as_of}: unchanged since run "
                       f"{done.run_id} (same thesis file, same data, same verdicts): not "
                       f"recorded again 无变化,未重复记录, 0 flip(s) 结论翻转, "
                       f"0 watch crossing(s) 越过阈值", err=True)
            continue
        flips = sum(e.kind == "flip" for e in done.events)
        crossings = len(done.events) - flips
        since = (f"since run {done.previous_run}" if done.previous_run is not None
                 else "first run, nothing to compare 首次运行")
        typer.echo(f"{done.thesis_id} as of {done.as_of}: run {done.run_id} recorded 已记录, "
                   f"{flips} flip(s) 结论翻转, {crossings} watch crossing(s) 越过阈值 "
                   f"({since})", err=True)
    sent = len(result.deliveries) - len(result.failed)
    if result.deliveries:
        typer.echo(f"notifications: {sent} of {len(result.deliveries)} delivered 已送达",
                   err=True)
    for failed in result.failed:
        typer.echo(f"warning: notification {failed.row.event_id} "
                   f"({failed.row.thesis_id} · {failed.row.claim_id}) to {failed.row.url} "
                   f"failed ({failed.error}); kept in the outbox, sent again next cycle "
                   f"— 通知发送失败，已保留，下轮重试", err=True)


def watch(
    theses: Annotated[list[str] | None, typer.Argument(
        metavar="THESIS", show_default=False,
        help="Theses to watch (bundled id, library id or file); default the bundled one.")]
        = None,
    once: Annotated[bool, typer.Option(
        "--once", help="Run one cycle and exit (for cron or a systemd timer).")] = False,
    every: Annotated[str | None, typer.Option(
        "--every", help="Run a cycle every DURATION (e.g. 6h, 30m, 1d), ±10% jitter.")]
        = None,
    notify: Annotated[list[str] | None, typer.Option(
        "--notify", help="Where to send each flip (repeatable): a webhook URL, or mail: "
                         "mailto:ADDR, smtp://HOST:PORT/?to=ADDR or smtps://… (server settings "
                         "from NARROWGATE_SMTP_* or smtp.toml; docs/living.md).")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Evaluate on the store as it is, never fetching.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Evaluation date YYYY-MM-DD (default: today, each cycle).")] = None,
    link: Annotated[str | None, typer.Option(
        "--link", help="Base URL of `narrowgate serve` for the claim link in each "
                       "notification (e.g. http://127.0.0.1:8000).")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds one webhook POST may take.")] = 10.0,
) -> None:
    """Re-evaluate, record and notify verdict flips — 定期重估观点并推送结论翻转。"""
    from narrowgate.cli.dates import parse_date
    from narrowgate.errors import NarrowgateError

    if once == (every is not None):
        raise NarrowgateError("watch needs exactly one of --once and --every DURATION",
                              "add --once (cron, systemd timer) or --every 6h "
                              "(需要 --once 或 --every 之一)")
    urls = [_check_url(u) for u in notify or []]
    fixed = parse_date(as_of, "--as-of")
    refs = theses or [_default_thesis()]
    if once:
        result = _cycle(refs, fixed or date.today(), offline, urls, link, timeout)
        if result.failed:
            raise typer.Exit(UNDELIVERED)
        return
    _loop(refs, fixed, offline, urls, link, timeout, parse_duration(every or ""))


def _default_thesis() -> str:
    from narrowgate.thesis.loader import DEFAULT_THESIS_ID

    return DEFAULT_THESIS_ID


def _cycle(refs: list[str], day: date, offline: bool, urls: list[str], link: str | None,
           timeout: float) -> CycleResult:
    from narrowgate.watch.cycle import run_cycle

    result = run_cycle(refs, day, offline=offline, urls=urls, link_base=link,
                       timeout_s=timeout)
    _report(result)
    return result


def _loop(refs: list[str], fixed: date | None, offline: bool, urls: list[str],
          link: str | None, timeout: float, every_s: int) -> None:
    """Cycle until interrupted, sleeping ``every_s`` ±10% (jitter, so many watchers on one
    data source do not call it in the same second)."""
    import random
    import time

    while True:
        _cycle(refs, fixed or date.today(), offline, urls, link, timeout)
        time.sleep(every_s * random.uniform(0.9, 1.1))
