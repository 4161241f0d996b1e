"""Publication dates as Chinese government sites write them.

Two steps, kept apart so the store can hold the raw text beside the value:
``find_date_text`` picks the date-looking part out of a list cell or a line of a
detail page; ``normalize`` turns that text into a ``datetime.date`` relative to
the inspection day (``as_of``). Regular expressions cover the formats sites use;
dateparser handles the rest (relative phrases and textual forms).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９／－．：　［］（）",
    "0123456789/-.: []()",
)
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN = "〇○零Ｏ一二三四五六七八九十"

_FULL = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
_CHINESE = re.compile(rf"([{_CN}]{{4}})\s*年\s*([{_CN}]{{1,3}})\s*月\s*([{_CN}]{{1,3}})\s*日")
_MONTH_DAY = re.compile(r"(?<![\d./-])(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?![\d./-])\s*日?")
_RELATIVE = re.compile(r"(\d+)\s*(天|日|小时|分钟|周|星期)前|今天|昨天|前天|刚刚")
_URL_COMPACT = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")
_URL_PATH = re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/")
# Upload dates in file and folder names: TRS attachments (P020260301…), /20260301/, /2026-03-01/,
# 2026030112345678.pdf.
_FILE_NAME = re.compile(
    r"/[PW]0((?:19|20)\d{2})(\d{2})(\d{2})\d{6,}"
    r"|/((?:19|20)\d{2})-?(\d{2})-?(\d{2})/"
    r"|/((?:19|20)\d{2})(\d{2})(\d{2})\d{4,}\.\w{2,5}$"
)

# A date later than the inspection day by more than this is not believed.
_FUTURE_SLACK = timedelta(days=1)


def _cn_number(text: str) -> int:
    """Convert a Chinese numeral of at most two digits (``十二``, ``二十一``) or digits."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def find_date_text(text: str) -> str | None:
    """Return the first date-looking substring of ``text``, or None.

    Full dates win over Chinese-numeral dates, which win over year-less and
    relative ones, so ``[2026-03-01]`` beside ``03-01`` yields the full form.
    """
    if not text:
        return None
    text = text.translate(_FULLWIDTH)
    for pattern in (_FULL, _CHINESE, _MONTH_DAY, _RELATIVE):
        match = pattern.search(text)
        if match:
            return match.group(0).strip()
    return None


def _checked(year: int, month: int, day: int, as_of: date) -> date | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if value > as_of + _FUTURE_SLACK or year < 1990:
        return None
    return value


def _month_day(month: int, day: int, as_of: date) -> date | None:
    """A year-less date is the most recent such day not after ``as_of``."""
    for year in range(as_of.year, as_of.year - 5, -1):  # far enough back to reach a 02-29
        try:
            value = date(year, month, day)
        except ValueError:
            continue  # 02-29 outside a leap year: try the year before
        if value <= as_of:
            return value
    return None


def _relative(match: re.Match[str], as_of: date) -> date:
    word = match.group(0)
    if word in ("今天", "刚刚"):
        return as_of
    if word == "昨天":
        return as_of - timedelta(days=1)
    if word == "前天":
        return as_of - timedelta(days=2)
    amount, unit = int(match.group(1)), match.group(2)
    if unit in ("天", "日"):
        return as_of - timedelta(days=amount)
    if unit in ("周", "星期"):
        return as_of - timedelta(weeks=amount)
    return as_of  # hours or minutes ago: today


def _dateparser(text: str, as_of: date) -> date | None:
    import dateparser  # slow to import; only needed for the rare textual forms

    base = datetime(as_of.year, as_of.month, as_of.day, 12)
    parsed = dateparser.parse(
        text,
        languages=["zh", "en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "STRICT_PARSING": True},
    )
    if parsed is None:
        return None
    return _checked(parsed.year, parsed.month, parsed.day, as_of)


def normalize(raw: str | None, as_of: date) -> date | None:
    """Turn date text into a date, or None when it cannot be read.

    Never raises and never returns a date after ``as_of`` (plus one day of slack
    for time zones): a year-less ``03-01`` is the latest March 1st up to ``as_of``.
    """
    if not raw:
        return None
    text = raw.translate(_FULLWIDTH).strip()
    if match := _FULL.search(text):
        return _checked(int(match.group(1)), int(match.group(2)), int(match.group(3)), as_of)
    if match := _CHINESE.search(text):
        year = _cn_number(match.group(1))
        return _checked(year, _cn_number(match.group(2)), _cn_number(match.group(3)), as_of)
    if match := _MONTH_DAY.search(text):
        return _month_day(int(match.group(1)), int(match.group(2)), as_of)
    if match := _RELATIVE.search(text):
        return _relative(match, as_of)
    if len(text) <= 40 and any(ch.isdigit() for ch in text):
        try:
            return _dateparser(text, as_of)
        except Exception:  # dateparser raises on some odd inputs; unreadable is the answer
            return None
    return None


def has_year(raw: str | None) -> bool:
    """True when date text names its year (2026-03-01, 二〇二六年三月一日), not only a month and day."""
    text = (raw or "").translate(_FULLWIDTH)
    return bool(_FULL.search(text) or _CHINESE.search(text))


def date_text_from_url(url: str) -> str | None:
    """Return the date a CMS writes into an item URL (TRS ``t20260301_``, Hanweb ``/art/2026/3/1/``).

    Often the build or approval date rather than the publication date, so it is
    only a fallback when the list shows no date.
    """
    if match := _URL_COMPACT.search(url):
        return "-".join(match.groups())
    if match := _URL_PATH.search(url):
        return "-".join(match.groups())
    return None


def upload_date_text(url: str) -> str | None:
    """Return the date a file or folder name of an URL carries (a CMS's upload date), or None.

    Never an item's date: only evidence beside the date a list shows (日期倒签).
    """
    if match := _FILE_NAME.search(url):
        return "-".join(g for g in match.groups() if g)
    return None
