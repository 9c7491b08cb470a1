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
    assert mandarin.speak("请拨打110报警") == "请拨打一百一十报警"
    assert mandarin.speak("请拨打110报警", phone_numbers=["110"]) == "请拨打幺幺零报警"


def test_digits_money_dates():
    assert mandarin.read_digits("96110") == "九六幺幺零"
    assert mandarin.read_digits("2027", yao=False) == "二零二七"
    assert mandarin.format_money(110000) == "110,000元"
    assert mandarin.read_date(dt.date(2027, 2, 6)) == "二月六日"
    assert mandarin.read_date(dt.date(2027, 2, 6), with_year=True) == "二零二七年二月六日"
    with pytest.raises(ValueError):
        mandarin.read_number("lots")
