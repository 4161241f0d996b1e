"""What the rule tables ``rules.yaml`` and ``markers.yaml`` must hold, as pydantic models.

An office's own table beside its config is checked against these when the
config is loaded (``monitor.config.check_tables``), each problem named with its
file and line; the bundled tables are checked by the tests. The crawl reads
``markers.yaml`` through ``MarkersTable`` (``crawler.pages.PageMarkers``) and
its failure confirmation through ``LinkCheck`` (the run plan's ``link_check``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Words = list[Annotated[str, Field(min_length=1)]]  # an empty word would be found everywhere


class LinkCheck(_Table):
    """How failures are confirmed and links re-checked (``link_check``)."""

    attempts: int = Field(default=3, ge=1)  # total tries of a failing URL within one run
    backoff_seconds: float = Field(default=1.0, ge=0)  # wait before the 2nd try; doubles for each further try
    max_retry_after: float = Field(default=30, ge=0)  # a longer Retry-After is capped to this
    recheck_days: int = Field(default=6, ge=0)  # a link found working this recently is not asked again


class Veto(_Table):
    """The single items that fail an inspection outright (单项否决)."""

    key_categories: list[str]
    stale_key_columns: int = Field(ge=1)
    stale_columns: int = Field(ge=1)
    empty_columns: int = Field(ge=1)
    probe_failure_ratio: float = Field(gt=0, le=1)
    faked: list[str] = []  # problem types that, once confirmed, are 弄虚作假
    serious_wording: int = Field(default=1, ge=1)  # confirmed serious 表述错误 that fail the site
    unanswered_messages: int = Field(default=1, ge=1)  # messages unanswered beyond the limit that fail it


class Score(_Table):
    """The score's pass mark and deductions."""

    pass_mark: float = Field(ge=0, le=100)
    broken_link_homepage: float = Field(ge=0)
    broken_link_other: float = Field(ge=0)
    broken_links_cap: float = Field(ge=0)
    column_stale: dict[str, float]
    column_stale_cap: float = Field(ge=0)
    column_empty: float = Field(ge=0)
    column_empty_cap: float = Field(ge=0)
    fake_freshness: dict[Literal["sudden_update", "repost", "backdated"], float] = {}
    fake_freshness_cap: float = Field(default=20, ge=0)
    wording: float = Field(default=1, ge=0)  # each confirmed 表述错误
    wording_cap: float = Field(default=10, ge=0)
    interaction_unanswered: float = Field(default=2, ge=0)  # each message unanswered beyond the limit
    interaction_cap: float = Field(default=20, ge=0)


class EarlyWarning(_Table):
    """How early a coming problem is warned of."""

    column_days: dict[str, int]
    probe_failure_ratio: float = Field(gt=0, le=1)
    veto_margin: int = Field(ge=0)


class Probe(_Table):
    """The availability probes."""

    interval_minutes: int = Field(ge=1)
    timeout_seconds: float = Field(gt=0)
    window_days: int = Field(ge=1)


class SuddenUpdate(_Table):
    """突击更新: an idle column that receives many items at once."""

    min_items: int = Field(ge=2)
    within_days: int = Field(ge=1)
    min_idle_days: int = Field(ge=1)
    exempt_categories: list[str] = []  # published in yearly batches: never suspected


class Repost(_Table):
    """旧稿重发: an item with the title or body of one dated earlier."""

    min_days_older: int = Field(ge=1)
    min_title_chars: int = Field(ge=1)
    max_shared_title: int = Field(default=2, ge=2)
    max_shared_body: int = Field(ge=2)


class Backdated(_Table):
    """日期倒签: a shown date later than the item's URL, file name or page says."""

    margin_days: int = Field(ge=1)


class FakeFreshness(_Table):
    """What makes a column look fresh without new content (``fake_freshness``)."""

    recent_days: int = Field(ge=1)
    sudden_update: SuddenUpdate
    repost: Repost
    backdated: Backdated


class Ranking(_Table):
    """The 红黑榜."""

    red_list_min_score: float = Field(ge=0, le=100)


class ReviewRules(_Table):
    """``rules.yaml`` ``review``: the decisions a reviewer makes, and what a dismissal was judged on."""

    decisions: dict[Literal["confirmed", "dismissed", "fixed_pending"], str]
    dismiss_reasons: list[str] = Field(min_length=1)
    ended: dict[Literal["evidence_changed", "found_again"], str]
    evidence: dict[str, list[str]]
    confirm_first: list[str] = []  # types gongkai only suspects: set aside until confirmed


