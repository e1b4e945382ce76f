"""`report --tag` and `feed --tag` keep the pages whose seed carries one of the tags."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from pagetrail.cli import main
from tests.support.serve_pages import build_archive

ATOM = "{http://www.w3.org/2005/Atom}"
HEPARIN = "http://127.0.0.1:8000/2011/05/heparin/"
HOSTILE = "http://127.0.0.1:8000/hostile/"


def test_report_and_feed_filter_pages_by_their_seeds_tags(tmp_path, capsys):
    archive = tmp_path / "archive"
    build_archive(archive)
    seeds = tmp_path / "seeds.toml"
    seeds.write_text(f'[defaults]\nschedule = "6h"\n[[seed]]\nname = "heparin"\nurl = "{HEPARIN}"\n'
                     f'tags = ["health"]\n[[seed]]\nname = "hostile"\nurl = "{HOSTILE}"\n'
                     'tags = ["spam", "test"]\n', encoding="utf-8")
    common = ["--archive", str(archive), "--seeds", str(seeds)]

    assert main(["report", "--since", "2020", "--format", "json", *common]) == 0
    every = {p["url"] for p in json.loads(capsys.readouterr().out)["pages"]}
    assert every == {HEPARIN, HOSTILE}
    assert main(["report", "--since", "2020", "--format", "json", "--tag", "health", *common]) == 0
    assert [p["url"] for p in json.loads(capsys.readouterr().out)["pages"]] == [HEPARIN]

    assert main(["feed", "--tag", "test", "--tag", "nothing-else", *common]) == 0
    entries = ET.fromstring(capsys.readouterr().out.encode()).findall(f"{ATOM}entry")
    links = {link.get("href") for e in entries for link in e.findall(f"{ATOM}link")}
    assert entries and all(HOSTILE in href for href in links if href), links

    assert main(["report", "--tag", "nope", *common]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--tag nope: no seed has this tag" in err[0]
    assert "health" in err[0] and "spam" in err[0]
