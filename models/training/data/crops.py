"""Random fixed-length crops from the built dataset, balanced between piano and speech."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from .augment import augment


class CropSampler:
    def __init__(self, root: Path, split: str, crop_samples: int, sample_rate: int, seed: int,
                 augment_probability: float = 0.5):
        self.root, self.split, self.crop = root, split, crop_samples
        self.sample_rate, self.augment_probability = sample_rate, augment_probability
        self.rng = np.random.default_rng(seed)
        self.refresh()

    def refresh(self) -> None:
        """Re-list the files: the dataset may still be growing while training starts."""
        self.files = {d: sorted((self.root / self.split / d).glob("*.wav")) for d in ("piano", "speech")}
        self.files = {d: [f for f in fs if not f.name.endswith(".part.wav")] for d, fs in self.files.items()}
        if not any(self.files.values()):
            raise FileNotFoundError(f"no audio under {self.root / self.split}: run data.build_dataset first")

    def one(self) -> np.ndarray:
        domains = [d for d, fs in self.files.items() if fs]
        domain = domains[self.rng.integers(len(domains))]
        path = self.files[domain][self.rng.integers(len(self.files[domain]))]
        for _ in range(8):  # skip near-silent crops: they teach nothing
            frames = sf.info(path).frames
            start = int(self.rng.integers(0, max(1, frames - self.crop)))
            audio, _ = sf.read(path, start=start, frames=self.crop, dtype="float32")
            if audio.size < self.crop:
                audio = np.pad(audio, (0, self.crop - audio.size))
            if np.sqrt(np.mean(audio ** 2)) > 1e-3:
                break
        if self.rng.random() < self.augment_probability:
            return augment(audio, self.rng, self.sample_rate)
        peak = np.max(np.abs(audio)) + 1e-9
        return audio / peak * 10 ** (self.rng.uniform(-12, -1) / 20)

    def batch(self, size: int) -> np.ndarray:
        return np.stack([self.one() for _ in range(size)])[:, None, :]  # [B, 1, T]
