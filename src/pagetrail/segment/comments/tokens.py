"""Token lists as matchers: the whole-token regular expression and the cheap pre-test in front of
it are both built from the same list, so neither can drift from the data (a pre-test written by
hand once missed ``comentarios``, ``disqus_thread`` and upper-case ids)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pagetrail.segment.textutil import any_of

#: The characters that end a token in class and id values by default.
WORD_EDGES = r"\s_-"
_PLAIN = re.compile(r"[a-z0-9]")


def required_literal(pattern: str) -> str:
    """The longest run of plain characters that every match of ``pattern`` contains (outside
    groups, classes and optional parts), lower-cased. Raises ValueError for a pattern with no
    such run of three or more characters: no pre-test could be derived from it."""
    runs, run, i = [], "", 0
    while i < len(pattern):
        c = pattern[i]
        nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
        if c == "|":
            raise ValueError(f"{pattern!r}: give each alternative as a pattern of its own")
        if c in "([":
            depth, close = 0, ")" if c == "(" else "]"
            while i < len(pattern):  # skip the whole group or class: it may be optional
                if pattern[i] == "\\":
                    i += 2
                    continue
                depth += pattern[i] == c if c == "(" else 0
                if pattern[i] == close:
                    depth -= 1
                    if depth <= 0:
                        break
                i += 1
            runs.append(run)
            run = ""
        elif c == "\\":
            literal = nxt if nxt and not nxt.isalnum() else ""
            after = pattern[i + 2:i + 3]
            if literal and after not in ("?", "*", "{"):
                run += literal
            else:
                runs.append(run)
                run = ""
            i += 1
        elif nxt in ("?", "*", "{"):
            runs.append(run)
            run = ""
        elif _PLAIN.match(c.lower()) or c in "-_:":
            run += c.lower()
        else:
            runs.append(run)
            run = ""
        i += 1
    runs.append(run)
    best = max(runs, key=len)
    if len(best) < 3:
        raise ValueError(f"{pattern!r}: no literal of 3+ characters that every match contains")
    return best


@dataclass(frozen=True)
class Tokens:
    """A list of class/id tokens: ``words`` are literal, ``patterns`` are (regular expression,
    an example it matches) pairs. ``edges`` are the characters that may surround a token (the
    value's start and end always may); "" matches anywhere inside a value. Case never matters:
    values are lower-cased, so patterns are written in lower case."""

    words: tuple[str, ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()
    edges: str = WORD_EDGES
    #: Class words starting with one of these (lower case) are labels, not layout, and are never
    #: searched: WordPress's ``category-for-discussion`` names a category, not a comment region.
    label_prefixes: tuple[str, ...] = ()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The whole-token matcher, for lower-cased values."""
        alternatives = [re.escape(w.lower()) for w in sorted(set(self.words), key=len, reverse=True)]
        alternatives += [p for p, _example in self.patterns]
        body = "|".join(alternatives)
        if not self.edges:
            return re.compile(f"(?:{body})")
        return re.compile(f"(?:^|[{self.edges}])(?:{body})(?=$|[{self.edges}])")

    @cached_property
    def literals(self) -> tuple[str, ...]:
        """Lower-case strings, one of which occurs in every value the regex matches."""
        found = {w.lower() for w in self.words} | {required_literal(p) for p, _example in self.patterns}
        # A literal containing another is implied by it: the shorter one is enough.
        return tuple(sorted(x for x in found if not any(y != x and y in x for y in found)))

    @cached_property
    def _quick(self) -> re.Pattern[str]:
        # Case-sensitive on a lower-cased value: measured 2-5x faster than re.I alternations.
        return any_of(self.literals)

    @cached_property
    def _label_start(self) -> re.Pattern[str]:
        # A word (after white space, as str.split() finds them: \s is the same characters)
        # that starts with a label prefix; matches always when a token holds white space (folding
        # white space could then move a match: the slow way is taken).
        if any(re.search(r"\s", t) for t in self.words + tuple(p for p, _e in self.patterns)):
            return re.compile("")
        return re.compile(r"(?:^|\s)(?:" + "|".join(map(re.escape, self.label_prefixes)) + ")")

    def prefilter(self, value: str) -> bool:
        """The cheap pre-test: False when ``value`` cannot hold a token (no literal in it)."""
        return self._quick.search(value.lower()) is not None

    def search(self, value: str) -> bool:
        """True when ``value`` (a class or id value, or several) holds one of the tokens, in any
        case; a camelCase hump counts as a hyphen (``blogComments`` is ``blog-comments``)."""
        low = value.lower()
        if self._quick.search(low) is None:
            return False
        if self.regex.search(low) is not None:
            # Only a value with a word starting like a label pays for dropping its label words:
            # without one, dropping them only folds white space, and a token between white-space
            # edges still matches (a thread's comment ids: the region test of named_regions 0.158 ->
            # 0.123 s on the comments set).
            if not self.label_prefixes or self._label_start.search(low) is None:
                return True
            return self.regex.search(self._without_labels(low)) is not None
        return "-" in self.edges and low != value and self.regex.search(split_humps(value)) is not None

    def _without_labels(self, low: str) -> str:
        return " ".join(w for w in low.split() if not w.startswith(self.label_prefixes))


@dataclass(frozen=True)
class Screened:
    """A token list's test (``search``) behind ``screen``, a pre-test shared with other lists
    tested on the same values (``screen_of``): PageAttributes.elements runs the screen once per
    distinct value for them all, and each list's own test only on what passed it."""

    tokens: Tokens
    screen: re.Pattern[str]

    def __call__(self, value: str) -> bool:
        return self.tokens.search(value)


def screen_of(*lists: Tokens) -> re.Pattern[str]:
    """One search for any literal of ``lists``, on lower-cased values: a value it finds nothing
    in holds no literal of any of them, so each list's ``search`` (which starts with its own
    literals' pre-test on the same lower-cased value) rejects it."""
    return any_of(sorted({x for t in lists for x in t.literals}))


_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def split_humps(value: str) -> str:
    """``blogCommentList`` -> ``blog-comment-list``: a camelCase hump is a hyphen, lower-cased
    (so ``commentBody`` is no more a comment than ``comment-body`` is)."""
    return _HUMP.sub("-", value).lower()
