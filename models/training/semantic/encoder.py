"""The semantic tokenizer: log-mel frames -> a dilated convolutional encoder -> 25 Hz features
-> the nearest k-means centroid.

    wav [B, 1, T] (T a multiple of hop) -> tokens [B, T / (2 * hop)]

The STFT is a fixed convolution (windowed DFT basis), so the whole tokenizer, centroids included,
exports as one ONNX graph and the engine reproduces its tokens exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from data.mel import mel_filterbank


@dataclass
class SemanticConfig:
    sample_rate: int = 24000
    hop: int = 480  # 50 Hz analysis frames; features are pooled to 25 Hz
    n_fft: int = 1024
    mel_bands: int = 64
    d_model: int = 256
    dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 1, 2, 4, 8])
    feature_layer: int = 6  # tokens come from this block's output (a middle layer, as in HuBERT)
    clusters: int = 512


class ConvSpectrogram(nn.Module):
    def __init__(self, n_fft: int, hop: int):
        super().__init__()
        window = torch.hann_window(n_fft, periodic=True)
        bins = n_fft // 2 + 1
        t = torch.arange(n_fft, dtype=torch.float64)
        f = torch.arange(bins, dtype=torch.float64)[:, None]
        angle = 2 * np.pi * f * t / n_fft
        basis = torch.cat([torch.cos(angle), -torch.sin(angle)]) * window
        self.register_buffer("basis", basis.float()[:, None, :])  # (2 * bins, 1, n_fft)
        self.hop, self.pad, self.bins = hop, (n_fft - hop) // 2, bins

    def forward(self, wav):
        spec = F.conv1d(F.pad(wav, (self.pad, self.pad)), self.basis, stride=self.hop)
        real, imag = spec[:, : self.bins], spec[:, self.bins:]
        return real * real + imag * imag  # power (B, bins, frames)


class ResidualConv(nn.Module):
    def __init__(self, d: int, dilation: int):
        super().__init__()
        self.norm = nn.GroupNorm(1, d)
        self.conv = nn.Conv1d(d, d, 5, padding=2 * dilation, dilation=dilation)
        self.mix = nn.Conv1d(d, d, 1)

    def forward(self, x):
        return x + self.mix(F.gelu(self.conv(self.norm(x))))


class SemanticEncoder(nn.Module):
    def __init__(self, cfg: SemanticConfig):
        super().__init__()
        self.cfg = cfg
        self.spectrogram = ConvSpectrogram(cfg.n_fft, cfg.hop)
        self.register_buffer("mel", torch.from_numpy(mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.mel_bands)).float())
        self.input = nn.Conv1d(cfg.mel_bands, cfg.d_model, 3, padding=1)
        self.blocks = nn.ModuleList(ResidualConv(cfg.d_model, d) for d in cfg.dilations)
        self.register_buffer("centroids", torch.randn(cfg.clusters, cfg.d_model))

    def log_mel(self, wav):
        return torch.log(self.mel @ self.spectrogram(wav) + 1e-5)  # (B, mels, frames)

    def layers(self, wav):
        """Every block's output at 50 Hz: list of (B, D, frames)."""
        x = self.input(self.log_mel(wav))
        outs = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        return outs

    def features(self, wav):
        """(B, S, D) at 25 Hz from the feature layer."""
        x = self.layers(wav)[self.cfg.feature_layer - 1]
        return F.avg_pool1d(x, 2).transpose(1, 2)

    def forward(self, wav):
        x = self.features(wav)  # (B, S, D)
        distances = (x * x).sum(-1, keepdim=True) - 2 * x @ self.centroids.t() + (self.centroids ** 2).sum(-1)
        return distances.argmin(-1)
