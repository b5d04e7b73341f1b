"""Plain English sentences for the synthetic speakers, from a small grammar (licence-clean)."""
from __future__ import annotations

import random

SUBJECTS = ["the old man", "my sister", "a small dog", "the teacher", "our neighbour", "the children",
            "a tired traveller", "the baker", "her brother", "the captain", "a quiet student", "the farmer"]
VERBS = ["carried", "painted", "found", "opened", "followed", "remembered", "watched", "cleaned",
         "described", "borrowed", "repaired", "forgot"]
OBJECTS = ["a wooden box", "the red door", "an empty bottle", "the long letter", "a broken clock",
           "the yellow kite", "a heavy coat", "the morning paper", "a silver key", "the garden gate"]
PLACES = ["near the river", "in the kitchen", "after the storm", "before dinner", "on a cold morning",
          "under the bridge", "at the station", "during the summer", "behind the school", "in the market"]
CLAUSES = ["because it was late", "while the rain kept falling", "and then went home",
           "although nobody asked", "as the bells were ringing", "and smiled at everyone"]
QUESTIONS = ["Did you see where {s} went?", "Why would {s} do that?", "Have you ever {v} {o}?"]


def make_sentences(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count):
        s, v, o, p = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(PLACES)
        kind = rng.random()
        if kind < 0.15:
            out.append(rng.choice(QUESTIONS).format(s=s, v=v, o=o))
        elif kind < 0.6:
            out.append(f"{s.capitalize()} {v} {o} {p}, {rng.choice(CLAUSES)}.")
        else:
            s2, v2, o2 = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
            out.append(f"{p.capitalize()}, {s} {v} {o}. Later {s2} {v2} {o2}.")
    return out
