"""Export a model bundle: the codec, the semantic tokenizer and the three LMs as ONNX, bundle.json
(manifest + model card) and parity fixtures the TypeScript engine must reproduce.

    /usr/bin/python3 -m export.export_bundle --config configs/bundle-tiny.json --random-init \
        --out ../../tests/bundles/tiny-test --fixtures ../../tests/fixtures/parity/tiny-test.json
    /usr/bin/python3 -m export.export_bundle --config configs/bundle-piano.json --out ../piano \
        --codec work/codec/best.pt [--semantic ...] [--lm ...]
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from codec.model import Codec, CodecConfig, codes_fingerprint, load_codec_weights
from codec.postfilter import PostFilter, load_postfilter
from common.run import load_config
from lm.models import CoarseLM, FineLM, LmConfig, SemanticLM
from semantic.encoder import SemanticEncoder
from semantic.pitch import PitchTokenizer
from semantic.tokenizers import build_semantic_tokenizer
from .compact import store_weights_fp16
from .upgrade_bundle import rewrite_for_onnxruntime
from .reference import coarse_greedy, fine_greedy, semantic_greedy

OPSET = 17


def strip_weight_norm(codec: Codec) -> Codec:
    """A copy of the codec with weight norm folded into plain weights (what inference needs)."""
    module = Codec(codec.cfg)
    module.load_state_dict(codec.state_dict())
    module.eval()
    for m in module.modules():
        if hasattr(m, "weight_g"):
            torch.nn.utils.remove_weight_norm(m)
    return module


class CodecEncoderGraph(torch.nn.Module):
    def __init__(self, codec: Codec):
        super().__init__()
        self.codec = codec

    def forward(self, audio):
        return self.codec.quantizer.encode(self.codec.encoder(audio))


class CodecDecoderGraph(torch.nn.Module):
    """codes -> audio; with a post-filter (`codec.postfilter`) the decoder's output goes through it
    inside the same graph, so the engine decodes the same way either way."""

    def __init__(self, codec: Codec, postfilter: PostFilter | None = None):
        super().__init__()
        self.codec, self.postfilter = codec, postfilter

    def forward(self, codes):
        audio = self.codec.decoder(self.codec.quantizer.decode(codes))
        return audio if self.postfilter is None else self.postfilter(audio)


def round_to_fp16(module: torch.nn.Module) -> None:
    """Rounds weights to the values fp16 storage keeps, so the PyTorch model (and its fixtures)
    compute exactly what the compacted ONNX file does."""
    with torch.no_grad():
        for tensor in [*module.parameters(), *module.buffers()]:
            if tensor.is_floating_point():
                tensor.copy_(tensor.half().float())


def export_onnx(module, args, path: Path, inputs: dict, outputs: dict, fp16_weights: bool = False) -> dict:
    """inputs/outputs: name -> (dtype, shape with str for dynamic dims). Returns the manifest entry."""
    dynamic = {name: {i: d for i, d in enumerate(shape) if isinstance(d, str)} for name, (_, shape) in {**inputs, **outputs}.items()}
    kwargs = {}
    if "dynamo" in torch.onnx.export.__code__.co_varnames:
        kwargs["dynamo"] = False  # the TorchScript exporter: the same graphs on torch 1.13 and 2.x
    torch.onnx.export(module.eval(), args, str(path), input_names=list(inputs), output_names=list(outputs),
                      dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=True, **kwargs)
    if fp16_weights:
        before, after = store_weights_fp16(path)
        print(f"{path.name}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB with fp16 weights")
    inputs, rewrites = rewrite_for_onnxruntime(path, inputs)
    if rewrites:
        print(f"{path.name}: rewritten for onnxruntime ({', '.join(rewrites)})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    spec = lambda items: [{"name": n, "type": t, "shape": list(s)} for n, (t, s) in items.items()]
    return {"file": path.name, "sha256": digest, "inputs": spec(inputs), "outputs": spec(outputs)}


# What each LM's weights depend on: its own Transformer and the vocabularies it reads and writes.
# The other stages' sizes do not matter, so a semantic LM can grow without retraining the others.
STAGE_SETTINGS = {
    "semantic_lm": ("semantic_vocab", "semantic"),
    "coarse_lm": ("semantic_vocab", "codebook_size", "coarse_levels", "coarse"),
    "fine_lm": ("codebook_size", "levels", "coarse_levels", "fine"),
}


def stage_settings(lm: dict, stage: str) -> dict:
    defaults = LmConfig().to_dict()
    return {key: lm.get(key, defaults[key]) for key in STAGE_SETTINGS[stage]}


def build(config: dict, args) -> tuple[Codec, SemanticEncoder | PitchTokenizer, SemanticLM, CoarseLM, FineLM, dict]:
    torch.manual_seed(args.seed)
    codec = Codec(CodecConfig(**config["codec"]))
    semantic = build_semantic_tokenizer(config["semantic"])
    lm_cfg = LmConfig.from_dict(config["lm"])
    lms = SemanticLM(lm_cfg), CoarseLM(lm_cfg), FineLM(lm_cfg)
    card: dict = {"randomInit": bool(args.random_init)}
    codes = None
    if args.codec:
        state = torch.load(args.codec, map_location="cpu")
        load_codec_weights(codec, state["model"])
        codes = codes_fingerprint(state["model"])
        card["codec"] = {"checkpoint": Path(args.codec).name, "steps": state.get("step"), "validationMel": state.get("valid_mel")}
    if args.semantic:
        state = torch.load(args.semantic, map_location="cpu")
        if state["semantic"] != config["semantic"]:
            raise SystemExit(f"{args.semantic} is a tokenizer made with another config than {args.config}'s \"semantic\" section")
        semantic.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state["model"].items()})
        card["semantic"] = {"checkpoint": Path(args.semantic).name, "clusters": semantic.cfg.clusters}
    for stage, model in (("semantic_lm", lms[0]), ("coarse_lm", lms[1]), ("fine_lm", lms[2])):
        path = getattr(args, stage)
        if path:
            state = torch.load(path, map_location="cpu")
            if "config" in state and stage_settings(state["config"]["lm"], stage) != stage_settings(config["lm"], stage):
                raise SystemExit(f"{path} was trained with another {stage} config than {args.config}'s \"lm\" section")
            if stage != "semantic_lm" and codes:
                trained_on = state.get("codes_fingerprint")
                if trained_on is None:
                    print(f"warning: {path} does not say which codec's codes it was trained on; make sure it is {args.codec}'s", flush=True)
                elif trained_on != codes:
                    raise SystemExit(f"{path} was trained on another codec's codes than {args.codec} ({trained_on} vs {codes}): "
                                     "tokenize the data with this codec and train the LM on those tokens")
            model.load_state_dict({k: v.float() for k, v in state["model"].items()})
            card[stage] = {"checkpoint": Path(path).name, "steps": state.get("step"), "validationLoss": state.get("valid_loss")}
    return codec, semantic, *lms, card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fixtures", type=Path, help="write parity fixtures here")
    parser.add_argument("--random-init", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--codec", type=Path)
    parser.add_argument("--semantic", type=Path, help="semantic tokenizer (semantic.train's semantic.pt)")
    parser.add_argument("--semantic-lm", dest="semantic_lm", type=Path)
    parser.add_argument("--coarse-lm", dest="coarse_lm", type=Path)
    parser.add_argument("--fine-lm", dest="fine_lm", type=Path)
    parser.add_argument("--fp16-weights", action="store_true", help="store weights as fp16 (half the size; needs python3-onnx)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=JSON",
                        help="override one config value, e.g. --set codec.levels=12 --set lm.levels=12")
    parser.add_argument("--postfilter", type=Path, help="a codec.postfilter best.pt trained behind this codec, folded into the decoder")
    parser.add_argument("--card", type=Path, help="a JSON object merged into the model card: data hours, wall time, eval tables")
    args = parser.parse_args()

    config = load_config(args)
    # "none": no fine LM; the decoder reads the coarse levels alone (a nearly blind fine LM's draws
    # flicker more than no fine levels at all).
    fine_stage = config.get("fine_stage", "level-parallel")
    if fine_stage not in ("level-parallel", "none"):
        raise SystemExit(f"{args.config}: fine_stage is \"level-parallel\" or \"none\", not {fine_stage!r}")
    if fine_stage == "none" and (args.fine_lm or args.fixtures):
        raise SystemExit(f"{args.config} has no fine stage: drop --fine-lm and --fixtures (the parity fixtures include a fine LM)")
    codec, semantic, semantic_lm, coarse_lm, fine_lm, card = build(config, args)
    lm = LmConfig.from_dict(config["lm"])
    decoded_levels = lm.levels if fine_stage == "level-parallel" else lm.coarse_levels
    postfilter = None
    if args.postfilter:
        postfilter, state = load_postfilter(args.postfilter)
        trained_behind = state.get("decode_levels", lm.levels)
        if trained_behind != decoded_levels:
            raise SystemExit(f"{args.postfilter} was trained behind {trained_behind} decoded levels; this bundle decodes {decoded_levels}")
        card["postfilter"] = {"checkpoint": args.postfilter.name, "steps": state.get("step"), "validation": state.get("valid"),
                              "decodedLevels": decoded_levels}
    for m in (codec, semantic, semantic_lm, coarse_lm, fine_lm):
        m.eval()
    codec_cfg, sem_cfg, lm_cfg = codec.cfg, semantic.cfg, semantic_lm.body.cfg
    if sem_cfg.sample_rate != codec_cfg.sample_rate or sem_cfg.hop != codec_cfg.hop:
        raise SystemExit("the semantic tokenizer and the codec must share sample rate and hop: one rate end to end")
    args.out.mkdir(parents=True, exist_ok=True)
    q, v, qc = lm.levels, lm.codebook_size, lm.coarse_levels
    hop = codec_cfg.hop

    def cache_io(tcfg):
        shape = lambda steps: ["layers", "batch", "heads", steps, "head_dim"]
        shape_fixed = lambda steps: [tcfg.n_layer, "batch", tcfg.n_head, steps, tcfg.d_model // tcfg.n_head]
        return ({"cache_k": ("float32", shape_fixed("capacity")), "cache_v": ("float32", shape_fixed("capacity")), "cache_len": ("int64", [])},
                {"new_k": ("float32", shape_fixed("steps")), "new_v": ("float32", shape_fixed("steps"))})

    def empty(tcfg, batch=1, capacity=4):
        shape = (tcfg.n_layer, batch, tcfg.n_head, capacity, tcfg.d_model // tcfg.n_head)
        return torch.zeros(shape), torch.zeros(shape), torch.tensor(0)

    stages = {}
    with torch.no_grad():
        wav = torch.zeros(1, 1, hop * 8)
        plain_codec = strip_weight_norm(codec)
        if args.fp16_weights:
            for m in (plain_codec, semantic, semantic_lm, coarse_lm, fine_lm, *([postfilter] if postfilter else [])):
                round_to_fp16(m)
        export = lambda *a: export_onnx(*a, fp16_weights=args.fp16_weights)
        stages["codecEncoder"] = export(CodecEncoderGraph(plain_codec), (wav,), args.out / "codec_encoder.onnx",
                                        {"audio": ("float32", ["batch", 1, "samples"])}, {"codes": ("int64", ["batch", q, "frames"])})
        stages["codecDecoder"] = export(CodecDecoderGraph(plain_codec, postfilter), (torch.zeros(1, decoded_levels, 8, dtype=torch.long),),
                                        args.out / "codec_decoder.onnx",
                                        {"codes": ("int64", ["batch", decoded_levels, "frames"])}, {"audio": ("float32", ["batch", 1, "samples"])})
        stages["semanticTokenizer"] = export(semantic, (wav,), args.out / "semantic_tokenizer.onnx",
                                             {"audio": ("float32", ["batch", 1, "samples"])}, {"tokens": ("int64", ["batch", "tokens"])})
        cin, cout = cache_io(lm.semantic)
        stages["semanticLm"] = export(semantic_lm, (torch.zeros(1, 3, dtype=torch.long), *empty(lm.semantic)), args.out / "semantic_lm.onnx",
                                      {"tokens": ("int64", ["batch", "steps"]), **cin}, {"logits": ("float32", ["batch", lm.semantic_vocab]), **cout})
        cin, cout = cache_io(lm.coarse)
        stages["coarseLm"] = export(coarse_lm, (torch.zeros(1, 3, qc, dtype=torch.long), torch.zeros(1, 3, dtype=torch.long), *empty(lm.coarse)),
                                    args.out / "coarse_lm.onnx",
                                    {"codes": ("int64", ["batch", "steps", qc]), "semantic": ("int64", ["batch", "steps"]), **cin},
                                    {"logits": ("float32", ["batch", qc, v]), **cout})
        if fine_stage == "level-parallel":
            stages["fineLm"] = export(fine_lm, (torch.zeros(1, 6, q, dtype=torch.long), torch.tensor(qc)), args.out / "fine_lm.onnx",
                                      {"codes": ("int64", ["batch", "frames", q]), "level": ("int64", [])},
                                      {"logits": ("float32", ["batch", "frames", v])})
        else:
            (args.out / "fine_lm.onnx").unlink(missing_ok=True)
    for key, t in (("semanticLm", lm.semantic), ("coarseLm", lm.coarse), ("fineLm", lm.fine)):
        if key in stages:
            stages[key]["transformer"] = {"layers": t.n_layer, "heads": t.n_head, "headDim": t.d_model // t.n_head, "context": t.context}

    sampling = {stage: {"temperature": s["temperature"], "topK": s["top_k"], "topP": s["top_p"], "repetitionPenalty": s["repetition_penalty"],
                        **({"guidance": s["guidance"]} if "guidance" in s else {})}
                for stage, s in config["sampling"].items()}
    manifest = {
        "formatVersion": 1,
        "name": config["name"],
        "title": config["title"],
        "description": config["description"],
        "domain": config["domain"],
        "sampleRate": codec_cfg.sample_rate,
        "acoustic": {"hop": hop, "frameRate": codec_cfg.frame_rate, "levels": q, "codebookSize": v, "coarseLevels": qc},
        "semantic": {"tokenRate": codec_cfg.frame_rate / 2, "framesPerToken": 2, "vocabSize": lm.semantic_vocab, "nullToken": lm.semantic_vocab},
        "interleaving": {"coarse": "delay", "fine": fine_stage},
        "vocabulary": {"coarsePad": v, "fineMask": v},
        "stages": stages,
        "sampling": sampling,
        "license": config["license"],
        "provenance": config["provenance"],
        "card": {**card, **(json.loads(args.card.read_text()) if args.card else {})},
    }
    (args.out / "bundle.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {args.out}/bundle.json and {len(stages)} ONNX files")

    if args.fixtures:
        write_fixtures(args.fixtures, plain_codec, semantic, semantic_lm, coarse_lm, fine_lm, lm, hop, postfilter)


def write_fixtures(path: Path, plain_codec: Codec, semantic, semantic_lm, coarse_lm, fine_lm, lm: LmConfig, hop: int,
                   postfilter: PostFilter | None = None) -> None:
    """plain_codec: the codec as exported (weight norm folded, weights rounded where the ONNX is fp16)."""
    rng = np.random.default_rng(1)
    t = np.arange(hop * 25) / 24000
    wav = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(t.size)).astype(np.float32)
    x = torch.from_numpy(wav)[None, None]
    with torch.no_grad():
        codes = CodecEncoderGraph(plain_codec)(x)
        decoded = CodecDecoderGraph(plain_codec, postfilter)(codes)
        tokens = semantic(x)
        prompt_tokens = torch.from_numpy(rng.integers(0, lm.semantic_vocab, (1, 10)))
        sem_prompt_logits = semantic_lm(prompt_tokens, *semantic_lm.body.empty_cache(1))[0]
        sem_generated = semantic_greedy(semantic_lm, prompt_tokens[0], 12, capacity=32)
        coarse_prompt = torch.from_numpy(rng.integers(0, lm.codebook_size, (lm.coarse_levels, 12)))
        coarse_semantic = torch.from_numpy(rng.integers(0, lm.semantic_vocab, (10,)))
        coarse_generated = coarse_greedy(coarse_lm, coarse_prompt, coarse_semantic, new_frames=8, capacity=64)
        fine_codes = torch.from_numpy(rng.integers(0, lm.codebook_size, (20, lm.levels)))
        fine_codes[8:, lm.coarse_levels:] = lm.codebook_size
        fine_logits = fine_lm(fine_codes[None], torch.tensor(lm.coarse_levels))[0]
        fine_generated = fine_greedy(fine_lm, fine_codes, known_frames=8)
    fixtures = {
        "note": "Written by models/training/export/export_bundle.py from the PyTorch models; the engine must reproduce these.",
        "audio": wav.tolist(),
        "codecCodes": codes[0].tolist(),
        "decodedAudio": decoded[0, 0].tolist(),
        "semanticTokens": tokens[0].tolist(),
        "semanticLm": {"prompt": prompt_tokens[0].tolist(), "promptLogits": sem_prompt_logits[0].tolist(),
                       "greedy": sem_generated.tolist()},
        "coarseLm": {"promptCodes": coarse_prompt.tolist(), "semantic": coarse_semantic.tolist(), "newFrames": 8,
                     "greedy": coarse_generated.tolist()},
        "fineLm": {"codes": fine_codes.tolist(), "knownFrames": 8, "level": lm.coarse_levels,
                   "logitsFrames8to11": fine_logits[8:12].tolist(), "greedy": fine_generated.tolist()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fixtures, separators=(",", ":")) + "\n")
    print(f"wrote parity fixtures {path}")


if __name__ == "__main__":
    main()
