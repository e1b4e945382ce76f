"""Seed files: the list of pages to capture, each with its schedule and optional site rules.

A seed file is TOML with a ``[[seed]]`` table per page and an optional ``[defaults]`` table whose
keys apply to every seed in the file. Validation stops at the first problem and raises
:class:`SeedError`, whose message is one line naming the file, the line of the seed and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pagetrail import seedbounds
from pagetrail.durations import format_duration, parse_duration
from pagetrail.errors import SeedError
from pagetrail.seedopts import FieldError, fetch_and_notify_fields

__all__ = [
    "Schedule",
    "Seed",
    "SeedError",
    "Selector",
    "SiteRules",
    "load_seed_file",
    "load_seeds",
    "seed_for_url",
]

CHANNELS = ("article", "ads", "comments")
# What can notify: a change in a channel, or the page's fetches failing / working again.
NOTIFY_ON = (*CHANNELS, "fetch")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

SEED_KEYS = {
    "url", "name", "schedule", "timezone", "jitter", "tags", "robots", "requisites",
    "user_agent", "notify_on", "webhook", "notify_file", "warc_prefix", "rules",
    "delay", "timeout", "proxy", "render", "notify", "webhook_headers", "webhook_secret",
    "notify_failures", "max_size",
}
RULE_KEYS = {"article", "ads", "comments", "ignore"}


@dataclass(frozen=True)
class Schedule:
    """When a seed is captured: every ``interval`` seconds, or on a cron expression."""

    interval: float | None = None
    cron: str | None = None
    timezone: str = "UTC"
    jitter: float = 0.0
    text: str = field(default="", compare=False)  # as the seed file says it, e.g. "6h"

    @classmethod
    def parse(cls, text: str, timezone: str = "UTC", jitter: float = 0.0) -> Schedule:
        text = str(text).strip()
        fields = text.split()
        if len(fields) == 5:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(text, timezone=timezone)
            except (ValueError, KeyError) as exc:
                raise ValueError(f"bad cron expression {text!r}: {exc}") from None
            return cls(cron=text, timezone=timezone, jitter=jitter, text=text)
        seconds = seedbounds.check_interval(parse_duration(text), text)
        return cls(interval=seconds, timezone=timezone, jitter=jitter, text=text)

    def describe(self) -> str:
        """``every 6h`` (as the seed says it), ``cron '0 6 * * *' (Europe/Paris)``."""
        if self.cron:
            return f"cron {self.cron!r} ({self.timezone})"
        if self.text and not self.text.replace(".", "").isdigit():
            return f"every {self.text}"
        return f"every {format_duration(self.interval or 0)}"


@dataclass(frozen=True)
class Selector:
    """A CSS or XPath selector from a seed's rules. XPath when it starts with ``/``, ``./`` or ``(``,
    or carries an explicit ``xpath:`` prefix; CSS otherwise (``css:`` prefix optional)."""

    kind: str  # "css" or "xpath"
    expr: str

    @classmethod
    def parse(cls, text: str) -> Selector:
        text = str(text).strip()
        if text.startswith("xpath:"):
            kind, expr = "xpath", text[6:].strip()
        elif text.startswith("css:"):
            kind, expr = "css", text[4:].strip()
        elif text.startswith(("/", "./", "(")):
            kind, expr = "xpath", text
        else:
            kind, expr = "css", text
        if not expr:
            raise ValueError("empty selector")
        xpath = expr
        if kind == "css":
            from cssselect import GenericTranslator, SelectorError

            try:
                xpath = GenericTranslator().css_to_xpath(expr)
            except SelectorError as exc:
                raise ValueError(f"bad CSS selector {expr!r}: {exc}") from None
        from lxml import etree

        try:
            etree.XPath(xpath)
        except etree.XPathSyntaxError as exc:
            raise ValueError(f"bad XPath {expr!r}: {exc}") from None
        return cls(kind, expr)

    def xpath(self) -> str:
        """The selector as XPath (CSS is translated with cssselect)."""
        if self.kind == "xpath":
            return self.expr
        from cssselect import GenericTranslator

        return GenericTranslator().css_to_xpath(self.expr)

    def select(self, tree):  # noqa: ANN001, ANN201 - lxml element in, list of elements out
        return tree.xpath(self.xpath())


@dataclass(frozen=True)
class SiteRules:
    """Per-seed selectors that win over the segmenter's heuristics."""

    article: tuple[Selector, ...] = ()
    ads: tuple[Selector, ...] = ()
    comments: tuple[Selector, ...] = ()
    ignore: tuple[Selector, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.article or self.ads or self.comments or self.ignore)


