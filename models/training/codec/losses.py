"""Reconstruction losses: multi-resolution STFT (spectral convergence + log magnitude), multi-scale mel L1,
a negative SI-SDR for waveform (phase) fidelity, and a spectral-flux term for onsets."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from data.mel import mel_filterbank


def stft_magnitude(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    window = torch.hann_window(n_fft, device=x.device)
    spec = torch.stft(x.squeeze(1), n_fft, hop, window=window, return_complex=True)
    return spec.abs().clamp_min(1e-7)  # [B, n_fft/2+1, frames]


class MultiResolutionLoss(torch.nn.Module):
    def __init__(self, sample_rate: int, resolutions=((2048, 512), (1024, 256), (512, 128), (256, 64), (128, 32)),
                 mel_bands: int = 64, floor_db: float | None = None):
        """floor_db: the log terms' floor, in dB under a full-scale sine's peak bin at each resolution.
        Without it the floors sit near -190 dB (1e-7), where most of a piano's STFT bins lie (a
        synthesised piano is almost empty above 8 kHz) and most of the log-magnitude loss comes from
        them: the decoder is asked to shape noise far below anything heard or measured (the eval's
        log-mel floor is about -92 dB)."""
        super().__init__()
        self.resolutions = resolutions
        self.floor_db = floor_db
        for n_fft, _ in resolutions:
            bands = min(mel_bands, n_fft // 4)
            self.register_buffer(f"mel_{n_fft}", torch.from_numpy(mel_filterbank(sample_rate, n_fft, bands)).float())

    def forward(self, estimate: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        sc, log_mag, mel = 0.0, 0.0, 0.0
        for n_fft, hop in self.resolutions:
            est, ref = stft_magnitude(estimate, n_fft, hop), stft_magnitude(target, n_fft, hop)
            sc = sc + torch.linalg.norm(ref - est) / torch.linalg.norm(ref).clamp_min(1e-7)
            fb = getattr(self, f"mel_{n_fft}")
            if self.floor_db is None:
                bin_floor, mel_floor = 1e-7, 1e-5
            else:
                bin_floor = n_fft / 4 * 10 ** (self.floor_db / 20)
                mel_floor = (fb.sum(1, keepdim=True) * bin_floor).clamp_min(1e-5)  # a flat spectrum at the floor, per band
            log_mag = log_mag + F.l1_loss(est.clamp_min(bin_floor).log(), ref.clamp_min(bin_floor).log())
            mel = mel + F.l1_loss((fb @ est).clamp_min(mel_floor).log(), (fb @ ref).clamp_min(mel_floor).log())
        n = len(self.resolutions)
        return {"spectral_convergence": sc / n, "log_magnitude": log_mag / n, "mel": mel / n}


def negative_si_sdr(estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of -SI-SDR in dB. Unlike a waveform L1, whose size follows the signal's
    level and is dwarfed by the spectral terms, it weighs quiet and loud crops alike."""
    estimate, target = estimate.flatten(1), target.flatten(1)
    scale = (estimate * target).sum(1, keepdim=True) / (target.pow(2).sum(1, keepdim=True) + 1e-8)
    projection = scale * target
    ratio = projection.pow(2).sum(1) / ((estimate - projection).pow(2).sum(1) + 1e-8)
    return -(10 * torch.log10(ratio + 1e-8)).mean()


class FluxLoss(torch.nn.Module):
    """L1 between the spectral flux (frame-to-frame rise of the log-mel spectrum, as `sketchpad
    eval` counts onsets: 32 ms frames every 10 ms, 80 bands) of the estimate and of the target.
    The mel terms score each frame alone, so a decoder can meet them while its noise floor
    flickers from frame to frame and its attacks are soft: the eval then hears about 9 onsets a
    second in every clip. This term scores the changes themselves."""

    def __init__(self, sample_rate: int, bands: int = 80):
        super().__init__()
        self.n_fft, self.hop = round(0.032 * sample_rate), round(0.010 * sample_rate)
        self.register_buffer("mel", torch.from_numpy(mel_filterbank(sample_rate, self.n_fft, bands, f_max=8000.0)).float())

    def log_mel(self, x: torch.Tensor) -> torch.Tensor:
        """Log mel power framed as `sketchpad eval` frames it (32 ms every 10 ms, 80 bands to 8 kHz,
        floor 1e-5), at the codec's rate rather than the eval's 16 kHz: [B, bands, frames]."""
        return (self.mel @ stft_magnitude(x, self.n_fft, self.hop) ** 2).clamp_min(1e-5).log()

    def flux(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.log_mel(x).diff(dim=-1)).pow(2).sum(1).add(1e-8).sqrt()  # [B, frames - 1]

    def heard_mel_l1(self, estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The eval's log-mel L1, which ignores what lies under its floor (about -92 dB)."""
        return F.l1_loss(self.log_mel(estimate), self.log_mel(target))

    def forward(self, estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        reference = self.flux(target)
        return F.l1_loss(self.flux(estimate), reference) / reference.mean().clamp_min(1e-3)
