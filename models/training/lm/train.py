"""Train one of the three LMs on tokenized audio (lm.tokenize_data).

    /usr/bin/python3 -m lm.train --stage semantic|coarse|fine --config configs/lm.json \
        --tokens work/tokens --out work/lm [--device cuda] [--max-minutes 60]

Each stage trains on random crops of its own window:
- semantic: next-token prediction over semantic tokens;
- coarse: the first levels in the delay pattern, each step conditioned on the semantic token of
  the frame level 0 predicts next (models.semantic_for_steps), loss on real (non-pad) slots;
- fine: one random fine level per example; frames before a random split are the prompt (all
  levels known), after it levels >= the target level are masked; loss on the masked frames.
Resumable from OUT/<stage>/last.pt; OUT/<stage>/best.pt keeps the lowest validation loss.
Train settings beyond the config's: `dropout` (residual dropout while training) and `decay`
({"from": step, "to": step}: a 200-step warm-up from `from`, then a cosine decay of the learning
rate to a tenth at `to`, as the codec's), e.g. to settle a run resumed from the committed weights:
--set train.semantic.dropout=0.1 --set 'train.semantic.decay={"from":1800,"to":3100}'.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from common.domains import DOMAINS, checked_domains, run_domains
from common.run import Budget, load_config, scheduled_rate, save_atomically, training_parser
from .models import CoarseLM, FineLM, LmConfig, SemanticLM, delay_pattern, semantic_for_steps
from .publish import committed_checkpoint


class TokenCrops:
    """Random crops of the tokenized clips of one split, balanced between the domains asked for."""

    def __init__(self, root: Path, split: str, seed: int, domains: tuple = DOMAINS):
        self.clips = {d: [np.load(f) for f in sorted((root / split / d).glob("*.npz"))] for d in checked_domains(domains)}
        self.clips = {d: [(c["semantic"].astype(np.int64), c["codes"].astype(np.int64)) for c in cs] for d, cs in self.clips.items() if cs}
        if not self.clips:
            raise FileNotFoundError(f"no {' or '.join(domains)} tokens under {root / split}: run lm.tokenize_data first")
        self.rng = np.random.default_rng(seed)
        # A folder lm.slim_tokens cut down may hold fewer levels than a stage reads.
        self.levels = min(c.shape[0] for clips in self.clips.values() for _, c in clips)

    def crop(self, frames: int):
        """(semantic [frames / 2], codes [Q, frames]) from one random clip; a clip shorter than the
        window is followed by other clips of its domain (never by itself: a model that saw loops
        would learn to loop)."""
        domain = list(self.clips)[self.rng.integers(len(self.clips))]
        clips = self.clips[domain]
        semantic, codes = clips[self.rng.integers(len(clips))]
        total = codes.shape[1] // 2 * 2
        while total < frames:
            more_semantic, more_codes = clips[self.rng.integers(len(clips))]
            even = more_codes.shape[1] // 2 * 2
            semantic = np.concatenate([semantic[: total // 2], more_semantic[: even // 2]])
            codes = np.concatenate([codes[:, :total], more_codes[:, :even]], axis=1)
            total = codes.shape[1] // 2 * 2
        start = int(self.rng.integers(0, (total - frames) // 2 + 1)) * 2
        return semantic[start // 2:(start + frames) // 2], codes[:, start:start + frames]


def batch_loss(stage: str, model, cfg: LmConfig, crops: TokenCrops, batch: int, rng: np.random.Generator, device) -> torch.Tensor:
    if stage == "semantic":
        window = cfg.semantic.context
        tokens = torch.tensor(np.stack([crops.crop(window * 2)[0] for _ in range(batch)]), device=device)
        logits = model.all_logits(tokens[:, :-1])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))
    if stage == "coarse":
        qc, pad = cfg.coarse_levels, cfg.codebook_size
        frames = (cfg.coarse.context - qc) // 2 * 2
        pairs = [crops.crop(frames) for _ in range(batch)]
        codes = torch.tensor(np.stack([c[:qc] for _, c in pairs]), device=device)          # (B, Qc, F)
        semantic = torch.tensor(np.stack([s for s, _ in pairs]), device=device)          # (B, F / 2)
        dropped = torch.tensor(rng.random(batch) < cfg.semantic_dropout, device=device)
        semantic = torch.where(dropped[:, None], torch.full_like(semantic, cfg.semantic_vocab), semantic)
        tokens = delay_pattern(codes, pad).transpose(1, 2)                                # (B, S, Qc)
        steps = tokens.shape[1] - 1
        logits = model.all_logits(tokens[:, :-1], semantic_for_steps(semantic, steps, 2))  # (B, S-1, Qc, V)
        targets = tokens[:, 1:]
        real = targets != pad
        return F.cross_entropy(logits[real], targets[real])
    # fine
    frames = cfg.fine.context
    codes = torch.tensor(np.stack([crops.crop(frames)[1].T for _ in range(batch)]), device=device)  # (B, F, Q)
    level = int(rng.integers(cfg.coarse_levels, cfg.levels))
    split = int(rng.integers(frames // 8, frames // 2))
    inputs = codes.clone()
    inputs[:, split:, level:] = cfg.codebook_size
    logits = model(inputs, torch.tensor(level, device=device))
    return F.cross_entropy(logits[:, split:].reshape(-1, logits.shape[-1]), codes[:, split:, level].reshape(-1))


def main() -> None:
    parser = training_parser(__doc__, inputs="--tokens")
    parser.add_argument("--stage", choices=["semantic", "coarse", "fine"], required=True)
    parser.add_argument("--init", type=Path, help="weights to start from when OUT has no last.pt "
                        "(default: the committed checkpoints/<stage>_lm.fp16.pt, if its config matches)")
    args = parser.parse_args()
    budget = Budget(args)
    config = load_config(args)
    cfg, tc = LmConfig.from_dict(config["lm"]), config["train"][args.stage]
    device = torch.device(args.device)
    out = args.out / args.stage
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(tc["seed"])
    # Dropout is a training setting, not part of the architecture: the exported model and the
    # checkpoint's `lm` config stay the same with or without it.
    regularised = replace(cfg, **{args.stage: replace(getattr(cfg, args.stage), dropout=tc.get("dropout", 0.0))})
    model = {"semantic": SemanticLM, "coarse": CoarseLM, "fine": FineLM}[args.stage](regularised).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=tc["learning_rate"], betas=(0.9, 0.95), weight_decay=0.1)
    step, best = 0, float("inf")
    # The acoustic stages model one codec's codes: the checkpoints name them, so that the export
    # can refuse to pair these LMs with another codec.
    record = args.tokens / "tokenizers.json"
    made_with = json.loads(record.read_text()) if record.exists() else {}
    if args.stage != "semantic" and made_with.get("semantic_only"):
        raise SystemExit(f"{args.tokens} holds semantic tokens alone (tokenize_data --semantic-only): the {args.stage} LM needs codec codes")
    codes = made_with.get("codes_fingerprint") if args.stage != "semantic" else None
    last = out / "last.pt"
    if last.exists():
        state = torch.load(last, map_location=device)
        if state.get("codes_fingerprint") != codes:
            raise SystemExit(f"{last} was trained on another codec's codes than {args.tokens}; train into a new folder")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, best = state["step"], state["best"]
        print(f"resumed {args.stage} at step {step}", flush=True)
    else:
        init = args.init or committed_checkpoint(args.stage)
        state = torch.load(init, map_location=device) if init.exists() else None
        if state and state["config"]["lm"] == config["lm"]:
            model.load_state_dict({k: v.float() for k, v in state["model"].items()})
            step = state["step"]
            print(f"started from the committed weights {init.name} (step {step}); optimiser state starts fresh", flush=True)
            if state.get("codes_fingerprint") != codes:
                print(f"note: {init.name} was trained on another codec's codes: only its layers carry over, "
                      "its code embeddings have to learn the new codes", flush=True)
        elif state:
            differing = sorted(k for k in set(state["config"]["lm"]) | set(config["lm"])
                               if state["config"]["lm"].get(k) != config["lm"].get(k))
            if args.init:
                raise SystemExit(f"{init} has other LM shapes than this run ({', '.join(differing)} differ): "
                                 "its weights cannot be loaded")
            print(f"note: the committed {init.name} has other LM shapes ({', '.join(differing)} differ): "
                  "this run starts from random weights", flush=True)
    domains = run_domains(tc)
    train, valid = TokenCrops(args.tokens, "train", tc["seed"] + step, domains), TokenCrops(args.tokens, "valid", 99, domains)
    needed = {"semantic": 0, "coarse": cfg.coarse_levels, "fine": cfg.levels}[args.stage]
    if min(train.levels, valid.levels) < needed:
        raise SystemExit(f"{args.tokens} holds {min(train.levels, valid.levels)} codec levels; the {args.stage} LM reads {needed}")
    rng = np.random.default_rng(tc["seed"] + step)
    print(f"{args.stage} LM: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters", flush=True)

    def save(path: Path) -> None:
        save_atomically({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step, "best": best,
                         "config": config, "codes_fingerprint": codes}, path)

    saved = time.time()
    log = open(out / "train_log.jsonl", "a")
    while budget.allows(step):
        model.train()
        for group in optimiser.param_groups:
            group["lr"] = scheduled_rate(tc, step, warmup_steps=200, time_share=budget.time_share())
        loss = batch_loss(args.stage, model, cfg, train, tc["batch_size"], rng, device)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        step += 1
        if step % 20 == 0:
            print(json.dumps({"step": step, "loss": round(float(loss), 4)}), flush=True)
            log.write(json.dumps({"step": step, "loss": float(loss)}) + "\n")
            log.flush()
        if step % tc["validate_every"] == 0:
            model.eval()
            with torch.no_grad():
                vrng = np.random.default_rng(7)
                valid.rng = np.random.default_rng(7)
                vloss = float(np.mean([float(batch_loss(args.stage, model, cfg, valid, tc["batch_size"], vrng, device)) for _ in range(8)]))
            log.write(json.dumps({"step": step, "valid_loss": vloss}) + "\n")
            print(f"step {step}: validation loss {vloss:.4f}{' (best)' if vloss < best else ''}", flush=True)
            if vloss < best:
                best = vloss
                save_atomically({"model": {k: v.half() for k, v in model.state_dict().items()}, "step": step, "valid_loss": vloss,
                                 "config": config, "codes_fingerprint": codes}, out / "best.pt")
        if time.time() - saved > 240:
            save(last)
            saved = time.time()
    save(last)
    print(f"stopped at step {step}", flush=True)


if __name__ == "__main__":
    main()
