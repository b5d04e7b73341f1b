"""Train the codec. Resumable: rerun the same command and it continues from OUT/last.pt.

    /usr/bin/python3 -m codec.train --config configs/codec.json --data work/data --out work/codec
        [--device cuda] [--max-minutes 120] [--max-steps N]

Train settings beyond the config's, for fine-tuning the decoder behind frozen tokens:
`train_levels` (every step decodes exactly that many levels instead of quantiser dropout: a decoder
specialised for the bitrate the LMs model), `valid_levels` (validate and pick best.pt at that
bitrate) and `decay` ({"from": step, "to": step}: cosine decay of the learning rate to a tenth
between those steps), e.g. --set train.train_levels=8 --set train.valid_levels=8
--set 'train.decay={"from":2300,"to":5000}'. `si_sdr_weight` adds a -SI-SDR (dB) term for waveform
fidelity; the waveform L1 (`waveform_weight`) is too small beside the spectral terms to move it.
`flux_weight` adds losses.FluxLoss, which scores frame-to-frame change (onsets, flicker).
`heard_mel_weight` adds the eval's own log-mel L1 (FluxLoss.heard_mel_l1: 32 ms frames, 80 bands to
8 kHz), which the multi-resolution mel terms only approximate. `train_levels` may also be a list
(e.g. [8, 12]): each step decodes one of those bitrates, drawn at random, so the levels past the
LMs' 8 keep training; every listed bitrate is then also validated and logged.
`snapshot_from` (a step) keeps each later checkpoint's weights under OUT/snapshots/ for
codec.publish --average-snapshots. `log_floor_db` (e.g. -100) floors the spectral log terms that
many dB under a full-scale sine, so bins too quiet to hear stop steering the decoder
(losses.MultiResolutionLoss).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from common.domains import DOMAINS, run_domains
from common.run import Budget, load_config, scheduled_rate, save_atomically, training_parser
from data.crops import CropSampler, crop_sampler, parallel_batches
from .discriminator import MultiScaleStftDiscriminator, discriminator_loss, generator_losses
from .losses import FluxLoss, MultiResolutionLoss, negative_si_sdr
from .model import Codec, CodecConfig, load_codec_weights


def log_mel_l1(estimate: torch.Tensor, target: torch.Tensor, loss: MultiResolutionLoss) -> float:
    return float(loss(estimate, target)["mel"])


def median_si_sdr(estimate: torch.Tensor, target: torch.Tensor) -> float:
    """Median over the batch of scale-invariant SDR in dB (the codec is delay-free by construction)."""
    estimate, target = estimate.flatten(1).double(), target.flatten(1).double()
    scale = (estimate * target).sum(1, keepdim=True) / (target.pow(2).sum(1, keepdim=True) + 1e-12)
    projection = scale * target
    ratio = projection.pow(2).sum(1) / ((estimate - projection).pow(2).sum(1) + 1e-12)
    return float((10 * torch.log10(ratio + 1e-12)).median())


def main() -> None:
    parser = training_parser(__doc__)
    parser.add_argument("--init", type=Path, default=Path(__file__).resolve().parents[1] / "checkpoints" / "codec.fp16.pt",
                        help="committed weights to start from when OUT has no last.pt (a fresh machine)")
    args = parser.parse_args()
    budget = Budget(args)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    config = load_config(args)
    cfg, tc = CodecConfig(**config["model"]), config["train"]
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(tc["seed"])
    model = Codec(cfg).to(device)
    if tc.get("frozen_token_levels"):
        model.freeze_tokens(tc["frozen_token_levels"])
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=tc["learning_rate"], betas=(0.5, 0.9))
    # The adversarial phase (optional): a multi-scale STFT discriminator from `adversarial.start_step` on.
    adversarial = tc.get("adversarial")
    discriminator = MultiScaleStftDiscriminator().to(device) if adversarial else None
    d_optimiser = (torch.optim.Adam(discriminator.parameters(), lr=adversarial.get("learning_rate", tc["learning_rate"]), betas=(0.5, 0.9))
                   if discriminator else None)
    loss_fn = MultiResolutionLoss(cfg.sample_rate, floor_db=tc.get("log_floor_db")).to(device)
    # Validation keeps the original floors, so runs with and without log_floor_db are compared alike.
    valid_loss = MultiResolutionLoss(cfg.sample_rate).to(device)
    valid_flux = FluxLoss(cfg.sample_rate).to(device)
    flux_loss = valid_flux if tc.get("flux_weight") else None
    step, best = 0, float("inf")
    last = args.out / "last.pt"
    if last.exists():
        state = torch.load(last, map_location=device)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, best = state["step"], state["best"]
        if discriminator and "discriminator" in state:
            discriminator.load_state_dict(state["discriminator"])
            d_optimiser.load_state_dict(state["d_optimiser"])
        print(f"resumed at step {step} (best validation mel {best:.4f})", flush=True)
    elif args.init.exists():
        state = torch.load(args.init, map_location=device)
        load_codec_weights(model, state["model"])
        step = state["step"]
        print(f"started from the committed weights {args.init.name} (step {step}); optimiser state starts fresh", flush=True)

    crop = int(tc["crop_seconds"] * cfg.sample_rate) // cfg.hop * cfg.hop
    domains = run_domains(tc)
    batches = parallel_batches(lambda seed: crop_sampler(args.data, "train", crop, cfg.sample_rate, seed, domains=domains,
                                                           weighting=tc.get("crop_weighting", "clip")),
                               tc["batch_size"], tc["seed"] + step, args.workers)
    # Kept on disk so that every resumed run validates on the very same crops (a pack brings them).
    valid_file = args.out / "valid_batch.npy"
    if not valid_file.exists():
        if (args.data / "valid_batch.npy").exists():
            if domains != DOMAINS:
                print(f"note: the pack's validation crops mix {list(DOMAINS)}; this run trains on {list(domains)} only", flush=True)
            np.save(valid_file, np.load(args.data / "valid_batch.npy"))
        else:
            valid = CropSampler(args.data, "valid", cfg.sample_rate * 2 // cfg.hop * cfg.hop, cfg.sample_rate, seed=1234,
                                augment_probability=0.0, domains=domains)
            np.save(valid_file, valid.batch(16))
    valid_batch = torch.from_numpy(np.load(valid_file)).to(device)
    rng = np.random.default_rng(tc["seed"] + step)
    last_save = time.time()
    log = open(args.out / "train_log.jsonl", "a")

    def save(path: Path) -> None:
        state = {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step, "best": best, "config": config}
        if discriminator:
            state.update(discriminator=discriminator.state_dict(), d_optimiser=d_optimiser.state_dict())
        save_atomically(state, path)

    def snapshot() -> None:
        """From `snapshot_from` on, each checkpoint's weights are also kept, for codec.publish
        --average-snapshots: while the rate is high the decoder swings between the domains from
        one checkpoint to the next, and a mean does not hang on where the last swing ended."""
        if tc.get("snapshot_from") is not None and step >= tc["snapshot_from"]:
            (args.out / "snapshots").mkdir(exist_ok=True)
            save_atomically({"model": model.state_dict(), "step": step, "config": config},
                            args.out / "snapshots" / f"step-{step:07d}.pt")

    def validate_other_levels() -> dict[str, dict[str, float]]:
        """The eval's log-mel and SI-SDR at each trained bitrate besides the one best.pt is chosen at."""
        listed = tc["train_levels"] if isinstance(tc.get("train_levels"), list) else []
        scores = {}
        with torch.no_grad():
            for levels in (n for n in listed if n != tc.get("valid_levels")):
                decoded = model(valid_batch, levels)[0]
                scores[str(levels)] = {"heard_mel": float(valid_flux.heard_mel_l1(decoded, valid_batch)),
                                       "si_sdr": median_si_sdr(decoded, valid_batch)}
        return scores

    def validate() -> None:
        nonlocal best
        model.eval()
        with torch.no_grad():
            decoded = model(valid_batch, tc.get("valid_levels"))[0]
            mel, si_sdr = log_mel_l1(decoded, valid_batch, valid_loss), median_si_sdr(decoded, valid_batch)
            flux = float(valid_flux(decoded, valid_batch))
            heard_mel = float(valid_flux.heard_mel_l1(decoded, valid_batch))
        # With the flux or SI-SDR terms on, the checkpoint kept is the best on the objective trained for;
        # with floored log terms, on the eval's log-mel, since the deep-floored one scores what it no longer trains.
        score = (heard_mel if tc.get("log_floor_db") is not None else mel) + tc.get("flux_weight", 0.0) * flux - tc.get("si_sdr_weight", 0.0) * si_sdr
        improved = score < best
        best = min(best, score)
        at_other_levels = validate_other_levels()
        log.write(json.dumps({"step": step, "valid_mel": mel, "valid_heard_mel": heard_mel, "valid_si_sdr": si_sdr, "valid_flux": flux,
                              **({"other_levels": at_other_levels} if at_other_levels else {})}) + "\n")
        print(f"step {step}: validation mel {mel:.4f} (as the eval hears it {heard_mel:.4f}), SI-SDR {si_sdr:.2f} dB, flux L1 {flux:.3f}{' (best)' if improved else ''}", flush=True)
        for levels, scores in at_other_levels.items():
            print(f"    at {levels} levels: as the eval hears it {scores['heard_mel']:.4f}, SI-SDR {scores['si_sdr']:.2f} dB", flush=True)
        if improved:
            save_atomically({"model": model.state_dict(), "step": step, "valid_mel": mel, "config": config},
                            args.out / "best.pt")

    if not last.exists():
        validate()  # the starting point, so the run's gain is measured on the same crops
    while budget.allows(step):
        model.train()
        t0 = time.time()
        for group in optimiser.param_groups:
            group["lr"] = scheduled_rate(tc, step, time_share=budget.time_share())
        wav = next(batches).to(device, non_blocking=True)
        if isinstance(tc.get("train_levels"), list):
            levels = int(rng.choice(tc["train_levels"]))
        elif tc.get("train_levels"):
            levels = tc["train_levels"]
        else:
            levels = int(rng.integers(1, cfg.levels + 1)) if rng.random() < tc["quantizer_dropout"] else cfg.levels
        estimate, _, commit = model(wav, levels)
        parts = loss_fn(estimate, wav)
        # The waveform term keeps phase coherent (SI-SDR); the spectral terms carry what is heard.
        parts["waveform"] = F.l1_loss(estimate, wav)
        loss = (parts["spectral_convergence"] + parts["log_magnitude"] + parts["mel"] + tc["commit_weight"] * commit
                + tc.get("waveform_weight", 0.0) * parts["waveform"])
        if tc.get("si_sdr_weight"):
            parts["negative_si_sdr"] = negative_si_sdr(estimate, wav)
            loss = loss + tc["si_sdr_weight"] * parts["negative_si_sdr"]
        if flux_loss is not None:
            parts["flux"] = flux_loss(estimate, wav)
            loss = loss + tc["flux_weight"] * parts["flux"]
        if tc.get("heard_mel_weight"):
            parts["heard_mel"] = valid_flux.heard_mel_l1(estimate, wav)
            loss = loss + tc["heard_mel_weight"] * parts["heard_mel"]
        if discriminator and step >= adversarial["start_step"]:
            d_loss = discriminator_loss(discriminator(wav), discriminator(estimate.detach()))
            d_optimiser.zero_grad()
            d_loss.backward()
            d_optimiser.step()
            parts["discriminator"] = d_loss
            # A discriminator fresh beside a trained decoder first learns what real audio is, so the
            # decoder is not pushed around by a random critic.
            if step >= adversarial["start_step"] + adversarial.get("discriminator_warmup", 0):
                parts["adversarial"], parts["feature_matching"] = generator_losses(discriminator(wav), discriminator(estimate))
                loss = (loss + adversarial["weight"] * parts["adversarial"]
                        + adversarial["feature_weight"] * parts["feature_matching"])
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimiser.step()
        step += 1
        if step % tc["log_every"] == 0:
            entry = {"step": step, "loss": float(loss), "commit": float(commit), "levels": levels,
                     "learning_rate": optimiser.param_groups[0]["lr"],
                     "seconds_per_step": round(time.time() - t0, 3), **{k: float(v) for k, v in parts.items()}}
            log.write(json.dumps(entry) + "\n")
            log.flush()
            print(json.dumps(entry), flush=True)
        if step % tc["validate_every"] == 0:
            validate()
        if time.time() - last_save > tc["checkpoint_minutes"] * 60:
            save(last)
            snapshot()
            last_save = time.time()
    save(last)
    snapshot()
    print(f"stopped at step {step}", flush=True)


if __name__ == "__main__":
    main()
