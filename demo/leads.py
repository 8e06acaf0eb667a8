"""Demo customers, contacts, leads and communication records (R-LEAD, R-CUST, R-COMM).

Everything is written through ``leads/services.py``, so grading, size classes, duplicate
detection, permissions and the history rows are the real ones. Idempotent by natural key:
a customer by name, a contact by (customer, name), a lead by (company, contact, source), a
communication by (subject, key points). Rows that exist are left alone; a lead is only moved
forward along its planned path (new → contacted → qualified / disqualified / merged).

The story starts from the sample rows of the sales-process manual in ``shared/seeds``: a
manufacturing customer with 500 staff and ¥100M revenue, first contact on 2024-03-15, need
tags production efficiency and cost control, grade A, a visit on 2024-04-02 to discuss the
solution, and a confirmed need to cut line energy use by 30 %. The other companies, people
and events come from fixed pools and a seeded generator, so every load plans the same data;
times are relative to the load so that due and overdue deadlines exist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from leads import services
from leads.choices import Channel, DecisionRole, DisqualifyReason, Industry, LeadSource, LeadStatus, Tier
from leads.models import RECEIPT_MAX_AGE, CommunicationRecord, Contact, Customer, Lead
from presales.sla.defaults import COMMUNICATION_FOLLOW_UP, LEAD_FIRST_CONTACT
from presales.sla.models import Timer, TimerState

SEED = 20240315
CHINA = timezone.get_fixed_timezone(8 * 60)

# --- pools ---------------------------------------------------------------------------------

CITIES = {
    "east": [
        ("上海", "Shanghai"),
        ("苏州", "Suzhou"),
        ("杭州", "Hangzhou"),
        ("南京", "Nanjing"),
        ("宁波", "Ningbo"),
        ("无锡", "Wuxi"),
        ("合肥", "Hefei"),
        ("常州", "Changzhou"),
        ("嘉兴", "Jiaxing"),
        ("绍兴", "Shaoxing"),
    ],
    "north": [
        ("北京", "Beijing"),
        ("天津", "Tianjin"),
        ("济南", "Jinan"),
        ("青岛", "Qingdao"),
        ("石家庄", "Shijiazhuang"),
        ("太原", "Taiyuan"),
        ("唐山", "Tangshan"),
    ],
}
DISTRICTS = ["高新区", "经济开发区", "工业园区", "新城区", "滨江新区"]
ROADS = ["创新", "科技", "长江", "黄河", "振兴", "星湖", "锦绣", "华夏"]

BRAND_FIRST = [
    ("恒", "Heng"),
    ("瑞", "Rui"),
    ("华", "Hua"),
    ("博", "Bo"),
    ("启", "Qi"),
    ("天", "Tian"),
    ("鼎", "Ding"),
    ("远", "Yuan"),
    ("新", "Xin"),
    ("凯", "Kai"),
    ("海", "Hai"),
    ("盛", "Sheng"),
    ("金", "Jin"),
    ("宏", "Hong"),
    ("万", "Wan"),
    ("嘉", "Jia"),
    ("明", "Ming"),
    ("同", "Tong"),
    ("立", "Li"),
    ("安", "An"),
]
BRAND_SECOND = [
    ("晟", "sheng"),
    ("科", "ke"),
    ("拓", "tuo"),
    ("远", "yuan"),
    ("明", "ming"),
    ("衡", "heng"),
    ("信", "xin"),
    ("航", "hang"),
    ("澜", "lan"),
    ("驰", "chi"),
    ("纳", "na"),
    ("达", "da"),
    ("桥", "qiao"),
    ("图", "tu"),
    ("邦", "bang"),
    ("禾", "he"),
    ("辰", "chen"),
    ("峰", "feng"),
    ("诚", "cheng"),
    ("润", "run"),
]

SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("高", "Gao"),
    ("罗", "Luo"),
]
GIVEN_NAMES = [
    ("建国", "Jianguo"),
    ("丽华", "Lihua"),
    ("志强", "Zhiqiang"),
    ("晓明", "Xiaoming"),
    ("海燕", "Haiyan"),
    ("文博", "Wenbo"),
    ("静怡", "Jingyi"),
    ("永刚", "Yonggang"),
    ("雪梅", "Xuemei"),
    ("俊杰", "Junjie"),
    ("思远", "Siyuan"),
    ("国平", "Guoping"),
    ("晓燕", "Xiaoyan"),
    ("立新", "Lixin"),
    ("秀英", "Xiuying"),
    ("鹏飞", "Pengfei"),
    ("子涵", "Zihan"),
    ("浩然", "Haoran"),
    ("美玲", "Meiling"),
    ("振华", "Zhenhua"),
    ("佳琪", "Jiaqi"),
    ("宇航", "Yuhang"),
    ("春梅", "Chunmei"),
    ("德明", "Deming"),
]
INDUSTRY_WORDS = {
    Industry.MANUFACTURING: ("制造", "manufacturer"),
    Industry.FINANCE: ("金融", "financial institution"),
    Industry.GOVERNMENT: ("国有", "state-owned group"),
    Industry.EDUCATION: ("教育", "college"),
    Industry.HEALTHCARE: ("医疗", "healthcare group"),
    Industry.ENERGY: ("能源", "energy company"),
    Industry.RETAIL: ("零售", "retailer"),
    Industry.TELECOM: ("通信", "telecom operator"),
    Industry.TRANSPORT: ("物流", "logistics company"),
    Industry.INTERNET: ("互联网", "internet company"),
}
OCCASIONS = [
    ("新厂建设", "new plant"),
    ("系统升级", "system upgrade"),
    ("年度技改", "annual modernisation"),
    ("国产化替代", "domestic replacement"),
    ("业务扩张", "business expansion"),
]


@dataclass(frozen=True)
class Profile:
    """What companies of one industry are called, need, and who decides there."""

    suffixes: list[tuple[str, str]]
    tags: list[str]
    needs: list[tuple[str, str]]
    decision_maker: tuple[str, str]
    evaluator: tuple[str, str]


PROFILES: dict[str, Profile] = {
    Industry.MANUFACTURING: Profile(
        suffixes=[
            ("精密制造有限公司", "Precision Manufacturing Co., Ltd."),
            ("智能装备股份有限公司", "Intelligent Equipment Co., Ltd."),
            ("汽车零部件有限公司", "Auto Parts Co., Ltd."),
            ("电子科技有限公司", "Electronics Technology Co., Ltd."),
        ],
        tags=[
            "production efficiency 生产效率",
            "cost control 成本控制",
            "energy saving 节能降耗",
            "quality traceability 质量追溯",
            "equipment connectivity 设备联网",
        ],
        needs=[
            ("降低生产线能耗 30%", "cut production-line energy use by 30%"),
            ("设备联网与数据采集,实时掌握 OEE", "connect line equipment and track OEE in real time"),
            ("质量追溯到批次与工位", "trace quality down to batch and work station"),
            ("MES 与 ERP 打通,取消人工报工", "link MES and ERP and end manual job reporting"),
        ],
        decision_maker=("总经理", "General Manager"),
        evaluator=("生产总监", "Production Director"),
    ),
    Industry.FINANCE: Profile(
        suffixes=[
            ("农村商业银行股份有限公司", "Rural Commercial Bank"),
            ("证券股份有限公司", "Securities Co., Ltd."),
            ("融资租赁有限公司", "Financial Leasing Co., Ltd."),
        ],
        tags=["data security 数据安全", "disaster recovery 容灾备份", "compliance 合规"],
        needs=[
            (
                "核心系统存储扩容与两地三中心容灾",
                "expand core storage with two-site, three-centre disaster recovery",
            ),
            ("网点终端统一运维与安全加固", "run and harden branch terminals centrally"),
            ("数据防泄漏,满足等保 2.0", "prevent data leaks and meet MLPS 2.0"),
        ],
        decision_maker=("分管副行长", "Deputy President"),
        evaluator=("科技部总经理", "Head of Technology"),
    ),
    Industry.GOVERNMENT: Profile(
        suffixes=[
            ("城市运营集团有限公司", "City Operations Group"),
            ("城市建设投资集团有限公司", "Urban Construction Investment Group"),
        ],
        tags=["digital transformation 数字化转型", "data security 数据安全", "compliance 合规"],
        needs=[
            ("政务云扩容,采用国产化服务器", "expand the government cloud on domestic servers"),
            ("城市运行数据汇聚与大屏指挥", "aggregate city operations data for the command centre"),
        ],
        decision_maker=("副总经理", "Deputy General Manager"),
        evaluator=("信息中心主任", "Head of the Information Centre"),
    ),
    Industry.EDUCATION: Profile(
        suffixes=[("职业技术学院", "Vocational and Technical College")],
        tags=["digital transformation 数字化转型", "smart campus 智慧校园"],
        needs=[
            ("智慧校园一卡通与数据中心升级", "upgrade the campus card system and data centre"),
            ("实训室 GPU 服务器与教学云桌面", "GPU servers and cloud desktops for training labs"),
        ],
        decision_maker=("副院长", "Vice President"),
        evaluator=("网络中心主任", "Head of the Network Centre"),
    ),
    Industry.HEALTHCARE: Profile(
        suffixes=[("医疗集团有限公司", "Healthcare Group")],
        tags=["data security 数据安全", "disaster recovery 容灾备份", "digital transformation 数字化转型"],
        needs=[
            ("PACS 影像存储扩容", "expand PACS image storage"),
            ("院内网络与终端安全", "secure the hospital network and endpoints"),
        ],
        decision_maker=("副院长", "Deputy Director"),
        evaluator=("信息科主任", "Head of IT"),
    ),
    Industry.ENERGY: Profile(
        suffixes=[("新能源股份有限公司", "New Energy Co., Ltd."), ("燃气有限公司", "Gas Co., Ltd.")],
        tags=["equipment connectivity 设备联网", "energy saving 节能降耗", "cost control 成本控制"],
        needs=[
            ("光伏电站远程监控边缘网关", "edge gateways for remote monitoring of solar plants"),
            ("燃气管网 SCADA 升级", "upgrade the gas network SCADA"),
        ],
        decision_maker=("总经理", "General Manager"),
        evaluator=("运维部经理", "Operations Manager"),
    ),
    Industry.RETAIL: Profile(
        suffixes=[("商贸有限公司", "Trading Co., Ltd."), ("连锁超市有限公司", "Supermarket Chain Co., Ltd.")],
        tags=["cost control 成本控制", "customer experience 客户体验", "digital transformation 数字化转型"],
        needs=[
            ("门店收银与库存系统一体化", "unify store checkout and inventory"),
            ("仓配中心 WMS 与手持终端", "WMS and handheld terminals for the distribution centre"),
        ],
        decision_maker=("董事长", "Chairman"),
        evaluator=("IT 经理", "IT Manager"),
    ),
    Industry.TELECOM: Profile(
        suffixes=[("通信技术有限公司", "Communication Technology Co., Ltd.")],
        tags=["cost control 成本控制", "equipment connectivity 设备联网"],
        needs=[("边缘机房服务器集中采购", "framework purchase of servers for edge sites")],
        decision_maker=("总经理", "General Manager"),
        evaluator=("网络部经理", "Network Manager"),
    ),
    Industry.TRANSPORT: Profile(
        suffixes=[("物流有限公司", "Logistics Co., Ltd."), ("供应链管理有限公司", "Supply Chain Co., Ltd.")],
        tags=["production efficiency 生产效率", "cost control 成本控制", "equipment connectivity 设备联网"],
        needs=[
            ("冷链车辆温控监测", "temperature monitoring for cold-chain vehicles"),
            ("园区 AGV 调度与仓储自动化", "AGV dispatch and warehouse automation"),
        ],
        decision_maker=("运营副总裁", "VP Operations"),
        evaluator=("信息部经理", "IT Manager"),
    ),
    Industry.INTERNET: Profile(
        suffixes=[("网络科技有限公司", "Network Technology Co., Ltd.")],
        tags=["cost control 成本控制", "digital transformation 数字化转型"],
        needs=[
            ("GPU 算力集群扩容", "expand the GPU compute cluster"),
            ("对象存储降本 40%", "cut object-storage cost by 40%"),
        ],
        decision_maker=("CTO", "CTO"),
        evaluator=("基础架构负责人", "Head of Infrastructure"),
    ),
}
# How often each industry appears (manufacturing first: the product is built for it).
INDUSTRY_WEIGHTS = {
    Industry.MANUFACTURING: 9,
    Industry.FINANCE: 3,
    Industry.GOVERNMENT: 2,
    Industry.EDUCATION: 2,
    Industry.HEALTHCARE: 2,
    Industry.ENERGY: 2,
    Industry.RETAIL: 2,
    Industry.TELECOM: 1,
    Industry.TRANSPORT: 2,
    Industry.INTERNET: 1,
}

OTHER_TITLES = [
    (("采购经理", "Purchasing Manager"), DecisionRole.PURCHASER),
    (("财务总监", "CFO"), DecisionRole.INFLUENCER),
    (("运维工程师", "Operations Engineer"), DecisionRole.USER),
    (("车间主任", "Workshop Supervisor"), DecisionRole.USER),
    (("项目经理", "Project Manager"), DecisionRole.INFLUENCER),
]

CONCERNS = [
    ("预算需等明年批复", "the budget needs next year's approval"),
    ("担心与现有系统的兼容性", "compatibility with the systems already in place"),
    ("实施期间不能停产", "production cannot stop during the rollout"),
    ("要求国产化设备", "domestic hardware is required"),
    ("报价高于竞品", "our price is above a competitor's"),
    ("希望看到同行业案例", "wants a reference in the same industry"),
    ("交付周期要求三个月内", "delivery is needed within three months"),
]
NEXT_STEPS = [
    ("安排现场调研", "arrange an on-site survey"),
    ("发送同行业成功案例", "send same-industry success cases"),
    ("预约产品演示", "book a product demo"),
    ("提交初步方案框架", "submit the outline solution"),
    ("与采购经理沟通报价流程", "walk the purchasing manager through the quote process"),
    ("确认需求清单", "confirm the needs list"),
]
# The steps of an account's story, in order; the key points are unique per subject.
STORY = [
    (Channel.PHONE, "", "电话沟通项目进展", "call on project progress"),
    (
        Channel.SITE_VISIT,
        "客户现场",
        "现场调研,走访产线与机房",
        "site survey of the lines and the server room",
    ),
    (Channel.MEETING, "客户会议室", "需求研讨会,逐条梳理需求", "needs workshop, item by item"),
    (Channel.EMAIL, "", "邮件确认需求清单", "needs list confirmed by email"),
    (Channel.MEETING, "我司展厅", "产品演示与答疑", "product demo and Q&A"),
    (Channel.INSTANT_MESSAGE, "", "微信跟进报价疑问", "WeChat follow-up on quote questions"),
]
FEEDBACK = [
    ("对方案方向认可", "agrees with the direction"),
    ("希望进一步压缩预算", "wants the budget trimmed further"),
    ("技术团队评价积极", "the technical team is positive"),
    ("需要内部再讨论", "needs to discuss internally"),
]
DISQUALIFY_NOTES = {
    DisqualifyReason.NO_BUDGET: "今年无预算,明年再评估 / No budget this year; revisit next year.",
    DisqualifyReason.NO_NEED: "仅收集资料,暂无项目 / Only collecting brochures; no project.",
    DisqualifyReason.NOT_A_FIT: "需求为纯软件外包,不在产品范围 / Pure software outsourcing; outside our range.",
    DisqualifyReason.NO_DECISION: "联系人无决策权,无法接触决策层 / Contact cannot decide; no access upward.",
    DisqualifyReason.COMPETITOR_LOCKED: "已与竞品签订三年框架协议 / Three-year framework deal with a competitor.",
    DisqualifyReason.UNREACHABLE: "电话与邮件多次无回应 / No answer to repeated calls and emails.",
    DisqualifyReason.OTHER: "公司正在重组,项目冻结 / Company restructuring; project frozen.",
}


# --- plan ----------------------------------------------------------------------------------


@dataclass
class Company:
    zh: str
    en: str
    pinyin: str
    industry: str
    team: str
    city: tuple[str, str]

    @property
    def name(self) -> str:
        return f"{self.zh} {self.en}"

    @property
    def domain(self) -> str:
        return f"{self.pinyin.lower()}-{self.city[1].lower()}.example"


@dataclass
class Person:
    name: str
    email: str
    phone: str
    title: str
    role: str
    language: str = ""  # R-POST-1: the customer's surveys and links in this language; "" = default


@dataclass
class CommSpec:
    at: datetime
    channel: str
    key_points: str
    author: str
    place: str = ""
    participants: str = ""
    feedback: str = ""
    concerns: str = ""
    next_step: str = ""
    next_step_due_at: datetime | None = None
    contact: str = ""  # contact name on the customer


@dataclass
class LeadSpec:
    company: Company
    person: Person
    source: str
    received_at: datetime
    owner: str
    presales: str | None
    target: str  # final LeadStatus
    needs: str
    background: str = ""
    budget: Decimal | None = None
    timing: str = ""
    first_contact: CommSpec | None = None
    follow_ups: list[CommSpec] = field(default_factory=list)
    evaluation: dict | None = None
    reason: str = ""
    merge_into: LeadSpec | None = None
    company_label: str = ""  # as typed at intake when it differs from the company name
    decided_at: datetime | None = None


@dataclass
class CustomerSpec:
    company: Company
    employees: int
    revenue: Decimal
    fit: int
    value: int
    tier: str
    tags: list[str]
    owner: str
    primary: str
    assistants: list[str]
    contacts: list[Person]
    comms: list[CommSpec]
    origin: LeadSpec | None = None
    notes: str = ""
    address: str = ""


class Planner:
    """Plans the whole data set from the seed; pure (no database), so every run agrees."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rng = random.Random(SEED)
        self.brands = self._brands()
        self.names = [(s, g) for s in SURNAMES for g in GIVEN_NAMES]
        random.Random(SEED).shuffle(self.names)
        self.people = 0

    def _brands(self) -> list[tuple[str, str]]:
        seen, brands = set(), []
        for zh1, en1 in BRAND_FIRST:
            for zh2, en2 in BRAND_SECOND:
                if zh1 != zh2 and en1 + en2 not in seen:
                    seen.add(en1 + en2)
                    brands.append((zh1 + zh2, en1 + en2))
        random.Random(SEED).shuffle(brands)
        return brands

    def company(self, team: str) -> Company:
        industry = self.rng.choices(list(INDUSTRY_WEIGHTS), weights=INDUSTRY_WEIGHTS.values())[0]
        profile = PROFILES[industry]
        city = self.rng.choice(CITIES[team])
        suffix = self.rng.choice(profile.suffixes)
        brand_zh, brand_en = self.brands.pop()
        company = Company(
            zh=f"{city[0]}{brand_zh}{suffix[0]}",
            en=f"{city[1]} {brand_en} {suffix[1]}",
            pinyin=brand_en,
            industry=industry,
            team=team,
            city=city,
        )
        return company

    def person(self, company: Company, title: tuple[str, str], role: str) -> Person:
        self.people += 1
        n = self.people
        surname, given = self.names[n % len(self.names)]
        return Person(
            name=f"{surname[0]}{given[0]}",
            email=f"{given[1].lower()}.{surname[1].lower()}@{company.domain}",
            # Unique per person (duplicate detection matches on phones): 139 + a counter.
            phone=f"139 {n // 10000 + 1000:04d} {n % 10000:04d}",
            title=f"{title[0]} {title[1]}",
            role=role,
        )

    def _on_day(self, days_ago: float, hour: int | None) -> datetime:
        moment = (self.now - timedelta(days=days_ago)).astimezone(CHINA)
        return moment.replace(
            hour=hour or self.rng.randint(9, 17),
            minute=self.rng.choice((0, 15, 30, 45)),
            second=0,
            microsecond=0,
        )

    def ago(self, days: float, hour: int | None = None) -> datetime:
        """A time ``days`` ago at a working hour (China time), never in the future."""
        return min(self._on_day(days, hour), self.now - timedelta(minutes=10))

    def ahead(self, days: float, hour: int | None = None) -> datetime:
        """A working hour ``days`` from now, always in the future."""
        return max(self._on_day(-days, hour), self.now + timedelta(hours=1))

    def follow_up_due(self, record: CommSpec, *, overdue_share: float, upcoming_share: float) -> None:
        """Give the latest record of a subject a promised follow-up: upcoming or overdue."""
        # Draw every number whatever the branch: the plan (and so the natural keys) must not
        # depend on the day the demo is loaded.
        roll = self.rng.random()
        upcoming = self.ahead(self.rng.randint(1, 12))
        overdue = record.at + timedelta(days=self.rng.randint(1, 3))
        if roll < upcoming_share:
            record.next_step_due_at = upcoming
        elif roll < upcoming_share + overdue_share:
            record.next_step_due_at = overdue if overdue < self.now else upcoming

    def need(self, company: Company) -> tuple[str, str]:
        return self.rng.choice(PROFILES[company.industry].needs)

    def budget(self, employees: int) -> Decimal:
        low, high = (20, 80) if employees < 300 else (80, 300) if employees < 1000 else (300, 2000)
        return Decimal(self.rng.randint(low, high) * 10000)

    def timing(self) -> str:
        quarter = (self.now.month - 1) // 3 + 1 + self.rng.randint(1, 3)
        year = self.now.year + (quarter - 1) // 4
        quarter = (quarter - 1) % 4 + 1
        return f"计划 {year} 年第 {quarter} 季度采购 / purchase planned for Q{quarter} {year}"

    def evaluation(self, company: Company, need: tuple[str, str], budget: Decimal | None) -> dict:
        money = f"¥{budget / 10000:.0f} 万" if budget else "待定 / to be set"
        return {
            "background": f"{company.city[0]}重点企业,项目已列入年度计划 / Key account in {company.city[1]}; project is in this year's plan.",
            "needs": f"{need[0]},需求明确 / {need[1]}; clear requirement.",
            "budget": f"预算约 {money},已在审批 / Budget about {money}, in approval.",
            "competition": "两家竞品参与,我方技术评分领先 / Two competitors; we lead on technical score.",
            "timeline": "一个季度内完成选型 / Vendor choice within a quarter.",
        }

    def comm(self, at: datetime, step: int, author: str, contact: Person, need: tuple[str, str]) -> CommSpec:
        channel, place, zh, en = STORY[step % len(STORY)]
        feedback = self.rng.choice(FEEDBACK)
        concern = self.rng.choice(CONCERNS)
        nxt = self.rng.choice(NEXT_STEPS)
        return CommSpec(
            at=at,
            channel=channel,
            place=place,
            participants=f"{contact.name}({contact.title.split()[0]})",
            key_points=f"{zh}:{need[0]} / {en}: {need[1]}",
            feedback=f"{feedback[0]} / {feedback[1]}",
            concerns=f"{concern[0]} / {concern[1]}",
            next_step=f"{nxt[0]} / {nxt[1]}",
            author=author,
            contact=contact.name,
        )

    def first_contact(self, lead: LeadSpec, delay_hours: float) -> CommSpec:
        need = lead.needs.split(" / ")
        concern = self.rng.choice(CONCERNS)
        nxt = self.rng.choice(NEXT_STEPS)
        return CommSpec(
            at=min(lead.received_at + timedelta(hours=delay_hours), self.now - timedelta(minutes=10)),
            channel=self.rng.choice((Channel.PHONE, Channel.PHONE, Channel.INSTANT_MESSAGE, Channel.EMAIL)),
            participants=lead.person.name,
            key_points=f"首次接触,了解项目背景与初步需求:{need[0]} / First contact: background and initial need: {need[-1]}",
            concerns=f"{concern[0]} / {concern[1]}",
            next_step=f"{nxt[0]} / {nxt[1]}",
            author=lead.presales or lead.owner,
        )

    # --- customers -------------------------------------------------------------------------

    def flagship(self) -> CustomerSpec:
        """The sample row of the manual's customer table (seeds/003), with its history."""
        company = Company(
            zh="苏州瑞科智能制造科技有限公司",
            en="Suzhou Ruike Smart Manufacturing Technology Co., Ltd.",
            pinyin="Ruike",
            industry=Industry.MANUFACTURING,
            team="east",
            city=("苏州", "Suzhou"),
        )
        director = Person(
            "王建国", "jianguo.wang@ruike-suzhou.example", "139 0000 0315", "生产总监 Production Director",
            DecisionRole.TECHNICAL_EVALUATOR,
        )  # fmt: skip
        contacts = [
            director,
            Person("周丽华", "lihua.zhou@ruike-suzhou.example", "139 0000 0316", "总经理 General Manager",
                   DecisionRole.DECISION_MAKER, language="en"),
            Person("陈晓燕", "xiaoyan.chen@ruike-suzhou.example", "139 0000 0317", "采购经理 Purchasing Manager",
                   DecisionRole.PURCHASER, language="zh-hant"),
        ]  # fmt: skip
        received = datetime(2024, 3, 14, 16, 30, tzinfo=CHINA)
        origin = LeadSpec(
            company=company,
            person=director,
            source=LeadSource.TRADE_SHOW,
            received_at=received,
            owner="sales",
            presales="engineer",
            target=LeadStatus.QUALIFIED,
            needs="生产效率提升、成本控制 / production efficiency and cost control",
            background="上海工博会展台留资,产线扩建 / Left a card at the Shanghai industry fair; line extension.",
            budget=Decimal("1800000"),
            timing="2024 年第二季度采购 / purchase in Q2 2024",
            first_contact=CommSpec(
                at=datetime(2024, 3, 15, 10, 0, tzinfo=CHINA),
                channel=Channel.PHONE,
                participants="王建国(生产总监)",
                key_points="首次接触:产线效率低、能耗偏高 / First contact: low line efficiency, high energy use",
                concerns="对成本控制要求高 / strict on cost control",
                next_step="邮件确认需求清单 / confirm the needs list by email",
                author="engineer",
            ),
            decided_at=datetime(2024, 3, 21, 11, 0, tzinfo=CHINA),
        )
        origin.evaluation = self.evaluation(
            company, ("降低生产线能耗 30%", "cut production-line energy use by 30%"), origin.budget
        )
        comms = [
            CommSpec(
                at=datetime(2024, 3, 20, 15, 0, tzinfo=CHINA),
                channel=Channel.EMAIL,
                participants="王建国(生产总监)、陈晓燕(采购经理)",
                key_points="需求确认:DEMO001 刚性-降低生产线能耗 30%;DEMO002 柔性-操作培训员工掌握率 100% / "
                "Needs confirmed: DEMO001 rigid, cut line energy use 30%; DEMO002 flexible, operator training to 100%",
                feedback="客户邮件确认 / confirmed by the customer by email",
                next_step="4 月 2 日拜访,讨论方案细节 / visit on 2 April to discuss the solution details",
                author="engineer",
                contact="王建国",
            ),
            CommSpec(
                at=datetime(2024, 4, 2, 14, 0, tzinfo=CHINA),
                channel=Channel.SITE_VISIT,
                place="苏州工业园区客户工厂 / customer plant, Suzhou Industrial Park",
                participants="王建国、周丽华;王工、张销售",
                key_points="拜访讨论方案细节:能耗监测与设备联网架构 / Visit: solution details, energy monitoring and "
                "equipment connectivity",
                feedback="总经理认可分期实施 / the general manager agrees to a phased rollout",
                concerns="实施期间不能停产 / production cannot stop during the rollout",
                next_step="提交初步方案框架 / submit the outline solution",
                author="engineer",
                contact="周丽华",
            ),
            CommSpec(
                at=self.ago(6, 10),
                channel=Channel.MEETING,
                place="客户会议室 / customer meeting room",
                participants="王建国、陈晓燕;王工、陈工",
                key_points="二期扩产:新增两条产线的设备联网 / Phase two: connect two new production lines",
                feedback="希望沿用一期架构 / wants to keep the phase-one architecture",
                next_step="预约二期产品演示 / book the phase-two demo",
                next_step_due_at=self.ahead(5, 15),
                author="engineer",
                contact="王建国",
            ),
        ]
        return CustomerSpec(
            company=company,
            employees=500,
            revenue=Decimal("100000000"),
            fit=4,
            value=5,
            tier=Tier.STRATEGIC,
            tags=["production efficiency 生产效率", "cost control 成本控制"],
            owner="sales",
            primary="engineer",
            assistants=["engineer2"],
            contacts=contacts,
            comms=comms,
            origin=origin,
            notes="样例客户(销售业务过程管理手册) / Sample account from the sales-process manual.",
            address="苏州工业园区创新路 88 号 / 88 Chuangxin Rd, Suzhou Industrial Park",
        )

    def customer(self, team: str, index: int) -> CustomerSpec:
        company = self.company(team)
        profile = PROFILES[company.industry]
        need = self.need(company)
        employees = self.rng.choice((60, 80, 150, 240, 380, 500, 650, 900, 1200, 2500, 6000))
        revenue = Decimal(employees * self.rng.randint(15, 40) * 10000)
        fit, value = self.rng.randint(2, 5), self.rng.randint(1, 5)
        product = fit * value
        tier = (
            Tier.STRATEGIC
            if product >= 16 and employees >= 1000
            else Tier.IMPORTANT
            if product >= 9
            else Tier.GENERAL
        )
        if team == "east":
            owner = self.rng.choice(("sales", "sales", "sales_manager"))
            primary = self.rng.choice(("engineer", "engineer", "engineer2", "engineer2", "presales_manager"))
            others = [u for u in ("engineer", "engineer2") if u != primary]
            assistants = others[: self.rng.randint(0, 1)]
        else:
            owner, primary = "sales_manager", "engineer_north"
            assistants = ["engineer"] if index % 5 == 0 else []
        contacts = [
            self.person(company, profile.decision_maker, DecisionRole.DECISION_MAKER),
            self.person(company, profile.evaluator, DecisionRole.TECHNICAL_EVALUATOR),
        ]
        for title, role in self.rng.sample(OTHER_TITLES, self.rng.randint(0, 2)):
            contacts.append(self.person(company, title, role))
        # A few A accounts have gone quiet for months: the monthly grade review (R-CUST-3) acts on them.
        stale = product >= 16 and index % 4 == 0
        start = self.rng.randint(120, 420)
        last = self.rng.randint(100, 140) if stale else self.rng.randint(0, 40)
        steps = self.rng.randint(2, 5)
        authors = [owner, primary, *assistants]
        comms = []
        for step in range(steps):
            days = start - (start - last) * step / max(steps - 1, 1)
            comms.append(
                self.comm(self.ago(days), step, self.rng.choice(authors), self.rng.choice(contacts), need)
            )
        # Only the latest record carries a due follow-up (an older one would stay "due" forever).
        if not stale:
            self.follow_up_due(comms[-1], upcoming_share=0.55, overdue_share=0.2)
        spec = CustomerSpec(
            company=company,
            employees=employees,
            revenue=revenue,
            fit=fit,
            value=value,
            tier=tier,
            tags=self.rng.sample(profile.tags, min(len(profile.tags), self.rng.randint(1, 3))),
            owner=owner,
            primary=primary,
            assistants=assistants,
            contacts=contacts,
            comms=comms,
            address=f"{company.city[0]}市{self.rng.choice(DISTRICTS)}{self.rng.choice(ROADS)}路 {self.rng.randint(8, 999)} 号",
        )
        # Most accounts came in as a lead that was qualified before the first recorded visit.
        if index % 3 != 2:
            spec.origin = self.lead(
                company,
                team,
                LeadStatus.QUALIFIED,
                received_at=comms[0].at - timedelta(days=self.rng.randint(4, 20)),
                person=contacts[1],
                owner=owner,
                presales=primary,
            )
        return spec

    # --- leads -----------------------------------------------------------------------------

    def lead(
        self,
        company: Company,
        team: str,
        target: str,
        *,
        received_at: datetime,
        person: Person | None = None,
        owner: str | None = None,
        presales: str | None = "",
    ) -> LeadSpec:
        profile = PROFILES[company.industry]
        if person is None:
            title, role = (
                (profile.evaluator, DecisionRole.TECHNICAL_EVALUATOR)
                if self.rng.random() < 0.6
                else (profile.decision_maker, DecisionRole.DECISION_MAKER)
            )
            person = self.person(company, title, role)
        if owner is None:
            owner = (
                self.rng.choice(("sales", "sales", "sales_manager")) if team == "east" else "sales_manager"
            )
        if presales == "":
            presales = (
                self.rng.choice(("engineer", "engineer2", None)) if team == "east" else "engineer_north"
            )
        need = self.need(company)
        occasion = self.rng.choice(OCCASIONS)
        employees = self.rng.choice((80, 200, 500, 1500))
        budget = self.budget(employees) if self.rng.random() < 0.7 else None
        source = self.rng.choice(list(LeadSource.values))
        spec = LeadSpec(
            company=company,
            person=person,
            source=source,
            received_at=received_at,
            owner=owner,
            presales=presales,
            target=target,
            needs=f"{need[0]} / {need[1]}",
            background=f"{company.city[0]}{INDUSTRY_WORDS[company.industry][0]}企业,{occasion[0]} / "
            f"{INDUSTRY_WORDS[company.industry][1].capitalize()} in {company.city[1]}: {occasion[1]}",
            budget=budget,
            timing=self.timing() if self.rng.random() < 0.8 else "",
        )
        if target != LeadStatus.NEW:
            age_hours = (self.now - received_at).total_seconds() / 3600
            # Most first contacts are on time (R-LEAD-3); about one in six is late.
            delay = self.rng.uniform(1, 20) if self.rng.random() < 0.83 else self.rng.uniform(26, 60)
            if target in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED) or self.rng.random() < 0.8:
                spec.first_contact = self.first_contact(spec, min(delay, max(age_hours - 1, 0.5)))
        if target == LeadStatus.QUALIFIED:
            spec.evaluation = self.evaluation(company, need, budget)
            spec.decided_at = min(spec.received_at + timedelta(days=self.rng.randint(3, 12)), self.now)
        if target == LeadStatus.CONTACTED and spec.first_contact and self.rng.random() < 0.6:
            follow = self.comm(
                spec.first_contact.at + timedelta(days=self.rng.randint(1, 5)),
                self.rng.randint(0, 3),
                spec.presales or spec.owner,
                person,
                need,
            )
            follow.at = min(follow.at, self.now - timedelta(minutes=10))
            follow.contact = ""
            spec.follow_ups.append(follow)
        last = (spec.follow_ups or [spec.first_contact])[-1]
        if target == LeadStatus.CONTACTED and last is not None:
            self.follow_up_due(last, upcoming_share=0.6, overdue_share=0.25)
        return spec

    def prospects(self) -> list[LeadSpec]:
        """Leads for companies that are not customers yet, in every status."""
        plan = [
            # (target, count, received days ago (low, high))
            (LeadStatus.NEW, 14, (0.05, 0.8)),  # first contact still due
            (LeadStatus.NEW, 16, (1.5, 12)),  # first contact overdue (R-LEAD-3)
            (LeadStatus.CONTACTED, 28, (2, 60)),
            (LeadStatus.QUALIFIED, 8, (15, 120)),  # qualification creates the customer
            (LeadStatus.DISQUALIFIED, 30, (5, 200)),
        ]
        reasons = list(DisqualifyReason.values)
        leads = []
        for target, count, (low, high) in plan:
            for i in range(count):
                team = "north" if i % 3 == 0 else "east"
                days = self.rng.uniform(low, high)
                received = self.now - timedelta(days=days)
                if days > 1:
                    received = self.ago(days)
                spec = self.lead(
                    self.company(team),
                    team,
                    target,
                    received_at=received,
                    presales=("engineer" if team == "east" else "engineer_north")
                    if target == LeadStatus.QUALIFIED
                    else "",
                )
                if target == LeadStatus.DISQUALIFIED:
                    spec.reason = reasons[i % len(reasons)]
                    if spec.first_contact is None:
                        spec.reason = DisqualifyReason.UNREACHABLE
                    spec.decided_at = min(
                        spec.received_at + timedelta(days=self.rng.randint(3, 20)), self.now
                    )
                leads.append(spec)
        return leads

    def duplicates(self, open_leads: list[LeadSpec]) -> list[LeadSpec]:
        """The same company or person arriving again through another channel (R-LEAD-2)."""
        dups = []
        for target in open_leads[:16]:
            source = next(s for s in LeadSource.values if s != target.source)
            received = max(target.received_at + timedelta(hours=self.rng.randint(2, 48)), target.received_at)
            received = min(received, self.now - timedelta(minutes=30))
            label = target.company.zh if len(dups) % 2 else target.company.name
            dups.append(
                LeadSpec(
                    company=target.company,
                    company_label=label,
                    person=target.person,
                    source=source,
                    received_at=received,
                    owner=target.owner,
                    presales=None,
                    target=LeadStatus.MERGED,
                    needs=target.needs,
                    merge_into=target,
                )
            )
        return dups

    def build(self) -> tuple[list[CustomerSpec], list[LeadSpec], list[LeadSpec]]:
        customers = [self.flagship()]
        for index in range(1, 52):
            customers.append(self.customer("north" if index % 3 == 0 else "east", index))
        # New projects at existing accounts: leads that match a customer on purpose.
        repeat = []
        for spec in customers[1:7]:
            contact = spec.contacts[0]
            lead = self.lead(
                spec.company,
                spec.company.team,
                LeadStatus.CONTACTED,
                received_at=self.ago(self.rng.randint(2, 20)),
                person=contact,
                owner=spec.owner,
                presales=spec.primary,
            )
            repeat.append(lead)
        prospects = self.prospects()
        open_prospects = [x for x in prospects if x.target in (LeadStatus.NEW, LeadStatus.CONTACTED)]
        self.rng.shuffle(open_prospects)
        return customers, repeat + prospects, self.duplicates(open_prospects)


