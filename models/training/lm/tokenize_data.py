"""Turn the training audio into tokens for the LMs: semantic tokens (25 Hz) and codec codes
(50 Hz, all levels), one .npz per clip, with the split kept.

    /usr/bin/python3 -m lm.tokenize_data --data work/data --out work/tokens \
        --codec checkpoints/codec.fp16.pt --semantic checkpoints/semantic.fp16.pt

Resumable: clips already tokenized are skipped. Re-run after the codec or the tokenizer changes
(with a fresh --out). To try another semantic tokenizer on the same codes, `--codes-from
work/tokens` takes each clip's codes from a folder tokenized with the same codec instead of
encoding the audio again (the encoder is most of the time); clips not yet there are left for a
later run. `--semantic-only` writes the semantic tokens alone (codes with no levels), about 25 times
faster than with the codec's encoder (27 h of audio in 10 minutes on 2 cores): enough for the
semantic LM, which never reads codes.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from codec.model import codes_fingerprint, load_codec_checkpoint
from common.run import write_atomically
from semantic.tokenizers import load_semantic_tokenizer

CHUNK_SECONDS = 30  # encoded in pieces so long files fit in memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--codec", type=Path, required=True)
    parser.add_argument("--semantic", type=Path, required=True)
    parser.add_argument("--codes-from", type=Path, help="a token folder of the same codec to copy each clip's codes from")
    parser.add_argument("--semantic-only", action="store_true", help="no codec codes: tokens for the semantic LM alone")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=10**9, help="at most this many clips per split and domain (a seeded random choice)")
    parser.add_argument("--limit-speech", type=int, help="a separate limit for speech, whose clips are short")
    parser.add_argument("--limit-valid", type=int, default=10**9, help="at most this many validation clips per domain (the LMs only score on them)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    codec, codec_state = load_codec_checkpoint(args.codec)
    semantic = load_semantic_tokenizer(args.semantic)
    # Resuming into a folder tokenized by another codec would mix two code vocabularies.
    made_with = {"codec": str(args.codec), "codec_step": codec_state.get("step"),
                 "codes_fingerprint": None if args.semantic_only else codes_fingerprint(codec_state["model"]),
                 "semantic": str(args.semantic), "semantic_only": args.semantic_only}
    record = args.out / "tokenizers.json"
    if args.codes_from and args.semantic_only:
        raise SystemExit("--codes-from and --semantic-only exclude each other")
    if args.codes_from:
        source = json.loads((args.codes_from / "tokenizers.json").read_text()).get("codes_fingerprint")
        if source != made_with["codes_fingerprint"]:
            raise SystemExit(f"{args.codes_from} holds codes of another codec than {args.codec}")
    if record.exists() and json.loads(record.read_text()).get("codes_fingerprint") != made_with["codes_fingerprint"]:
        raise SystemExit(f"{args.out} holds tokens of another codec ({record}); tokenize into a new folder")
    args.out.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(made_with) + "\n")
    unit = codec.cfg.hop * 2
    count, waiting = 0, 0
    for split in ("valid", "train"):  # validation first: training can start as soon as some train clips are done
        for domain in ("piano", "speech"):
            finished = sorted((args.data / split / domain).glob("*.wav"))
            np.random.default_rng(5).shuffle(finished)  # a limited run still spans every source and timbre
            limit = args.limit_speech if domain == "speech" and args.limit_speech else args.limit
            limit = min(limit, args.limit_valid) if split == "valid" else limit
            for wav in finished[:limit]:
                target = args.out / split / domain / f"{wav.stem}.npz"
                if target.exists():
                    continue
                audio, rate = sf.read(wav, dtype="float32")
                assert rate == codec.cfg.sample_rate, f"{wav} is {rate} Hz"
                audio = audio[: len(audio) // unit * unit]
                if len(audio) < unit * 25:  # under a second: nothing to learn from
                    continue
                known = args.codes_from / split / domain / f"{wav.stem}.npz" if args.codes_from else None
                if known and not known.exists():
                    waiting += 1
                    continue
                semantic_tokens, codes = [], []
                with torch.no_grad():
                    for start in range(0, len(audio), CHUNK_SECONDS * rate):
                        piece = torch.from_numpy(audio[start:start + CHUNK_SECONDS * rate])[None, None]
                        semantic_tokens.append(semantic(piece)[0].numpy())
                        if not known and not args.semantic_only:
                            codes.append(codec.encode(piece)[0].numpy())
                target.parent.mkdir(parents=True, exist_ok=True)
                semantic_tokens = np.concatenate(semantic_tokens).astype(np.int16)
                if args.semantic_only:
                    clip_codes = np.zeros((0, 2 * len(semantic_tokens)), np.int16)
                else:
                    clip_codes = np.load(known)["codes"] if known else np.concatenate(codes, axis=1).astype(np.int16)
                tokens = {"semantic": semantic_tokens, "codes": clip_codes}
                if tokens["codes"].shape[1] != 2 * len(tokens["semantic"]):
                    raise SystemExit(f"{wav}: {len(tokens['semantic'])} semantic tokens for {tokens['codes'].shape[1]} code frames")
                write_atomically(target, lambda file: np.savez_compressed(file, **tokens))
                count += 1
                if count % 50 == 0:
                    print(f"{count} clips tokenized ({target})", flush=True)
    print(f"done: {count} new clips" + (f"; {waiting} have no codes in {args.codes_from} yet" if waiting else ""), flush=True)


if __name__ == "__main__":
    main()
