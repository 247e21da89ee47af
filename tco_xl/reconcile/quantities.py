"""The engine quantities the mapping's expressions may name, read through the engine's public API.

Every name here is a function of the assumptions and a headcount; ``Lines`` is a set of line items
(components) at one headcount, whose attributes are the figures a report table shows (monthly,
annual, Year 1, one-time, N-year TCO, quantity, unit price).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..analysis.breakeven import cheaper_throughout, crossings
from ..assumptions import DRIVERS, GROUPS, Assumptions
from ..engine import Component, ScenarioResult, price
from ..engine import capacity as cap
from ..engine.llm import api_components
from ..engine.pricelist import group_components
from ..engine.support import support_hours
from ..engine.twilio import minutes_per_month, twilio_components
from ..errors import TcoError

#: What the report leaves out of its cloud scenarios: its cloud TOTAL is provider lines + Twilio.
CLOUD_REPORT_EXCLUDES = ("llm", "services", "support", "setup")


@dataclass(frozen=True)
class Lines:
    """Line items at one headcount (USD): the figures a report row can state about them."""

    items: tuple[Component, ...]
    agents: float
    horizon: int

    @property
    def monthly(self) -> float:
        return float(sum(c.monthly for c in self.items))

    @property
    def one_time(self) -> float:
        return float(sum(c.one_time for c in self.items))

    @property
    def annual(self) -> float:
        return 12 * self.monthly

    @property
    def year1(self) -> float:
        return self.annual + self.one_time

    @property
    def tco(self) -> float:
        return self.year1 + (self.horizon - 1) * self.annual

    @property
    def per_agent(self) -> float:
        """USD/agent/month of the recurring cost."""
        return self.monthly / self.agents

    @property
    def quantity(self) -> float:
        return float(sum(c.quantity for c in self.items))

    @property
    def unit_price(self) -> float:
        """The one unit price of these lines (USD); an error when they have several."""
        prices = {round(float(c.unit_price), 12) for c in self.items}
        if len(prices) != 1:
            raise TcoError(f"lines {[c.name for c in self.items]} have {len(prices)} unit prices, not one")
        return prices.pop()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.items]

    def without(self, *categories: str) -> Lines:
        """These lines less those of ``categories``."""
        return Lines(tuple(c for c in self.items if c.category not in categories), self.agents, self.horizon)

    def only(self, *categories: str) -> Lines:
        """These lines of ``categories`` only."""
        return Lines(tuple(c for c in self.items if c.category in categories), self.agents, self.horizon)

    def named(self, *parts: str) -> Lines:
        """These lines whose name contains one of ``parts``."""
        return Lines(tuple(c for c in self.items if any(p in c.name for p in parts)), self.agents, self.horizon)

    def __add__(self, other: Lines) -> Lines:
        return Lines(self.items + other.items, self.agents, self.horizon)


class Quantities:
    """The engine at one set of assumptions, read at any headcount (results cached per headcount)."""

    def __init__(self, a: Assumptions):
        self.a = a

    def _scenario(self, key: str, agents: float) -> ScenarioResult:
        if key not in {s.key for s in self.a.stacks}:
            raise TcoError(f"reconciliation mapping names scenario {key!r}, which is not on the Stacks sheet")
        return price(key, int(agents), self.a)

    def _lines(self, items: Iterable[Component], agents: float) -> Lines:
        return Lines(tuple(c.at(()) for c in items), float(agents), self.a.finance.horizon_years)

    # -- the vocabulary -----------------------------------------------------------------------------
    def scenario(self, key: str, agents: float) -> Lines:
        """Every line of a scenario."""
        return self._lines(self._scenario(key, agents).components, agents)

    def scope(self, key: str, agents: float) -> Lines:
        """A scenario as the report counts it: a cloud scenario without LLM API, services, support, setup."""
        lines = self.scenario(key, agents)
        return lines.without(*CLOUD_REPORT_EXCLUDES) if self._scenario(key, agents).kind == "cloud" else lines

    def cat(self, key: str, agents: float, *categories: str) -> Lines:
        """The lines of a scenario in ``categories``."""
        return self.scenario(key, agents).only(*categories)

    def item(self, key: str, agents: float, *names: str) -> Lines:
        """The lines of a scenario whose name contains one of ``names``."""
        found = self.scenario(key, agents).named(*names)
        if not found.items:
            raise TcoError(f"reconciliation mapping: no line named {names} in scenario {key!r}")
        return found

    def option(self, group: str, **drivers: float) -> Lines:
        """An Options (or Providers) group priced at the given driver quantities (others 0, 'fixed' 1)."""
        values: dict[str, Any] = {**dict.fromkeys(DRIVERS, 0.0), "fixed": 1.0, **drivers}
        refs = self.a.line_refs(group)
        if not refs:
            raise TcoError(f"reconciliation mapping: no price lines in group {group!r}")
        return self._lines(group_components(self.a, refs, values), drivers.get("agents", 0.0))

    def api(self, model: str, agents: float) -> Lines:
        """LLM inference for ``agents`` through API ``model`` (LLM models table)."""
        return self._lines(api_components(self.a, model, float(agents)), agents)

    def twilio(self, agents: float) -> Lines:
        return self._lines(twilio_components(self.a, float(agents)), agents)

    def list_price(self, group: str, name: str) -> float:
        """Unit price of the line of ``group`` whose name contains ``name``, in its own currency."""
        for line in self.a.lines(group):
            if name in line.line:
                return line.unit_price
        raise TcoError(f"reconciliation mapping: no line {name!r} in group {group!r}")

    def usd(self, group: str, name: str) -> float:
        """That unit price in USD (EUR lines at ``finance.eur_usd``), before discounts."""
        for line in self.a.lines(group):
            if name in line.line:
                return line.unit_price * (self.a.finance.eur_usd if line.currency == "EUR" else 1.0)
        raise TcoError(f"reconciliation mapping: no line {name!r} in group {group!r}")

    def price_range(self, group: str, name: str) -> tuple[float, float]:
        """(low, high) unit price of a line (its sensitivity range; the price itself where none is given)."""
        for line in self.a.lines(group):
            if name in line.line:
                return (line.unit_price if line.price_low is None else line.price_low,
                        line.unit_price if line.price_high is None else line.price_high)
        raise TcoError(f"reconciliation mapping: no line {name!r} in group {group!r}")

    def included(self, group: str, name: str) -> float:
        """Free units of a price line (its Included column)."""
        for line in self.a.lines(group):
            if name in line.line:
                return line.included
        raise TcoError(f"reconciliation mapping: no line {name!r} in group {group!r}")

    def model(self, key: str) -> Any:
        """A row of the LLM models table (``model('gpt-4o').input_usd_per_1k``)."""
        return self.a.llm_model(key)

    def assumption_range(self, key: str) -> tuple[float, float]:
        """(low, high) of a scalar assumption's uncertainty range ('network.internet_usd_per_site_month')."""
        r = self.a.ranges.get(key)
        value = float(self.a.value(key))
        return (value if r is None or r.low is None else r.low, value if r is None or r.high is None else r.high)

    def in_eur(self, usd: Any) -> Any:
        """USD (or a (low, high) range) in EUR at ``finance.eur_usd``."""
        if isinstance(usd, tuple):
            return tuple(v / self.a.finance.eur_usd for v in usd)
        return usd / self.a.finance.eur_usd

    def discount(self, group: str, name: str) -> float:
        for line in self.a.lines(group):
            if name in line.line:
                return line.discount
        raise TcoError(f"reconciliation mapping: no line {name!r} in group {group!r}")

    def units(self, agents: float) -> float:
        """Mac Studios (with spares) for ``agents`` when they run the LLM."""
        return float(cap.mac_studios(self.a, agents))

    def active(self, agents: float) -> float:
        """Active Mac Studios (without spares)."""
        return float(cap.mac_studios_active(self.a, agents))

    def sites(self, agents: float) -> float:
        return float(cap.sites(self.a, cap.mac_studios(self.a, agents)))

    def servers(self, key: str, agents: float) -> float:
        """Application servers of a stack."""
        return float(cap.app_servers(self.a.stack(key), agents))

    def stack_row(self, key: str) -> Any:
        """A row of the Stacks sheet (``stack_row("hybrid").agents_per_app_server``)."""
        return self.a.stack(key)

    def db_servers(self, agents: float) -> float:
        return float(cap.db_servers(self.a, agents))

    def tokens(self, agents: float) -> float:
        """LLM tokens/month."""
        return float(cap.llm_tokens_per_month(self.a, agents))

    def tokens_per_second(self, agents: float) -> float:
        return float(cap.llm_tokens_per_second(self.a, agents))

    def minutes(self, agents: float) -> float:
        """Call minutes/month."""
        return float(minutes_per_month(self.a, agents))

    def hours(self, key: str, agents: float) -> float:
        """Support hours/month of a stack."""
        return float(support_hours(self.a, self.a.stack(key), agents))

    def scale(self, agents: float) -> float:
        """agents / the reference headcount (the factor on volumes stated at 47 agents)."""
        return float(cap.scale(self.a, agents))

    def breakeven(self, onprem: str, cloud: str, metric: str = "tco") -> float:
        """First headcount from which ``onprem`` stays cheaper than ``cloud`` (an error when it never does)."""
        found = crossings(self.a, onprem, cloud, metric)
        if found and found[-1].cheaper_after == onprem:
            return float(found[-1].agents)
        if not found and cheaper_throughout(self.a, onprem, cloud, metric) == onprem:
            return 1.0
        raise TcoError(f"{onprem} never stays cheaper than {cloud} on {metric} within the break-even range")

    def names(self) -> dict[str, Callable[..., Any] | Any]:
        """Every name an expression may use: these functions and the assumption groups (``usage.minutes_per_call``)."""
        functions = {name: getattr(self, name) for name in (
            "scenario", "scope", "cat", "item", "option", "api", "twilio", "usd", "included", "price_range", "discount",
            "model", "assumption_range", "in_eur", "units", "active", "sites", "servers", "stack_row", "db_servers",
            "tokens", "tokens_per_second", "minutes", "hours", "scale", "breakeven")}
        return {**functions, "price": self.list_price, **{group: getattr(self.a, group) for group in GROUPS}}
