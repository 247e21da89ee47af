"""Support and maintenance: the hourly rate and how hours grow with headcount."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption
from .bands import ESTIMATE


class Support(BaseModel):
    """Support hours are per stack (Stacks sheet) at the reference headcount and, where the report states them, at
    the second and third headcounts here; between two stated points they follow the power law through both,
    beyond the last the last segment's; a stack with no second point grows as (agents/reference)^exponent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usd_per_hour: float = assumption(75, unit="USD/h", label="System administration rate", low=75, high=100,
                                     source="Report §8 '20 hours/month × $75/hour'",
                                     note="Report's support table bills troubleshooting and development at $100/h")
    scale_exponent: float = assumption(
        0.4, unit="exponent", le=1, label="Growth of support hours with headcount",
        source="Fitted: report's self-hosted support $18K/$24K/$48K at 47/100/500 agents",
        note="For stacks without hours at the second headcount (Stacks sheet): hours = hours at reference × "
             "(agents / reference)^exponent; 0 = flat, 1 = proportional",
        band=ESTIMATE)
    stack_range: float = assumption(
        ESTIMATE.width, unit="± share", le=0.99, label="Range of every stack's support hours and setup (Stacks sheet)",
        source=ESTIMATE.source, note="Sensitivity and Monte Carlo move each stack's support hours and setup by ± "
                                     "this share of itself; 0 holds them fixed")
    mid_agents: float = assumption(
        100, unit="agents", gt=0, label="Second headcount where the Stacks sheet states support hours",
        source="Report scaling tables: 100 agents", note="Must lie between the reference and the third headcount")
    high_agents: float = assumption(
        500, unit="agents", gt=0, label="Third headcount where the Stacks sheet states support hours",
        source="Report scaling tables: 500 agents")
