"""Augmentation applied on the fly to training crops: gain, EQ tilt, synthetic room, noise, soft compression.

So that recorded pianos and voices in real rooms are not out of distribution for models trained on
dry renders.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve, lfilter


def synthetic_room(rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    rt60 = rng.uniform(0.15, 0.9)
    length = int(sample_rate * min(rt60, 0.6))
    t = np.arange(length) / sample_rate
    tail = rng.standard_normal(length) * np.exp(-6.9 * t / rt60)
    tail[: int(0.005 * sample_rate)] = 0.0  # pre-delay before the first reflections
    ir = tail / (np.sqrt(np.sum(tail ** 2)) + 1e-9)
    ir[0] = 1.0
    return ir


def tilt(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A first-order shelf: tips the spectrum darker or brighter by a few dB."""
    a = rng.uniform(-0.6, 0.6)
    return lfilter([1.0, -a], [1.0], audio) / (1 + abs(a))


def augment(audio: np.ndarray, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    out = audio.astype(np.float64)
    if rng.random() < 0.4:
        out = tilt(out, rng)
    if rng.random() < 0.4:
        wet = fftconvolve(out, synthetic_room(rng, sample_rate))[: out.size]
        mix = rng.uniform(0.1, 0.5)
        out = (1 - mix) * out + mix * wet * (np.std(out) / (np.std(wet) + 1e-9))
    if rng.random() < 0.3:
        drive = rng.uniform(1.5, 4.0)
        out = np.tanh(drive * out) / np.tanh(drive)
    peak = np.max(np.abs(out)) + 1e-9
    out = out / peak * 10 ** (rng.uniform(-18, -1) / 20)
    if rng.random() < 0.3:
        out = out + rng.standard_normal(out.size) * 10 ** (rng.uniform(-70, -45) / 20)
    return out.astype(np.float32)
