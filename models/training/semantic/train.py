"""Train the semantic tokenizer HuBERT-style, then fit its k-means codebook.

1. Targets: k-means (K = --target-clusters) of log-mel frames from training audio.
2. Masked prediction: spans of the encoder's input frames are replaced by a learned mask vector;
   the last block predicts the targets of the masked frames (cross-entropy).
3. Tokens: k-means (K = config clusters) of the feature layer's 25 Hz features; the centroids go
   into the model, so the exported graph maps audio straight to token ids.

    /usr/bin/python3 -m semantic.train --config configs/semantic.json --data work/data --out work/semantic \
        [--device cuda] [--max-minutes 60]
Resumable from OUT/last.pt; OUT/semantic.pt is the finished tokenizer (with centroids).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common.run import Budget, load_config, save_atomically, training_parser
from data.crops import CropSampler, PackedCropSampler, crop_sampler, parallel_batches
from .encoder import SemanticConfig, SemanticEncoder
from .kmeans import kmeans


class MaskedPredictor(nn.Module):
    """The encoder plus what only training needs: a mask vector and a target head."""

    def __init__(self, cfg: SemanticConfig, targets: int):
        super().__init__()
        self.encoder = SemanticEncoder(cfg)
        self.mask = nn.Parameter(torch.zeros(cfg.d_model))
        self.head = nn.Conv1d(cfg.d_model, targets, 1)

    def forward(self, wav, mask):  # mask: (B, frames) bool
        x = self.encoder.input(self.encoder.log_mel(wav))  # (B, D, frames)
        x = torch.where(mask[:, None, :], self.mask[None, :, None], x)
        for block in self.encoder.blocks:
            x = block(x)
        return self.head(x)  # (B, targets, frames)


def span_mask(batch: int, frames: int, rng: np.random.Generator, share: float = 0.4, span: int = 8) -> torch.Tensor:
    mask = np.zeros((batch, frames), dtype=bool)
    for b in range(batch):
        for start in rng.choice(frames, size=max(1, int(frames * share / span)), replace=False):
            mask[b, start:start + span] = True
    return torch.from_numpy(mask)


def main() -> None:
    parser = training_parser(__doc__)
    parser.add_argument("--init", type=Path, default=Path(__file__).resolve().parents[1] / "checkpoints" / "semantic.fp16.pt",
                        help="committed encoder weights to start from when OUT has no last.pt (a fresh machine)")
    args = parser.parse_args()
    budget = Budget(args)
    config = load_config(args)
    cfg, tc = SemanticConfig(**config["model"]), config["train"]
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(tc["seed"])
    crop = int(tc["crop_seconds"] * cfg.sample_rate) // (2 * cfg.hop) * (2 * cfg.hop)
    sampler = crop_sampler(args.data, "train", crop, cfg.sample_rate, seed=tc["seed"])

    last = args.out / "last.pt"
    model = MaskedPredictor(cfg, tc["target_clusters"]).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=tc["learning_rate"], weight_decay=0.01)
    step = 0
    if last.exists():
        state = torch.load(last, map_location=device)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, targets = state["step"], state["targets"].to(device)
        print(f"resumed at step {step}", flush=True)
    else:
        if args.init.exists():
            state = torch.load(args.init, map_location=device)
            model.encoder.load_state_dict({k: v.float() for k, v in state["model"].items()})
            step = state.get("step", 0)
            print(f"started from the committed encoder {args.init.name} (step {step}); targets and optimiser start fresh", flush=True)
        with torch.no_grad():
            frames = torch.cat([model.encoder.log_mel(torch.from_numpy(sampler.batch(8)).to(device)).transpose(1, 2).reshape(-1, cfg.mel_bands).cpu()
                                for _ in range(tc["target_batches"])])
        targets = kmeans(frames[torch.randperm(len(frames))[:20000]], tc["target_clusters"]).to(device)
        print(f"k-means targets: {tc['target_clusters']} clusters of log-mel frames", flush=True)

    def save() -> None:
        save_atomically({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step, "targets": targets, "config": config}, last)

    rng = np.random.default_rng(tc["seed"] + step)
    batches = parallel_batches(lambda seed: crop_sampler(args.data, "train", crop, cfg.sample_rate, seed),
                               tc["batch_size"], tc["seed"] + step, args.workers)
    saved = time.time()
    log = open(args.out / "train_log.jsonl", "a")
    while budget.allows(step):
        wav = next(batches).to(device, non_blocking=True)
        with torch.no_grad():
            frames = model.encoder.log_mel(wav).transpose(1, 2)  # (B, T, mels)
            labels = torch.cdist(frames, targets[None].expand(len(frames), -1, -1)).argmin(-1)  # (B, T)
        mask = span_mask(len(wav), frames.shape[1], rng).to(device)
        logits = model(wav, mask)
        loss = F.cross_entropy(logits.transpose(1, 2)[mask], labels[mask])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        if step % 10 == 0:
            accuracy = float((logits.argmax(1)[mask] == labels[mask]).float().mean())
            entry = {"step": step, "loss": float(loss), "masked_accuracy": accuracy}
            log.write(json.dumps(entry) + "\n")
            log.flush()
            print(json.dumps(entry), flush=True)
        if time.time() - saved > 240:
            save()
            saved = time.time()
    save()
    # Every run ends with a usable tokenizer: the codebook is refitted to the encoder as it stands.
    fit_tokens(model.encoder, sampler, cfg, tc, args.out, device, step)


@torch.no_grad()
def fit_tokens(encoder: SemanticEncoder, sampler: CropSampler | PackedCropSampler, cfg: SemanticConfig, tc: dict, out: Path, device, step: int) -> None:
    """k-means of the feature layer at 25 Hz -> the token codebook, stored in the model."""
    features = torch.cat([encoder.features(torch.from_numpy(sampler.batch(8)).to(device)).reshape(-1, cfg.d_model).cpu()
                          for _ in range(tc["token_batches"])])
    encoder.centroids.copy_(kmeans(features[torch.randperm(len(features))[:30000]], cfg.clusters).to(device))
    torch.save({"model": encoder.state_dict(), "config": tc, "semantic": cfg.__dict__, "step": step}, out / "semantic.pt")
    print(f"fitted {cfg.clusters} token centroids -> {out / 'semantic.pt'}", flush=True)


if __name__ == "__main__":
    main()
