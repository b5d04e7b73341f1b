"""Random fixed-length crops from the built dataset (or from a pack of it, see data/pack.py),
balanced between the domains asked for (piano and speech unless a run names one).

Within a domain a crop's clip is drawn either uniformly (`weighting="clip"`, every recipe before
session 19) or in proportion to its length (`"seconds"`, every second of audio alike): speech
clips average 2.4 s for asterisk's prompts and 12.5 s for LibriSpeech's readings, so by clip the
prompts make a third of the speech crops and LibriSpeech's read speech a seventh."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch

from common.domains import DOMAINS, checked_domains
from .augment import augment


WEIGHTINGS = ("clip", "seconds")


def crop_sampler(root: Path, split: str, crop_samples: int, sample_rate: int, seed: int,
                 augment_probability: float = 0.5, domains: tuple = DOMAINS,
                 weighting: str = "clip") -> "CropSampler | PackedCropSampler":
    """The sampler for `root`: a built dataset folder, or a pack (a folder with pack.json)."""
    if (root / "pack.json").exists():
        if split != "train":
            raise FileNotFoundError(f"{root} is a pack of training audio; it holds no {split} split")
        return PackedCropSampler(root, crop_samples, sample_rate, seed, augment_probability, domains, weighting)
    return CropSampler(root, split, crop_samples, sample_rate, seed, augment_probability, domains, weighting)


def checked_weighting(weighting: str) -> str:
    if weighting not in WEIGHTINGS:
        raise ValueError(f"crop weighting {weighting!r} is not one of {WEIGHTINGS}")
    return weighting


def draw(rng: np.random.Generator, lengths: np.ndarray, weighting: str) -> int:
    """An index into a domain's clips: uniform, or in proportion to `lengths`."""
    if weighting == "clip":
        return int(rng.integers(len(lengths)))
    return int(np.searchsorted(np.cumsum(lengths), rng.random() * lengths.sum(), side="right"))


def domain_crops(root: Path, domain: str, seconds: float, crop_seconds: float, sample_rate: int,
                 seed: int) -> Iterator[np.ndarray]:
    """About `seconds` of random training crops of one domain, `crop_seconds` each, augmented as in
    training: the sample a tool fits or counts codes on."""
    sampler = crop_sampler(root, "train", int(crop_seconds * sample_rate), sample_rate, seed, domains=(domain,))
    for _ in range(max(1, round(seconds / crop_seconds))):
        yield sampler.one()


def level_and_augment(audio: np.ndarray, rng: np.random.Generator, sample_rate: int, augment_probability: float) -> np.ndarray:
    if rng.random() < augment_probability:
        return augment(audio, rng, sample_rate)
    peak = np.max(np.abs(audio)) + 1e-9
    return (audio / peak * 10 ** (rng.uniform(-12, -1) / 20)).astype(np.float32)


class PackedCropSampler:
    """Crops from data/pack.py's single int16 array, the domains in equal shares."""

    def __init__(self, root: Path, crop_samples: int, sample_rate: int, seed: int, augment_probability: float = 0.5,
                 domains: tuple = DOMAINS, weighting: str = "clip"):
        self.weighting = checked_weighting(weighting)
        unpacked = root / "train.npy"
        if not unpacked.exists():  # the first sampler unpacks; the workers after it map the same file
            from .pack import decompress_audio
            partial = root / f"train.{os.getpid()}.npy"
            np.save(partial, decompress_audio((root / "train.xz").read_bytes()))
            partial.rename(unpacked)
        self.audio = np.load(unpacked, mmap_mode="r")
        segments = json.loads((root / "pack.json").read_text())["segments"]
        self.segments = {d: [s for s in segments if s["domain"] == d] for d in checked_domains(domains)}
        self.segments = {d: s for d, s in self.segments.items() if s}
        if not self.segments:
            raise FileNotFoundError(f"{root} packs no {' or '.join(domains)} audio")
        self.lengths = {d: np.array([s["length"] for s in segs], dtype=np.float64) for d, segs in self.segments.items()}
        self.crop, self.sample_rate, self.augment_probability = crop_samples, sample_rate, augment_probability
        self.rng = np.random.default_rng(seed)

    def refresh(self) -> None:
        """A pack does not grow."""

    def one(self) -> np.ndarray:
        domains = list(self.segments)
        domain = domains[self.rng.integers(len(domains))]
        segments = self.segments[domain]
        for _ in range(8):
            segment = segments[draw(self.rng, self.lengths[domain], self.weighting)]
            start = segment["start"] + int(self.rng.integers(0, max(1, segment["length"] - self.crop)))
            audio = self.audio[start: start + min(self.crop, segment["length"])].astype(np.float32) / 32768
            if audio.size < self.crop:
                audio = np.pad(audio, (0, self.crop - audio.size))
            if np.sqrt(np.mean(audio ** 2)) > 1e-3:
                break
        return level_and_augment(audio, self.rng, self.sample_rate, self.augment_probability)

    def batch(self, size: int) -> np.ndarray:
        return np.stack([self.one() for _ in range(size)])[:, None, :]


