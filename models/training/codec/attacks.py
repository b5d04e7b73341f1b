"""How a codec checkpoint renders attacks, on the eval's codec clips, without exporting a bundle.

    /usr/bin/python3 -m codec.attacks --checkpoint checkpoints/codec.fp16.pt [--clips work/eval/codec] [--levels 8]

Per set (piano, speech), medians over the clips, original and round trip: onsets a second by the
detector `sketchpad eval` uses (peaks of log-mel flux above a local median plus a tenth of the
clip's largest flux), that largest flux, the onsets a second the round trip would have with the
original's margin instead of its own, and the high bands' (above about 2.6 kHz) log-mel level
around the original's onsets. The eval's rhythm score hangs on these: a round trip whose strongest
attack is dull gets a low margin, and its ordinary frame-to-frame change passes for onsets.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from scipy.signal import resample_poly

from data.mel import mel_filterbank
from .model import load_codec_checkpoint

# The eval's analysis (electron/engine/eval/spectral.ts): 16 kHz, 512-point Hann frames every 10 ms, 80 bands.
SAMPLE_RATE, FFT_SIZE, HOP, BANDS = 16000, 512, 160, 80
HIGH_BANDS = slice(50, BANDS)  # above about 2.6 kHz
AROUND = range(-6, 4)  # frames around an onset, 10 ms each
FILTERBANK = mel_filterbank(SAMPLE_RATE, FFT_SIZE, BANDS)


def log_mel(audio16k: np.ndarray) -> np.ndarray:
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FFT_SIZE) / FFT_SIZE)
    frames = np.lib.stride_tricks.sliding_window_view(audio16k, FFT_SIZE)[::HOP] * window
    return np.log(np.maximum((np.abs(np.fft.rfft(frames)) ** 2) @ FILTERBANK.T, 1e-5))


def spectral_flux(frames: np.ndarray) -> np.ndarray:
    return np.r_[0.0, np.sqrt((np.maximum(0.0, np.diff(frames, axis=0)) ** 2).sum(1))]


def onset_frames(flux: np.ndarray, margin: float) -> list[int]:
    onsets, last = [], -10**9
    for t in range(1, len(flux) - 1):
        local = np.median(flux[max(0, t - 25):t + 25])
        if flux[t] > flux[t - 1] and flux[t] >= flux[t + 1] and flux[t] > local + margin and t - last >= 5:
            onsets.append(t)
            last = t
    return onsets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--checkpoint", type=Path, required=True, help="a published codec file or a run's best.pt / last.pt")
    parser.add_argument("--clips", type=Path, default=root / "work" / "eval" / "codec", help="folders piano/ and speech/ of 24 kHz WAVs")
    parser.add_argument("--levels", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, state = load_codec_checkpoint(args.checkpoint)

    report = {"checkpoint": str(args.checkpoint), "step": state.get("step"), "levels": args.levels}
    for domain in ("piano", "speech"):
        rows, deficits = [], []
        for path in sorted((args.clips / domain).glob("*.wav")):
            audio, rate = sf.read(path, dtype="float32")
            if rate != model.cfg.sample_rate:
                raise SystemExit(f"{path}: {rate} Hz, the codec takes {model.cfg.sample_rate} Hz")
            with torch.no_grad():
                decoded = model(torch.from_numpy(audio)[None, None], args.levels)[0][0, 0].numpy()[:len(audio)]
            original, round_trip = (log_mel(resample_poly(x, 2, 3)) for x in (audio, decoded))
            frames = min(len(original), len(round_trip))
            original, round_trip = original[:frames], round_trip[:frames]
            flux_original, flux_round_trip = spectral_flux(original), spectral_flux(round_trip)
            margin = 0.1 * flux_original.max()
            seconds = frames * HOP / SAMPLE_RATE
            onsets = onset_frames(flux_original, margin)
            rows.append((len(onsets) / seconds, len(onset_frames(flux_round_trip, 0.1 * flux_round_trip.max())) / seconds,
                         len(onset_frames(flux_round_trip, margin)) / seconds, flux_original.max(), flux_round_trip.max()))
            deficits += [[round_trip[t + k, HIGH_BANDS].mean() - original[t + k, HIGH_BANDS].mean() for k in AROUND]
                         for t in onsets if -AROUND.start <= t < frames - AROUND.stop]
        if not rows:
            raise SystemExit(f"no WAVs under {args.clips / domain}")
        medians = np.median(np.array(rows), 0)
        report[domain] = {
            "clips": len(rows),
            "onsets_per_second": {"original": round(medians[0], 2), "round_trip": round(medians[1], 2),
                                  "round_trip_at_original_margin": round(medians[2], 2)},
            "largest_flux": {"original": round(medians[3], 1), "round_trip": round(medians[4], 1)},
            "high_band_level_vs_original_nepers": {f"{k:+d}": round(v, 2) for k, v in zip(AROUND, np.median(np.array(deficits), 0))},
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