# --- build ---------------------------------------------------------------------------------


class Loader:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.created = {"customers": 0, "contacts": 0, "leads": 0, "communications": 0}

    def user(self, username: str | None):
        return self.ctx.users[username] if username else None

    # customers

    def customer(self, spec: CustomerSpec) -> Customer:
        owner = self.user(spec.owner)
        customer = Customer.objects.filter(name=spec.company.name).first()
        if customer is None:
            customer = services.customer_create(
                actor=owner,
                data={
                    "name": spec.company.name,
                    "industry": spec.company.industry,
                    "employees": spec.employees,
                    "annual_revenue": spec.revenue,
                    "region": f"{spec.company.city[0]} {spec.company.city[1]}",
                    "address": spec.address,
                    "website": f"https://www.{spec.company.domain}/",
                    "fit_score": spec.fit,
                    "value_score": spec.value,
                    "tier": spec.tier,
                    "team": self.ctx.teams[spec.company.team],
                    "owner": owner,
                    "notes": spec.notes,
                },
                need_tags=spec.tags,
                primary_presales=self.user(spec.primary),
            )
            self.created["customers"] += 1
        for username in spec.assistants:
            services.customer_add_assistant(actor=owner, customer=customer, user=self.user(username))
        contacts = {}
        for person in spec.contacts:
            contact = Contact.objects.filter(customer=customer, name=person.name).first()
            if contact is None:
                contact = services.contact_create(
                    actor=owner,
                    customer=customer,
                    data={
                        "name": person.name,
                        "title": person.title,
                        "phone": person.phone,
                        "email": person.email,
                        "decision_role": person.role,
                        "language": person.language,
                        "source": "business_card",
                    },
                )
                self.created["contacts"] += 1
            contacts[person.name] = contact
        if spec.origin is not None:
            self.lead(spec.origin, customer=customer)
        for comm in spec.comms:
            self.communication(comm, customer=customer, contact=contacts.get(comm.contact))
        first = spec.origin.received_at if spec.origin else min(c.at for c in spec.comms)
        latest = max(c.at for c in spec.comms)
        # Services stamp "now"; the demo history spans months, so move the stamps to the story.
        Customer.objects.filter(pk=customer.pk, created_at__gt=first).update(
            created_at=first, last_progress_at=latest
        )
        return customer

    def communication(self, spec: CommSpec, *, customer=None, lead=None, contact=None) -> None:
        subject = {"customer": customer} if customer is not None else {"lead": lead}
        if CommunicationRecord.objects.filter(key_points=spec.key_points, **subject).exists():
            return
        data = self._comm_data(spec, contact)
        # R-COMM-2: our people who took part: the author and the account's presales engineer.
        presales = customer.primary_presales if customer is not None else lead.presales_owner
        if presales is None and spec.channel in services.FIRST_MEETING_CHANNELS:
            presales = self.user("engineer")  # sales brings a presales engineer to meetings
        data["participant_users"] = _people(self.user(spec.author), presales)
        record = services.communication_create(
            actor=self.user(spec.author), customer=customer, lead=lead, data=data
        )
        _replay_promise(record, spec.next_step_due_at)
        self.created["communications"] += 1

    @staticmethod
    def _comm_data(spec: CommSpec, contact=None) -> dict:
        promised = spec.next_step_due_at
        if promised is not None and promised < timezone.now():
            # The services date promises from now on (R-COMM-1); the demo replays history,
            # so an already-overdue promise is written back once the record exists.
            promised = timezone.now() + timedelta(hours=1)
        data = {
            "occurred_at": spec.at,
            "channel": spec.channel,
            "place": spec.place,
            "participants": spec.participants,
            "key_points": spec.key_points,
            "customer_feedback": spec.feedback,
            "concerns": spec.concerns,
            "next_step": spec.next_step,
            "next_step_due_at": promised,
        }
        if contact is not None:
            data["contact"] = contact
        return data

    # leads

    def lead(self, spec: LeadSpec, *, customer: Customer | None = None) -> Lead:
        owner = self.user(spec.owner)
        company = spec.company_label or spec.company.name
        lead = Lead.objects.filter(
            company_name=company, contact_name=spec.person.name, source=spec.source
        ).first()
        if lead is None:
            # The services take receipts up to a year back (R-LEAD-3); older demo history is
            # written back after the intake.
            received = max(spec.received_at, self.ctx.extra["now"] - RECEIPT_MAX_AGE + timedelta(hours=1))
            lead = services.lead_create(
                actor=owner,
                data={
                    "source": spec.source,
                    "company_name": company,
                    "contact_name": spec.person.name,
                    "contact_title": spec.person.title,
                    "phone": spec.person.phone,
                    "email": spec.person.email,
                    "industry": spec.company.industry,
                    "background": spec.background,
                    "initial_needs": spec.needs,
                    "budget": spec.budget,
                    "timing": spec.timing,
                    "received_at": received,
                    "team": self.ctx.teams[spec.company.team],
                    "owner": owner,
                    "presales_owner": self.user(spec.presales),
                },
                # Intended duplicates: a new project at a customer, or a second intake merged below.
                allow_duplicate=customer is not None
                or spec.merge_into is not None
                or spec.company.name in self.ctx.extra.get("customer_names", ()),
                duplicate_reason="Demo data: a new project at a known company, or an intake merged below.",
            )
            Lead.objects.filter(pk=lead.pk).update(created_at=spec.received_at, received_at=spec.received_at)
            self.created["leads"] += 1
        self._advance(lead, spec, customer)
        return lead

    def _advance(self, lead: Lead, spec: LeadSpec, customer: Customer | None) -> None:
        worker = self.user(spec.presales or spec.owner)
        owner = self.user(spec.owner)
        if lead.status == LeadStatus.NEW and spec.first_contact is not None:
            fc = spec.first_contact
            data = self._comm_data(fc)
            presales = lead.presales_owner
            if presales is None and fc.channel in services.FIRST_MEETING_CHANNELS:
                presales = self.user("engineer")
            data["participant_users"] = _people(self.user(fc.author), presales)
            record = services.lead_record_first_contact(actor=self.user(fc.author), lead=lead, data=data)
            # Replayed history: the record counts as entered when the conversation happened
            # (R-LEAD-3 judges the times the system saw; here the demo stands in for it).
            CommunicationRecord.objects.filter(pk=record.pk).update(created_at=fc.at, entered_late=False)
            _replay_promise(record, fc.next_step_due_at)
            Lead.objects.filter(pk=lead.pk).update(first_contacted_at=fc.at)
            _timers(LEAD_FIRST_CONTACT, lead, TimerState.SATISFIED).update(satisfied_at=fc.at)
            self.created["communications"] += 1
            lead.refresh_from_db()
        if lead.status == LeadStatus.CONTACTED:
            for follow in spec.follow_ups:
                self.communication(follow, lead=lead)
        if not lead.is_open or spec.target in (LeadStatus.NEW, LeadStatus.CONTACTED):
            return
        if spec.target == LeadStatus.QUALIFIED and lead.status == LeadStatus.CONTACTED:
            services.lead_qualify(actor=owner, lead=lead, evaluation=spec.evaluation, customer=customer)
            lead.refresh_from_db()
            if customer is None:
                self._enrich(lead.customer, spec)
        elif spec.target == LeadStatus.DISQUALIFIED:
            services.lead_disqualify(
                actor=worker, lead=lead, reason=spec.reason, note=DISQUALIFY_NOTES[spec.reason]
            )
        elif spec.target == LeadStatus.MERGED:
            target = Lead.objects.get(
                company_name=spec.merge_into.company_label or spec.merge_into.company.name,
                contact_name=spec.merge_into.person.name,
                source=spec.merge_into.source,
            )
            if target.is_open:
                services.lead_merge(actor=owner, source=lead, target=target)
        if spec.decided_at and lead.status != LeadStatus.MERGED:
            Lead.objects.filter(pk=lead.pk).update(decided_at=spec.decided_at)

    def _enrich(self, customer: Customer, spec: LeadSpec) -> None:
        """A customer created by qualification gets its account facts right after."""
        services.customer_update(
            actor=self.user(spec.owner),
            customer=customer,
            data={
                "region": f"{spec.company.city[0]} {spec.company.city[1]}",
                "website": f"https://www.{spec.company.domain}/",
                "fit_score": 4,
                "value_score": 3,
                "tier": Tier.IMPORTANT,
            },
            need_tags=PROFILES[spec.company.industry].tags[:2],
        )
        at = spec.first_contact.at if spec.first_contact else spec.received_at
        Customer.objects.filter(pk=customer.pk).update(created_at=spec.decided_at or at, last_progress_at=at)
        self.created["customers"] += 1


