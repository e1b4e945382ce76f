"""The report commands end to end on an archive of the example site's timeline: diff picks the last
two captures that differ, history lists every capture, report and feed cover a period, colour only on
a terminal, and bad input is a one-line error with exit code 2."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from pagetrail.cli import main
from tests.test_changes_timeline import URL, build_timeline_archive

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports") / "archive"
    archive, _captures = build_timeline_archive(root)
    archive.close()
    return str(root)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_diff_defaults_to_the_last_two_captures_that_differ(archive_dir, capsys):
    code, out, _ = run(capsys, "diff", URL, "--archive", archive_dir)
    assert code == 0
    # v5 changed only noise, so the last differing pair is v3 -> v4: ads and comments.
    assert "2026-11-20 09:00:00 UTC" in out and "2026-11-20 10:00:00 UTC" in out
    assert "article: no change" in out and "ads: 1 edited" in out
    assert "\x1b[" not in out  # captured output is not a terminal


def test_diff_json_between_chosen_timestamps(archive_dir, capsys):
    code, out, _ = run(capsys, "diff", URL, "--from", "2026112006", "--to", "2026112009",
                       "--format", "json", "--archive", archive_dir)
    data = json.loads(out)
    assert code == 0 and data["schema"] == 2
    assert data["from"]["timestamp"].startswith("2026112006")
    assert data["to"]["timestamp"].startswith("2026112009")
    assert {"timestamp", "record_id", "warc_file", "offset"} <= set(data["to"])
    assert all(data["channels"][ch]["changed"] for ch in ("article", "ads", "comments"))


def test_diff_html_to_a_file(archive_dir, capsys, tmp_path):
    out_file = tmp_path / "d.html"
    code, _, err = run(capsys, "diff", URL, "--format", "html", "-o", str(out_file),
                       "--replay-base", "http://replay.test/coll", "--archive", archive_dir)
    html = out_file.read_text(encoding="utf-8")
    assert code == 0 and "wrote" in err
    assert 'href="http://replay.test/coll/20261120100000/' in html
    assert "Content-Security-Policy" in html and "<script" not in html


def test_history_lists_every_capture(archive_dir, capsys):
    code, out, _ = run(capsys, "history", URL, "--archive", archive_dir)
    lines = [ln for ln in out.splitlines() if ln.startswith("2026-11-20")]
    assert code == 0 and len(lines) == 6
    assert "first capture" in lines[0] and lines[-1].split("  ")[2] == "no change"
    data = json.loads(run(capsys, "history", URL, "--format", "json", "--archive", archive_dir)[1])
    assert [c["changed"] for c in data["captures"]] == [False, True, True, True, True, False]


def test_report_since_and_feed(archive_dir, capsys):
    code, out, _ = run(capsys, "report", "--since", "2026-11-20T08:30Z", "--format", "json",
                       "--archive", archive_dir)
    data = json.loads(out)
    assert code == 0 and [p["url"] for p in data["pages"]] == [URL]  # grouped by page
    assert [c["to"]["timestamp"][:10] for c in data["pages"][0]["changes"]] == ["2026112009", "2026112010"]
    code, out, _ = run(capsys, "report", "--since", "1h", "--archive", archive_dir)
    assert code == 0 and "no page changed" in out
    code, out, _ = run(capsys, "feed", URL, "--archive", archive_dir)
    root = ET.fromstring(out.encode("utf-8"))
    assert code == 0 and len(root.findall(f"{ATOM}entry")) == 4


def test_text_is_coloured_only_on_a_terminal(archive_dir, capsys, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for no_color, expect in ((None, True), ("1", False)):
        if no_color:
            monkeypatch.setenv("NO_COLOR", no_color)
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
        fake = Tty()
        monkeypatch.setattr("sys.stdout", fake)
        assert main(["diff", URL, "--archive", archive_dir]) == 0
        assert ("\x1b[" in fake.getvalue()) is expect


def test_reprocess_command(archive_dir, capsys):
    code, _, err = run(capsys, "reprocess", URL, "--archive", archive_dir, "-q")
    assert code == 0 and "reprocessed 6 captures of 1 page" in err


@pytest.mark.parametrize("argv, message", [
    (["diff", "http://nowhere.test/"], "no captures of this URL"),
    (["report", "--since", "yesterday"], "--since 'yesterday'"),
    (["diff", URL, "--from", "20x"], "timestamp"),
])
def test_bad_input_is_a_one_line_error(archive_dir, capsys, argv, message):
    code, _, err = run(capsys, *argv, "--archive", archive_dir)
    assert code == 2 and message in err and err.count("\n") == 1


def test_missing_archive_is_an_error(tmp_path, capsys):
    code, _, err = run(capsys, "history", URL, "--archive", str(tmp_path / "none"))
    assert code == 2 and "no pagetrail archive here" in err


def ignore_comments_rules(tmp_path):  # noqa: ANN001, ANN201
    """A seed file for URL whose rules ignore the comment section."""
    seeds = tmp_path / "seeds.toml"
    seeds.write_text(f'[[seed]]\nurl = "{URL}"\nschedule = "1h"\n'
                     '[seed.rules]\nignore = ["#comments"]\n', encoding="utf-8")
    return seeds


def test_diff_with_other_rules_resegments(archive_dir, capsys, tmp_path):
    seeds = ignore_comments_rules(tmp_path)
    code, out, _ = run(capsys, "diff", URL, "--rules", str(seeds), "--archive", archive_dir)
    assert code == 0 and "comments: no change" in out and "ads: 1 edited" in out
    code, _, err = run(capsys, "diff", "http://127.0.0.1:8000/other/", "--archive", archive_dir)
    assert code == 2


def test_history_says_when_summaries_predate_the_rules(archive_dir, capsys, tmp_path):
    seeds = ignore_comments_rules(tmp_path)
    code, _, err = run(capsys, "history", URL, "--seeds", str(seeds), "--archive", archive_dir)
    assert code == 0 and "6 of 6 summaries" in err and "pagetrail reprocess" in err
    code, _, err = run(capsys, "history", URL, "--archive", archive_dir)
    assert code == 0 and "summaries were computed" not in err


def test_diff_from_a_prefix_names_the_earliest_capture_in_it(archive_dir, capsys):
    # Every capture is on 2026-11-20: --from with the day names the first, not the latest.
    code, out, _ = run(capsys, "diff", URL, "--from", "20261120", "--format", "json", "--archive", archive_dir)
    data = json.loads(out)
    assert code == 0 and data["from"]["timestamp"] != data["to"]["timestamp"]
    assert data["from"]["timestamp"].startswith("2026112005") or data["from"]["timestamp"] < data["to"]["timestamp"]


def test_captures_of_an_unknown_url_exits_2_like_diff_and_history(archive_dir, capsys):
    code, _out, err = run(capsys, "captures", "http://nowhere.test/", "--archive", archive_dir)
    assert code == 2 and "no captures of this URL" in err
    with pytest.raises(SystemExit):
        main(["captures", "--help"])
    assert "URL@TIMESTAMP" not in capsys.readouterr().out


def test_commands_take_a_seeds_name_for_its_url(archive_dir, capsys, tmp_path):
    from tests.support.crawl_runs import write_seeds

    seeds = write_seeds(tmp_path / "clinic.toml", [{"name": "heparin", "url": URL}])
    code, out, _ = run(capsys, "history", "heparin", "--format", "json", "--seeds", str(seeds), "--archive", archive_dir)
    assert code == 0 and json.loads(out)["url"] == URL
    code, out, _ = run(capsys, "diff", "heparin", "--format", "json", "--seeds", str(seeds), "--archive", archive_dir)
    assert code == 0 and json.loads(out)["url"] == URL
    code, _out, err = run(capsys, "history", "nosuchseed", "--seeds", str(seeds), "--archive", archive_dir)
    assert code == 2 and "no seed of that name" in err
