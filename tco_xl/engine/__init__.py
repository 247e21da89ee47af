"""The pure engine: assumptions in, components and totals out. No I/O."""

from .components import Component
from .inputs import METRICS, agent_count, agent_grid, metric_key, scenario_key
from .scenarios import ScenarioResult, compare, evaluate, price, ranked, stack_components

__all__ = ["METRICS", "Component", "ScenarioResult", "agent_count", "agent_grid", "compare", "evaluate",
           "metric_key", "price", "ranked", "scenario_key", "stack_components"]
