"""Where the ``valuation`` kind's profits come from: the valuation dataset and the
forecast sources, tried in order.

Why apart from the pricing: the dataset (the bundled, sourced
``data/bundled/ai_hardware_valuation.yaml`` or a thesis's own YAML of that shape) and the
choice between provider, CSV and dataset snapshots are one concern; the notes say which
source each stock used and what was skipped. ``narrowgate value pricedin`` uses the same.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from narrowgate.data.forecasts_select import (
    ForecastChoice,
    ForecastFigures,
    forecast_figures,
    parse_forecast_order,
)
from narrowgate.errors import DataNotFound, NarrowgateError
from narrowgate.evaluate.common import text
from narrowgate.evaluate.verdict import DataUsed
from narrowgate.models.valuation import (
    ForecastSource,
    ProfitKind,
    ProfitPath,
    ValuationInputError,
    profit_path_from_record,
)

if TYPE_CHECKING:
    from narrowgate.data.forecasts_select import Measure
    from narrowgate.evaluate.kinds.valuation import ValuationSettings, ValuedStock
    from narrowgate.evaluate.kinds.valuation_inputs import StockValuation
    from narrowgate.evaluate.registry import EvalContext

#: the dataset used when the settings name none (``dataset: bundled``)
BUNDLED = "bundled"
DATASET = "data/bundled/ai_hardware_valuation.yaml"

#: a valuation dataset is a few hundred lines; a file past this is no dataset
MAX_DATASET_BYTES = 2 * 1024 * 1024
#: the settings field naming the forecast order
FORECASTS_KEY = "forecasts"


@lru_cache(maxsize=8)
def valuation_dataset(dataset: str = BUNDLED) -> dict[str, Any]:
    """The valuation records of ``dataset`` (``bundled`` or a YAML path), keyed by
    instrument id (parsed once per file)."""
    from importlib import resources
    from pathlib import Path

    import yaml

    if dataset == BUNDLED:
        raw = resources.files("narrowgate.data").joinpath("bundled/ai_hardware_valuation.yaml")
        content = raw.read_text(encoding="utf-8")
    else:
        from narrowgate.textfile import UnreadableFile, read_file_bytes

        try:
            content = read_file_bytes(Path(dataset), limit=MAX_DATASET_BYTES).decode("utf-8")
        except (UnreadableFile, UnicodeDecodeError) as exc:
            raise DataNotFound(f"valuation dataset {dataset} cannot be read ({exc})",
                               "give a UTF-8 YAML file of the bundled dataset's shape, or "
                               "'bundled'") from None
    try:
        loaded = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise DataNotFound(f"valuation dataset {dataset} is not valid YAML "
                           f"({str(exc).splitlines()[0]})", "fix the file's syntax") from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("stocks"), dict):
        raise DataNotFound(f"valuation dataset {dataset} has no 'stocks' mapping",
                           "see data/bundled/ai_hardware_valuation.yaml for the shape")
    stocks: dict[str, Any] = loaded["stocks"]
    return stocks


def dataset_label(dataset: str) -> str:
    """How provenance names the dataset: the bundled file's path, else the user's path."""
    return DATASET if dataset == BUNDLED else dataset


def dataset_record(instrument: str, dataset: str = BUNDLED) -> dict[str, Any]:
    record = valuation_dataset(dataset).get(instrument)
    if record is None:
        raise DataNotFound(f"{instrument} is not in the valuation dataset "
                           f"{dataset_label(dataset)}",
                           f"stocks held: {', '.join(valuation_dataset(dataset))}")
    return record


def recorded_item(item: dict[str, Any], instrument: str, what: str,
              dataset: str = BUNDLED) -> DataUsed:
    """Provenance of one dataset figure, its status and arithmetic kept visible."""
    status = item.get("status", "sourced")
    how = f"; {item['arithmetic']}" if item.get("arithmetic") else ""
    day = item.get("date")
    source = f"{dataset_label(dataset)}: {item.get('source', status)}"
    return DataUsed(instrument=instrument, source=source,
                    start=day if isinstance(day, date) else None,
                    end=day if isinstance(day, date) else None,
                    note=f"{what} ({status}{how}); recorded figure, not fetched live"
                    + ("; UNVERIFIED" if status == "unverified" else ""), fallback=True)


def actual_path(record: dict[str, Any], growth_after: float) -> ProfitPath | None:
    """Reported and preliminary profits alone (no forecast), for the implied growth."""
    profits: dict[int, float] = {}
    kinds: dict[int, ProfitKind] = {}
    for item in record.get("profits", []):
        if item.get("value") is not None and item.get("status") != "unverified":
            profits[int(item["year"])] = float(item["value"])
            kinds[int(item["year"])] = item.get("kind", "reported")
    years = sorted(profits)
    while years and years[0] != years[-1] - len(years) + 1:  # keep the last consecutive run
        years.pop(0)
    if not years:
        return None
    source = ForecastSource(kind="facts", name=f"{record.get('name')}: reported profits only")
    return ProfitPath({y: profits[y] for y in years}, {y: kinds[y] for y in years},
                      growth_after, source, unit=str(record.get("profit_unit", "")))


def forecast_order(settings: ValuationSettings, ctx: EvalContext) -> list[ForecastChoice]:
    """Run-level choice (``ctx.forecast_order``, the CLI) over the settings' field."""
    return parse_forecast_order(ctx.forecast_order or getattr(settings, FORECASTS_KEY, None))


