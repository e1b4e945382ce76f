"""Which seeds a crawl covers: seed files, ad-hoc URLs and ``--only`` names, resolved once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from pagetrail.errors import UsageError
from pagetrail.seedref import seed_named
from pagetrail.seeds import Seed, load_seeds, seed_files, seed_for_url


def choose_seeds(files: Sequence[str | Path] = (), urls: Sequence[str] = (),
                 only: Iterable[str] = (), folder: str | Path = "seeds") -> list[Seed]:
    """Seeds from ``files`` (default: ``folder/*.toml``, unless only ``urls`` are given) restricted
    to the names in ``only``, plus one ad-hoc seed per URL (always kept: it was asked for by URL).
    Raises SeedError / UsageError."""
    seeds: list[Seed] = []
    if files or not urls:
        if not seed_files(files, folder):
            raise UsageError(f"no seed files: {Path(folder) / '*.toml'} matched nothing "
                             "(give SEED_FILES or --url URL)")
        seeds = load_seeds(files, folder)
    only = list(only)
    if only:
        chosen = {ref: seed_named(ref, seeds) for ref in only}  # a seed's name or its URL
        missing = [ref for ref, seed in chosen.items() if seed is None]
        if missing:
            names = sorted(s.name for s in seeds)
            raise UsageError(f"--only {missing[0]}: no seed with that name or URL "
                             f"(known: {', '.join(names[:10]) or 'none'})")
        wanted = {seed.name for seed in chosen.values() if seed is not None}
        seeds = [s for s in seeds if s.name in wanted]
    known = {s.url for s in seeds}
    taken = {s.name for s in seeds}
    for url in urls:
        if url not in known:
            seed = seed_for_url(url)
            name, n = seed.name, 1
            while name in taken:  # names key the outcomes: keep them unique
                n += 1
                name = f"{seed.name}-{n}"
            seeds.append(replace(seed, name=name))
            known.add(url)
            taken.add(name)
    if not seeds:
        raise UsageError("no seeds to crawl")
    return seeds
