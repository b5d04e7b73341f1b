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
--set train.semantic.dropout=0.1 --set 'train.semantic.decay={"from":1800,"to":3100}'; and how crops
are drawn (TokenCrops): `crop_weighting` "clip" | "seconds" and `stitch` "domain" | "voice", e.g.
--set 'train.coarse.crop_weighting="seconds"' --set 'train.coarse.stitch="voice"' for speech.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from common.domains import DOMAINS, checked_domains, run_domains
from common.run import Budget, load_config, scheduled_rate, save_atomically, training_parser
from data.crops import checked_weighting, draw
from data.voice_copies import voice_of as speech_voice
from .models import CoarseLM, FineLM, LmConfig, SemanticLM, delay_pattern, semantic_for_steps
from .publish import committed_checkpoint


STITCHINGS = ("domain", "voice")


def voice_of(domain: str, stem: str) -> str:
    """Which clips share a voice: for speech data.voice_copies.voice_of; a piano clip is a voice of its
    own (its pieces are long, and other clips of the same piece are other timbres)."""
    return speech_voice(stem) if domain == "speech" else stem


class TokenCrops:
    """Random crops of the tokenized clips of one split, balanced between the domains asked for.

    A crop's clip is drawn uniformly or by length (`weighting`, as data.crops). A clip shorter than
    the window is followed by other clips: any of its domain (`stitch` "domain", every recipe before
    session 26) or, as long as there are enough, other clips of its own voice ("voice"). Most speech
    clips are shorter than the coarse LM's 7.6 s window, so by domain most speech crops change
    speaker every few seconds, which teaches the LM to let a voice go; by voice they hold one."""

    def __init__(self, root: Path, split: str, seed: int, domains: tuple = DOMAINS,
                 weighting: str = "clip", stitch: str = "domain"):
        if stitch not in STITCHINGS:
            raise ValueError(f"stitching {stitch!r} is not one of {STITCHINGS}")
        self.weighting, self.stitch = checked_weighting(weighting), stitch
        files = {d: sorted((root / split / d).glob("*.npz")) for d in checked_domains(domains)}
        self.clips = {d: [self._load(f) for f in fs] for d, fs in files.items() if fs}
        if not self.clips:
            raise FileNotFoundError(f"no {' or '.join(domains)} tokens under {root / split}: run lm.tokenize_data first")
        self.lengths = {d: np.array([c.shape[1] for _, c in clips], dtype=np.float64) for d, clips in self.clips.items()}
        self.voices = {}
        for d, fs in files.items():
            members: dict[str, list[int]] = {}
            for i, f in enumerate(fs):
                members.setdefault(voice_of(d, f.stem), []).append(i)
            self.voices[d] = [members[voice_of(d, f.stem)] for f in fs]
        self.rng = np.random.default_rng(seed)
        # A folder lm.slim_tokens cut down may hold fewer levels than a stage reads.
        self.levels = min(c.shape[0] for clips in self.clips.values() for _, c in clips)

    @staticmethod
    def _load(path: Path) -> tuple[np.ndarray, np.ndarray]:
        clip = np.load(path)
        return clip["semantic"].astype(np.int64), clip["codes"].astype(np.int64)

    def _followers(self, domain: str, first: int, frames: int) -> Iterator[int]:
        """The clips that follow `first` in a crop, in order: the other clips of its voice when they
        fill the window (each once: a model that saw loops would learn to loop), then random clips of
        its domain."""
        if self.stitch == "voice":
            others = [i for i in self.voices[domain][first] if i != first]
            if self.lengths[domain][others].sum() + self.lengths[domain][first] >= frames:
                yield from (others[i] for i in self.rng.permutation(len(others)))
        while True:
            yield int(self.rng.integers(len(self.clips[domain])))

    def crop(self, frames: int):
        """(semantic [frames / 2], codes [Q, frames]) from one random clip and, where it is shorter
        than the window, the clips that follow it."""
        domain = list(self.clips)[self.rng.integers(len(self.clips))]
        clips = self.clips[domain]
        first = draw(self.rng, self.lengths[domain], self.weighting)
        semantic, codes = clips[first]
        total = codes.shape[1] // 2 * 2
        if total < frames:
            semantics, codeses = [semantic[: total // 2]], [codes[:, :total]]
            for follower in self._followers(domain, first, frames):
                more_semantic, more_codes = clips[follower]
                even = more_codes.shape[1] // 2 * 2
                semantics.append(more_semantic[: even // 2])
                codeses.append(more_codes[:, :even])
                total += even
                if total >= frames:
                    break
            semantic, codes = np.concatenate(semantics), np.concatenate(codeses, axis=1)
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
    drawing = {"weighting": tc.get("crop_weighting", "clip"), "stitch": tc.get("stitch", "domain")}
    train = TokenCrops(args.tokens, "train", tc["seed"] + step, domains, **drawing)
    valid = TokenCrops(args.tokens, "valid", 99, domains, **drawing)
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
