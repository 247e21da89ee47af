"""Ancillary services: which priced option (a group on the Options sheet) each service uses."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption


class Services(BaseModel):
    """Choices among the Options sheet's groups; 'none' prices nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = assumption("email_ses", unit="option", label="Transactional email", choices="options",
                            source="Report §Email 'Recommendation: Amazon SES'")
    monitoring: str = assumption("monitoring_self_hosted", unit="option", label="Monitoring", choices="options",
                                 source="Report §Monitoring 'Recommendation: Self-hosted'")
    security: str = assumption("none", unit="option", label="Security extras beyond the Cloudflare plan",
                               choices="options", source="Report §Security: pentest listed, in no scenario total",
                               note="'security_pentest' adds the annual penetration test; "
                                    "'security_aws_waf' a WAF outside Cloudflare")
    at_scale: str = assumption("none", unit="option", label="Option added at scale", choices="options",
                               source="Report §Monitoring 'Start self-hosted, upgrade to Datadog at 100+ agents': "
                                      "in no scenario total",
                               note="Priced from the headcount capacity.at_scale_agents on, besides the choices "
                                    "above ('monitoring_datadog': the report's upgrade; self-hosted monitoring costs "
                                    "nothing)")
