"""The audio domains the data and every trainer know; a run may tune for a subset of them."""
from __future__ import annotations

DOMAINS = ("piano", "speech")


def checked_domains(domains) -> tuple:
    """`domains` as a tuple, or a clear error for an empty list or a domain the data does not have."""
    unknown = set(domains) - set(DOMAINS)
    if unknown or not domains:
        raise ValueError(f"domains must be a non-empty subset of {list(DOMAINS)}, not {list(domains)}")
    return tuple(domains)


def run_domains(train_settings: dict) -> tuple:
    """The domains a run trains and validates on: its `"domains"` setting (e.g. ["speech"], to tune
    for one), else all of them; checked before any data is read."""
    return checked_domains(train_settings.get("domains", DOMAINS))
