"""What a crawl reports back: one PageOutcome per seed page (and per requisite), and a summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pagetrail.archive.model import Capture

# archive Capture.kind -> the word used in progress lines and JSON
KIND_WORDS = {"response": "new", "revisit": "revisit", "failed": "failed"}


@dataclass
class PageOutcome:
    seed: str | None
    url: str  # the URL requested (the seed's URL for a seed page)
    role: str = "page"  # "page" | "requisite"
    final_url: str | None = None  # after redirects
    status: int | None = None
    kind: str | None = None  # "new" | "revisit" | "failed"; None when archiving is off
    error: str | None = None  # one line, set when the page failed
    capture: Capture | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("capture")
        data["capture_id"] = self.capture.id if self.capture is not None else None
        data["timestamp"] = self.capture.timestamp if self.capture is not None else None
        data["ok"] = self.ok
        return data


def kind_word(capture: Capture | None) -> str | None:
    if capture is None:
        return None
    return KIND_WORDS.get(capture.kind, capture.kind)


def http_error(status: int) -> str | None:
    """Statuses that mean the page was not captured as wanted (archived all the same)."""
    if status >= 400:
        return f"HTTP {status}"
    return None


@dataclass
class CrawlSummary:
    pages: list[PageOutcome] = field(default_factory=list)  # one per seed, in seed order
    requisites: list[PageOutcome] = field(default_factory=list)
    archive_error: str | None = None
    rendered: list = field(default_factory=list)  # crawl.render.RenderOutcome per rendered seed

    @property
    def failed(self) -> list[PageOutcome]:
        return [p for p in self.pages if not p.ok]

    @property
    def ok(self) -> bool:
        rendered_ok = not any(r.error for r in self.rendered)
        return not self.failed and self.archive_error is None and rendered_ok

    def count(self, kind: str) -> int:
        return sum(1 for p in self.pages if p.kind == kind and p.ok)

    def captures(self) -> list[Capture]:
        """The seed pages' final captures (new or revisit), for the change pipeline."""
        return [p.capture for p in self.pages
                if p.capture is not None and p.capture.kind in ("response", "revisit")]

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "pages": len(self.pages),
            "new": self.count("new"),
            "revisit": self.count("revisit"),
            "failed": len(self.failed),
            "requisites": len(self.requisites),
            "requisites_failed": sum(1 for r in self.requisites if not r.ok),
            "archive_error": self.archive_error,
            "rendered": [r.to_dict() for r in self.rendered],
            "results": [p.to_dict() for p in self.pages],
        }

    def describe(self) -> str:
        parts = [f"{len(self.pages)} pages: {self.count('new')} new, {self.count('revisit')} revisit, "
                 f"{len(self.failed)} failed"]
        if self.requisites:
            bad = sum(1 for r in self.requisites if not r.ok)
            parts.append(f"{len(self.requisites)} requisites ({bad} failed)")
        if self.rendered:
            bad = sum(1 for r in self.rendered if r.error)
            parts.append(f"{len(self.rendered)} rendered ({bad} failed)")
        return "; ".join(parts)
