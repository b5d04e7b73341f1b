"""A multi-scale STFT discriminator (EnCodec's MS-STFTD, smaller) with hinge losses and feature
matching, for the codec's optional adversarial phase.

    wav [B, 1, T] -> per scale: (logits [B, 1, F', T'], features [list of maps])
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import weight_norm


class StftDiscriminator(nn.Module):
    def __init__(self, n_fft: int, channels: int = 24):
        super().__init__()
        self.n_fft = n_fft
        self.register_buffer("window", torch.hann_window(n_fft))
        c = channels
        self.convs = nn.ModuleList([
            weight_norm(nn.Conv2d(2, c, (3, 9), padding=(1, 4))),
            weight_norm(nn.Conv2d(c, c, (3, 9), stride=(2, 1), dilation=(1, 1), padding=(1, 4))),
            weight_norm(nn.Conv2d(c, c, (3, 9), stride=(2, 1), dilation=(1, 2), padding=(1, 8))),
            weight_norm(nn.Conv2d(c, c, (3, 9), stride=(2, 1), dilation=(1, 4), padding=(1, 16))),
            weight_norm(nn.Conv2d(c, c, (3, 3), padding=(1, 1))),
        ])
        self.out = weight_norm(nn.Conv2d(c, 1, (3, 3), padding=(1, 1)))

    def forward(self, wav):
        spec = torch.stft(wav.squeeze(1), self.n_fft, self.n_fft // 4, window=self.window, return_complex=True)
        x = torch.stack([spec.real, spec.imag], 1).transpose(2, 3)  # (B, 2, T, F)
        features = []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.2)
            features.append(x)
        return self.out(x), features


class MultiScaleStftDiscriminator(nn.Module):
    def __init__(self, scales=(1024, 512, 256)):
        super().__init__()
        self.discriminators = nn.ModuleList(StftDiscriminator(n) for n in scales)

    def forward(self, wav):
        return [d(wav) for d in self.discriminators]


def discriminator_loss(real, fake) -> torch.Tensor:
    """Hinge: real logits above 1, fake below -1."""
    return sum(F.relu(1 - r).mean() + F.relu(1 + f).mean() for (r, _), (f, _) in zip(real, fake)) / len(real)


def generator_losses(real, fake) -> tuple[torch.Tensor, torch.Tensor]:
    """(adversarial hinge, feature matching: L1 of feature maps relative to the real ones' scale)."""
    adversarial = sum(F.relu(1 - f).mean() for f, _ in fake) / len(fake)
    matching = 0.0
    count = 0
    for (_, real_features), (_, fake_features) in zip(real, fake):
        for r, f in zip(real_features, fake_features):
            matching = matching + F.l1_loss(f, r.detach()) / (r.detach().abs().mean() + 1e-5)
            count += 1
    return adversarial, matching / count
