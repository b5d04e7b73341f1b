"""What every training command shares: its standard arguments, a budget it stops within, a clean
stop on SIGTERM/SIGINT, and checkpoints written atomically."""
from __future__ import annotations

import argparse
import json
import math
import signal
import time
from pathlib import Path
from typing import BinaryIO, Callable

import torch


def training_parser(doc: str, inputs: str = "--data") -> argparse.ArgumentParser:
    """--config, the input folder (`inputs`), --out, --device, --threads, --max-minutes, --max-steps."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument(inputs, type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="processes that prepare batches (a GPU run wants several)")
    parser.add_argument("--max-minutes", type=float, default=float("inf"))
    parser.add_argument("--max-steps", type=int, default=10**9,
                        help="stop at this step: the step count goes on from a checkpoint started from, so it is not a number of new steps")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=JSON",
                        help="override one config value, e.g. --set train.batch_size=32 (repeatable)")
    return parser


def load_config(args: argparse.Namespace) -> dict:
    """The config file with the --set overrides applied (a GPU run's bigger batch, say)."""
    config = json.loads(args.config.read_text())
    for assignment in args.set:
        path, _, value = assignment.partition("=")
        *parents, key = path.split(".")
        node = config
        for part in parents:
            node = node[part]
        node[key] = json.loads(value)
    return config


class Budget:
    """Keeps a run inside its step and time budget, and ends it cleanly when asked to stop."""

    def __init__(self, args: argparse.Namespace):
        torch.set_num_threads(args.threads)
        self.max_steps, self.max_minutes = args.max_steps, args.max_minutes
        self.started = time.time()
        self.stop_asked = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: setattr(self, "stop_asked", True))

    def allows(self, step: int) -> bool:
        return step < self.max_steps and (time.time() - self.started) / 60 < self.max_minutes and not self.stop_asked

    def time_share(self) -> float | None:
        """How much of --max-minutes has gone (None without a time limit)."""
        return (time.time() - self.started) / 60 / self.max_minutes if math.isfinite(self.max_minutes) else None


def cosine_to_tenth(progress: float) -> float:
    """The learning-rate factor of a cosine decay from 1 down to 0.1 as `progress` goes from 0 to 1
    (clamped), as the codec's and the LMs' settling runs use it."""
    progress = min(1.0, max(0.0, progress))
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


def scheduled_rate(tc: dict, step: int, warmup_steps: int = 0, time_share: float | None = None) -> float:
    """The learning rate at `step`: `learning_rate`, warmed up linearly over `warmup_steps` from the
    start of the schedule, and with `decay` ({"from": step, "to": step}) on a cosine down to a tenth
    between its steps. A run resumed from committed weights names its own start, so it warms up and
    decays over its own steps, not from step 0. `"to": "end"` decays over the run's --max-minutes
    instead (`time_share`, Budget.time_share), for a machine whose steps per minute nobody has
    measured yet, such as a GPU lent for one run."""
    decay = tc.get("decay")
    start = decay["from"] if decay else 0
    factor = min(1.0, max(1, step + 1 - start) / warmup_steps) if warmup_steps else 1.0
    if decay and decay["to"] == "end":
        if time_share is None:  # without a time limit the decay would silently never start
            raise SystemExit('"decay": {"to": "end"} decays over the run\'s --max-minutes: give one')
        factor *= cosine_to_tenth(time_share)
    elif decay:
        factor *= cosine_to_tenth((step - decay["from"]) / (decay["to"] - decay["from"]))
    return tc["learning_rate"] * factor


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """The file is either the old one or the new one, never half of one: written aside, then renamed
    (so a stopped run leaves nothing a resumed one would take for finished)."""
    partial = path.with_suffix(".tmp")
    with open(partial, "wb") as file:
        write(file)
    partial.replace(path)


def save_atomically(state: dict, path: Path) -> None:
    write_atomically(path, lambda file: torch.save(state, file))
