"""Bring an exported bundle's ONNX files up to what export_bundle writes today, manifest included.

Both rewrites keep the weights and what the models compute (export/polyphase.py: transposed
convolutions as polyphase ones, outputs equal to float rounding; export/layer_caches.py: one
KV-cache input per LM layer, outputs equal to the bit). Each changed file's sha256 and, for the
LMs, its input list are written back to bundle.json, so the engine accepts the bundle as it is.
Files already rewritten are left untouched, so running it twice changes nothing.

    /usr/bin/python3 -m export.upgrade_bundle BUNDLE_DIR [...]   # in place; prints what it rewrote
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from .layer_caches import layer_cache_specs, split_layer_caches
from .polyphase import rewrite_conv_transposes


def rewrite_for_onnxruntime(path: Path, inputs: dict) -> tuple[dict, list[str]]:
    """Both rewrites on one exported file, in place. inputs: name -> (dtype, shape), as the file had
    them; returns them as it has them now, and the rewrites applied ([] if none)."""
    rewrites = []
    if rewrite_conv_transposes(path):
        rewrites.append("polyphase")
    if split_layer_caches(path):
        inputs = layer_cache_specs(inputs, inputs["cache_k"][1][0])
        rewrites.append("layer caches")
    return inputs, rewrites


def upgrade_bundle(folder: Path) -> dict[str, list[str]]:
    """Rewrites the bundle in `folder` in place; returns, per stage changed, the rewrites applied."""
    manifest_path = folder / "bundle.json"
    manifest = json.loads(manifest_path.read_text())
    changed: dict[str, list[str]] = {}
    for stage, spec in manifest["stages"].items():
        path = folder / spec["file"]
        inputs, rewrites = rewrite_for_onnxruntime(path, {i["name"]: (i["type"], i["shape"]) for i in spec["inputs"]})
        if rewrites:
            spec["inputs"] = [{"name": n, "type": t, "shape": list(s)} for n, (t, s) in inputs.items()]
            spec["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            changed[stage] = rewrites
    if changed:
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return changed


if __name__ == "__main__":
    for folder in sys.argv[1:]:
        print(folder, upgrade_bundle(Path(folder)))
