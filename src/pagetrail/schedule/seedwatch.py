"""Seed files re-read when they change, with the last good version kept when an edit is broken.

Each loaded file is copied to a snapshot named by its content hash, and child crawls are given the
snapshot rather than the live file: a broken edit is reported and the seeds of the previous version
keep being crawled from their snapshot until the file is fixed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from pagetrail.atomicfile import replaced
from pagetrail.seeds import Seed, SeedError, load_seed_file, seed_files

log = logging.getLogger("pagetrail.schedule")


@dataclass(frozen=True)
class SeedEntry:
    seed: Seed
    seed_file: str  # the file the user edits
    snapshot: str  # the last good copy of it, which child crawls read


@dataclass
class _FileState:
    signature: tuple[int, int] | None  # (mtime_ns, size) when last looked at
    entries: dict[str, SeedEntry]  # the seeds of the last good version


class SeedWatcher:
    """Polls seed files' mtimes; ``poll()`` returns the new seed set when it changed."""

    def __init__(self, paths: list[str] | None, snapshot_dir: Path, folder: str | Path = "seeds"):
        self.paths = [str(p) for p in paths or []]
        self.folder = folder
        self.snapshot_dir = Path(snapshot_dir)
        self._files: dict[str, _FileState] = {}
        self._reported: set[tuple[str, tuple[int, int] | None]] = set()
        self._force = False

    def current(self) -> dict[str, SeedEntry]:
        out: dict[str, SeedEntry] = {}
        for state in self._files.values():
            out.update(state.entries)
        return out

    def load_initial(self) -> dict[str, SeedEntry]:
        """Load every seed file; a problem raises :class:`SeedError` (nothing to fall back on)."""
        files = self._file_list()
        if not files:
            where = " ".join(self.paths) or f"{self.folder}/*.toml"
            raise SeedError(f"{where}: no seed files")
        for path in files:
            signature = _signature(path)
            entries = self._load(path)
            _check_unique(self.current(), entries)
            self._files[path] = _FileState(signature, entries)
        self._prune_snapshots()
        return self.current()

    def poll(self) -> dict[str, SeedEntry] | None:
        changed, self._force = self._force, False
        files = self._file_list()
        for path in list(self._files):
            if path not in files and not self.paths:
                log.info("seed file %s is gone: its seeds are no longer scheduled", path)
                del self._files[path]
                changed = True
        for path in files:
            signature = _signature(path)
            state = self._files.get(path)
            if state is not None and state.signature == signature:
                continue
            if signature is None:
                self._report(path, signature, f"{path}: seed file is missing; keeping its previous seeds")
                continue
            try:
                entries = self._load(path)
                others = {n: e for n, e in self.current().items() if e.seed_file != path}
                _check_unique(others, entries)
            except SeedError as exc:
                self._report(path, signature, f"{exc} (keeping the previous seeds of {path})")
                if state is not None:
                    state.signature = signature
                else:
                    self._files[path] = _FileState(signature, {})
                continue
            old = state.entries if state else {}
            self._files[path] = _FileState(signature, entries)
            if _seeds_of(old) != _seeds_of(entries):
                log.info("seed file %s re-read: %d seeds", path, len(entries))
                changed = True
        return self.current() if changed else None

    def forget(self) -> None:
        """Make the next ``poll()`` re-read every file and report the seed set as changed."""
        for state in self._files.values():
            state.signature = None
        self._force = True

    def _file_list(self) -> list[str]:
        return [str(p) for p in seed_files(self.paths, self.folder)]

    def _load(self, path: str) -> dict[str, SeedEntry]:
        try:
            text = Path(path).read_bytes()
        except FileNotFoundError:
            raise SeedError(f"{path}: no such seed file") from None
        except OSError as exc:
            raise SeedError(f"{path}: cannot read seed file: {exc}") from None
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(path.encode() + b"\0" + text).hexdigest()[:12]
        snapshot = self.snapshot_dir / f"{Path(path).stem}-{digest}.toml"
        if not snapshot.exists():
            # a standby daemon on the same archive may write the same snapshot at the same time
            with replaced(snapshot) as fh:
                fh.write(text)
        try:
            seeds = load_seed_file(snapshot)
        except SeedError as exc:
            raise SeedError(str(exc).replace(str(snapshot), path)) from None
        entries = {}
        for seed in seeds:
            source = seed.source.replace(str(snapshot), path)
            entries[seed.name] = SeedEntry(dataclasses.replace(seed, source=source), path, str(snapshot))
        return entries

    def _report(self, path: str, signature: tuple[int, int] | None, message: str) -> None:
        if (path, signature) not in self._reported:
            self._reported.add((path, signature))
            log.error("%s", message)

    def _prune_snapshots(self) -> None:
        keep = {e.snapshot for e in self.current().values()}
        for old in self.snapshot_dir.glob("*.toml"):
            if str(old) not in keep:
                old.unlink(missing_ok=True)


def _signature(path: str) -> tuple[int, int] | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _seeds_of(entries: dict[str, SeedEntry]) -> dict[str, Seed]:
    return {name: e.seed for name, e in entries.items()}


def _check_unique(others: dict[str, SeedEntry], new: dict[str, SeedEntry]) -> None:
    urls = {e.seed.url: e for e in others.values()}
    for name, entry in new.items():
        if name in others:
            raise SeedError(f"{entry.seed.source}: seed {name!r}: field 'name': duplicate name "
                            f"(also at {others[name].seed.source})")
        if entry.seed.url in urls:
            raise SeedError(f"{entry.seed.source}: seed {name!r}: field 'url': duplicate URL "
                            f"{entry.seed.url} (also at {urls[entry.seed.url].seed.source})")
