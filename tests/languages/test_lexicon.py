"""The Bouyei lexicon file: every fault names pcc.csv and the line, never a traceback."""

import pytest

from outreach.errors import ConfigError
from outreach.languages.lexicon import COLUMNS, Lexicon

HEADER = ",".join(COLUMNS)


def _lexicon(tmp_path, *rows: str):
    path = tmp_path / "pcc.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def test_rows_are_read_and_looked_up_without_case(tmp_path):
    path = _lexicon(tmp_path, "Mengz,你,you,pronoun,high,,,Snyder 2001", '"boz",父亲,"father, elder",noun,low,,,one source')
    lexicon = Lexicon.load(path)
    assert lexicon.lookup("mengz").gloss_en == "you" and lexicon.lookup("BOZ").gloss_en == "father, elder"
    assert lexicon.lookup("boz").weak and lexicon.knows("ndeeul") and not lexicon.knows("dog")


@pytest.mark.parametrize(("rows", "message"), [
    (("mengz,你,you,pronoun,high,,,src", "boz," + "x" * 200_000 + ",father,noun,high,,,src"),
     r"pcc\.csv:3: not a CSV row \(field larger than field limit"),
    (("mengz,你,you,pronoun,high,,,src", ",父亲,father,noun,high,,,src"), r"pcc\.csv:3: empty form"),
    (('"boz\n",父亲,father,noun,high,,,', ), r"pcc\.csv:3: 'boz' has no source"),
])
def test_a_bad_row_names_the_file_and_line(tmp_path, rows, message):
    with pytest.raises(ConfigError, match=message):
        Lexicon.load(_lexicon(tmp_path, *rows))


def test_a_missing_column_or_undecodable_file_names_the_file(tmp_path):
    path = tmp_path / "pcc.csv"
    path.write_text("form,gloss_zh\nmengz,你\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pcc\.csv: missing columns gloss_en"):
        Lexicon.load(path)
    path.write_bytes(HEADER.encode() + b"\n\xff,x,y,z,high,,,src\n")
    with pytest.raises(ConfigError, match=r"pcc\.csv.*not UTF-8"):
        Lexicon.load(path)
