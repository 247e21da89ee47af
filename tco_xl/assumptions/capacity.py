"""Capacity and scaling rules: how many units, servers and sites a headcount needs."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption
from .bands import ESTIMATE

_C = "Report §Capacity Planning"


class Capacity(BaseModel):
    """Mac Studios = max(minimum, ceil(agents / agents per unit), ceil(LLM tokens/s / tokens/s per unit)) + spares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agents_per_mac_studio: float = assumption(
        25, unit="agents/unit", gt=0, low=25, high=30, label="Agents one Mac Studio serves", source=_C,
        note="Report: '~25-30 concurrent agents'; 25 gives its 2/4/20 units at 47/100/500")
    min_mac_studios: float = assumption(2, unit="units", label="Minimum Mac Studios (active/active)", source=_C)
    failover_ratio: float = assumption(0, unit="spares/active unit",
                                       label="Failover spares per active unit (rounded up)",
                                       source=_C, high=0.25,
                                       note="Report's '+1/+4 failover' columns follow no one rule (500: 16 + 4 = 25%)")
    llm_tokens_per_sec_per_mac: float = assumption(150, unit="tokens/s", gt=0, label="LLM throughput per Mac Studio",
                                                   source=_C + " '~150 tokens/sec'", band=ESTIMATE)
    mac_studios_per_site: float = assumption(1, unit="units/site", gt=0, label="Mac Studios per site (internet line)",
                                             source="Report scaling tables: internet $720/yr per unit")
    min_sites: float = assumption(2, unit="sites", label="Minimum sites", source="Report §2: 2 Bulgaria offices")
    agents_per_db_server: float = assumption(500, unit="agents/server", gt=0, label="Agents per database server",
                                             source=_C + " 'PostgreSQL ~500 agents per instance'", band=ESTIMATE)
    min_db_servers: float = assumption(1, unit="servers", label="Minimum database servers", source=_C)
    at_scale_agents: int = assumption(100, unit="agents", gt=0, label="Headcount from which the option added at scale "
                                      "is priced", source="Report §Monitoring 'upgrade to Datadog at 100+ agents'",
                                      note="Applies to services.at_scale (none by default)")
