"""Mel filterbank on the HTK mel scale (the formula the TypeScript eval uses too)."""
from __future__ import annotations

import numpy as np


def hz_to_mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(sample_rate: int, n_fft: int, bands: int, f_min: float = 0.0, f_max: float | None = None) -> np.ndarray:
    """[bands, n_fft/2+1] triangular filters on the HTK mel scale, each normalised to unit area."""
    f_max = f_max or sample_rate / 2
    bins = np.linspace(0, sample_rate / 2, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), bands + 2))
    fb = np.zeros((bands, bins.size))
    for b in range(bands):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        rising = (bins - lo) / max(mid - lo, 1e-9)
        falling = (hi - bins) / max(hi - mid, 1e-9)
        fb[b] = np.clip(np.minimum(rising, falling), 0, None)
        area = fb[b].sum()
        if area > 0:
            fb[b] /= area
    return fb
