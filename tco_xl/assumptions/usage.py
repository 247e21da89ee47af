"""Usage: how much the contact center does, per agent and at the reference headcount, and how much of it
voice AI (speech-to-text, text-to-speech) handles."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption
from .bands import USAGE_VOLUME

_S = "Report §Twilio 'Usage assumptions (47 agents)'"
_VOICE = ("Report §Services Running on Mac Studios: 'Speech-to-text (Whisper API or Deepgram)', 'Text-to-speech "
          "(ElevenLabs or Kokoro)', priced in no scenario: 0 reproduces its figures")


class Usage(BaseModel):
    """Call volumes drive Twilio, LLM and voice AI; storage/traffic volumes are stated at the reference headcount."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_agents: float = assumption(
        47, unit="agents", gt=0, label="Reference headcount the report's volumes are stated for",
        source="Report title: 47 agents", note="Volumes marked 'at reference' scale linearly from this headcount.")
    calls_per_agent_per_day: float = assumption(40, unit="calls/agent/day", label="Calls per agent per day", source=_S,
                                             band=USAGE_VOLUME)
    minutes_per_call: float = assumption(8, unit="minutes", label="Average call duration", source=_S,
                                       band=USAGE_VOLUME)
    working_days_per_month: float = assumption(22, unit="days/month", gt=0, le=31, label="Working days per month",
                                               source=_S)
    inbound_share: float = assumption(0.5, unit="share", le=1, label="Share of minutes inbound (rest outbound)",
                                      source="Report §Twilio 'Inbound/Outbound split: 50/50'", band=USAGE_VOLUME)
    recordings_gb: float = assumption(
        1000, unit="GB at reference", label="Call recordings and documents stored in the cloud/backups",
        source="Report §AWS S3 '1TB/month stored'; §Backups 'Call recordings: 1TB'", band=USAGE_VOLUME)
    database_gb: float = assumption(500, unit="GB at reference", label="Cloud database storage",
                                    source="Report §AWS RDS '500GB SSD'", band=USAGE_VOLUME)
    cdn_gb: float = assumption(500, unit="GB/month at reference", label="CDN / Argo traffic",
                               source="Report §Networking 'estimate 500GB/mo'; §AWS CloudFront '500GB/month'",
                               band=USAGE_VOLUME)
    egress_gb: float = assumption(1000, unit="GB/month at reference", label="Internet data transfer out",
                                  source="Report §AWS Networking '1TB × $0.09/GB'", band=USAGE_VOLUME)
    database_backup_gb: float = assumption(50, unit="GB at reference", label="Database backup size",
                                           source="Report §Backup 'Database backup: 50GB'", band=USAGE_VOLUME)
    emails_per_month: float = assumption(10_000, unit="emails/month at reference", label="Transactional emails",
                                         source="Report §Email '10,000 emails/month'", band=USAGE_VOLUME)
    scaled_quantity_range: float = assumption(
        USAGE_VOLUME.width, unit="± share", le=0.99,
        label="Range of estimated quantities (price lines with driver 'scaled')", source=USAGE_VOLUME.source,
        note="Sensitivity and Monte Carlo move the Quantity of each 'scaled' line on the Providers and Options "
             "sheets by ± this share of itself; 0 holds them fixed")
    transcribed_share: float = assumption(
        0, unit="share", le=1, label="Share of call minutes transcribed (speech-to-text)", source=_VOICE,
        note="Voice AI is priced per stack (Stacks sheet, Voice column): an API per minute, or the Mac Studios / "
             "GPU servers' capacity; 1 transcribes every call", band=USAGE_VOLUME)
    tts_characters_per_call: float = assumption(
        0, unit="characters/call", label="Characters synthesised per call (text-to-speech: prompts, voice replies)",
        source=_VOICE, note="Priced per 1,000 characters by an API, or the Mac Studios / GPU servers' capacity",
        band=USAGE_VOLUME)
