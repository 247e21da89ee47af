"""On-premise connectivity: fiber per site. Cloudflare plans and Argo are priced lines on the Options sheet."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption


class Network(BaseModel):
    """Internet per site (USD/month)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    internet_usd_per_site_month: float = assumption(
        60, unit="USD/site/month", label="2.5 Gbps symmetrical fiber per site", low=53, high=64,
        source="Report §2 Internet: table uses $60; text '€50-60/month (~$53-64 USD)'")