def _replay_promise(record: CommunicationRecord, promised: datetime | None) -> None:
    """Write back a promise that was already overdue when the demo replayed its record."""
    if promised is None or record.next_step_due_at == promised:
        return
    CommunicationRecord.objects.filter(pk=record.pk).update(next_step_due_at=promised)
    _timers(COMMUNICATION_FOLLOW_UP, record, TimerState.OPEN).update(due_at=promised, next_action_at=promised)


def _timers(kind: str, record, state: str):
    return Timer.objects.filter(
        kind=kind, subject_type=ContentType.objects.get_for_model(record), subject_id=record.pk, state=state
    )


def build(ctx) -> None:
    now = ctx.extra.setdefault("now", timezone.now())
    customers, leads, duplicates = Planner(now).build()
    ctx.extra["customer_names"] = {c.company.name for c in customers}
    loader = Loader(ctx)
    # Later builders (opportunities, reviews …) find the accounts and leads here.
    ctx.extra["customers"] = {spec.company.name: loader.customer(spec) for spec in customers}
    ctx.extra["sample_customer"] = ctx.extra["customers"][customers[0].company.name]
    ctx.extra["leads"] = [loader.lead(spec) for spec in leads + duplicates]
    ctx.log.append(
        f"Demo customers and leads: {Customer.objects.count()} customers, {Contact.objects.count()} contacts, "
        f"{Lead.objects.count()} leads, {CommunicationRecord.objects.count()} communication records "
        "(new this run: " + ", ".join(f"{n} {what}" for what, n in loader.created.items()) + ")."
    )


def _people(*users) -> list:
    """The named people, each once, in order (None skipped)."""
    return list(dict.fromkeys(u for u in users if u is not None))
