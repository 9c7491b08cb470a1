"""Staff-edited files: every way a hand-edited file goes wrong is one line naming the file (and line)."""

import datetime as dt
import errno
import sqlite3

import pytest

from outreach.datafile import (
    MAX_ALIASES,
    StrictModel,
    Day,
    describe_fault,
    load_yaml,
    read_text,
    set_aside,
    validate,
)
from outreach.errors import ConfigError


def write(tmp_path, text, name="f.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_a_file_that_is_not_utf8_names_its_line(tmp_path):
    path = write(tmp_path, b"title:\n  cmn: ok\n  pcc: \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"f.yaml:3: not UTF-8 text \(byte 0xff\): save the file as UTF-8"):
        load_yaml(path)


def test_a_utf8_bom_is_not_an_error(tmp_path):
    assert load_yaml(write(tmp_path, "\ufeffa: 1\n")) == {"a": 1}


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.mkdir(), "is a folder, not a file"),
    (lambda p: p.symlink_to("/dev/null"), "is not a regular file"),
    (lambda p: p.symlink_to(p.name), "cannot be read"),
    (lambda p: None, "file not found"),
])
def test_a_path_that_is_not_a_readable_file_is_one_line(tmp_path, make, message):
    path = tmp_path / "f.yaml"
    make(path)
    with pytest.raises(ConfigError, match=rf"f.yaml: {message}"):
        load_yaml(path)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = write(tmp_path, b"a" * 2048)
    with pytest.raises(ConfigError, match="larger than"):
        read_text(path, limit=1024)


def test_a_key_written_twice_names_both_lines(tmp_path):
    path = write(tmp_path, "villages:\n  - id: a\ncounty: x\nvillages:\n  - id: b\n")
    with pytest.raises(ConfigError, match=r"f.yaml:4:1: .*key 'villages' appears twice \(first on line 1\)"):
        load_yaml(path)


def test_a_nested_duplicate_is_found_and_a_merge_key_is_not_one(tmp_path):
    with pytest.raises(ConfigError, match=r":3:3: .*key 'cmn' appears twice"):
        load_yaml(write(tmp_path, "title:\n  cmn: a\n  cmn: b\n"))
    merged = "base: &b {rate: 150, pitch: 50}\nvoice:\n  <<: *b\n  rate: 180\n"
    assert load_yaml(write(tmp_path, merged, "m.yaml"))["voice"] == {"rate": 180, "pitch": 50}


@pytest.mark.parametrize("time", ["18:30", "7:05", "1:30.5"])
def test_an_unquoted_time_is_not_read_as_a_number(tmp_path, time):
    path = write(tmp_path, f"rules:\n  - times: [{time}]\n")
    with pytest.raises(ConfigError, match=rf"f.yaml:2:\d+: .*{time} is read by YAML as a number, not a time: "
                                          rf"write times in quotes, '{time}'"):
        load_yaml(path)
    assert load_yaml(write(tmp_path, f"times: ['{time}', 07:30]\n", "q.yaml")) == {"times": [time, "07:30"]}


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+400"])
def test_non_finite_numbers_are_refused(tmp_path, value):
    with pytest.raises(ConfigError, match=r"f.yaml:1:9: .*is not a finite number"):
        load_yaml(write(tmp_path, f"amount: {value}\n"))


def test_an_impossible_date_names_its_line(tmp_path):
    with pytest.raises(ConfigError, match=r"f.yaml:2:7: .*'2026-02-30' is not a real date"):
        load_yaml(write(tmp_path, "a: 1\nfrom: 2026-02-30\n"))


def test_alias_bombs_and_deep_nesting_are_refused(tmp_path):
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 60)]
    with pytest.raises(ConfigError, match=f"more than {MAX_ALIASES} aliases"):
        load_yaml(write(tmp_path, "\n".join(lines)))
    with pytest.raises(ConfigError, match=r"deep.yaml:1:65: YAML: nested more than 64 levels deep"):
        load_yaml(write(tmp_path, "[" * 200, "deep.yaml"))


def test_a_control_character_names_its_line(tmp_path):
    with pytest.raises(ConfigError, match=r"f.yaml:2: YAML: character .* is not allowed"):
        load_yaml(write(tmp_path, "a: 1\nb: x\x07y\n"))


class Span(StrictModel):
    first: Day
    count: int


def test_validation_errors_name_the_key_path_and_its_line(tmp_path):
    path = write(tmp_path, "# a comment\nfirst: 0001-01-01\ncount: many\ncolour: red\n")
    with pytest.raises(ConfigError) as caught:
        validate(Span, load_yaml(path), path)
    message = str(caught.value)
    assert "first: 0001-01-01 is outside 1970-2099 (a typo?) (line 2)" in message
    assert "count: Input should be a valid integer, unable to parse string as an integer (line 3)" in message
    assert "colour: unknown key (a typo?) (line 4)" in message
    assert validate(Span, {"first": dt.date(2027, 2, 1), "count": 1}, path).count == 1


def test_set_aside_keeps_a_damaged_file_and_its_companions(tmp_path):
    db = tmp_path / "ledger.sqlite"
    db.write_bytes(b"damaged")
    (tmp_path / "ledger.sqlite-wal").write_bytes(b"wal")
    moment = dt.datetime(2027, 2, 1, 8, 30)
    first = set_aside(db, moment)
    assert first.name == "ledger.sqlite.damaged-20270201T083000" and first.read_bytes() == b"damaged"
    assert (tmp_path / "ledger.sqlite.damaged-20270201T083000-wal").read_bytes() == b"wal"
    assert not db.exists() and not (tmp_path / "ledger.sqlite-wal").exists()
    db.write_bytes(b"again")
    assert set_aside(db, moment).name == "ledger.sqlite.damaged-20270201T083000-1"


def test_describe_fault_names_the_file():
    assert describe_fault(PermissionError(errno.EACCES, "Permission denied", "/srv/out.pdf")) \
        == "/srv/out.pdf: Permission denied"
    assert describe_fault(sqlite3.DatabaseError("file is not a database")) == "database: file is not a database"
    assert "not UTF-8 text" in describe_fault(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"))
    assert "UTF-8 locale" in describe_fault(UnicodeEncodeError("ascii", "村", 0, 1, "out of range"))
