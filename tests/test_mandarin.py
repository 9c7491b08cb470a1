import datetime as dt

import pytest

from outreach.languages import mandarin


@pytest.mark.parametrize("text, spoken", [
    ("被骗110000元", "被骗十一万元"),
    ("被骗16635元", "被骗一万六千六百三十五元"),
    ("被骗110,000元", "被骗十一万元"),
    ("拨打96110", "拨打九六幺幺零"),
    ("2026年2月15日", "二零二六年二月十五日"),
    ("查获电话卡4张", "查获电话卡四张"),
    ("电话0859-1234567", "电话零八五九幺二三四五六七"),
    ("利率3.5倍", "利率三点五倍"),
])
def test_speak_reads_numbers_as_a_speaker_would(text, spoken):
    assert mandarin.speak(text) == spoken


def test_known_phone_numbers_are_read_digit_by_digit_even_when_short():
    assert mandarin.speak("请记住110") == "请记住一百一十"
    assert mandarin.speak("请记住110", phone_numbers=["110"]) == "请记住幺幺零"
    assert mandarin.speak("请拨打110报警") == "请拨打幺幺零报警"


def test_digits_money_dates():
    assert mandarin.read_digits("96110") == "九六幺幺零"
    assert mandarin.read_digits("2027", yao=False) == "二零二七"
    assert mandarin.format_money(110000) == "110,000元"
    assert mandarin.read_date(dt.date(2027, 2, 6)) == "二月六日"
    assert mandarin.read_date(dt.date(2027, 2, 6), with_year=True) == "二零二七年二月六日"
    with pytest.raises(ValueError):
        mandarin.read_number("lots")


def test_pinyin_tokens_are_syllables_and_pause_marks():
    assert mandarin.pinyin_tokens("“还款”，还有银行。") == ["huan2", "kuan3", ",", "hai2", "you3", "yin2", "hang2", "."]
    assert mandarin.pinyin_tokens("一个不要你好？绿色") == ["yi2", "ge4", "bu2", "yao4", "ni2", "hao3", "?", "lv4", "se4"]
    assert mandarin.to_pinyin("请拨打96110！") == "qing3 bo1 da2 jiu3 liu4 yao1 yao1 ling2!"


def test_segments_are_read_with_their_neighbours_as_context():
    texts = ["查获电话卡", "2", "张，请拨打", "110", None, "第", "2", "名"]
    assert mandarin.speak_segments(texts) == ["查获电话卡", "两", "张，请拨打", "幺幺零", None, "第", "二", "名"]
    assert mandarin.speak("2", after="张") == "两" and mandarin.speak("2") == "二"


def test_money_is_read_with_liang():
    assert [mandarin.read_money(v) for v in (2000, 2, "0.5", 110000)] == ["两千元", "两元", "零点五元", "十一万元"]


@pytest.mark.parametrize("value", ["nan", float("inf"), "-inf", "1e400"])
def test_money_that_is_not_a_finite_number_is_refused_not_printed(value):
    """A one-line error wherever it is met (an OutreachError), and a bad value to a template's filter."""
    with pytest.raises(mandarin.NumberError, match="not a finite number"):
        mandarin.format_money(value)
    with pytest.raises(ValueError, match="not a finite number"):
        mandarin.read_money(value)
