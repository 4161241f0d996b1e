"""A broken config is reported with file, line and key, exits 2, and crawls nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import ConfigError, load_config
from monitor.demo.server import Route, SiteServer

GOOD = """timezone: Asia/Shanghai
departments:
  - id: jyj
    name: 县教育局
    site: {site}
  - id: wjw
    name: 县卫健委
    site: {site}wjw/
"""


@pytest.fixture
def site():
    with SiteServer({"/": Route("<html><body>ok</body></html>")}) as server:
        yield server


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            ("    site: {site}\n", "    site: {site}\n    colums: []\n"),
            "sites.yaml:6: departments[0].colums: unknown key",
        ),
        (("site: {site}wjw/", "site: htp//wjw"), "sites.yaml:8: departments[1].site: not an http(s) URL: 'htp//wjw'"),
        (("  - id: wjw", "  - id: jyj"), "sites.yaml:6: departments[1].id: duplicate id 'jyj' (also departments[0])"),
        (
            ("timezone: Asia/Shanghai", 'timezone: Asia/Shanghai\nschedule: "0 2 * *"'),
            "sites.yaml:2: schedule: bad cron",
        ),
        (
            ("departments:", "thresholds: {newz: 3}\ndepartments:"),
            "sites.yaml:2: thresholds.newz: unknown category 'newz'",
        ),
        (("name: 县卫健委", "name: [县卫健委"), "while parsing a flow sequence at line 7)"),
    ],
    ids=["typo-key", "bad-url", "duplicate-id", "bad-cron", "unknown-category", "bad-yaml"],
)
def test_broken_config_names_the_problem_and_crawls_nothing(tmp_path, site, broken, expected):
    good = GOOD.replace("{site}", site.base)
    old, new = (part.replace("{site}", site.base) for part in broken)
    text = good.replace(old, new, 1)
    assert text != good
    config = tmp_path / "sites.yaml"
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert site.log == []
    assert not (tmp_path / "g.db").exists()


def test_unknown_only_id_is_a_config_error(tmp_path, site):
    config = tmp_path / "sites.yaml"
    config.write_text(GOOD.replace("{site}", site.base), encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(tmp_path / "g.db"), "--only", "gaj"])
    assert result.exit_code == 2
    assert "--only: no department with id 'gaj'" in result.output
    assert site.log == []


def test_missing_config_file_is_named(tmp_path):
    result = CliRunner().invoke(cli, ["crawl", "-c", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: no such config file" in result.output


def test_shipped_example_config_is_valid():
    from common.tables import defaults_dir
    from monitor.config import load_config

    config = load_config(defaults_dir() / "sites.yaml")
    assert [d.id for d in config.departments] == ["jyj", "wjw"]


def test_the_offices_own_category_is_accepted_and_used(tmp_path, site):
    import yaml

    from common.tables import defaults_dir
    from monitor.config import load_config

    categories = yaml.safe_load((defaults_dir() / "categories.yaml").read_text(encoding="utf-8"))
    categories["categories"]["supervision"] = {"label": "监督检查类", "names": ["双随机一公开"]}
    (tmp_path / "categories.yaml").write_text(yaml.safe_dump(categories, allow_unicode=True), encoding="utf-8")
    text = (
        GOOD.replace("{site}", site.base)
        + f"    columns: [{{name: 双随机, url: '{site.base}sjs/', category: supervision}}]\n"
    )
    (tmp_path / "sites.yaml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "sites.yaml")
    assert config.departments[1].columns[0].category == "supervision"


def test_an_offices_rule_table_from_an_older_gongkai_still_works(tmp_path):
    import yaml

    from common.tables import defaults_dir, load_tables

    rules = yaml.safe_load((defaults_dir() / "rules.yaml").read_text(encoding="utf-8"))
    del rules["rectification"]  # a key this gongkai added after the office copied the table
    rules["homepage_max_age_days"] = 7
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    tables = load_tables(tmp_path)
    assert tables.rules["homepage_max_age_days"] == 7  # the office's value wins
    assert tables.rules["rectification"]["broken_link"]  # the new key keeps its bundled value


def test_a_typo_in_the_offices_rule_table_is_named_before_crawling(tmp_path, site):
    from common.tables import defaults_dir

    rules = (defaults_dir() / "rules.yaml").read_text(encoding="utf-8")
    broken = rules.replace("homepage_max_age_days:", "homepage_max_age_dayz:", 1)
    (tmp_path / "rules.yaml").write_text(broken, encoding="utf-8")
    line = broken.splitlines().index(next(x for x in broken.splitlines() if x.startswith("homepage_max_age_dayz"))) + 1
    config = tmp_path / "sites.yaml"
    config.write_text(GOOD.replace("{site}", site.base), encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 2
    assert f"rules.yaml:{line}: homepage_max_age_dayz: unknown key" in result.output
    assert site.log == []


def test_a_wrong_link_check_value_in_the_offices_rule_table_is_named_before_crawling(tmp_path, site):
    from common.tables import defaults_dir

    rules = (defaults_dir() / "rules.yaml").read_text(encoding="utf-8")
    broken = rules.replace("  attempts: 3 ", "  attempts: 0 ", 1)
    assert broken != rules
    (tmp_path / "rules.yaml").write_text(broken, encoding="utf-8")
    line = broken.splitlines().index(next(x for x in broken.splitlines() if x.startswith("  attempts: 0"))) + 1
    config = tmp_path / "sites.yaml"
    config.write_text(GOOD.replace("{site}", site.base), encoding="utf-8")
    db = tmp_path / "g.db"
    result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(db)])
    assert result.exit_code == 2
    assert f"rules.yaml:{line}: link_check.attempts: Input should be greater than or equal to 1" in result.output
    assert site.log == []
    assert not db.exists()  # no run was started, so none is left unfinished


def test_a_wrong_marker_value_in_the_offices_table_is_named_with_its_line(tmp_path, site):
    from common.tables import defaults_dir

    markers = (defaults_dir() / "markers.yaml").read_text(encoding="utf-8")
    broken = markers.replace("max_query_variants: 30", "max_query_variants: 0", 1)
    assert broken != markers
    (tmp_path / "markers.yaml").write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("max_query_variants: 0") + 1
    config = tmp_path / "sites.yaml"
    config.write_text(GOOD.replace("{site}", site.base), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert caught.value.messages == [
        f"{tmp_path / 'markers.yaml'}:{line}: max_query_variants: Input should be greater than or equal to 1"
    ]


def test_the_bundled_rule_tables_hold_what_their_models_ask_and_no_key_twice():
    import yaml

    from common.table_models import TABLE_MODELS
    from common.tables import TABLE_FILES, defaults_dir, load_tables
    from monitor.config_errors import positions

    tables = load_tables()
    for name, model in TABLE_MODELS.items():
        model.model_validate(getattr(tables, name.removesuffix(".yaml")))
    for name in TABLE_FILES:  # YAML keeps the last of a key written twice: an edit to the first would be lost
        twice: list = []
        positions(yaml.compose((defaults_dir() / name).read_text(encoding="utf-8")), (), {}, twice)
        assert twice == [], name


def test_the_sample_config_is_not_crawled_as_if_it_were_the_offices(tmp_path):
    from common.tables import defaults_dir

    result = CliRunner().invoke(
        cli, ["crawl", "-c", str(defaults_dir() / "sites.yaml"), "--db", str(tmp_path / "g.db")]
    )
    assert result.exit_code == 2
    assert "this is the sample config" in result.output
    assert not (tmp_path / "g.db").exists()
