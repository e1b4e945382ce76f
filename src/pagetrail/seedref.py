"""A page named on the command line: its URL, or the name of a seed (``pagetrail history heparin``).

One function for every command that takes a page, so that a name means the same page everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from pagetrail.errors import UsageError
from pagetrail.seeds import Seed, find_seed, load_seeds


def seed_named(ref: str, seeds: Sequence[Seed]) -> Seed | None:
    """The seed named ``ref``, or else whose URL is ``ref`` (a trailing slash more or less)."""
    return find_seed(seeds, name=ref) or find_seed(seeds, url=ref)


def page_url(ref: str, seeds: Sequence[Seed] | None = None,
             seed_paths: Sequence[str | Path] | None = None, folder: str | Path = "seeds") -> str:
    """The URL a command's page argument means: a URL as given (anything with ``://``), else the
    URL of the seed with that name, from ``seeds`` or else from the seed files (``seed_paths``,
    default ``folder/*.toml``). Raises :class:`UsageError` (one line) when it is neither."""
    if "://" in ref:
        return ref
    if seeds is None:
        seeds = load_seeds(seed_paths, folder) if seed_paths or Path(folder).is_dir() else []
    seed = seed_named(ref, seeds)
    if seed is None:
        where = " ".join(map(str, seed_paths or [])) or f"{folder}/*.toml"
        known = ", ".join(sorted(s.name for s in seeds)[:10]) or "none"
        raise UsageError(f"{ref}: not a URL, and no seed of that name in {where} (known: {known})")
    return seed.url


def with_tags(seeds: Sequence[Seed], tags: Sequence[str]) -> list[Seed]:
    """The seeds that carry any of ``tags`` (all seeds when no tag is given), for ``--tag``."""
    if not tags:
        return list(seeds)
    wanted = set(tags)
    return [s for s in seeds if wanted & set(s.tags)]


def tagged_urls(seeds: Sequence[Seed], tags: Sequence[str]) -> set[str]:
    """The URLs (without a trailing slash) of the seeds with any of ``tags``, for commands that
    filter pages by tag. Raises :class:`UsageError` when no seed carries any of them."""
    chosen = with_tags(seeds, tags)
    if not chosen:
        known = sorted({t for s in seeds for t in s.tags})
        raise UsageError(f"--tag {' --tag '.join(tags)}: no seed has this tag "
                         f"(tags in the seed files: {', '.join(known) or 'none'})")
    return {s.url.rstrip("/") for s in chosen}


_Page = TypeVar("_Page")


def only_tagged(items: Sequence[_Page], seeds: Sequence[Seed], tags: Sequence[str]) -> list[_Page]:
    """The items (anything with a ``url``: PageDiffs, captures) of pages whose seed has any of
    ``tags``; all of them when no tag is given."""
    if not tags:
        return list(items)
    urls = tagged_urls(seeds, tags)
    return [item for item in items if item.url.rstrip("/") in urls]  # type: ignore[attr-defined]
