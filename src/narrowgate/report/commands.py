"""The commands that fetch missing data, named by the front ends only.

The library says *what* is missing (``MissingData.fetch``, ``DataNotFound.fetch``: the
instruments); the CLI and the report say how to get it, here, in one place. Instruments
with a live provider are pulled; import-only ones (LBMA fixes, margin totals, an exchange
file) are imported from the user's own folder of recorded files. Consecutive futures
contract months are written as brace ranges (bash/zsh expand them).
"""

from __future__ import annotations

from collections.abc import Sequence

from narrowgate.evaluate.common import FETCH_OR_IMPORT
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import MissingData

IMPORT_COMMAND = "narrowgate data import DIR"


def _has_provider(instrument: str) -> bool:
    from narrowgate.data.providers import provider_for
    from narrowgate.errors import DataNotFound

    try:
        provider_for(instrument)
    except DataNotFound:
        return False
    return True


def pull_command(ids: Sequence[str]) -> str:
    """``narrowgate data pull`` for exactly ``ids`` (contract months as brace ranges)."""
    from narrowgate.models.futures_roll import ContractMonth, month_braces

    groups: dict[str, list[ContractMonth]] = {}
    plain: list[str] = []
    for instrument in dict.fromkeys(ids):
        market, _, symbol = instrument.rpartition(":")
        try:
            month = ContractMonth.parse(symbol)
        except ValueError:
            plain.append(instrument)
            continue
        groups.setdefault(f"{market}:{month.product}" if market else month.product,
                          []).append(month)
    parts = [brace for key, months in groups.items()
             for brace in month_braces(key.removesuffix(months[0].product), months)]
    return "narrowgate data pull " + " ".join([*parts, *plain])


def fetch_commands(ids: Sequence[str]) -> str:
    """The command(s) that bring ``ids`` into the store, in backticks."""
    ids = list(dict.fromkeys(ids))
    live = [i for i in ids if _has_provider(i)]
    parts = [f"`{pull_command(live)}`"] if live else []
    if len(live) < len(ids) or not live:
        parts.append(f"`{IMPORT_COMMAND}` (a folder of recorded files)")
    else:
        parts.append(f"`{IMPORT_COMMAND}` (recorded files)")
    return " or ".join(parts)


def how_text(missing: MissingData) -> str:
    """The advice of one missing-data entry with its fetch command spelled out (an entry
    whose advice already names a command is returned as it is)."""
    if not missing.fetch or "`narrowgate " in missing.how:
        return missing.how
    commands = fetch_commands(missing.fetch)
    generic = missing.how in ("", FETCH_OR_IMPORT)  # the commands say it already
    return commands if generic else f"{commands} — {missing.how}"


def with_commands(scorecard: Scorecard) -> Scorecard:
    """A copy of ``scorecard`` whose missing-data advice names the fetch commands, for the
    files a front end writes (``scorecard.json``, the HTML report)."""
    results = []
    for result in scorecard.results:
        missing = [m.model_copy(update={"how": how_text(m)}) for m in result.evidence.missing]
        evidence = result.evidence.model_copy(update={"missing": missing})
        results.append(result.model_copy(update={"evidence": evidence}))
    return scorecard.model_copy(update={"results": results})
