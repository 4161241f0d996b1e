"""``gongkai serve``: the supervisor's desk over the store, in Chinese, on Datasette.

Pinned to Datasette 0.65. gongkai's own pages (``plugins/desk.py``: the
overview, a department, the problem list; built by ``desk.py``, charts by
``charts.py``) are the front; Datasette's explorer and the canned queries of the
weekly routine (below, in the metadata) stay behind 数据浏览. The store is opened
mutable, so a crawl can go on writing (WAL), but Datasette only reads it through
read-only connections and no writable query is configured. The one write is a
review (``plugins/review.py``), by a reviewer signed in with the configured
password. Views in the store (``problem_list``, ``ranking``) keep the canned
queries short.
"""

from __future__ import annotations

import contextlib
import json
import socket
from pathlib import Path
from typing import Any

from common.tables import tables_beside
from monitor.config import ConfigError, load_config
from monitor.store import Store

HERE = Path(__file__).resolve().parent
LATEST = "coalesce(nullif(:run, ''), (select max(id) from runs where status = 'complete'))"
# A problem_list row's explanation in Chinese (plugins/wording.py says it as the reports do).
EXPLAINED = (
    "explain_problem(json_object('type', type, 'detail', detail, 'status', status, 'attempts', attempts, "
    "'anchor_text', anchor_text, 'url', url, 'column', column, 'category_key', category_key, "
    "'last_updated', last_updated, 'age_days', age_days, 'threshold_days', threshold_days, "
    "'date_source', date_source))"
)
# A problem_list row's review in words (plugins/review.py makes its 核查 column a link).
REVIEWED = "coalesce((select label from labels where kind = 'review' and key = review), '')"
REVIEW_COLUMN = "核查"
HIDDEN = (
    "frontier",
    "notes",
    "checks",
    "links",
    "details",
    "pages",
    "items",
    "columns",
    "labels",
    "notifications",
    "column_states",
    "scores",
    "warnings",
    "_sqlite_migrations",
    "department_names",
    "reviews",
    "review_log",
    "set_aside",
    "handoffs",
    "memos",
    "register",
)

QUERIES: dict[str, dict[str, str]] = {
    "ranking": {
        "title": "本期排名（红黑榜）",
        "description": "各部门本期检查得分与结果：合格在前，按得分排序。run 留空为最新一次检查。",
        "sql": f"""select department_name as 部门, score as 得分, result as 结果, veto as 单项否决,
                   problems as 问题数, site as 网站, department as 编号
                   from ranking where run_id = {LATEST}
                   order by result = '不合格', score desc, problems""",
    },
    "problems_by_department": {
        "title": "本期各部门问题",
        "description": "本期未整改的问题，一行一个；可按部门编号筛选。",
        "sql": f"""select department_name as 部门, problem as 问题, state as 状态, column as 栏目,
                   coalesce(url, column_url) as 地址, source_url as 所在页面, {EXPLAINED} as 说明,
                   first_seen as 首次发现, {REVIEWED} as 核查结论, run_id || '|' || key as {REVIEW_COLUMN}
                   from problem_list where run_id = {LATEST} and state_key != 'resolved'
                   and (:department = '' or department = :department)
                   order by department, problem""",
    },
    "stale_columns": {
        "title": "超期未更新栏目",
        "description": "本期栏目不更新：最后更新日期、已过天数与要求。",
        "sql": f"""select department_name as 部门, column as 栏目, category as 类别, last_updated as 最后更新,
                   age_days as 未更新天数, threshold_days as 要求天数, column_url as 栏目地址, state as 状态
                   from problem_list where run_id = {LATEST} and type = 'column_stale' and state_key != 'resolved'
                   order by age_days desc""",
    },
    "broken_links": {
        "title": "链接不可用及所在页面",
        "description": "本期不可用的链接，以及链接所在的每一个页面。",
        "sql": f"""select p.department_name as 部门, p.url as 问题链接, p.status as 错误, l.source_url as 所在页面,
                   l.anchor_text as 链接文字, case when l.on_homepage then '是' else '' end as 首页, p.state as 状态
                   from problem_list p join links l on l.run_id = p.run_id and l.url = p.url
                   and l.department = p.department
                   where p.run_id = {LATEST} and p.type = 'broken_link' and p.state_key != 'resolved'
                   order by p.department, p.url""",
    },
    "fixed": {
        "title": "已整改",
        "description": "上期存在、本期已不再出现的问题。",
        "sql": f"""select department_name as 部门, problem as 问题, column as 栏目, coalesce(url, column_url) as 地址,
                   first_seen as 首次发现 from problem_list where run_id = {LATEST} and state_key = 'resolved'
                   order by department""",
    },
    "department_history": {
        "title": "部门历次检查",
        "description": "一个部门在每次检查中的得分、结果与问题数（填部门编号）。",
        "sql": """select run_id as 检查编号, as_of as 检查基准日, department_name as 部门, score as 得分,
                  result as 结果, problems as 问题数 from ranking where department = :department order by run_id""",
    },
}


