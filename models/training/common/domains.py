"""The audio domains the data and every trainer know; a run may tune for a subset of them."""
from __future__ import annotations

DOMAINS = ("piano", "speech")


def checked_domains(domains) -> tuple:
    """`domains` as a tuple, or a clear error for an empty list or a domain the data does not have."""
    unknown = set(domains) - set(DOMAINS)
    if unknown or not domains:
        raise ValueError(f"domains must be a non-empty subset of {list(DOMAINS)}, not {list(domains)}")
    return tuple(domains)
