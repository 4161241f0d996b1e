"""Item dates as Chinese government sites write them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.dates import date_text_from_url, find_date_text, normalize

AS_OF = date(2026, 11, 22)
CN = "〇一二三四五六七八九"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("2026/3/1", date(2026, 3, 1)),
        ("2026年03月01日", date(2026, 3, 1)),
        ("2026年3月1日", date(2026, 3, 1)),
        ("2026.03.01", date(2026, 3, 1)),
        ("[2026-03-01]", date(2026, 3, 1)),
        ("[ 2026-09-03 ]", date(2026, 9, 3)),
        ("发布时间：2026-03-01 10:20", date(2026, 3, 1)),
        ("时间： 2019-09-18", date(2019, 9, 18)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),
        ("二〇二六年三月一日", date(2026, 3, 1)),
        ("二○二六年十一月二十日", date(2026, 11, 20)),
        ("２０２６－０３－０１", date(2026, 3, 1)),
        ("[03-01]", date(2026, 3, 1)),
        ("11-08", date(2026, 11, 8)),
        ("12-25", date(2025, 12, 25)),  # year-less and later than as-of: last year
        ("3天前", date(2026, 11, 19)),
        ("昨天", date(2026, 11, 21)),
        ("前天", date(2026, 11, 20)),
    ],
)
def test_supported_formats_are_normalized(text, expected):
    raw = find_date_text(text)
    assert raw is not None
    assert normalize(raw, AS_OF) == expected


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "2031-01-01", "关于做好工作的通知", "第404号", ""])
def test_impossible_or_future_or_missing_dates_are_none(text):
    assert normalize(find_date_text(text), AS_OF) is None


def test_year_is_taken_from_context_and_never_in_the_future():
    assert normalize("02-29", date(2026, 3, 1)) == date(2024, 2, 29)
    assert normalize("11-23", AS_OF) == date(2025, 11, 23)


def test_url_dates_of_trs_and_hanweb_items():
    assert date_text_from_url("https://a.gov.cn/xxgk/tzgg/202603/t20260301_1234567.html") == "2026-03-01"
    assert date_text_from_url("https://a.gov.cn/art/2026/3/1/art_1229_123456.html") == "2026-3-1"
    assert date_text_from_url("https://a.gov.cn/col/col1/index.html") is None


# No deadline: the first call that reaches dateparser loads its language data.
@settings(deadline=None)
@given(st.text(max_size=60))
def test_normalizer_never_raises_on_arbitrary_text(text):
    value = normalize(text, AS_OF)
    assert value is None or value <= AS_OF + timedelta(days=1)
    found = normalize(find_date_text(text), AS_OF)
    assert found is None or found <= AS_OF + timedelta(days=1)


def _cn_year(year: int) -> str:
    return "".join(CN[int(d)] for d in str(year))


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CN[tens] + "十")) + (CN[ones] if ones or not tens else "")


FORMATS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: f"[{d.isoformat()}]",
    lambda d: f"发布日期：{d.isoformat()} 09:30",
    lambda d: f"{_cn_year(d.year)}年{_cn_small(d.month)}月{_cn_small(d.day)}日",
    lambda d: d.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
]


@given(st.dates(min_value=date(1995, 1, 1), max_value=AS_OF), st.sampled_from(range(len(FORMATS))))
def test_every_supported_format_round_trips(day, fmt):
    text = FORMATS[fmt](day)
    assert normalize(find_date_text(text), AS_OF) == day


@given(st.dates(min_value=AS_OF - timedelta(days=364), max_value=AS_OF))
def test_year_less_dates_round_trip_within_the_last_year(day):
    assert normalize(f"[{day.month:02d}-{day.day:02d}]", AS_OF) == day
