"""Which seeds a crawl covers: seed files, ad-hoc URLs and ``--only`` names, resolved once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pagetrail.errors import UsageError
from pagetrail.seeds import Seed, load_seeds, seed_files, seed_for_url


def choose_seeds(files: Sequence[str | Path] = (), urls: Sequence[str] = (),
                 only: Iterable[str] = (), folder: str | Path = "seeds") -> list[Seed]:
    """Seeds from ``files`` (default: ``folder/*.toml``, unless only ``urls`` are given), plus one
    ad-hoc seed per URL, restricted to the names in ``only``. Raises SeedError / UsageError."""
    seeds: list[Seed] = []
    if files or not urls:
        if not seed_files(files, folder):
            raise UsageError(f"no seed files: {Path(folder) / '*.toml'} matched nothing "
                             "(give SEED_FILES or --url URL)")
        seeds = load_seeds(files, folder)
    known = {s.url for s in seeds}
    for url in urls:
        if url not in known:
            seeds.append(seed_for_url(url))
            known.add(url)
    only = list(only)
    if only:
        names = {s.name for s in seeds}
        missing = [n for n in only if n not in names]
        if missing:
            raise UsageError(f"--only {missing[0]}: no seed with that name "
                             f"(known: {', '.join(sorted(names)[:10]) or 'none'})")
        seeds = [s for s in seeds if s.name in set(only)]
    if not seeds:
        raise UsageError("no seeds to crawl")
    return seeds
