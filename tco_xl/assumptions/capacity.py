"""Capacity and scaling rules: how many units, servers and sites a headcount needs, and what one unit serves."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption
from .bands import ESTIMATE

_MAC_VOICE = ("Estimate, not a quote: whisper.cpp (Metal) transcribes 17× real time on an M2 Ultra "
              "(promptquorum.com Apple Silicon Whisper benchmark, Whisper medium); half of it as real-time streams")

_C = "Report §Capacity Planning"


class Capacity(BaseModel):
    """Mac Studios = max(minimum, ceil(agents / agents per unit), ceil(AI load)) + spares, where the AI load is
    LLM tokens/s ÷ tokens/s per unit (when they run the LLM) + speech-to-text streams ÷ streams per unit +
    text-to-speech characters/s ÷ characters/s per unit (when they run voice AI). Rented GPU servers follow the
    same rule with the capacities of their row on the GPU servers sheet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agents_per_mac_studio: float = assumption(
        25, unit="agents/unit", gt=0, low=25, high=30, label="Agents one Mac Studio serves", source=_C,
        note="Report: '~25-30 concurrent agents'; 25 gives its 2/4/20 units at 47/100/500")
    min_mac_studios: int = assumption(2, unit="units", label="Minimum Mac Studios (active/active)", source=_C)
    failover_ratio: float = assumption(0, unit="spares/active unit",
                                       label="Failover spares per active unit (rounded up)",
                                       source=_C, high=0.25,
                                       note="Report's '+1/+4 failover' columns follow no one rule (500: 16 + 4 = 25%)")
    llm_tokens_per_sec_per_mac: float = assumption(150, unit="tokens/s", gt=0, label="LLM throughput per Mac Studio",
                                                   source=_C + " '~150 tokens/sec'", band=ESTIMATE)
    mac_studios_per_site: float = assumption(1, unit="units/site", gt=0, label="Mac Studios per site (internet line)",
                                             source="Report scaling tables: internet $720/yr per unit")
    min_sites: int = assumption(2, unit="sites", label="Minimum sites", source="Report §2: 2 Bulgaria offices")
    agents_per_db_server: float = assumption(500, unit="agents/server", gt=0, label="Agents per database server",
                                             source=_C + " 'PostgreSQL ~500 agents per instance'", band=ESTIMATE)
    min_db_servers: int = assumption(1, unit="servers", label="Minimum database servers", source=_C)
    stt_streams_per_mac: float = assumption(
        8.5, unit="streams/unit", gt=0, label="Speech-to-text streams one Mac Studio transcribes in real time",
        source=_MAC_VOICE, band=ESTIMATE)
    tts_chars_per_sec_per_mac: float = assumption(
        450, unit="characters/s", gt=0, label="Text-to-speech characters/s one Mac Studio synthesises",
        source="Estimate, not a quote: Kokoro-82M at ~30× real time on Apple Silicon × 15 characters of speech per "
               "second", band=ESTIMATE)
    min_gpu_servers: int = assumption(
        1, unit="servers", label="Minimum GPU servers where a stack rents them (GPU servers sheet)",
        source="Not in the report: one rented server, replaced by the provider when it fails")
    gpu_capacity_range: float = assumption(
        ESTIMATE.width, unit="± share", le=0.99,
        label="Range of every GPU server's capacities (GPU servers sheet: tokens/s, streams, characters/s)",
        source=ESTIMATE.source, note="Sensitivity and Monte Carlo move each capacity of the GPU servers sheet by ± "
                                     "this share of itself; 0 holds them fixed")
    at_scale_agents: int = assumption(100, unit="agents", gt=0, label="Headcount from which the option added at scale "
                                      "is priced", source="Report §Monitoring 'upgrade to Datadog at 100+ agents'",
                                      note="Applies to services.at_scale (none by default)")
