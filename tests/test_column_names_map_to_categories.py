"""Every real column name of the inspection research maps to its category key."""

from __future__ import annotations

import pytest

from common.categories import Categorizer
from common.tables import load_tables

# inspection-rules.md §2.3: the 117 rows, variants written "a / b" split into names.
EXPECTED = {
    "news": "工作动态 部门动态 本地要闻 区县动态 工作进展 要闻动态 图片新闻 新闻中心",
    "notice": "通知公告 公示公告 通知通告 综合通知 通知 公告 通报 司局通知 文件公示 调解仲裁公告 环评公示",
    "policy": "政府文件（政策） 政策文件 政策发布 文件发布 法律法规 政策法规 政府规章 废止和失效政府规章 行政规范性文件 "
    "废止和失效行政规范性文件 规范性文件 规范性文件立改废 部门文件 其它文件 民航规章 函 意见 决定 政策",
    "interpretation": "政策解读 图解税收",
    "personnel": "人事信息 人事任免 人事管理 公务员招录 招考录用",
    "planning": "规划计划 计划规划 规划信息 专项规划 区域规划 计划总结 政府工作报告 决策部署落实情况",
    "finance": "财政信息 预算/决算 预算决算 财政预决算 财务信息 财政预算及三公经费 财政决算及三公经费 行政事业性收费 收费项目 政府采购",
    "statistics": "统计信息 统计数据 统计数据信息 税收统计 价格监测 农产品价格监测 环境质量公报",
    "annual_report": "政府信息公开年报 政府网站年度工作报表",
    "org": "机构信息 领导信息 地区介绍 机关简介 机构职能 机构概况 领导简介 领导介绍 主要职责 机构设置 联系方式",
    "guide": "政府信息公开指南 政府信息公开制度 法定主动公开内容 信息公开目录 办事指南 资料下载",
    "interaction": "咨询类栏目 政务咨询 调查征集 在线访谈 互动访谈 意见征集 意见反馈",
    "key_area": "建议提案办理 建议提案办理结果 建议/提案 人大代表建议办理 政协委员提案办理 重大项目 重大民生信息 权责清单 "
    "行政权力 行政许可/服务事项 行政处罚/行政强制 行政处罚 行政检查 事故及灾害查处 环境保护 环保督察 保障性住房 住房保障 "
    "安全生产 食品药品安全 社会救助 养老服务 就业创业 社会保障 涉农补贴 乡村振兴 医疗保障 卫生健康 教育科技 公共文化服务 "
    "应急管理 监测预警 审计监督 市场监管 司法监督 执法检查 放管服改革 价格信息",
    "other": "其他法定信息 业务知识库",
}
CASES = [(name, key) for key, names in EXPECTED.items() for name in names.split()]


@pytest.fixture(scope="module")
def categorizer() -> Categorizer:
    return Categorizer(load_tables().categories)


def test_the_research_table_is_complete():
    names = [name for name, _ in CASES]
    assert len(names) == len(set(names)) == 136  # 117 rows, some with several spellings


@pytest.mark.parametrize(("name", "key"), CASES, ids=[n for n, _ in CASES])
def test_real_column_name_has_its_category(categorizer, name, key):
    assert categorizer.category(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("乡镇动态信息", "news"),
        ("政策解读与回应", "interpretation"),
        ("2025年部门预算公开", "finance"),
        ("招聘公告", "notice"),
        ("代表建议和政协提案答复", "key_area"),
        ("局长信箱", "interaction"),
        ("2024年政府信息公开年度报告", "annual_report"),
        ("友情链接", "other"),
        ("政府文件 ( 政策 )", "policy"),
    ],
)
def test_unlisted_names_fall_back_on_keywords(categorizer, name, key):
    assert categorizer.category(name) == key


def test_every_category_has_a_label(categorizer):
    assert categorizer.label("news") == "动态要闻类"
    assert set(categorizer.labels) == {
        "news",
        "notice",
        "policy",
        "interpretation",
        "personnel",
        "planning",
        "finance",
        "statistics",
        "annual_report",
        "org",
        "guide",
        "interaction",
        "key_area",
        "other",
    }