def _canned() -> dict[str, dict[str, Any]]:
    """The canned queries, with their SQL hidden: supervisors see forms and tables."""
    return {name: {**query, "hide_sql": True} for name, query in QUERIES.items()}


def metadata(
    database: str, tables_dir: Path | None = None, db: Path | None = None, password_env: str | None = None
) -> dict[str, Any]:
    """Datasette metadata: Chinese titles and descriptions, hidden tables, facets, canned queries.

    ``tables_dir`` is the office's folder of rule tables, whose wording explains the problems;
    ``db`` the store reviews are written to, by reviewers signed in with the password in
    the environment variable ``password_env`` (``plugins/review.py``).
    """
    settings = {"tables_dir": str(tables_dir) if tables_dir else None, "db": str(db) if db else None}
    return {
        "plugins": {"gongkai": {**settings, "password_env": password_env}},
        "title": "gongkai 政务公开监测",
        "description": "各部门政府网站政务公开检查结果：栏目更新、空白栏目、链接可用性与站点连通性。",
        "databases": {
            database: {
                "title": "检查结果",
                "tables": {
                    **{name: {"hidden": True} for name in HIDDEN},
                    "problem_list": {
                        "title": "问题清单（全部检查）",
                        "facets": ["department_name", "problem", "state", "category"],
                        "columns": {
                            "department_name": "部门",
                            "problem": "问题类型",
                            "state": "新发现 / 未整改 / 已整改",
                            "column_url": "栏目地址",
                            "source_url": "链接所在页面",
                            "first_seen": "首次发现日期",
                        },
                    },
                    "ranking": {"title": "历次得分与结果", "facets": ["result"]},
                    "runs": {"title": "检查记录", "columns": {"as_of": "检查基准日", "status": "complete 为完成"}},
                    "probes": {"title": "首页连通性探测", "facets": ["department", "ok"]},
                    "problems": {"hidden": True},
                },
                "queries": _canned(),
            }
        },
    }


def _password_env(latest: dict[str, Any] | None) -> str | None:
    """The reviewers' password variable: from the config file as it is now, else as the latest run kept it."""
    if latest is None:
        return None
    path = Path(latest["config_path"])
    if path.is_file():
        with contextlib.suppress(ConfigError):
            return load_config(path).review.password_env
    return (json.loads(latest["config"]).get("review") or {}).get("password_env")


def listening(host: str, port: int) -> socket.socket:
    """The dashboard's listening socket; OSError when the address cannot be taken (a port in use)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock


def serve(db_path: Path, sock: socket.socket) -> None:
    """Serve the dashboard on a listening socket (``listening``) until stopped."""
    import uvicorn
    from datasette.app import Datasette

    store = Store(db_path)  # bring an older store's schema up to date before it is served read-only
    latest = store.run(store.latest_run_id() or 0)
    store.close()
    password_env = _password_env(latest)
    tables_dir = tables_beside(latest["config_path"]) if latest else None
    datasette = Datasette(
        [str(db_path)],
        metadata=metadata(db_path.stem, tables_dir, db_path.resolve(), password_env),
        plugins_dir=str(HERE / "plugins"),
        template_dir=str(HERE / "templates"),
        settings={"default_allow_sql": False, "suggest_facets": False, "max_returned_rows": 5000},
    )
    uvicorn.Server(uvicorn.Config(datasette.app(), log_level="warning")).run(sockets=[sock])