class ReplyLimit(_Table):
    """How long a 政务咨询 message may wait for its answer: in months, days or working days (one of them)."""

    months: int | None = Field(default=None, ge=1)
    days: int | None = Field(default=None, ge=1)
    working_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one(self) -> ReplyLimit:
        if sum(value is not None for value in (self.months, self.days, self.working_days)) != 1:
            raise ValueError("give exactly one of months, days, working_days")
        return self


class Interaction(_Table):
    """``rules.yaml`` ``interaction``: 互动回应差, a 政务咨询 message left unanswered beyond the limit."""

    reply_limit: ReplyLimit
    window_days: int = Field(ge=1)  # only messages left within this many days before the check are judged
    not_consultation: list[str]  # words of interaction columns that are no 政务咨询 channel (在线访谈, 信访 …)
    holidays: list[date] = []  # days that are no working day (法定节假日), for ``working_days``
    workdays: list[date] = []  # weekend days that are working days (调休)


class RulesTable(_Table):
    """``rules.yaml``: thresholds, confirmation, labels, veto, score, warnings, probes, ranking."""

    homepage_max_age_days: int = Field(ge=1)
    thresholds: dict[str, int]
    link_check: LinkCheck
    problem_types: dict[str, str]
    date_sources: dict[str, str]
    rectification: dict[str, str]
    warning_kinds: dict[str, str]
    internal_error_share: float = Field(ge=0, le=1)
    states: dict[str, str]
    column_states: dict[str, str]
    veto: Veto
    score: Score
    early_warning: EarlyWarning
    fake_freshness: FakeFreshness
    probe: Probe
    ranking: Ranking
    veto_labels: dict[str, str]
    review: ReviewRules
    interaction: Interaction


class ChallengeStructure(_Table):
    """How a challenge page is built (``markers.yaml`` ``challenge_structure``)."""

    statuses: list[int]
    sets_cookie: list[str]
    reloads: list[str]


class NotColumns(_Table):
    """The names of pages that are never columns (``markers.yaml`` ``not_columns``)."""

    furniture: list[str]
    landing: list[str]
    pager: list[str]


class MessageMarkers(_Table):
    """How a 政务咨询 message says when it was left and whether it was answered (``markers.yaml`` ``messages``)."""

    asked: Words = Field(min_length=1)  # labels of the time a message was left: 留言时间, 来信时间
    replied: Words = Field(min_length=1)  # labels of the time it was answered: 回复时间
    reply_text: Words  # labels of the answer itself: 回复内容
    status: Words  # headers of a list's status column: 状态, 办理状态
    unanswered: Words  # words that say it was not answered: 未回复, 办理中
    answered: Words  # words that say it was: 已回复, 已办结


class MarkersTable(_Table):
    """``markers.yaml``: the words and patterns pages are read by."""

    empty_column: list[str]
    soft_404: list[str]
    soft_404_short_text: int = Field(ge=0)
    challenge: list[str]
    challenge_max_text: int = Field(ge=0)
    challenge_structure: ChallengeStructure
    next_page_text: list[str]
    detail_url_patterns: list[str]
    list_signals: list[str]
    drawing_signals: list[str]
    list_container_hints: list[str]
    search_url_patterns: list[str]
    not_columns: NotColumns
    paging_query_params: list[str]
    link_regions: dict[str, list[str]]
    breadcrumb_labels: list[str]
    waf_block: list[str]
    waf_block_max_text: int = Field(ge=0)
    ignored_query_params: list[str]
    max_query_variants: int = Field(ge=1)
    max_repeated_segment: int = Field(ge=1)
    messages: MessageMarkers


class WrongTerm(_Table):
    """An entry of ``terms.yaml`` ``wrong_terms``: 错误词汇 → 推荐词汇."""

    wrong: str = Field(min_length=2)
    right: str | None = None
    note: str | None = None
    since: date | None = None  # only articles published on or after it are checked for it
    serious: bool = False  # counts towards the 严重表述错误 veto once confirmed


class Leader(_Table):
    """An entry of ``terms.yaml`` ``leaders``: a leader's right name, their titles, the wrong forms of the name."""

    name: str = Field(min_length=2)
    titles: Words = []
    wrong_forms: list[Annotated[str, Field(min_length=2)]] = []


class TermsTable(_Table):
    """``terms.yaml``: what an article must not say (错误词汇, 领导姓名和职务, 敏感词)."""

    wrong_terms: list[WrongTerm]
    leaders: list[Leader]
    titles: Words
    sensitive_words: Words
    corrections: Words
    former: Words = []  # words before a name that say it is a former one (原)


# The models of the tables that have one, by file name.
TABLE_MODELS: dict[str, type[BaseModel]] = {
    "rules.yaml": RulesTable,
    "markers.yaml": MarkersTable,
    "terms.yaml": TermsTable,
}