@dataclass(frozen=True)
class Seed:
    url: str
    name: str
    schedule: Schedule
    tags: tuple[str, ...] = ()
    robots: bool = True
    requisites: bool = False
    user_agent: str | None = None
    notify_on: tuple[str, ...] = NOTIFY_ON
    notify: tuple[str, ...] = ()  # apprise URLs: mailto://, slack://, json://, ntfy://...
    notify_failures: int = 3  # consecutive failed captures before "failing" is notified
    webhook: str | None = None
    webhook_headers: tuple[tuple[str, str], ...] = ()  # e.g. Authorization
    webhook_secret: str | None = None  # HMAC-SHA256 key for X-Pagetrail-Signature
    notify_file: str | None = None
    warc_prefix: str = "pagetrail"
    rules: SiteRules = field(default_factory=SiteRules)
    delay: float | None = None  # seconds between requests to the seed's host (a download slot)
    timeout: float | None = None  # download timeout of the seed's requests
    proxy: str | None = None  # http(s) proxy URL for the seed's requests
    max_size: int | None = None  # DOWNLOAD_MAXSIZE for the seed's requests (received and decompressed)
    # Also load the page in headless Chromium after the fetch: everything the browser receives,
    # the DOM after scripts and a screenshot are archived, and the channels read that DOM.
    render: bool = False
    source: str = ""  # "FILE:LINE" of the [[seed]] table, for messages
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def default_name(url: str) -> str:
    """A file-system safe name derived from the URL, e.g. ``example.com-2011-05-heparin``."""
    parts = urlsplit(url)
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", f"{parts.hostname or 'seed'}{parts.path}").strip("-")
    slug = re.sub(r"\.{2,}", ".", slug)
    return (slug or "seed")[:80]


def _as_list(value, what: str) -> list:  # noqa: ANN001
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise ValueError(f"{what} must be a string or a list of strings")


def _parse_rules(raw: object) -> SiteRules:
    if not isinstance(raw, dict):
        raise ValueError("must be a table with keys article, ads, comments, ignore")
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise ValueError(f"unknown rule {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(RULE_KEYS))})")
    out = {}
    for key in RULE_KEYS:
        if key in raw:
            out[key] = tuple(Selector.parse(s) for s in _as_list(raw[key], key))
    return SiteRules(**out)


def _seed_lines(text: str) -> list[int]:
    """1-based line numbers of each ``[[seed]]`` header, in order, so errors can point at a line."""
    return [i for i, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*seed\s*\]\]", line)]


def build_seed(raw: dict, where: str = "<seed>") -> Seed:
    """Validate one seed table (defaults already merged) and build a :class:`Seed`."""

    def fail(fieldname: str, msg: str) -> SeedError:
        label = str(raw.get("name") or raw.get("url") or "?")
        label = label if len(label) <= 100 else label[:99] + "…"  # a 100k-character URL: one short line
        return SeedError(f"{where}: seed {label!r}: field {fieldname!r}: {msg}")

    unknown = set(raw) - SEED_KEYS
    if unknown:
        key = sorted(unknown)[0]
        return_err = fail(key, f"unknown key (allowed: {', '.join(sorted(SEED_KEYS))})")
        raise return_err
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        raise fail("url", "missing; every seed needs a url")
    url = url.strip()
    try:
        seedbounds.check_url(url)
    except ValueError as exc:
        raise fail("url", str(exc)) from None
    name = raw.get("name", default_name(url))
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name) or ".." in name:
        raise fail("name", f"{name!r} must be letters, digits, '.', '_' or '-' (no '/', no '..')")
    prefix = raw.get("warc_prefix", "pagetrail")
    if not isinstance(prefix, str) or not SAFE_NAME.fullmatch(prefix) or ".." in prefix:
        raise fail("warc_prefix", f"{prefix!r} must be letters, digits, '.', '_' or '-' (no '/', no '..')")
    if "schedule" not in raw:
        raise fail("schedule", "missing; use an interval like \"6h\" or a cron expression like \"0 6 * * *\"")
    timezone = raw.get("timezone", "UTC")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(str(timezone))
    except Exception:  # noqa: BLE001 - zoneinfo raises several types for bad keys
        raise fail("timezone", f"unknown time zone {timezone!r}") from None
    try:
        jitter = parse_duration(raw.get("jitter", 0))
    except ValueError as exc:
        raise fail("jitter", str(exc)) from None
    try:
        schedule = Schedule.parse(raw["schedule"], timezone=str(timezone), jitter=jitter)
    except ValueError as exc:
        raise fail("schedule", str(exc)) from None
    try:
        seedbounds.check_jitter(jitter, schedule.interval)
    except ValueError as exc:
        raise fail("jitter", str(exc)) from None
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail("tags", "must be a list of strings")
    for key in ("robots", "requisites", "render"):
        if key in raw and not isinstance(raw[key], bool):
            raise fail(key, "must be true or false")
    notify_on = raw.get("notify_on", list(NOTIFY_ON))
    try:
        notify_on = _as_list(notify_on, "notify_on")
    except ValueError as exc:
        raise fail("notify_on", str(exc)) from None
    bad = [c for c in notify_on if c not in NOTIFY_ON]
    if bad:
        raise fail("notify_on", f"unknown channel {bad[0]!r} (use {', '.join(NOTIFY_ON)})")
    webhook = raw.get("webhook")
    if webhook is not None and urlsplit(str(webhook)).scheme not in ("http", "https"):
        raise fail("webhook", f"must be an http(s) URL, got {webhook!r}")
    for key, what in (("user_agent", "a string"), ("notify_file", "a file path")):
        try:
            if raw.get(key) is not None:
                seedbounds.check_string(raw[key], what)
        except ValueError as exc:
            raise fail(key, str(exc)) from None
    try:
        rules = _parse_rules(raw.get("rules", {}))
    except ValueError as exc:
        raise fail("rules", str(exc)) from None
    try:
        extra = fetch_and_notify_fields(raw)
    except FieldError as exc:
        raise fail(exc.field, exc.message) from None
    try:
        extra["max_size"] = seedbounds.parse_size(raw["max_size"]) if "max_size" in raw else None
    except ValueError as exc:
        raise fail("max_size", str(exc)) from None
    for key, bound in (("delay", seedbounds.MAX_DELAY), ("timeout", seedbounds.MAX_TIMEOUT)):
        try:
            seedbounds.check_bounded(key, extra.get(key), bound)
        except ValueError as exc:
            raise fail(key, str(exc)) from None
    return Seed(
        url=url,
        name=name,
        schedule=schedule,
        tags=tuple(tags),
        robots=raw.get("robots", True),
        requisites=raw.get("requisites", False),
        user_agent=raw.get("user_agent"),
        notify_on=tuple(notify_on),
        webhook=webhook,
        notify_file=raw.get("notify_file"),
        warc_prefix=prefix,
        rules=rules,
        render=raw.get("render", False),
        source=where,
        raw=dict(raw),
        **extra,
    )


