"""SoundStream/EnCodec-style codec: convolutional encoder, residual vector quantiser, mirrored decoder.

    wav [B, 1, T] --encoder--> latents [B, D, F] --rvq--> codes [B, Q, F] --decoder--> wav [B, 1, T]
with F = T / hop, hop = prod(strides).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
from torch.nn.utils import weight_norm

from .rvq import ResidualVectorQuantizer


@dataclass
class CodecConfig:
    sample_rate: int = 24000
    channels: int = 24
    strides: list[int] = field(default_factory=lambda: [3, 4, 5, 8])
    latent_dim: int = 128
    levels: int = 8
    codebook_size: int = 1024
    residual_dilations: list[int] = field(default_factory=lambda: [1, 3, 9])

    @property
    def hop(self) -> int:
        return math.prod(self.strides)

    @property
    def frame_rate(self) -> float:
        return self.sample_rate / self.hop


def conv(cin: int, cout: int, kernel: int, stride: int = 1, dilation: int = 1) -> nn.Module:
    # "same" padding for odd kernels keeps frame alignment simple for export and chunked decoding.
    padding = (stride + 1) // 2 if stride > 1 else (kernel - 1) // 2 * dilation
    return weight_norm(nn.Conv1d(cin, cout, kernel, stride, padding=padding, dilation=dilation))


class ResidualUnit(nn.Module):
    def __init__(self, channels: int, dilation: int):
        super().__init__()
        self.block = nn.Sequential(nn.ELU(), conv(channels, channels, 7, dilation=dilation),
                                   nn.ELU(), conv(channels, channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class Encoder(nn.Module):
    def __init__(self, cfg: CodecConfig):
        super().__init__()
        layers: list[nn.Module] = [conv(1, cfg.channels, 7)]
        ch = cfg.channels
        for stride in cfg.strides:
            layers += [ResidualUnit(ch, d) for d in cfg.residual_dilations]
            layers += [nn.ELU(), conv(ch, ch * 2, 2 * stride, stride=stride)]
            ch *= 2
        layers += [nn.ELU(), conv(ch, cfg.latent_dim, 3)]
        self.net = nn.Sequential(*layers)

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        return self.net(wav)


class Decoder(nn.Module):
    def __init__(self, cfg: CodecConfig):
        super().__init__()
        ch = cfg.channels * 2 ** len(cfg.strides)
        layers: list[nn.Module] = [conv(cfg.latent_dim, ch, 7)]
        for stride in reversed(cfg.strides):
            layers += [nn.ELU(), weight_norm(nn.ConvTranspose1d(ch, ch // 2, 2 * stride, stride,
                                                                padding=stride // 2 + stride % 2,
                                                                output_padding=stride % 2))]
            ch //= 2
            layers += [ResidualUnit(ch, d) for d in cfg.residual_dilations]
        layers += [nn.ELU(), conv(ch, 1, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.net(latents)


class Codec(nn.Module):
    def __init__(self, cfg: CodecConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.quantizer = ResidualVectorQuantizer(cfg.levels, cfg.codebook_size, cfg.latent_dim)
        self.decoder = Decoder(cfg)

    def freeze_tokens(self, levels: int) -> None:
        """Fix the encoder and the first `levels` codebooks, so the codes the LMs were trained on
        stay valid while the decoder (and any higher level) goes on learning."""
        self.quantizer.frozen_levels = levels
        self.encoder.requires_grad_(False)

    def forward(self, wav: torch.Tensor, active_levels: int | None = None):
        if self.quantizer.frozen_levels:
            with torch.no_grad():
                latents = self.encoder(wav)
        else:
            latents = self.encoder(wav)
        quantised, codes, commit = self.quantizer(latents, active_levels)
        return self.decoder(quantised)[..., : wav.shape[-1]], codes, commit

    @torch.no_grad()
    def encode(self, wav: torch.Tensor) -> torch.Tensor:
        return self.quantizer.encode(self.encoder(wav))

    @torch.no_grad()
    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.quantizer.decode(codes))


def codes_fingerprint(weights: dict) -> str:
    """Names the code vocabulary: a hash of the codebooks (as fp16, so a run's fp32 weights and the
    published file agree). Tokens and the LMs trained on them carry it; another codec's codes mean
    other sounds, and the export refuses to pair them."""
    digest = hashlib.sha256()
    for key in sorted((k for k in weights if k.startswith("quantizer.codebooks.") and k.endswith(".embedding")),
                      key=lambda k: int(k.split(".")[2])):
        digest.update(weights[key].detach().to(torch.float16).cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


def load_codec_weights(model: Codec, weights: dict) -> None:
    """Loads full or published (fp16, no embedding_sum) weights: the EMA sums are rebuilt from
    embedding * cluster_size."""
    weights = {k: v.float() if v.is_floating_point() else v for k, v in weights.items()}
    for key in [k for k in weights if k.endswith(".embedding")]:
        prefix = key[: -len("embedding")]
        weights.setdefault(prefix + "embedding_sum", weights[key] * weights[prefix + "cluster_size"][:, None])
    # The residual quantiser's levels are nested, so weights with more levels serve a model with
    # fewer (a lower bitrate), and a model with more levels starts its extra codebooks from k-means.
    own = model.state_dict()
    weights = {k: v for k, v in weights.items() if k in own or not k.startswith("quantizer.codebooks.")}
    missing = [k for k in own if k not in weights]
    if any(not k.startswith("quantizer.codebooks.") for k in missing):
        raise KeyError(f"codec weights lack {[k for k in missing if not k.startswith('quantizer.codebooks.')][:3]}")
    model.load_state_dict(weights, strict=False)


def load_codec_checkpoint(path) -> tuple["Codec", dict]:
    """A codec checkpoint (a run's or a published one) as a model in eval mode, with its state."""
    state = torch.load(path, map_location="cpu")
    codec = Codec(CodecConfig(**state["config"]["model"]))
    load_codec_weights(codec, state["model"])
    return codec.eval(), state
