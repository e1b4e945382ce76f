"""The bundled example site: a WordPress-style page rebuilt from the seed text, served on loopback
with a scripted timeline of versions of the same URL.

    from pagetrail.example import ExampleSite, VERSIONS, render
    with ExampleSite(mode="sequence") as site:
        ...  # each GET of site.page_url serves the next version

``render(n)`` gives version n's HTML without a server; ``VERSIONS[n].changes`` says what changed
in each channel ("article", "ads", "comments") relative to version n-1.
"""

from pagetrail.example.render import render
from pagetrail.example.server import ExampleSite
from pagetrail.example.timeline import PAGE_PATH, TITLE, VERSIONS, PageState, Version

__all__ = ["PAGE_PATH", "TITLE", "VERSIONS", "ExampleSite", "PageState", "Version", "render"]
