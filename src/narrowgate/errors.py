"""Error types that carry the message a user sees.

The CLI prints ``str(error)`` on one line and exits non-zero; no traceback reaches a user.
"""

from __future__ import annotations


class NarrowgateError(Exception):
    """Base of every error that is the user's to fix (bad input, missing data, no network)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message} — {hint}")


class ThesisError(NarrowgateError):
    """A thesis file that cannot be used; ``problems`` holds one line per problem."""

    exit_code = 3

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class DataNotFound(NarrowgateError):
    """The store has no data for the request and no provider may or can fetch it.

    ``fetch`` names the instruments whose data would answer it; the library says what is
    missing, and a front end (the CLI, the report) names the command that fetches it.
    """

    exit_code = 4

    def __init__(self, message: str, hint: str | None = None,
                 fetch: tuple[str, ...] = ()) -> None:
        self.fetch = fetch
        super().__init__(message, hint)


class ProviderError(NarrowgateError):
    """A live data source failed after its bounded retries."""

    exit_code = 5
    #: how a run's warning words the failure ("yahoo unreachable (…)")
    reason = "unreachable"


class ProviderNotSetUp(ProviderError):
    """A live source needs a setting the user has not made (SEC: a contact address) or a
    package its extra installs (akshare: ``narrowgate[cn]``)."""

    reason = "not set up"


def require_extra(module: str, extra: str, what: str) -> object:
    """Import ``module`` for ``what``, or raise one line naming the extra that installs it
    (the core install leaves the per-market client libraries out)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ProviderNotSetUp(f"{what} needs {module}, which is not installed",
                               f"pip install 'narrowgate[{extra}]'") from None


class StoreError(NarrowgateError):
    """The local DuckDB store is unreadable, foreign or locked."""

    exit_code = 6


#: the exit code of an error narrowgate has no message for (a bug): sysexits' EX_SOFTWARE
INTERNAL_ERROR_EXIT = 70


def shown(value: object, limit: int = 60, *, quote: bool = True) -> str:
    """``value`` as a message quotes it: on one line (newlines and control characters
    escaped) and at most ``limit`` characters, so a 20 MB cell or a binary blob in a bad file
    still gives a one-line error. ``quote`` wraps it in quotes like ``repr`` does."""
    text = str(value)
    clean = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text[: limit + 1])
    if len(text) > limit:
        clean = f"{clean[:limit]}… ({len(text):,} characters)"
    return f"'{clean}'" if quote else clean
