"""tools/check_lexicon.py: the shipped lexicon is well formed, and bad lines are caught."""

from pathlib import Path

from tools import check_lexicon


def run(tmp_path: Path, text: str, *args: str) -> int:
    path = tmp_path / "lexicon.txt"
    path.write_text(text, encoding="utf-8")
    return check_lexicon.main([str(path), "--quiet", *args])


def test_shipped_lexicon_has_no_errors_or_warnings(capsys):
    assert check_lexicon.main(["--quiet", "--strict"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_shipped_lexicon_covers_every_life_event():
    report = check_lexicon.Report()
    lines = check_lexicon.parse(check_lexicon.LEXICON.read_text(encoding="utf-8"), report)
    sections = {line.section for line in lines}
    for event in ("生育收养", "户籍", "教育", "就业创业", "婚姻", "社保", "医疗", "住房"):
        assert event in sections
    for event in ("退休养老", "残疾人", "身后事", "开办企业", "准营", "投资建设"):
        assert event in sections
    everyday = {word for line in lines for word in line.everyday}
    assert len(everyday) >= 400
    assert {"养狗", "网吧", "放烟花", "小卖部", "房产证", "上户口"} <= everyday


def test_format_errors_fail(tmp_path, capsys):
    text = "# --- a ---\nx => a => b\n单\n词 => 许可，登记\n"
    assert run(tmp_path, text) == 1
    out = capsys.readouterr().out
    assert "line 2: more than one '=>'" in out
    assert "line 3: a group needs at least two words" in out
    assert "line 4: word with a stray" in out
    assert "3 error(s)" in out


def test_duplicates_and_self_maps_are_warnings(tmp_path, capsys):
    text = (
        "# --- a ---\n开网吧 => 互联网上网服务营业场所\n开网吧 => 不动产\n"
        "危房 => 危房 农村危房改造\n# --- b ---\n开网吧 => 不动产\n"
    )
    assert run(tmp_path, text) == 0
    out = capsys.readouterr().out
    assert "line 3: '开网吧' already listed on line 2 of section a" in out
    assert "line 4: '危房' is mapped to itself" in out
    assert "'开网吧' is listed in several sections: a, b" in out
    assert run(tmp_path, text, "--strict") == 1


def test_official_words_must_occur_in_item_names(tmp_path, capsys):
    assert run(tmp_path, "狗 => 犬类 犬只\n") == 0
    out = capsys.readouterr().out
    assert "official word '犬只' is in no item name" in out
    assert "'犬类'" not in out


def test_expansion_that_adds_nothing_and_common_words_are_flagged(tmp_path, capsys):
    assert run(tmp_path, "危房 => 农村危房改造\n办个事 => 登记 申请\n") == 0
    out = capsys.readouterr().out
    assert "expanding '危房' adds nothing" in out
    assert "every official word is common" in out
