"""Numbers in Mandarin notices, rewritten as a broadcaster reads them.

The written forms follow GB/T 15835-2011 (numbers in publications: 2027年2月6日,
110,000元, 3.5%, 8:30, 0859-4212345); the readings follow broadcast practice as
documented in docs/reading.md: phone numbers, card numbers and codes digit by
digit with 幺 for 1, years digit by digit with 一, quantities as cardinals
(cn2an) with 两 where 《现代汉语词典》's usage note on 两 puts it, percentages
as 百分之…, times as …点…分. Which reading a number gets is decided by what
stands around it (the unit after it, a keyword such as 拨打 or 验证码 before
it, its own shape), never by a list of sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from outreach.i18n import _

DIGITS = "零一二三四五六七八九"
HAN_DIGITS = frozenset("零一二三四五六七八九十幺两〇")

# After these a 2 is 两 (classifiers and measures; 《现代汉语词典》, 两 usage note).
LIANG_UNITS = (
    "个 次 张 名 位 户 件 笔 条 份 倍 天 周 年 岁 元 块 角 毛 斤 公斤 吨 亩 辆 台 部 起 种 项 家 所 场 批 把 座 间 只 "
    "颗 本 句 声 遍 套 小时 分钟 秒 点 千 万 亿 百 人 期 款 类 届 轮 支 根 片 盒 瓶 袋 包 箱 趟 回 步 单 枚 美元 公里 "
    "米 克 成 折 下 遍 拨 群 组 层 门 节 招"
).split()
# Units after which a number is a quantity, even when long or in a code context.
QUANTITY_UNITS = tuple(LIANG_UNITS) + tuple("月 日 号 级 路 楼 室 栋 元 余 多 左 分 度 ℃ 折".split())
# Units after which a long number or code still reads digit by digit (96110号, 301室).
DIGIT_UNITS = ("号", "路", "室", "栋", "楼")
# Words before a number that make it a code: read digit by digit.
CODE_CONTEXT = (
    "电话", "热线", "专线", "拨打", "致电", "手机", "手机号", "号码", "卡号", "账号", "帐号", "尾号", "验证码",
    "校验码", "动态码", "密码", "编号", "代码", "工号", "单号", "QQ", "QQ号", "微信", "微信号", "短信", "身份证",
    "身份证号", "车牌", "邮编", "座机", "客服", "举报", "报警", "拨", "打", "呼叫", "回拨", "分机", "房间", "批号",
)
CODE_AFTER = ("报警", "热线", "专线", "客服", "反诈", "求助")
# After these a four-digit number is a year, read digit by digit (2027年, 2022级, 2027届).
YEAR_UNITS = ("年", "学年", "级", "届")
LIST_JOINERS = ("、", "或", "和", "及", "或者", "/")
FRACTION_BEFORE = ("约", "近", "超过", "超", "占", "达", "仅", "不足", "逾", "将近", "高达", "只有")
RANGE_SIGNS = "-~～—–"


def read_digits(digits: str, yao: bool = True) -> str:
    """Read a digit string one digit at a time; 1 is 幺 on the phone, as Chinese speakers say it."""
    out = []
    for ch in digits:
        if ch.isdigit():
            out.append("幺" if (ch == "1" and yao) else DIGITS[int(ch)])
        elif ch in "-— ":
            continue
        else:
            out.append(ch)
    return "".join(out)


def _plain(number: str) -> str:
    text = number.replace(",", "").strip()
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return text


def cardinal(number: str, liang: bool = False) -> str:
    """Cardinal reading with 两 before 百/千/万/亿 at the head of a group; a bare 2 is 两 only if asked."""
    import cn2an  # slow to import (~0.3 s); only speech needs it, and the CLI must start fast

    text = _plain(number)
    try:
        spoken = cn2an.an2cn(text, "low")
    except (ValueError, TypeError, KeyError) as exc:
        if re.fullmatch(r"\d+(?:\.\d+)?", text, re.ASCII):
            return read_digits(text, yao=False).replace(".", "点")
        raise ValueError(_("not a number: {value!r}").format(value=number)) from exc
    if spoken == "二":
        return "两" if liang else spoken
    spoken = re.sub(r"^二(?=[百千万亿])", "两", spoken)
    return re.sub(r"(?<=[万亿])二(?=[千万亿])", "两", spoken)


def read_number(value: int | float | str) -> str:
    """Quantity reading: 110000 -> 十一万, 2000 -> 两千, 3.5 -> 三点五."""
    return cardinal(str(value))


def _starts(text: str, words: tuple[str, ...] | list[str]) -> str:
    """The longest of words that text starts with, or ''."""
    return max((w for w in words if text.startswith(w)), key=len, default="")


def _ends(text: str, words: tuple[str, ...]) -> bool:
    return any(text.endswith(w) for w in words)


class Reader:
    """Reads the numbers of one text left to right, remembering the last choice for lists (拨打110、120)."""

    def __init__(self, text: str, phones: set[str]) -> None:
        self.text = text
        self.phones = phones
        self.last_digits_end = -1

    def before(self, pos: int) -> str:
        return re.sub(r"[\s:：是为]+$", "", self.text[max(0, pos - 8):pos])

    def after(self, pos: int) -> str:
        return self.text[pos:pos + 4].lstrip()

    def in_code_list(self, pos: int) -> bool:
        gap = self.text[self.last_digits_end:pos].strip() if self.last_digits_end >= 0 else None
        return gap is not None and gap in LIST_JOINERS

    def is_code(self, plain: str, start: int, end: int) -> bool:
        """True when the number is a phone number or code by its shape or by the words around it."""
        after = self.after(end)
        unit = _starts(after, QUANTITY_UNITS)
        if plain in self.phones:
            return True
        if "." in plain or self.before(start).endswith("第"):
            return False
        if unit and unit not in DIGIT_UNITS:
            return False
        long_or_zero = len(plain) >= 5 or (plain.startswith("0") and len(plain) > 1)
        context = _ends(self.before(start), CODE_CONTEXT) or _starts(after, CODE_AFTER) or self.in_code_list(start)
        return long_or_zero or context

    def digits(self, plain: str, end: int) -> str:
        self.last_digits_end = end
        return read_digits(plain)

    def number(self, raw: str, start: int, end: int, unit_text: str | None = None) -> str:
        """One plain number: digits, a year, an ordinal or a quantity, by context."""
        plain = raw.replace(",", "")
        unit_text = self.after(end) if unit_text is None else unit_text
        if "," not in raw and self.is_code(plain, start, end):
            return self.digits(plain, end)
        if len(plain) == 4 and plain.isdigit() and unit_text.startswith(YEAR_UNITS):
            return read_digits(plain, yao=False)
        if len(plain) >= 3 and plain.isdigit() and unit_text.startswith("室"):
            return self.digits(plain, end)
        if plain.startswith("0") and len(plain) == 2 and unit_text[:1] in ("分", "秒"):
            return "零" + cardinal(plain[1:])
        ordinal = self.before(start).endswith("第")
        return cardinal(plain, liang=not ordinal and bool(_starts(unit_text, LIANG_UNITS)))


NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TIME = r"(?:[01]?\d|2[0-4])[:：][0-5]\d(?:[:：][0-5]\d)?"
PATTERNS = [
    ("iso_date", r"(?<![\d.])(?P<y>\d{4})(?P<ds>[-/.])(?P<mo>0?[1-9]|1[0-2])(?P=ds)(?P<d>0?[1-9]|[12]\d|3[01])(?![\d.])"),
    ("digits", r"(?<![\d-])0\d{2,3}-\d{7,8}(?![\d-])"),
    ("digits", r"(?<!\d)[48]00-\d{3,4}-?\d{3,4}(?!\d)"),
    ("digits", r"(?<!\d)1[3-9]\d(?:[ -]\d{4}){2}(?!\d)"),
    ("digits", r"(?<!\d)\d{4}(?: \d{4}){2,4}(?: \d{1,4})?(?!\d)"),
    ("digits", r"(?<!\d)\d{17}[Xx](?![A-Za-z\d])"),
    ("country", r"\+(?P<cc>\d{1,3})[ -]?(?=\d[\d -]{6,})"),
    ("time", rf"(?<![\d.:])(?P<t1>{_TIME})(?:\s*(?P<tsep>[{RANGE_SIGNS}至到])\s*(?P<t2>{_TIME}))?(?!\d)"),
    ("slash", r"(?<![\d/.])(?P<fa>\d{1,2})/(?P<fb>\d{1,3})(?![\d/])"),
    ("number", (
        rf"(?P<sign>(?<![0-9A-Za-z)）])[-+−](?=[¥￥$]?\d))?(?P<cur>[¥￥$])?(?P<a>{NUM})(?P<apct>[%％‰])?"
        rf"(?:\s*(?P<sep>[{RANGE_SIGNS}至到])\s*[¥￥$]?(?P<b>{NUM}))?(?P<pct>[%％‰])?"
        r"(?P<mag>[百千万亿]+)?(?P<plus>\+(?!\d))?"
    )),
]
MASTER = re.compile("|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(PATTERNS)), re.ASCII)
RANGE_DASH = re.compile(rf"(?<=[日号天月年分点秒元万亿千百%％个次人岁周])\s*[{RANGE_SIGNS}]\s*(?=[¥￥$]?\d)", re.ASCII)
TIMES_SIGN = re.compile(r"(?<=\d)\s*[×*]\s*(?=\d)", re.ASCII)
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
PERCENT = {"%": "百分之", "％": "百分之", "‰": "千分之"}
CURRENCY = {"¥": "元", "￥": "元", "$": "美元"}


def _clock(time: str) -> str:
    """8:30 -> 八点三十分, 08:05 -> 八点零五分, 14:00 -> 十四点."""
    parts = [int(p) for p in re.split(r"[:：]", time)]
    out = cardinal(str(parts[0]), liang=True) + "点"
    for value, unit in zip(parts[1:], ("分", "秒")):
        if value:
            out += ("零" if value < 10 else "") + cardinal(str(value)) + unit
    return out


def _slash(reader: Reader, m: re.Match[str]) -> str:
    """2/6 is a date (二月六日) unless the words around it make it a fraction (约1/3, 1/3的)."""
    a, b = int(m.group("fa")), int(m.group("fb"))
    after = reader.text[m.end():m.end() + 1]
    fraction = _ends(reader.before(m.start()), FRACTION_BEFORE) or after == "的"
    if not fraction and 1 <= a <= 12 and 1 <= b <= 31:
        day_written = after in ("日", "号")
        return f"{cardinal(str(a))}月{cardinal(str(b))}" + ("" if day_written else "日")
    return f"{cardinal(str(b))}分之{cardinal(str(a))}"


def _number(reader: Reader, m: re.Match[str]) -> str:
    """A number with its sign, currency, range, percent, magnitude and trailing plus."""
    g = m.groupdict()
    mag = g["mag"] or ""
    unit_text = mag + reader.after(m.end())
    pct = g["pct"] or g["apct"]
    quantity = bool(g["cur"] or g["b"] or pct or mag or g["sign"] or g["plus"])

    def one(raw: str, pos: int, end: int) -> str:
        if pct:
            return PERCENT[pct] + cardinal(raw)
        if quantity:
            return cardinal(raw, liang=bool(_starts(unit_text, LIANG_UNITS)) or bool(g["cur"]))
        return reader.number(raw, pos, end, unit_text)

    spoken = one(g["a"], m.start("a"), m.end("a"))
    if g["b"]:
        joiner = g["sep"] if g["sep"] in ("至", "到") else "到"
        spoken += joiner + one(g["b"], m.start("b"), m.end("b"))
    if g["sign"]:
        plus, below = g["sign"] == "+", reader.after(m.end())[:1] in ("℃", "度")
        spoken = {(False, True): "零下", (True, True): "零上", (True, False): "正"}.get((plus, below), "负") + spoken
    spoken += mag
    if g["cur"] and not reader.after(m.end()).startswith(("元", "美元")):
        spoken += CURRENCY[g["cur"]]
    return spoken + ("多" if g["plus"] else "")


def _read(reader: Reader, m: re.Match[str]) -> str:
    kind = PATTERNS[int(m.lastgroup[1:])][0] if m.lastgroup else "number"
    if kind == "iso_date":
        return (read_digits(m.group("y"), yao=False) + "年" + cardinal(str(int(m.group("mo")))) + "月"
                + cardinal(str(int(m.group("d")))) + "日")
    if kind == "digits":
        return reader.digits(m.group(0).replace(" ", "").replace("-", ""), m.end())
    if kind == "country":
        return "加" + read_digits(m.group("cc"))
    if kind == "time":
        joiner = m.group("tsep") if m.group("tsep") in ("至", "到") else "到"
        return _clock(m.group("t1")) + (joiner + _clock(m.group("t2")) if m.group("t2") else "")
    if kind == "slash":
        return _slash(reader, m)
    return _number(reader, m)


def _prepare(text: str) -> str:
    return TIMES_SIGN.sub("乘", RANGE_DASH.sub("到", text.translate(FULL_WIDTH_DIGITS)))


def speak(text: str, phone_numbers: Iterable[str] = (), before: str = "", after: str = "") -> str:
    """Rewrite every number in Mandarin text the way a broadcaster reads it aloud.

    ``before`` and ``after`` are the text around it (a neighbouring segment):
    they decide readings (拨打 | 110, 2 | 张) but are not rewritten.
    """
    phones = {re.sub(r"\D", "", p) for p in phone_numbers if p}
    before, text, after = _prepare(before), _prepare(text), _prepare(after)
    reader = Reader(before + text + after, phones)
    out, pos = [], len(before)
    for m in MASTER.finditer(reader.text, len(before), len(before) + len(text)):
        out.append(reader.text[pos:m.start()])
        out.append(_read(reader, m))
        pos = m.end()
    out.append(reader.text[pos:len(before) + len(text)])
    return "".join(out).replace("℃", "摄氏度").replace("°C", "摄氏度")


def speak_runs(texts: list[str | None], phone_numbers: Iterable[str] = ()) -> list[str | None]:
    """Read consecutive Mandarin segments, each in the context of its neighbours; None marks another language."""
    out: list[str | None] = []
    for i, text in enumerate(texts):
        if text is None:
            out.append(None)
            continue
        before = texts[i - 1] if i > 0 else None
        after = texts[i + 1] if i + 1 < len(texts) else None
        out.append(speak(text, phone_numbers, before or "", after or ""))
    return out
