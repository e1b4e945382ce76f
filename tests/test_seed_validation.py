"""Seed files: valid ones load; each kind of mistake gives one line naming file, line and field."""

from pathlib import Path

import pytest

from pagetrail.seeds import SeedError, load_seed_file, load_seeds, parse_duration


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_valid_seed_file_loads_with_defaults_rules_and_cron(tmp_path):
    p = write(tmp_path, """
[defaults]
tags = ["health"]

[[seed]]
url = "http://127.0.0.1:8000/a?x=1"
schedule = "6h"

[[seed]]
url = "https://example.org/b"
name = "b-page"
schedule = "0 6 * * *"
timezone = "Europe/Paris"
jitter = "30s"
notify_on = ["comments"]
[seed.rules]
article = "div.entry-content"
comments = ["//ol[@class='commentlist']/li"]
""")
    a, b = load_seed_file(p)
    assert a.schedule.interval == 6 * 3600 and a.tags == ("health",)
    assert a.name == "127.0.0.1-a"
    assert b.schedule.cron == "0 6 * * *" and b.schedule.timezone == "Europe/Paris"
    assert b.schedule.jitter == 30
    assert b.rules.article[0].kind == "css" and b.rules.comments[0].kind == "xpath"
    assert b.notify_on == ("comments",)


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        ('url = "ftp://x.org/"\nschedule = "1h"', "field 'url': scheme must be http or https"),
        ('url = "http://x.org/"\nschedule = "soon"', "field 'schedule'"),
        ('url = "http://x.org/"\nschedule = "61 * * * *"', "field 'schedule': bad cron"),
        ('url = "http://x.org/"\nschedule = "1h"\ncolour = "red"', "field 'colour': unknown key"),
        ('url = "http://x.org/"\nschedule = "1h"\nname = "../../etc"', "field 'name'"),
        ('url = "http://x.org/"\nschedule = "1h"\nwarc_prefix = "a/b"', "field 'warc_prefix'"),
        ('url = "http://x.org/"\nschedule = "1h"\ntimezone = "Mars/Olympus"', "field 'timezone'"),
        ('url = "http://x.org/"\nschedule = "1h"\n[seed.rules]\narticle = "div[["', "field 'rules'"),
        ('url = "http://x.org/"', "field 'schedule': missing"),
    ],
)
def test_bad_seed_gives_one_line_error_naming_file_line_and_field(tmp_path, body, expect):
    p = write(tmp_path, f'[[seed]]\nurl = "http://ok.org/"\nschedule = "1h"\n\n[[seed]]\n{body}\n')
    with pytest.raises(SeedError) as err:
        load_seed_file(p)
    msg = str(err.value)
    assert "\n" not in msg
    assert f"{p}:5" in msg
    assert expect in msg


def test_duplicate_url_across_files_is_rejected(tmp_path):
    write(tmp_path, '[[seed]]\nurl = "http://x.org/"\nschedule = "1h"\n', "a.toml")
    write(tmp_path, '[[seed]]\nurl = "http://x.org/"\nschedule = "2h"\nname = "other"\n', "b.toml")
    with pytest.raises(SeedError, match="duplicate URL"):
        load_seeds(folder=tmp_path)


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    p = write(tmp_path, '[[seed]]\nurl = "http://x.org/\n')
    with pytest.raises(SeedError, match=r"s\.toml: not valid TOML.*line 2"):
        load_seed_file(p)


def test_durations():
    assert parse_duration("90s") == 90
    assert parse_duration("1h30m") == 5400
    assert parse_duration("2") == 2
    with pytest.raises(ValueError):
        parse_duration("5 parsecs")