def path_from_figures(record: dict[str, Any], figures: ForecastFigures, *,
                      kind: Literal["provider", "csv"], growth_after: float) -> ProfitPath:
    """Provider or CSV forecasts plus the record's actuals, by the bundled path's rules.

    The actuals are those of the measure the record's snapshots use (US consensus EPS is
    non-GAAP); an actual wins over a forecast of the same year.
    """
    wanted = next((s["measure"] for s in record.get("forecasts", []) if s.get("measure")), None)
    snap = {"values": figures.values, "measure": wanted, "status": "sourced",
            "source": figures.name}
    path = profit_path_from_record({**record, "forecasts": [snap]}, growth_after=growth_after)
    source = ForecastSource(kind=kind, name=figures.name, as_of=figures.as_of,
                            detail=figures.detail)
    return replace(path, source=source)


def _figures(choice: ForecastChoice, instrument: str, record: dict[str, Any],
             ctx: EvalContext) -> tuple[ForecastFigures | None, DataUsed | str]:
    """Provider or CSV figures for one stock and the provenance, or why there are none."""
    measure: Measure = "net_profit" if record.get("basis") == "total" else "eps"
    unit = str(record.get("profit_unit", ""))
    if ctx.hub is None:
        return None, "no data layer in this call, so no forecasts were read"
    if choice.kind == "provider":  # offline: the newest stored snapshot, if any
        fetch = ctx.hub.forecasts(instrument, measure, fetch=not ctx.offline)
        if isinstance(fetch, str):
            return None, fetch
        frame, source = fetch.frame, f"provider: {fetch.request}"
        fetched_at, extra = fetch.fetched_at, fetch.notes
    else:
        key = str(choice.path)
        frame = ctx.hub.forecast_file(key)  # a broken file is the user's to fix: raise
        source, fetched_at, extra = f"csv: {key}", None, []
    try:
        figures = forecast_figures(frame, instrument, measure, unit)
    except NarrowgateError as exc:  # a unit that does not convert: try the next source
        return None, exc.message
    if figures is None:
        return None, f"no {measure} forecasts for {instrument}"
    values = ", ".join(f"{y}: {v:,.4g}" for y, v in sorted(figures.values.items()))
    used = DataUsed(instrument=instrument, source=source, start=figures.as_of, end=figures.as_of,
                    fetched_at=fetched_at, rows=len(figures.values),
                    note="; ".join([f"{measure} forecasts {{{values}}} {unit}", *extra]))
    return figures, used


def choose_path(stock: ValuedStock, record: dict[str, Any], settings: ValuationSettings,
                ctx: EvalContext, out: StockValuation, data: list[DataUsed]) -> None:
    """Set ``out.path`` from the first usable forecast source; notes say what was skipped."""
    skipped: list[str] = []
    for choice in forecast_order(settings, ctx):
        try:
            if choice.kind == "bundled":
                path = profit_path_from_record(record, growth_after=settings.growth_after,
                                               forecast=stock.forecast)
                snap = record["forecasts"][stock.forecast]
                used: DataUsed | str = recorded_item(
                    {**snap, "date": snap.get("as_of")}, stock.instrument,
                    f"forecast snapshot {dict(snap.get('values', {}))}", settings.dataset)
            else:
                figures, used = _figures(choice, stock.instrument, record, ctx)
                if figures is None:
                    skipped.append(f"{choice}: {used}")
                    continue
                path = path_from_figures(record, figures, growth_after=settings.growth_after,
                                         kind="provider" if choice.kind == "provider" else "csv")
            if path.first_year > settings.price_date.year:
                raise ValuationInputError(f"its profit path starts in {path.first_year}, after "
                                          f"{settings.price_date.year}")
        except ValuationInputError as exc:
            skipped.append(exc.message if choice.kind == "bundled" else f"{choice}: {exc.message}")
            continue
        out.path = path
        assert isinstance(used, DataUsed)
        data.append(used)
        break
    if out.path is None:
        out.no_forecast = "; ".join(skipped)
        return
    source = out.path.source
    why, day = "; ".join(skipped), settings.price_date
    if skipped:
        out.notes.append(text(f"{out.name}:预测来源 {why};改用 {source.describe()}。",
                              f"{stock.instrument}: forecasts — {why}; used {source.describe()}."))
    if source.as_of is not None and source.as_of > day:
        out.notes.append(text(f"{out.name}:预测日期 {source.as_of} 晚于价格日 {day},非当时预期。",
                              f"{stock.instrument}: the forecasts are as of {source.as_of}, after "
                              f"the price date {day}: not what the market knew then."))
