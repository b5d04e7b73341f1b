"""A post-filter behind the codec decoder: per-bin spectral gains that undo what the decoder does
to attacks and to the noise floor.

The decoder's attacks are soft (the bands above about 2.6 kHz sit 6-8 dB low for 40 ms after an
onset and a little high just before it) and its noise floor flickers from frame to frame, so the
eval's onset detector hears about twice the onsets of the original (`codec.attacks`). A gain per
STFT bin, predicted from the decoded spectrogram's neighbourhood (about +-70 ms), can sharpen the
attack and steady the floor without touching the phase the decoder made. The STFT and its inverse
are fixed convolutions, so the whole filter exports to ONNX as audio -> audio.

    /usr/bin/python3 -m codec.postfilter --codec checkpoints/codec-piano.fp16.pt --domain piano \
        --out work/postfilter-piano [--minutes 30] [--fine-lm checkpoints/fine_lm-piano.fp16.pt]

Trains on round trips of training crops through the frozen codec; scores the eval's log-mel L1
and spectral-flux L1 against the original, checkpoints every few minutes and resumes. With
`--fine-lm`, half the crops (`--sampled-share`) keep their first 40 frames and their coarse levels
but have the fine levels drawn by that fine LM as the engine draws them, so the filter also learns
to clean what the fine stage adds (the fine LM is nearly blind: its draws flicker more than
leaving the fine levels out). Publish: copy `best.pt` (fp16 weights and config) to
`checkpoints/postfilter-<domain>.fp16.pt`.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torch.nn as nn
import torch.nn.functional as F

from lm.models import FineLM, LmConfig
from .losses import FluxLoss
from .model import load_codec_checkpoint


class ConvStft(nn.Module):
    """Hann-windowed STFT and its overlap-add inverse as convolutions, ONNX-friendly."""

    def __init__(self, n_fft: int, hop: int):
        super().__init__()
        self.n_fft, self.hop, self.bins = n_fft, hop, n_fft // 2 + 1
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(self.bins, dtype=torch.float64)[:, None]
        window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
        angle = 2 * np.pi * k * n / n_fft
        forward = torch.cat([torch.cos(angle), -torch.sin(angle)]) * window  # real, imaginary rows
        weight = torch.full((self.bins, 1), 2.0, dtype=torch.float64)
        weight[0] = weight[-1] = 1.0
        inverse = torch.cat([weight * torch.cos(angle), -weight * torch.sin(angle)]) * window / n_fft
        self.register_buffer("forward_basis", forward.float()[:, None, :])
        self.register_buffer("inverse_basis", inverse.float()[:, None, :])
        self.register_buffer("window_square", (window ** 2).float()[None, None, :])

    def analyse(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """audio [B, 1, T] -> real, imaginary [B, bins, frames]."""
        padded = F.pad(audio, (self.n_fft // 2, self.n_fft // 2))
        spec = F.conv1d(padded, self.forward_basis, stride=self.hop)
        return spec[:, : self.bins], spec[:, self.bins:]

    def synthesise(self, real: torch.Tensor, imaginary: torch.Tensor, samples: int) -> torch.Tensor:
        frames = F.conv_transpose1d(torch.cat([real, imaginary], 1), self.inverse_basis, stride=self.hop)
        envelope = F.conv_transpose1d(torch.ones_like(real[:, :1]), self.window_square, stride=self.hop)
        audio = (frames / envelope.clamp_min(1e-3))[:, 0, self.n_fft // 2: self.n_fft // 2 + samples]
        return audio.unsqueeze(1)  # a channel axis ONNX knows is 1


class Residual(nn.Module):
    def __init__(self, channels: int, dilation: int):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 5, padding=2 * dilation, dilation=dilation)
        self.mix = nn.Conv1d(channels, channels, 1)

    def forward(self, x):
        return x + self.mix(F.gelu(self.conv(F.gelu(x))))


class PostFilter(nn.Module):
    """audio [B, 1, T] -> audio [B, 1, T]: the decoder's output with a gain on every STFT bin."""

    def __init__(self, n_fft: int = 512, hop: int = 128, channels: int = 160, max_log_gain: float = 1.5, level: str = "input"):
        super().__init__()
        # level "input": the mean log-magnitude of all it is given; "local": a 0.7 s moving mean, so
        # a clip's pauses do not change the gains elsewhere.
        self.config = {"n_fft": n_fft, "hop": hop, "channels": channels, "max_log_gain": max_log_gain, "level": level}
        self.level = level
        self.stft = ConvStft(n_fft, hop)
        bins = n_fft // 2 + 1
        self.inp = nn.Conv1d(bins, channels, 5, padding=2)
        self.body = nn.Sequential(*(Residual(channels, d) for d in (1, 2, 4, 8)))
        self.out = nn.Conv1d(channels, bins, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.max_log_gain = max_log_gain

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        real, imaginary = self.stft.analyse(audio)
        log_magnitude = 0.5 * torch.log(real * real + imaginary * imaginary + 1e-10)
        # Level-free input: the same sound quieter gets the same gains.
        if self.level == "local":
            level = F.avg_pool1d(log_magnitude.mean(dim=1, keepdim=True), 129, stride=1, padding=64, count_include_pad=False)
        else:
            level = log_magnitude.mean(dim=(1, 2), keepdim=True)
        x = self.body(self.inp(log_magnitude - level))
        gain = torch.exp(self.max_log_gain * torch.tanh(self.out(F.gelu(x))))
        return self.stft.synthesise(real * gain, imaginary * gain, audio.shape[-1])


def load_postfilter(path: Path) -> tuple[PostFilter, dict]:
    """A published filter (or a run's best.pt) and its checkpoint (step, validation figures)."""
    state = torch.load(path, map_location="cpu")
    model = PostFilter(**state["config"])
    model.load_state_dict({k: v.float() for k, v in state["model"].items()})
    return model.eval(), state


@torch.no_grad()
def sample_fine_levels(fine_lm: FineLM, codes: torch.Tensor, known: int, temperature: float, top_k: int) -> torch.Tensor:
    """codes [B, Q, F] -> the same with the fine levels of frames >= known drawn level by level, as
    the engine's fine stage draws them (one window: crops are shorter than the fine LM's context)."""
    cfg = fine_lm.cfg
    grid = codes[:, : cfg.levels].transpose(1, 2).clone()
    for level in range(cfg.coarse_levels, cfg.levels):
        masked = grid.clone()
        masked[:, known:, level:] = cfg.codebook_size
        logits = fine_lm(masked, torch.tensor(level))[:, known:] / temperature
        threshold = torch.topk(logits, top_k, -1).values[..., -1:]
        logits = logits.masked_fill(logits < threshold, float("-inf"))
        grid[:, known:, level] = torch.distributions.Categorical(logits=logits).sample()
    return grid.transpose(1, 2)


def load_fine_lm(path: Path) -> FineLM:
    state = torch.load(path, map_location="cpu")
    model = FineLM(LmConfig.from_dict(state["config"]["lm"]))
    model.load_state_dict({k: v.float() for k, v in state["model"].items()})
    return model.eval()


def round_trip_crops(codec, files: list[Path], count: int, seconds: float, rate: int, seed: int,
                     fine_lm: FineLM | None = None, sampled_share: float = 0.0, fine_sampling: tuple[float, int] = (0.6, 20),
                     decode_levels: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` crops (originals, round trips decoded from the first `decode_levels` levels) from
    random places in random files; the first `sampled_share` of them with their fine levels drawn
    by `fine_lm` after 40 frames."""
    rng = random.Random(seed)
    length = int(seconds * rate) // codec.cfg.hop * codec.cfg.hop
    originals = []
    while len(originals) < count:
        path = rng.choice(files)
        info = sf.info(path)
        if info.frames < length or info.samplerate != rate:
            continue
        start = rng.randrange(0, info.frames - length + 1)
        audio, _ = sf.read(path, start=start, frames=length, dtype="float32", always_2d=True)
        audio = audio.mean(1)
        if np.sqrt((audio ** 2).mean()) < 1e-3:
            continue
        originals.append(torch.from_numpy(audio))
    originals = torch.stack(originals)[:, None]
    sampled = round(count * sampled_share) if fine_lm is not None else 0
    decoded = []
    for i in range(0, count, 8):
        codes = codec.encode(originals[i:i + 8])[:, :8]
        if i < sampled:
            torch.manual_seed(seed * 100003 + i)
            codes = sample_fine_levels(fine_lm, codes, 40, *fine_sampling)
        decoded.append(codec.decode(codes[:, :decode_levels])[..., :length])
    return originals, torch.cat(decoded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--codec", type=Path, required=True)
    parser.add_argument("--domain", choices=["piano", "speech"], action="append", required=True)
    parser.add_argument("--data", type=Path, default=root / "work" / "data")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--crops", type=int, default=480)
    parser.add_argument("--flux-weight", type=float, default=1.0)
    parser.add_argument("--level", choices=["input", "local"], default="input", help="what the input is normalised by")
    parser.add_argument("--fine-lm", type=Path, help="draw the fine levels of --sampled-share of the crops with this fine LM")
    parser.add_argument("--sampled-share", type=float, default=0.5)
    parser.add_argument("--fine-temperature", type=float, default=0.6, help="the bundle's fine sampling")
    parser.add_argument("--fine-top-k", type=int, default=20)
    parser.add_argument("--decode-levels", type=int, default=8,
                        help="decode the round trips from this many levels: a filter for a bundle without a fine stage decodes the coarse levels alone")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    codec, _ = load_codec_checkpoint(args.codec)
    codec.eval()
    rate = codec.cfg.sample_rate
    args.out.mkdir(parents=True, exist_ok=True)
    cache = args.out / "crops.pt"
    if cache.exists():
        crops = torch.load(cache)
    else:
        with torch.no_grad():
            train_files = [p for d in args.domain for p in sorted((args.data / "train" / d).glob("*.wav"))]
            valid_files = [p for d in args.domain for p in sorted((args.data / "valid" / d).glob("*.wav"))]
            fine_lm = load_fine_lm(args.fine_lm) if args.fine_lm else None
            sampling = dict(fine_lm=fine_lm, sampled_share=args.sampled_share, fine_sampling=(args.fine_temperature, args.fine_top_k),
                            decode_levels=args.decode_levels)
            seconds = 2.0 if fine_lm else 1.5  # room for 40 known frames and 60 drawn
            crops = {"train": round_trip_crops(codec, train_files, args.crops, seconds, rate, 1, **sampling),
                     "valid": round_trip_crops(codec, valid_files, 48, 3.0, rate, 2, **sampling)}
        torch.save(crops, cache)
    model = PostFilter(level=args.level)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    flux = FluxLoss(rate)
    step, best = 0, float("inf")
    last = args.out / "last.pt"
    if last.exists():
        state = torch.load(last)
        model.load_state_dict(state["model"]), optimiser.load_state_dict(state["optimiser"])
        step, best = state["step"], state["best"]

    valid_original, valid_decoded = crops["valid"]
    with torch.no_grad():
        unfiltered = {"mel_unfiltered": float(flux.heard_mel_l1(valid_decoded, valid_original)),
                      "flux_unfiltered": float(flux(valid_decoded, valid_original))}

    def score() -> dict[str, float]:
        with torch.no_grad():
            filtered = torch.cat([model(valid_decoded[i:i + 8]) for i in range(0, len(valid_decoded), 8)])
            return {"mel": float(flux.heard_mel_l1(filtered, valid_original)), "flux": float(flux(filtered, valid_original)), **unfiltered}

    def save(path: Path) -> None:
        torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step, "best": best}, path)

    started, checkpointed = time.time(), time.time()
    originals, decoded = crops["train"]
    while time.time() - started < args.minutes * 60:
        model.train()
        batch = torch.randint(0, len(originals), (8,))
        estimate = model(decoded[batch])
        loss = flux.heard_mel_l1(estimate, originals[batch]) + args.flux_weight * flux(estimate, originals[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        if step % 100 == 0:
            model.eval()
            figures = score()
            total = figures["mel"] + args.flux_weight * figures["flux"]
            if total < best:
                best = total
                torch.save({"model": {k: v.half() for k, v in model.state_dict().items()}, "config": model.config,
                            "decode_levels": args.decode_levels, "step": step, "valid": figures, "codec": str(args.codec)}, args.out / "best.pt")
            print(json.dumps({"step": step, "loss": round(float(loss), 4), **{k: round(v, 4) for k, v in figures.items()}}), flush=True)
        if time.time() - checkpointed > 180:
            save(last)
            checkpointed = time.time()
    save(last)


if __name__ == "__main__":
    main()
