"""Rented GPU servers (GPU servers sheet): self-hosted LLM and voice AI for stacks without Mac Studios.

A row is a price line (priced by the one rule of every provider and option line) plus what one server
serves: LLM tokens/s, speech-to-text streams and text-to-speech characters/s. A group is one provider's
offer; a stack's LLM or Voice column names it. The group's servers = max(minimum, ⌈AI load⌉), the AI load
summed over what the stack runs on them and divided by the capacities of the group's first row (its server).

Prices are published prices as quoted by the page named in each row's Source, on the date given there.
Capacities are estimates, not quotes: a 14B-class model (the report's Mac Studios run Qwen2.5 14B) served by
vLLM on one GPU. The one published measurement used: an NVIDIA A40 48 GB (696 GB/s) serves Qwen2.5-14B-Instruct
at 634.96 tokens/s total throughput under 50 concurrent requests (databasemart.com, "A40 vLLM Benchmark");
token generation is bound by memory bandwidth, so each GPU's tokens/s is that figure × its bandwidth ÷ 696 GB/s,
rounded to tens. Speech-to-text: Whisper large-v3-turbo runs 404× real time at batch 32 on an H100 (989 dense
FP16 TFLOPS; inferencebench.io); streams = 404 × the GPU's dense FP16 TFLOPS ÷ 989, halved for streaming, to
two digits. Text-to-speech: Kokoro-82M at ~150× real time on an L40S (362 TFLOPS) × 15 characters of speech per
second = 2,250 characters/s, scaled by TFLOPS the same way, rounded to tens.
"""

from __future__ import annotations

from pydantic import Field

from .bands import share_note, with_note
from .pricelist import PRICE_BAND, PriceLine


class GpuServer(PriceLine):
    """One line of a GPU group: a price line plus one server's capacities (used from the group's first row)."""

    tokens_per_sec: float = Field(gt=0, description="LLM tokens/s one server serves (14B-class model, vLLM)")
    stt_streams: float = Field(gt=0, description="Speech-to-text streams one server transcribes in real time")
    tts_chars_per_sec: float = Field(gt=0, description="Text-to-speech characters/s one server synthesises")


_CAPACITY = share_note("capacities", "capacity.gpu_capacity_range")
_SCALED = "capacities: estimates scaled from published benchmarks (see the GPU servers guide), not quotes"


def _gpu(group: str, line: str, price: float, capacities: tuple[float, float, float], source: str,
         currency: str = "USD", billing: str = "hour") -> GpuServer:
    """A default GPU server row: its Source carries the quote, the vendor price band and the capacities' range."""
    tokens, streams, chars = capacities
    return GpuServer(group=group, line=line, category="gpu", unit_price=price, currency=currency, billing=billing,
                     unit="server", driver="gpu_servers", tokens_per_sec=tokens, stt_streams=streams,
                     tts_chars_per_sec=chars,
                     source=with_note(with_note(with_note(source, _SCALED), f"price: {PRICE_BAND.source}"), _CAPACITY))


#: Capacities per GPU class: (tokens/s, speech-to-text streams, text-to-speech characters/s).
_L40S = (790, 74, 2_250)  # 864 GB/s, 362 TFLOPS: 634.96 × 864 / 696 = 788; 404 × 362 / 989 / 2 = 73.9
_L4 = (270, 25, 750)  # 300 GB/s, 121 TFLOPS: 273.7; 24.7; 2,250 × 121 / 362 = 752
_A100_80 = (1_770, 64, 1_940)  # 1,935 GB/s, 312 TFLOPS: 1,765; 63.7; 1,939
_RTX4000_ADA = (260, 16, 480)  # 280 GB/s, 76.7 TFLOPS: 255.4; 15.7; 477

DEFAULT_GPU_SERVERS = [
    _gpu("gpu_aws", "EC2 g6e.xlarge (1× NVIDIA L40S 48 GB, on demand)", 1.861, _L40S,
         "modal.com/blog/nvidia-l40s-price-article (2025-08-12), quoting AWS pricing us-east-1: 'AWS (G6e, 1×L40S) "
         "… On-demand $1.861/hr'"),
    _gpu("gpu_gcp", "Compute Engine g2-standard-4 (1× NVIDIA L4 24 GB, on demand)", 0.70, _L4,
         "infradiaries.com, fractional GPUs on GCP (2026 edition): 'Instead of paying $0.70/hr for an L4'; "
         "modal.com (2025-08-12): 'GCP does not offer L40S GPUs at this time'"),
    _gpu("gpu_azure", "NC24ads A100 v4 (1× NVIDIA A100 80 GB, pay as you go)", 3.673, _A100_80,
         "data-receipts GPU pricing, hyperscalers.json (github.com/datareceipts, retrieved 2026-11-09, from the "
         "vendors' price lists): 'Standard_NC24ads_A100_v4 … usd_per_hour 3.673, region eastus'"),
    _gpu("gpu_hetzner", "GEX44 dedicated (NVIDIA RTX 4000 SFF Ada 20 GB)", 184, _RTX4000_ADA,
         "abn.company/blog/homelab-gpu-eight-dev-team (2026): 'A GEX44 with an RTX 4000 SFF Ada and 64 GB RAM is "
         "around €184 per month at time of writing' (one-time setup fee not included)", currency="EUR",
         billing="month"),
    _gpu("gpu_vultr", "Cloud GPU (1× NVIDIA L40S 48 GB, on demand)", 1.67, _L40S,
         "modal.com/blog/nvidia-l40s-price-article (2025-08-12), quoting Vultr: 'Vultr … On-demand $1.67/hr'"),
    _gpu("gpu_digitalocean", "GPU Droplet (1× NVIDIA L40S 48 GB)", 1.57, _L40S,
         "docs.digitalocean.com/products/droplets/details/pricing (validated 28 May 2026): 'NVIDIA L40s | $1.57 "
         "per hour'"),
]
