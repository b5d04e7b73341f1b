"""One door to either semantic tokenizer: the HuBERT-style encoder or the pitch tokenizer, chosen by
the config's `kind` (absent: the encoder, as every older checkpoint was)."""
from __future__ import annotations

from pathlib import Path

import torch

from .encoder import SemanticConfig, SemanticEncoder
from .pitch import PitchConfig, PitchTokenizer


def build_semantic_tokenizer(config: dict) -> SemanticEncoder | PitchTokenizer:
    if config.get("kind") == "pitch":
        return PitchTokenizer(PitchConfig(**config))
    return SemanticEncoder(SemanticConfig(**{k: v for k, v in config.items() if k != "kind"}))


def load_semantic_tokenizer(path: Path) -> SemanticEncoder | PitchTokenizer:
    state = torch.load(path, map_location="cpu")
    model = build_semantic_tokenizer(state["semantic"])
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state["model"].items()})
    return model.eval()
