"""Add a key profile to a bundle: what each first-level code sounds like in pitch classes.

Every frame of the domain's training audio goes through the bundle's own codec (the checkpoint its
card names); the table holds, per first-level code, the mean 12-bin pitch-class profile of the
audio around the frames that drew it (the eval's chroma: sqrt power, 65 Hz to 2 kHz, 2048-point
spectra at 16 kHz). `key_profile.onnx` sums those rows over a run of codes, so the engine can tell,
before decoding anything, which of several drawn takes keeps nearest the prompt's key. The first
level alone: on the piano validation audio its estimate follows the true chroma of 8 s spans
better than the second and third levels' or all three summed (see models/training/README.md).

    /usr/bin/python3 -m export.key_profile --bundle ../sketchpad-piano --data work/data --domain piano

Writes key_profile.onnx into the bundle and adds the stage `keyProfile` to its bundle.json; the
other files are left as they are.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import soundfile
import torch
from scipy.signal import resample_poly

from codec.model import Codec, CodecConfig, load_codec_weights
from common.run import load_config
from .export_bundle import export_onnx, round_to_fp16, strip_weight_norm

ANALYSIS_RATE = 16000
FFT_SIZE = 2048
CHECKPOINTS = Path(__file__).resolve().parents[1] / "checkpoints"


def pitch_class_bins() -> np.ndarray:
    """For each bin of a 2048-point spectrum at 16 kHz: its pitch class, or -1 outside 65 Hz - 2 kHz."""
    freqs = np.arange(FFT_SIZE // 2 + 1) * ANALYSIS_RATE / FFT_SIZE
    classes = np.full(freqs.shape, -1)
    inside = (freqs >= 65) & (freqs <= 2000)
    classes[inside] = (np.round(12 * np.log2(freqs[inside] / 440)).astype(int) + 69) % 12
    return classes


def frame_profiles(audio16k: np.ndarray, hop: int) -> np.ndarray:
    """[frames, 12] unnormalised pitch-class profiles of Hann frames starting every `hop` samples."""
    classes = pitch_class_bins()
    window = np.hanning(FFT_SIZE + 1)[:-1]
    starts = np.arange(0, len(audio16k) - FFT_SIZE + 1, hop)
    out = np.zeros((len(starts), 12))
    for i in range(0, len(starts), 512):
        block = np.stack([audio16k[s:s + FFT_SIZE] for s in starts[i:i + 512]]) * window
        magnitude = np.abs(np.fft.rfft(block, axis=1))
        for pc in range(12):
            out[i:i + len(block), pc] = magnitude[:, classes == pc].sum(axis=1)
    return out


class KeyProfileGraph(torch.nn.Module):
    """codes [batch, levels, frames] -> the summed first-level rows [batch, 12]."""

    def __init__(self, table: np.ndarray):
        super().__init__()
        self.register_buffer("table", torch.tensor(table, dtype=torch.float32))

    def forward(self, codes):
        return self.table[codes[:, 0, :]].sum(dim=1)


def fit_table(codec: Codec, files: list[Path], codebook_size: int, hop: int, sample_rate: int, seconds_per_file: float) -> tuple[np.ndarray, np.ndarray, float]:
    sums = np.zeros((codebook_size, 12))
    counts = np.zeros(codebook_size)
    analysis_hop = hop * ANALYSIS_RATE // sample_rate
    # A frame's 2048-point spectrum centres this many codec frames after its start.
    lead = round(FFT_SIZE / 2 / analysis_hop)
    seconds = 0.0
    for n, path in enumerate(files):
        audio, rate = soundfile.read(path, dtype="float32", always_2d=True)
        audio = audio.mean(axis=1)
        if rate != sample_rate:
            raise SystemExit(f"{path} is {rate} Hz; the data is built at the codec's {sample_rate} Hz")
        # The middle of each file: every piece and voice heard, in the time the CPU encoder takes.
        keep = min(len(audio), int(seconds_per_file * sample_rate))
        start = (len(audio) - keep) // 2
        audio = audio[start:start + keep // hop * hop]
        seconds += len(audio) / sample_rate
        codes = []
        chunk = sample_rate * 20
        for start in range(0, len(audio), chunk):
            piece = torch.from_numpy(audio[start:start + chunk]).view(1, 1, -1)
            codes.append(codec.encode(piece)[0, 0].numpy())
        first = np.concatenate(codes)
        profiles = frame_profiles(resample_poly(audio, ANALYSIS_RATE // 8000, sample_rate // 8000), analysis_hop)
        usable = min(len(first) - lead, len(profiles))
        np.add.at(sums, first[lead:lead + usable], profiles[:usable])
        np.add.at(counts, first[lead:lead + usable], 1)
        print(f"{n + 1}/{len(files)} {path.name}: {seconds / 3600:.2f} h so far", flush=True)
    # A code the data never drew keeps the mean row, so it neither helps nor hurts a take.
    mean_row = sums.sum(axis=0) / max(1, counts.sum())
    table = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], mean_row)
    return table, counts, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, required=True, help="the bundle folder (its bundle.json names the codec checkpoint)")
    parser.add_argument("--data", type=Path, required=True, help="data.build_dataset's output")
    parser.add_argument("--domain", choices=("piano", "speech"), required=True)
    parser.add_argument("--codec", type=Path, help="the codec checkpoint; default: checkpoints/ + the card's codec.checkpoint")
    parser.add_argument("--config", type=Path, help="the bundle config (for the codec's shape); default: configs/bundle-<domain>.json")
    parser.add_argument("--candidates-per-take", type=int, choices=(1, 2, 3, 4),
                        help="takes the engine draws per take kept when a job does not say; default: the engine's (2)")
    parser.add_argument("--by-pace", action="store_true",
                        help="choose the takes kept by pace as well as key (the engine hears each take's first seconds; piano, session 34)")
    parser.add_argument("--hear-seconds", type=float,
                        help="with --by-pace: the seconds of each take heard (default: the first decoder chunk, ~4.6 s; speech 6, session 35)")
    parser.add_argument("--key-from-heard", action="store_true",
                        help="with --by-pace: compare key on the heard audio's pitch classes, not the coarse codes' profile (speech, session 35)")
    parser.add_argument("--seconds-per-file", type=float, default=60, help="the middle this long of each training file (the encoder runs ~6x real time on 2 cores)")
    args = parser.parse_args()
    if (args.hear_seconds or args.key_from_heard) and not args.by_pace:
        parser.error("--hear-seconds and --key-from-heard describe the choice by pace: they need --by-pace")

    manifest_path = args.bundle / "bundle.json"
    manifest = json.loads(manifest_path.read_text())
    codec_path = args.codec or CHECKPOINTS / manifest["card"]["codec"]["checkpoint"]
    args.set = []
    args.config = args.config or Path(__file__).resolve().parents[1] / "configs" / f"bundle-{args.domain}.json"
    config = load_config(args)
    codec = Codec(CodecConfig(**config["codec"]))
    load_codec_weights(codec, torch.load(codec_path, map_location="cpu")["model"])
    codec = strip_weight_norm(codec)
    round_to_fp16(codec)  # as the bundle's fp16 encoder computes
    acoustic = manifest["acoustic"]
    files = sorted((args.data / "train" / args.domain).glob("*.wav"))
    if not files:
        raise SystemExit(f"no training audio in {args.data / 'train' / args.domain}")
    started = time.time()
    torch.set_num_threads(2)
    table, counts, seconds = fit_table(codec, files, acoustic["codebookSize"], acoustic["hop"], manifest["sampleRate"], args.seconds_per_file)
    levels = acoustic["coarseLevels"]
    with torch.no_grad():
        stage = export_onnx(KeyProfileGraph(table), (torch.zeros(1, levels, 8, dtype=torch.long),), args.bundle / "key_profile.onnx",
                            {"codes": ("int64", ["batch", levels, "frames"])}, {"profile": ("float32", ["batch", 12])})
    if args.candidates_per_take:
        stage["candidatesPerTake"] = args.candidates_per_take
    if args.by_pace:
        stage["byPace"] = True
    if args.hear_seconds:
        stage["hearSeconds"] = args.hear_seconds
    if args.key_from_heard:
        stage["keyFromHeard"] = True
    manifest["stages"]["keyProfile"] = stage
    manifest["card"]["keyProfile"] = {
        "data": f"{seconds / 3600:.2f} h of {args.domain} training audio through {codec_path.name}",
        "codesSeen": int((counts > 0).sum()),
        "fitSeconds": round(time.time() - started),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {args.bundle / 'key_profile.onnx'}: {int((counts > 0).sum())} of {len(counts)} codes seen in {seconds / 3600:.2f} h")


if __name__ == "__main__":
    main()