class _BatchStream(torch.utils.data.IterableDataset):
    def __init__(self, make_sampler: Callable[[int], "CropSampler | PackedCropSampler"], batch_size: int, seed: int):
        self.make_sampler, self.batch_size, self.seed = make_sampler, batch_size, seed

    def __iter__(self) -> Iterator[torch.Tensor]:
        info = torch.utils.data.get_worker_info()
        sampler = self.make_sampler(self.seed * 1000 + (info.id if info else 0))
        while True:
            yield torch.from_numpy(sampler.batch(self.batch_size))


def parallel_batches(make_sampler: Callable[[int], "CropSampler | PackedCropSampler"], batch_size: int, seed: int,
                     workers: int) -> Iterator[torch.Tensor]:
    """Endless batches made by `workers` processes, each with its own random stream: on a GPU the
    crops and their augmentation would otherwise leave it idle. workers=0 makes them in this process."""
    # Debian's torch 1.13 refuses any prefetch_factor, even None, without worker processes.
    prefetch = {"prefetch_factor": 4, "persistent_workers": True} if workers else {}
    return iter(torch.utils.data.DataLoader(_BatchStream(make_sampler, batch_size, seed), batch_size=None,
                                            num_workers=workers, **prefetch))


class CropSampler:
    def __init__(self, root: Path, split: str, crop_samples: int, sample_rate: int, seed: int,
                 augment_probability: float = 0.5, domains: tuple = DOMAINS, weighting: str = "clip"):
        self.root, self.split, self.crop, self.domains = root, split, crop_samples, checked_domains(domains)
        self.weighting = checked_weighting(weighting)
        self.sample_rate, self.augment_probability = sample_rate, augment_probability
        self.rng = np.random.default_rng(seed)
        import soundfile  # here, not at the top: a GPU machine that trains from a pack has no soundfile
        self.soundfile = soundfile
        self.refresh()

    def refresh(self) -> None:
        """Re-list the files: the dataset may still be growing while training starts."""
        self.files = {d: sorted((self.root / self.split / d).glob("*.wav")) for d in self.domains}
        if not any(self.files.values()):
            raise FileNotFoundError(f"no {' or '.join(self.domains)} audio under {self.root / self.split}: run data.build_dataset first")
        # Clip lengths are read only when they matter: a header read for each of some 2,000 files.
        self.lengths = {d: np.array([self.soundfile.info(f).frames if self.weighting == "seconds" else 1 for f in fs], dtype=np.float64)
                        for d, fs in self.files.items()}

    def one(self) -> np.ndarray:
        domains = [d for d, fs in self.files.items() if fs]
        domain = domains[self.rng.integers(len(domains))]
        path = self.files[domain][draw(self.rng, self.lengths[domain], self.weighting)]
        frames = self.soundfile.info(path).frames
        for _ in range(8):  # skip near-silent crops: they teach nothing
            start = int(self.rng.integers(0, max(1, frames - self.crop)))
            audio, _ = self.soundfile.read(path, start=start, frames=self.crop, dtype="float32")
            if audio.size < self.crop:
                audio = np.pad(audio, (0, self.crop - audio.size))
            if np.sqrt(np.mean(audio ** 2)) > 1e-3:
                break
        return level_and_augment(audio, self.rng, self.sample_rate, self.augment_probability)

    def batch(self, size: int) -> np.ndarray:
        return np.stack([self.one() for _ in range(size)])[:, None, :]  # [B, 1, T]