def load_seed_file(path: str | Path) -> list[Seed]:
    """Read and validate one seed file. Raises :class:`SeedError` with a one-line message."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeedError(f"{path}: no such seed file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: cannot read seed file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"seed", "defaults"}
    if unknown:
        raise SeedError(f"{path}: unknown top-level key {sorted(unknown)[0]!r} (use [[seed]] tables and an optional [defaults])")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SeedError(f"{path}: [defaults] must be a table")
    tables = data.get("seed", [])
    if not isinstance(tables, list):
        raise SeedError(f"{path}: 'seed' must be an array of tables: write [[seed]] above each seed")
    lines = _seed_lines(text)
    seeds = []
    for i, table in enumerate(tables):
        line = lines[i] if i < len(lines) else 0
        where = f"{path}:{line}" if line else str(path)
        seeds.append(build_seed({**defaults, **table}, where))
    _check_unique(seeds)
    return seeds


def _check_unique(seeds: Sequence[Seed]) -> None:
    by_url: dict[str, Seed] = {}
    by_name: dict[str, Seed] = {}
    for seed in seeds:
        if seed.url in by_url:
            raise SeedError(f"{seed.source}: seed {seed.name!r}: field 'url': duplicate URL {seed.url} (also at {by_url[seed.url].source})")
        if seed.name in by_name:
            raise SeedError(f"{seed.source}: seed {seed.name!r}: field 'name': duplicate name (also at {by_name[seed.name].source})")
        by_url[seed.url] = seed
        by_name[seed.name] = seed


def find_seed(seeds: Sequence[Seed], url: str | None = None, name: str | None = None,
              *, only: bool = False) -> Seed | None:
    """The seed named ``name`` or whose URL is ``url`` (a trailing slash aside). With ``only``, a
    list of one seed answers for any page (a local file segmented with a one-seed file)."""
    want = url.rstrip("/") if url else None
    for seed in seeds:
        if (name is not None and seed.name == name) or (want is not None and seed.url.rstrip("/") == want):
            return seed
    return seeds[0] if only and len(seeds) == 1 else None


def rules_for(seeds: Sequence[Seed], url: str | None = None, name: str | None = None,
              *, only: bool = False) -> SiteRules | None:
    """The site rules of the seed ``find_seed`` picks; None when it picks none or has no rules.
    The one way every command and the change processor look up a page's rules."""
    seed = find_seed(seeds, url, name, only=only)
    return (seed.rules or None) if seed is not None else None


def seed_files(paths: Iterable[str | Path] | None = None, folder: str | Path = "seeds") -> list[Path]:
    """The seed files to use: the given paths, or every ``*.toml`` in ``folder``."""
    paths = list(paths or [])
    if paths:
        return [Path(p) for p in paths]
    return sorted(Path(folder).glob("*.toml"))


def load_seeds(paths: Iterable[str | Path] | None = None, folder: str | Path = "seeds") -> list[Seed]:
    """Load and validate several seed files; URLs and names must be unique across all of them."""
    seeds: list[Seed] = []
    for path in seed_files(paths, folder):
        seeds.extend(load_seed_file(path))
    _check_unique(seeds)
    return seeds


def seed_for_url(url: str, schedule: str = "1d") -> Seed:
    """An ad-hoc seed for a URL given on the command line."""
    return build_seed({"url": url, "schedule": schedule}, where="--url")
