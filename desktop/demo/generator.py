"""Demo data: a year of a Shaoxing risk-control agency's work, written through the real services."""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import io
import itertools
import os
import random
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.demo import outputs
from desktop.models import (
    CatalogueItem,
    DangerItem,
    Drill,
    Hazard,
    Organisation,
    Project,
    ProjectStage,
    ServicePlan,
    TrainingSession,
    User,
)
from desktop.paths import font_path
from desktop.services import (
    agency,
    archive,
    audit,
    catalogues,
    complaints,
    documents,
    fees,
    hazards,
    inspections,
    meetings,
    organisations,
    presets,
    project_facts,
    projects,
    risk,
    risk_sources,
    rules,
    standardisation,
    training,
    training_people,
    users,
)
from desktop.services.context import Actor, ServiceError, msg, now
from desktop.services.exchange import attachments
from desktop.services.training_people import AttendeeForm

T = TypeVar("T")
Walk = Iterator[dt.datetime]  # a run of steps: yields the moment of its next step, runs it when resumed
DEMO_PASSWORD = "Demo-2024-desk"
DEFAULT_PROJECTS = 20
STARTER = "risk_source@starter-1"
# the measures the agency writes into a project's register for its level-1/2 starter sources
# (the starter list carries none): a plan prints them, and cannot be signed without them
SOURCE_MEASURES = {
    "JK-01": "编制专项施工方案并经专家论证；分层分段开挖、先撑后挖；每日监测支护位移和周边沉降，超预警值立即停止开挖。",
    "JK-02": "编制专项施工方案并审批；按方案放坡或支护，基坑边1m内不得堆载，雨后复查边坡稳定。",
    "MB-01": "专项方案经专家论证；支撑体系搭设完成经验收合格后方可浇筑，浇筑时专人监测。",
    "MB-02": "专项方案经审批；立杆、扫地杆、剪刀撑按方案设置，验收合格后浇筑。",
    "QZ-01": "安装拆卸单位具备相应资质，专项方案经审批；安装后经检测验收合格、办理使用登记；作业人员持证上岗。",
    "QZ-02": "制定群塔防碰撞措施；每日班前检查限位和保险装置，专人指挥，严禁超载和斜吊。",
    "QZ-03": "吊装前核查起重机和吊索具，设置警戒区，专人指挥。",
    "JSJ-01": "专项方案经专家论证；分段验收合格后使用，连墙件按方案设置。",
    "JSJ-02": "专项方案经审批；悬挑梁和连墙件按方案设置，分段验收合格后使用，提升时下方设警戒区。",
    "JSJ-03": "吊篮安装后验收合格方可使用；独立设置安全绳，作业人员系挂安全带。",
    "YD-01": "外电线路与作业面安全距离不足处搭设绝缘防护设施，设置警示标志，起重作业专人监护。",
    "GC-01": "临边设置防护栏杆和挡脚板，电梯井口设防护门、井内每隔两层设水平网，洞口加盖固定。",
    "XF-01": "执行动火审批，清除周边可燃物，配备灭火器并设专人看火，作业人员持证上岗。",
}
AGENCY = "绍兴安途安全风险管理咨询有限公司（演示数据）"
STAFF = (  # username, display name, role, title
    ("admin", "周立群", "admin", "系统管理员"),
    ("chenguohua", "陈国华", "tech_lead", "技术负责人（高级工程师）"),
    ("shenjianming", "沈建明", "tech_lead", "技术负责人（注册安全工程师）"),
    ("jinhaifeng", "金海峰", "inspector", "安全工程师"),
    ("qianxiaodong", "钱晓东", "inspector", "安全工程师"),
    ("yuzhiqiang", "俞志强", "inspector", "助理工程师"),
    ("menglijuan", "孟丽娟", "inspector", "安全工程师"),
    ("fujiaqi", "傅佳琪", "clerk", "内勤"),
    ("zhangwenbin", "章文斌", "reviewer", "质量审核"),
)

INSURERS = (("中国人民财产保险股份有限公司绍兴市分公司", "人保财险", "PZAN"),
            ("中国平安财产保险股份有限公司绍兴中心支公司", "平安财险", "1060"),
            ("中国太平洋财产保险股份有限公司绍兴中心支公司", "太保财险", "ASHZ"),
            ("中华联合财产保险股份有限公司绍兴中心支公司", "中华财险", "ZHLH"),
            ("中国大地财产保险股份有限公司绍兴中心支公司", "大地财险", "DDCX"))
DISTRICTS = {  # district: (places, roads, river, weight)
    "越城区": ("镜湖新区 城南街道 塔山街道 灵芝街道 东湖街道 迪荡新城", "解放北路 人民东路 中兴中路 二环北路 越东路", "环城河", 5),
    "柯桥区": ("柯桥街道 华舍街道 齐贤街道 柯岩街道 安昌街道 钱清街道", "笛扬路 鉴湖路 群贤路 湖西路 裕民路", "鉴湖", 5),
    "上虞区": ("百官街道 曹娥街道 崧厦街道 章镇镇 滨海新城", "市民大道 人民西路 江扬路 凤鸣路", "曹娥江", 3),
    "诸暨市": ("暨阳街道 浣东街道 店口镇 大唐街道 枫桥镇", "艮塔路 东二路 望云路 陶朱路", "浦阳江", 3),
    "嵊州市": ("剡湖街道 三江街道 甘霖镇 长乐镇", "官河路 剡湖路 北直街", "剡溪", 2),
    "新昌县": ("七星街道 南明街道 澄潭街道 高新园区", "鼓山路 人民路 七星路", "新昌江", 2),
}
CONTRACTORS = (
    "浙江越鑫建设集团有限公司", "绍兴兴越建筑工程有限公司", "浙江稽山建设有限公司", "浙江鉴湖建设集团有限公司", "诸暨市暨阳建筑工程有限公司",
    "绍兴市上虞曹娥建设有限公司", "嵊州市剡溪建筑工程有限公司", "新昌县天姥建设有限公司", "浙江兰亭建工集团有限公司", "浙江会稽建设有限公司",
    "绍兴市镜湖建筑工程有限公司", "浙江柯岩建设集团有限公司", "浙江舜江建设有限公司", "绍兴越秀市政工程有限公司",
)
SUPERVISORS = (
    "绍兴市越州工程监理有限公司", "浙江禹都工程管理有限公司", "浙江江南工程咨询监理有限公司", "绍兴市鉴湖工程建设监理有限公司",
    "诸暨市浣江工程监理有限公司", "浙江明远项目管理有限公司", "绍兴市上虞区舜建工程监理有限公司", "嵊州市剡城工程咨询有限公司",
)
OWNERS = (
    "绍兴市越城区城市更新投资有限公司", "绍兴市柯桥区城市建设投资开发有限公司", "绍兴市上虞区滨海新城开发建设有限公司", "诸暨市城乡建设投资有限公司",
    "嵊州市城市发展有限公司", "新昌县城市建设开发有限公司", "绍兴市教育投资发展有限公司", "绍兴金越置业有限公司",
    "绍兴滨江和院房地产开发有限公司", "绍兴市越城区交通建设开发有限公司",
)
BUILDINGS = (
    "安置房（{n}期）工程", "商品住宅项目", "中心小学迁建工程", "幼儿园新建工程", "人民医院医技综合楼工程", "标准厂房（{n}期）工程",
    "商业综合体项目", "养老服务中心工程", "体育中心工程", "城中村改造安置房项目", "邻里中心工程", "初级中学扩建工程", "人才公寓项目",
)
MUNICIPAL = ["{road}提升改造工程", "污水管网改造工程", "地下综合管廊工程", "{river}综合治理工程", "快速路互通工程"]
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "胡", "何", "高", "林",
    "郑", "谢", "沈", "金", "钱", "俞", "章", "孟", "裘", "鲁", "傅", "陆", "汪", "蒋", "楼", "宣", "屠",
)
GIVEN = (
    "建国", "伟", "军", "海峰", "志明", "晓东", "利民", "国强", "永康", "丽娟", "红英", "浩", "杰", "涛", "斌", "鑫",
    "俊", "磊", "勇", "建华", "文龙", "卫东", "立新", "宏伟", "志刚", "春林", "国平", "建新", "丽萍", "晓燕", "旭东",
    "振华",
)
AREAS = ["钢筋加工区", "木工加工区", "地下室", "生活区", "材料堆场", "塔吊基础旁", "项目部办公区"]
SCENARIOS = {"高处作业": "高处坠落", "脚手架工程": "脚手架坍塌", "临时用电": "触电事故", "基坑工程": "基坑坍塌",
             "模板工程": "模板坍塌", "起重吊装": "起重伤害", "消防安全": "火灾事故", "施工机具": "机械伤害",
             "安全管理": "生产安全事故"}
# the demo's major-hazard templates name a 2022 item; a hazard found from 2024-12-13 on is judged against
# the 2024 standard, by the item the demo's authors read as the same situation there
MAJOR_2024 = {"07-2": "07-2", "10-1": "10-1", "05-4": "05-4", "05-2": "05-2", "06-3": "06-3",
              "08-5": "08-4", "08-6": "08-4", "04-3": "04-3", "04-4": "04-4"}
# category, stages (F 地基与基础, S 主体结构, D 装饰装修, A any), levels, major-hazard item, description, measures
HAZARDS = (
    ("高处作业", "SD", (2, 3), None, "{b}#楼{f}层东侧楼层临边防护栏杆缺失，长约{n}m，未设置挡脚板",
     "按规范设置两道防护栏杆及挡脚板，挂设密目安全网，验收合格后恢复作业"),
    ("高处作业", "SD", (2, 3), None, "{b}#楼电梯井口未设置定型化防护门，井道内未按规定设置水平安全网",
     "电梯井口安装定型化防护门，井道内按每两层且不大于10m设置水平安全网"),
    ("高处作业", "SD", (3, 4), None, "{b}#楼屋面预留洞口（约{n}0×{n}0cm）未覆盖固定，无警示标志",
     "采用盖板覆盖并固定，设置警示标志，每日检查"),
    ("高处作业", "SD", (2, 3), None, "{b}#楼外侧作业人员悬空作业未系挂安全带",
     "立即停止该作业，设置安全带挂点，对作业人员进行安全教育并加强旁站监督"),
    ("高处作业", "SD", (2, 3), None, "{b}#楼{f}层悬挑卸料平台钢丝绳仅设一道，未设置限载标识牌",
     "按专项方案补设两道钢丝绳，设置限载牌，验收合格后使用"),
    ("脚手架工程", "S", (2, 3), None, "{b}#楼外脚手架{f}层至{f2}层连墙件设置不足，局部间距超过3步3跨",
     "按专项方案补设连墙件，经项目技术负责人验收后方可继续使用"),
    ("脚手架工程", "S", (1,), "07-2", "{b}#楼外脚手架{f}层连墙件整层缺失，架体存在倾覆风险",
     "立即停止架上作业并疏散人员，按方案恢复连墙件，经验收合格后方可使用"),
    ("脚手架工程", "S", (2,), None, "{b}#楼悬挑脚手架型钢锚固螺栓松动，部分压板缺失",
     "紧固锚固螺栓，补齐压板，对全部悬挑型钢锚固进行排查"),
    ("脚手架工程", "SD", (3,), None, "{b}#楼外脚手架作业层脚手板未满铺，存在探头板",
     "满铺并固定脚手板，清除探头板，作业层下方设置水平兜网"),
    ("脚手架工程", "S", (3,), None, "{b}#楼落地式脚手架立杆底部未设置垫板，扫地杆缺失",
     "立杆底部加设垫板，补设纵横向扫地杆，完善排水措施"),
    ("脚手架工程", "SD", (3, 4), None, "{b}#楼外脚手架剪刀撑未连续设置，部分搭接长度不足1m",
     "按规范连续设置剪刀撑，搭接长度不小于1m且不少于3个扣件"),
    ("脚手架工程", "D", (2,), None, "{b}#楼高处作业吊篮安全锁超过标定有效期",
     "停止使用该吊篮，安全锁送检标定合格后方可使用"),
    ("临时用电", "A", (3,), None, "{area}配电箱未做重复接地，PE线缺失", "按TN-S系统补设PE线并做重复接地，测试接地电阻"),
    ("临时用电", "A", (2, 3), None, "{area}开关箱漏电保护器失灵，试跳不动作", "断电更换漏电保护器，对全场开关箱进行试跳检查"),
    ("临时用电", "A", (3, 4), None, "{area}电缆沿地面明敷，未穿管保护，部分被钢筋压占",
     "电缆架空或埋地敷设，过路处穿管保护，清理压占材料"),
    ("临时用电", "A", (3,), None, "{area}开关箱一闸多机，未做到一机一闸一漏一箱", "按一机一闸一漏一箱配置开关箱"),
    ("临时用电", "A", (4,), None, "{area}配电箱箱门无锁、无防雨措施，箱内堆放杂物", "加装箱门锁和防雨棚，清理箱内杂物，专人管理"),
    ("临时用电", "F", (1,), "10-1", "地下室潮湿作业环境照明未使用安全电压，灯具线路浸水",
     "立即断电，更换为36V及以下安全电压照明，排除积水后恢复作业"),
    ("基坑工程", "F", (2,), None, "基坑{side}侧坑边1m范围内堆放钢筋等材料，超过设计荷载", "立即清运坑边堆载，设置堆载限界线，加强监测"),
    ("基坑工程", "F", (3,), None, "基坑{side}侧临边防护栏杆不连续，上下通道未设置", "补设连续防护栏杆，设置专用上下通道并验收"),
    ("基坑工程", "F", (1,), "05-4", "基坑监测数据显示{side}侧支护结构水平位移超过设计控制值，侧壁出现渗漏流土，未及时处理",
     "停止坑内作业撤离人员，组织设计、监测单位会商，采取反压、封堵措施并加密监测"),
    ("基坑工程", "F", (2,), None, "基坑{side}侧坡顶出现多条纵向裂缝，未采取封闭措施", "对裂缝进行封闭，加密监测频率，必要时卸载"),
    ("基坑工程", "F", (1,), "05-2", "基坑{side}侧土方超挖约{n}0cm，且未采取有效措施", "停止开挖，按设计要求回填反压，经设计复核后方可继续施工"),
    ("模板工程", "S", (2,), None, "{b}#楼高支模区域立杆间距与专项方案不符，局部水平杆缺失", "按专项方案调整立杆间距、补设水平杆，重新组织验收"),
    ("模板工程", "S", (3,), None, "{b}#楼{f}层模板支架扫地杆、水平拉杆设置不全", "补设扫地杆和水平拉杆，浇筑前组织验收"),
    ("模板工程", "S", (2,), None, "{b}#楼{f}层模板支架未经验收即浇筑混凝土", "停止浇筑，组织模板支架验收，完善验收程序"),
    ("模板工程", "S", (1,), "06-3", "{b}#楼{f}层模板支架拆除时混凝土强度未达到设计要求", "停止拆除，已拆部位回顶，同条件试块强度合格后方可拆除"),
    ("起重吊装", "FS", (1,), "08-5", "{crane}#塔式起重机力矩限制器失效", "停止使用该塔机，由产权单位修复安全装置，经检测合格后方可使用"),
    ("起重吊装", "FS", (2,), None, "{crane}#塔式起重机吊钩防脱钩装置损坏", "停止吊装作业，更换防脱钩装置"),
    ("起重吊装", "SD", (1,), "08-6", "{crane}#施工升降机防坠安全器超过定期检验有效期", "停用施工升降机，防坠安全器送检合格后方可使用"),
    ("起重吊装", "FS", (1,), "04-3", "塔式起重机司机、信号司索工未取得特种作业操作资格证书上岗作业",
     "停止相关作业，更换持证人员，全面核查项目特种作业人员证件"),
    ("起重吊装", "SD", (2,), None, "{crane}#施工升降机楼层通道门未设置，部分门锁失效", "设置定型化楼层防护门并确保门锁有效"),
    ("起重吊装", "FS", (2, 3), None, "汽车吊支腿未完全伸出，吊装作业区域未设置警戒", "支腿全伸并垫设路基板，设置警戒区并安排专人监护"),
    ("起重吊装", "FS", (2,), None, "{crane}#塔式起重机起升钢丝绳断丝超标仍在使用", "停用并更换钢丝绳，加强日常检查"),
    ("消防安全", "A", (2, 3), None, "{area}动火作业未办理动火审批，无看火人，未配备灭火器", "停止动火作业，办理动火审批，配备灭火器并安排看火人"),
    ("消防安全", "A", (3,), None, "{area}氧气瓶与乙炔瓶间距不足5m，乙炔瓶卧放使用", "两瓶间距不小于5m、距明火不小于10m，乙炔瓶直立并防倾倒"),
    ("消防安全", "A", (3,), None, "生活区宿舍内私拉电线，使用大功率电器", "拆除私拉电线，清除大功率电器，宿舍采用限流供电"),
    ("消防安全", "A", (3, 4), None, "{area}消防通道被材料堵塞", "清理消防通道，设置禁止占用标识"),
    ("消防安全", "A", (4,), None, "{area}灭火器压力不足，部分超过有效期", "更换失效灭火器，建立消防器材检查台账"),
    ("施工机具", "A", (3, 4), None, "钢筋加工区钢筋切断机传动部位防护罩缺失", "加装防护罩，机具验收合格后使用"),
    ("施工机具", "A", (3,), None, "木工加工区圆盘锯无防护罩和分料器", "加装防护罩及分料器，安排专人操作"),
    ("施工机具", "A", (4,), None, "{area}手持电动工具电源线破损，仅用绝缘胶布包扎", "更换电源线，使用前进行绝缘检查"),
    ("安全管理", "S", (1,), "04-4", "{b}#楼高大模板支撑工程专项施工方案未组织专家论证即施工",
     "停止该分项施工，按规定组织专家论证，方案审批后方可施工"),
    ("安全管理", "A", (3,), None, "项目专职安全员未按规定配备到岗，安全检查记录缺失", "按规定配齐专职安全员，补全安全检查记录"),
    ("安全管理", "A", (4,), None, "新进场作业人员三级安全教育记录不全，班前安全活动记录缺失", "完善三级安全教育和班前安全活动记录"),
)
TRAINING_CONTENT = {
    "建筑施工高处作业安全专题培训": "临边、洞口防护设置要求；安全带“高挂低用”；脚手架作业层防护；高处坠落典型事故案例分析。",
    "施工现场临时用电安全培训": "TN-S 接零保护系统、三级配电两级保护、一机一闸一漏；配电箱检查要点；触电事故应急处置。",
    "消防安全及动火作业管理培训": "动火作业审批与监护；灭火器材配置和使用；生活区用电防火；火灾疏散演示。",
    "重大事故隐患判定标准宣贯培训": "房屋市政工程重大事故隐患判定标准条文解读；发现重大事故隐患后的停工、报告和整改要求。",
}
TRAININGS = (("建筑施工高处作业安全专题培训", "高处作业,脚手架工程"), ("危大工程安全管理专题培训", "基坑工程,模板工程,起重吊装"),
             ("施工现场临时用电安全培训", "临时用电"), ("建筑起重机械安全管理培训", "起重吊装"),
             ("夏季高温及防台防汛安全培训", "基坑工程,临时用电"), ("消防安全及动火作业管理培训", "消防安全"),
             ("重大事故隐患判定标准宣贯培训", "安全管理,脚手架工程,起重吊装"), ("新进场作业人员安全教育培训", "安全管理,施工机具"))
DRILL_SCENARIOS = ("高处坠落", "基坑坍塌", "火灾", "触电", "起重伤害", "防台防汛", "物体打击")
STANDARDISATION_ADVICE = (
    "配电箱未上锁、部分开关箱漏电保护器失灵，应落实三级配电两级保护并每日检查。",
    "材料堆放杂乱、场内道路未硬化，应按标准化工地要求分区堆放并设置标识牌。",
    "临边防护栏杆高度不足、挡脚板缺失，应按标准化做法统一设置定型化防护。",
    "安全技术交底记录签字不全，应完善分部分项工程交底并留存影像资料。",
    "塔吊司机和信号工持证信息未公示，应完善特种作业人员管理台账并上墙公示。",
)


@dataclass(frozen=True)
class DemoSummary:
    users: int
    organisations: int
    projects: int
    inspections: int
    hazards: dict[str, int]
    photos: int
    photo_bytes: int
    trainings: int
    drills: int
    archive_items: int
    outputs: int = 0  # periodic documents signed
    submissions: int = 0  # of them logged as sent, one row a recipient
    unsent: int = 0  # signed and past the deadline, not yet sent
    password: str = DEMO_PASSWORD
    usernames: tuple[str, ...] = field(default=tuple(s[0] for s in STAFF))

    def lines(self) -> list[str]:
        from desktop.models.enums import HazardStatus

        states = "，".join(f"{HazardStatus(k).label} {v}" for k, v in sorted(self.hazards.items()))
        return [
            f"用户 {self.users} 个（{'、'.join(self.usernames)}），演示密码均为 {self.password}",
            f"单位 {self.organisations} 家，项目 {self.projects} 个，检查 {self.inspections} 次",
            f"隐患 {sum(self.hazards.values())} 条：{states}",
            (f"照片 {self.photos} 张（{self.photo_bytes / 1048576:.1f} MB），培训 {self.trainings} 场，"
             f"演练 {self.drills} 次，档案 {self.archive_items} 件"),
            f"周期成果文书 {self.outputs} 份，报送记录 {self.submissions} 条，待报送 {self.unsent} 份",
        ]


def has_business_data(session: Session) -> bool:
    """True when the folder already holds organisations or projects (demo data goes only into new folders)."""
    return any(session.execute(select(func.count(m.id))).scalar_one() for m in (Organisation, Project, Hazard))


@functools.lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size)


PHOTO_SIZE = (400, 300)


@functools.lru_cache(maxsize=16)
def _scene(variant: int) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A background 'site': sky, ground, a building under construction with scaffolding; and its box."""
    rng = random.Random(variant)
    w, h = PHOTO_SIZE
    im = Image.new("RGB", PHOTO_SIZE, (200, 200, 200))
    d = ImageDraw.Draw(im)
    sky, ground = (rng.randint(120, 170), rng.randint(160, 200), rng.randint(200, 240)), int(h * 0.62)
    for y in range(0, ground, 6):
        d.rectangle([0, y, w, y + 6], fill=tuple(int(c + (235 - c) * y / ground) for c in sky))
    d.rectangle([0, ground, w, h], fill=(rng.randint(120, 150), rng.randint(100, 120), 80))
    left, width, floors = rng.randint(20, 160), rng.randint(130, 220), rng.randint(4, 9)
    for i in range(floors):
        top = ground - (i + 1) * 18
        d.rectangle([left, top, left + width, top + 18], fill=(165, 165, 160), outline=(90, 90, 90), width=2)
        for x in range(left + 10, left + width - 10, 24):
            d.rectangle([x, top + 5, x + 12, top + 13], fill=(70, 80, 95))
    for x in range(left - 10, left + width + 12, 16):  # scaffold poles and ledgers
        d.line([x, ground, x, ground - floors * 18 - 8], fill=(230, 140, 40), width=2)
    for y in range(ground, ground - floors * 18 - 8, -18):
        d.line([left - 10, y, left + width + 10, y], fill=(230, 140, 40), width=1)
    return im, (left, ground - floors * 18, left + width, ground)


def site_photo(rng: random.Random, *, caption: str, stamp: str, after: bool) -> bytes:
    """A small drawn 'site photo': one of a few scenes, a marked spot, the caption and time stamp."""
    scene, (x0, y0, x1, y1) = _scene(rng.randrange(12))
    im = scene.copy()
    w, h = im.size
    d = ImageDraw.Draw(im)
    cx, cy = rng.randint(x0 + 20, x1 - 20), rng.randint(y0 + 15, y1 - 15)
    mark = (40, 170, 60) if after else (220, 30, 30)
    d.ellipse([cx - 26, cy - 20, cx + 26, cy + 20], outline=mark, width=4)
    d.rectangle([0, h - 48, w, h], fill=(20, 20, 20))
    d.text((8, h - 45), caption[:24], font=_font(15), fill=(255, 255, 255))
    d.text((8, h - 22), stamp, font=_font(13), fill=(255, 210, 80))
    d.rectangle([0, 0, 66, 24], fill=mark)
    d.text((7, 3), "整改后" if after else "整改前", font=_font(15), fill=(255, 255, 255))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=70)
    return out.getvalue()


@dataclass
class _Site:
    """What the generator remembers about one project while it writes its year."""

    id: int
    name: str
    district: str
    contract: dt.date
    end: dt.date  # last day of service in the demo (completion or yesterday)
    policy_id: int
    manager: str
    chief_supervisor: str
    lead: Actor
    level: str
    buildings: int
    floors: int
    stages: list[tuple[int, str, dt.date, dt.date]] = field(default_factory=list)
    dangers: list[tuple[int, str, dt.date]] = field(default_factory=list)
    danger_progress: list[tuple[int, str, dt.date, dt.date]] = field(default_factory=list)
    headcount: tuple[int, int] = (0, 0)
    special_chance: float = 1.0  # drawn at set-up: below 0.8 its special plan is signed


class _Demo:
    def __init__(self, session: Session, *, store_dir: Path, seed: int, today: dt.date,
                 key_dir: Path | str | None = None) -> None:
        self.s, self.rng, self.today, self.store = session, random.Random(seed), today, Path(store_dir)
        self.key_dir = key_dir  # signed documents carry the agency's PDF signature when given
        # rosters draw from their own stream, so the rest of the demo stays as the seed made it
        self.crew_rng = random.Random(seed * 7919 + 13)
        self.crews: dict[int, tuple[list[AttendeeForm], list[AttendeeForm], bool]] = {}
        half_start = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
        self.roster_from = risk.add_months(half_start, -6)  # rosters for this and the last half-year
        self.latest = now() - dt.timedelta(minutes=10)  # every service refuses times in the future
        self.photos = self.photo_bytes = self.inspections = self.letters = 0
        self.used_names: set[str] = set()
        self.special_made: set[int] = set()  # projects whose special plan was drafted
        self.special_signed = 0
        # the year's timeline: every walk's next step by its moment, run in time order (run)
        self.queue: list[tuple[dt.datetime, int, Walk]] = []
        self.order = itertools.count()

    # -- the timeline -----------------------------------------------------------------------

    def later(self, walk: Walk) -> None:
        """Run a walk up to its next step and queue that step at the moment it yields."""
        moment = next(walk, None)
        if moment is not None:
            heapq.heappush(self.queue, (moment, next(self.order), walk))

    def run(self, walks: Iterable[Walk]) -> None:
        """The year in time order: visits, each hazard's steps, assessments and periodic outputs
        each run at its moment, so whatever a step writes or signs reads the records as they stood
        then — a hazard list signed in January holds no closure of February."""
        for walk in walks:
            self.later(walk)
        while self.queue:
            self.later(heapq.heappop(self.queue)[2])

    # -- small helpers ----------------------------------------------------------------------

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}{self.rng.randint(0, 99_999_999):08d}"

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def add(self, actor: Actor, obj: T) -> T:
        """A record with no service of its own yet: written and audited like a service would."""
        self.s.add(obj)
        audit.record_create(self.s, actor, obj)
        return obj

    def photo(self, actor: Actor, *, owner_type: str, owner_id: int, role: str, when: dt.datetime,
              caption: str, after: bool = False) -> int:
        data = site_photo(self.rng, caption=caption, stamp=f"{when:%Y-%m-%d %H:%M}", after=after)
        row = attachments.store_file(self.s, actor, store_dir=self.store, data=data, owner_type=owner_type,
                                     owner_id=owner_id, role=role, original_name=f"IMG_{when:%Y%m%d_%H%M%S}.jpg",
                                     caption=caption[:200], durable=False)
        self.photos += 1
        self.photo_bytes += row.size
        return row.id

    # -- people and parties -----------------------------------------------------------------

    def staff(self) -> None:
        """The agency and its people; after `riskdesk init` the profile and administrator
        made there are kept and the demo staff join them."""
        if agency.agency_profile(self.s) is None:
            agency.setup_agency(self.s, name=AGENCY, short_name="安途风控", credit_code=_credit_code(self.rng),
                                address="绍兴市越城区解放北路 1 号（演示地址）", phone="0575-88000000",
                                legal_rep=self.person())
        self.by_role: dict[str, list[Actor]] = {}
        existing = self.s.execute(select(User).where(User.role == "admin", User.deleted_at.is_(None))
                                  .order_by(User.id)).scalars().first()
        if existing is None:
            first = agency.create_first_admin(self.s, username=STAFF[0][0], display_name=STAFF[0][1],
                                              password=DEMO_PASSWORD)
            self.by_role["admin"] = [Actor(first.id, first.username, first.role, first.display_name)]
        else:
            self.by_role["admin"] = [Actor(existing.id, existing.username, existing.role, existing.display_name)]
        # every demo account has the same published password: hash it once (~0.3 s an account)
        shared = users.hash_password(DEMO_PASSWORD)
        taken = set(self.s.execute(select(User.username)).scalars())
        for username, name, role, title in STAFF[1:]:
            if username in taken:
                continue
            user = self.add(self.by_role["admin"][0], User(username=username, display_name=name, role=role,
                                                          title=title, password_hash=shared))
            self.by_role.setdefault(role, []).append(Actor(user.id, username, role, name))
        self.admin, self.clerk = self.by_role["admin"][0], self.by_role["clerk"][0]
        self.field = self.by_role["tech_lead"] + self.by_role["inspector"]

    def parties(self) -> None:
        ensure = functools.partial(organisations.ensure, self.s, self.clerk)
        self.insurers = [ensure(kind="insurer", name=n, short_name=short).id for n, short, _ in INSURERS]
        self.prefixes = {i: p for i, (_, _, p) in zip(self.insurers, INSURERS, strict=True)}
        # the districts' authorities as a new install presets them (kept when `init` made them)
        by_district = {o.district: o.id for o in presets.create_authorities(self.s, self.clerk)}
        self.authorities = {d: by_district[d] for d in DISTRICTS}
        self.contractors = [ensure(kind="contractor", name=n).id for n in CONTRACTORS]
        self.supervisors = [ensure(kind="supervisor", name=n).id for n in SUPERVISORS]
        self.owners = [ensure(kind="owner", name=n).id for n in OWNERS]
        self.starter = {i.code: i for i in catalogues.search_items(self.s, "risk_source", "", limit=500)}
        self.catalogue = {(i.kind, i.code): i.id for kind in ("danda", "chaowei", "risk_source")
                          for i in catalogues.search_items(self.s, kind, "", limit=500)}
        self.major = {(i.edition, i.code): i.id for i in catalogues.search_items(self.s, "major_hazard", "", 500)}
        self.in_force_2024 = next(c.in_force for c in catalogues.list_catalogues(self.s, "major_hazard")
                                  if c.edition == "2024" and c.in_force is not None)

    def major_item(self, code: str | None, day: dt.date) -> int | None:
        if code is None:
            return None
        if day >= self.in_force_2024:
            return self.major[("2024", MAJOR_2024[code])]
        return self.major[("2022", code)]

    # -- projects ---------------------------------------------------------------------------

    def project(self, seq: int) -> _Site:
        rng, today = self.rng, self.today
        district = rng.choices(list(DISTRICTS), weights=[v[3] for v in DISTRICTS.values()])[0]
        places, roads, river, _ = DISTRICTS[district]
        place, road = rng.choice(places.split()), rng.choice(roads.split())
        municipal = rng.random() < 0.2
        for _ in range(20):
            pattern = rng.choice(MUNICIPAL if municipal else BUILDINGS)
            name = district + ("" if "{road}" in pattern else place) + pattern.format(
                n="一二三四"[rng.randint(0, 3)], road=road, river=river)
            if name not in self.used_names:
                break
        self.used_names.add(name)
        contract = today - dt.timedelta(days=rng.randint(20, 420))
        start = contract + dt.timedelta(days=rng.randint(-60, 15))
        planned = start + dt.timedelta(days=rng.randint(300, 600) if municipal else rng.randint(420, 820))
        completion = None
        status = "active"
        if planned < today - dt.timedelta(days=20):
            status, completion = "completed", min(planned + dt.timedelta(days=rng.randint(-15, 15)),
                                                  today - dt.timedelta(days=5))
        elif rng.random() < 0.06:
            status = "suspended"
        small = rng.random() < 0.25  # a small job: shallow pit, no 危大 work after the foundations
        metres = rng.uniform(1.2, 2.8) if small else rng.choice([rng.uniform(5, 12), rng.uniform(3, 5)])
        depth = Decimal(str(round(metres, 1)))
        level = "high" if depth >= 5 else "medium" if depth >= 3 else "low"
        contractor, supervisor = rng.choice(self.contractors), rng.choice(self.supervisors)
        lead = rng.choice(self.field)
        managers, workers = rng.randint(8, 25), rng.randint(80, 450)
        value = Decimal(rng.randint(3_000, 60_000) * 10_000)
        row = projects.create_project(self.s, self.clerk, projects.ProjectForm(
            code=f"FK{contract.year}-{seq:03d}", name=name, district=district,
            address=f"绍兴市{district}{place}{road}以{rng.choice('东南西北')}{rng.randint(1, 30)}号地块",
            project_type="municipal" if municipal else "building", contract_value=value,
            excavation_depth_m=depth, authority_id=self.authorities[district], owner_id=rng.choice(self.owners),
            contractor_id=contractor, supervisor_id=supervisor, status=status, service_contract_date=contract,
            start_date=start, planned_completion=planned, completion_date=completion,
            headcount_managers=managers, headcount_workers=workers, lead_user_id=lead.user_id,
            notes="演示数据"))
        insurer = rng.choice(self.insurers)
        premium = (value * Decimal(str(round(rng.uniform(0.0008, 0.0015), 5)))).quantize(Decimal("0.01"))
        policy = projects.add_policy(self.s, self.clerk, row.id, projects.PolicyForm(
            policy_no=f"{self.prefixes[insurer]}{contract.year}3306{seq:05d}{rng.randint(10, 99)}",
            insurer_id=insurer, start_date=contract - dt.timedelta(days=rng.randint(0, 15)),
            end_date=planned + dt.timedelta(days=90), premium=premium,
            prevention_fee=(premium * Decimal("0.18")).quantize(Decimal("0.01"))))
        manager, chief = self.person(), self.person()
        for role, person, org in (("项目经理", manager, contractor), ("专职安全员", self.person(), contractor),
                                  ("总监理工程师", chief, supervisor), ("建设单位代表", self.person(), None)):
            projects.add_contact(self.s, self.clerk, row.id, role=role, name=person, phone=self.phone(),
                                 organisation_id=org)
        end = completion or today - dt.timedelta(days=1)
        site = _Site(row.id, name, district, contract, end, policy, manager, chief, lead, level,
                     buildings=1 if municipal else rng.randint(2, 12), floors=rng.randint(6, 32),
                     headcount=(managers, workers))
        self._stages(site, start, planned, completed=completion is not None)
        # the 危大 list and the risk sources are recorded when the service starts, the clock pinned
        # to that day (their created_at): a plan drafted in a past quarter lists what existed then
        with clock.pinned(self.set_up_at(site)):
            self._dangers(site, depth, municipal, small)
        self._danger_progress(site)
        self._setup_records(site)
        return site

    def set_up_at(self, site: _Site) -> dt.datetime:
        """The morning the project's service starts (its contract date), never ahead of now."""
        return min(dt.datetime.combine(site.contract, dt.time(9, 0)), self.latest)

    def _stages(self, site: _Site, start: dt.date, planned: dt.date, *, completed: bool) -> None:
        stages = self.s.execute(select(ProjectStage).where(ProjectStage.project_id == site.id)
                                .order_by(ProjectStage.seq)).scalars().all()
        span, cursor = (planned - start).days, start
        for stage, share in zip(stages, (0.25, 0.45, 0.25, 0.05), strict=False):
            end = cursor + dt.timedelta(days=max(10, int(span * share)))
            started, finished = cursor <= self.today or completed, end < self.today or completed
            projects.set_stage_dates(self.s, self.clerk, stage.id, planned_start=cursor, planned_end=end,
                                     actual_start=cursor if started else None, actual_end=end if finished else None)
            site.stages.append((stage.id, stage.name, cursor, end))
            cursor = end + dt.timedelta(days=1)

    def _dangers(self, site: _Site, depth: Decimal, municipal: bool, small: bool) -> None:
        rng = self.rng
        pit = ("chaowei", "1-1", True) if depth >= 5 else ("danda", "1-1", False)
        wanted = [(*pit, f"{'沟槽' if municipal else '基坑'}开挖与支护工程（开挖深度{depth}m）", 0)]
        if small:  # a shallow pit is no 危大 work; only the tower crane is
            wanted = [("danda", "3-3", False, "塔式起重机安装拆卸工程", 0)]
        elif municipal:
            wanted.append(("danda", "3-1", False, "预制构件起重吊装工程", 1))
        else:
            wanted.append(("danda", "3-3", False, "塔式起重机安装拆卸工程", 0))
            wanted.append(("danda", "4-3", False, "悬挑式脚手架工程", 1) if rng.random() < 0.5
                          else ("danda", "4-1", False, f"落地式钢管脚手架工程（搭设高度{rng.randint(24, 48)}m）", 1))
            height = round(rng.uniform(5.2, 12.5), 1)
            wanted.append(("chaowei", "2-2", True, f"高大模板支撑工程（搭设高度{height}m）", 1) if height >= 8
                          else ("danda", "2-2", False, f"混凝土模板支撑工程（搭设高度{height}m）", 1))
            if rng.random() < 0.5:
                wanted.append(("danda", "4-4", False, "高处作业吊篮", 2))
        for kind, code, is_super, name, stage in wanted:
            _, _, s_start, s_end = site.stages[stage]
            start = s_start + dt.timedelta(days=rng.randint(0, 20))
            end = max(start + dt.timedelta(days=20), s_end)
            status = "planned" if start > self.today else "in_progress" if end >= self.today else "done"
            item = projects.add_danger_item(self.s, self.clerk, site.id, name=name, is_super=is_super,
                                            catalogue_item_id=self.catalogue[(kind, code)],
                                            planned_start=start, planned_end=end, parameters=name.partition("（")[2][:-1])
            site.dangers.append((item, name, start))
            site.danger_progress.append((item, status, start, end))

    def _danger_progress(self, site: _Site) -> None:
        """Each 危大 item started (and finished) on its dates, recorded as the page does it —
        actual dates with each step, 计划→施工中→完成 — so that a past day's assessment or plan
        reads the item as it stood that day (`risk.danger_items_on`)."""
        for item, status, start, end in site.danger_progress:
            if status == "planned":
                continue
            row = self.s.get(DangerItem, item)
            assert row is not None
            edit = project_facts.DangerEdit(
                name=row.name, is_super=row.is_super, status="in_progress", planned_start=row.planned_start,
                planned_end=row.planned_end, actual_start=start, parameters=row.parameters)
            version = project_facts.update_danger_item(self.s, self.clerk, item, edit,
                                                       expected_version=row.version, today=self.today)
            if status == "done":
                project_facts.update_danger_item(self.s, self.clerk, item, replace(
                    edit, status="done", actual_end=end), expected_version=version, today=self.today)

    def _setup_records(self, site: _Site) -> None:
        """Risk sources, work plans, kick-off, training plan and fee budget of a new project."""
        rng, lead = self.rng, site.lead
        codes = ["YD-01", "YD-02", "GC-01", "XF-01", "JSJ-02" if site.floors > 12 else "JSJ-04",
                 {"high": "JK-01", "medium": "JK-02"}.get(site.level, "JK-03"), "QZ-01", "QZ-02",
                 "MB-01" if any("高大" in d[1] for d in site.dangers) else "MB-02"]
        with clock.pinned(self.set_up_at(site)):
            risk_sources.import_catalogue(self.s, lead, site.id, catalogue_code=STARTER, item_codes=tuple(codes))
            self._source_measures(site)
        interval = int(rules.get(self.s, "risk.visit_interval_days")[site.level])
        # service plans and the kick-off meeting have no service module yet: written and audited here
        self.add(lead, ServicePlan(project_id=site.id, kind="general", revision=1, status="signed",
                                   title=f"{site.name}安全生产事故预防服务工作方案", visit_interval_days=interval,
                                   content={"stages": [s[1] for s in site.stages], "frequency_days": interval,
                                            "staff": [lead.display_name]}, created_by_id=lead.user_id))
        if site.level != "low":  # the special plan is made once the project is assessed (_special_plan)
            site.special_chance = rng.random()
        kickoff = min(site.contract + dt.timedelta(days=rng.randint(1, 6)), site.end)
        self.kickoff(site, kickoff)
        training.set_plan(self.s, self.clerk, site.id, basis="half_year", planned_sessions=2,
                          topics="高处作业、临时用电、危大工程、消防安全")
        fees.ensure_budget(self.s, self.clerk, site.policy_id, date=site.contract)

    def _source_measures(self, site: _Site) -> None:
        codes: dict[int | None, str] = dict(self.s.execute(select(CatalogueItem.id, CatalogueItem.code)).all())
        for row in risk_sources.list_for_project(self.s, site.id):
            text = SOURCE_MEASURES.get(codes.get(row.catalogue_item_id, ""))
            if row.level <= 2 and text and not row.measures:
                risk_sources.update(self.s, site.lead, row.id, risk_sources.SourceForm(
                    row.name, row.level, row.category, row.location, row.stage, text, row.catalogue_item_id),
                    expected_version=row.version)

    def assessments(self, sites: list[_Site], firsts: dict[int, dt.date]) -> list[Walk]:
        """Each project's risk assessed as a real year leaves it: at its first identification
        (`firsts`: each project's first visit), then once inside every later quarter of its
        service (the last by yesterday), each made on its day through the services with the
        clock pinned to that day's hour, on the year's timeline (run) so it is graded from the
        records as they stood then: a past quarter's self-check reads the level the project had
        in that quarter. The latest is the project's level now. A project assessed high or medium
        gets its special plan that day (`_special_plan`)."""
        lead, events = self.by_role["tech_lead"][0], []
        for site in sites:
            first = firsts.get(site.id)
            days = [min(first or site.contract + dt.timedelta(days=3), site.end)]
            quarter = risk.add_months(dt.date(days[0].year, 3 * ((days[0].month - 1) // 3) + 1, 1), 3)
            while quarter <= site.end:
                days.append(min(quarter + dt.timedelta(days=self.rng.randint(3, 40)), site.end))
                quarter = risk.add_months(quarter, 3)
            for day in sorted(set(days)):
                at = dt.datetime.combine(day, dt.time(self.rng.randint(9, 17), self.rng.randint(0, 59)))
                events.append((min(at, self.latest), site))
        events.sort(key=lambda e: (e[0], e[1].id))
        return [self._assess(site, at, lead) for at, site in events]

    def _assess(self, site: _Site, at: dt.datetime, lead: Actor) -> Walk:
        yield at
        with clock.pinned(at):
            row = risk.assess(self.s, lead, site.id, reason="按评定规则计算（演示数据）", today=at.date())
        if row.level in ("high", "medium"):
            yield from self._special_plan(site, at)

    def _special_plan(self, site: _Site, assessed: dt.datetime) -> Walk:
        """The special plan of a project assessed high or medium, made once, on the day of the
        assessment that first raised it: drafted from its records by the clerk an hour later and
        signed by a technical lead an hour after that, the clock pinned to each moment (so the
        plan is dated in the quarter it belongs to); a few are still a draft, a few not made."""
        if site.id in self.special_made or site.special_chance >= 0.9:
            return
        self.special_made.add(site.id)
        lead = self.by_role["tech_lead"][0]
        drafted = min(assessed + dt.timedelta(hours=1), self.latest)
        yield drafted
        with tempfile.TemporaryDirectory(prefix="riskdesk-demo-") as work, clock.pinned(drafted):
            draft = documents.generate_draft(self.s, self.clerk, kind="special_plan", scope_type="project",
                                             scope_id=site.id, store_dir=self.store, work_dir=work)
        if site.special_chance < 0.8:
            signed = min(assessed + dt.timedelta(hours=2), self.latest)
            yield signed
            with tempfile.TemporaryDirectory(prefix="riskdesk-demo-") as work, clock.pinned(signed):
                documents.sign(self.s, lead, draft.id, expected_version=draft.version, store_dir=self.store,
                               work_dir=work, key_dir=self.key_dir)
            self.special_signed += 1

    def kickoff(self, site: _Site, day: dt.date) -> None:
        """Most projects' kick-off meeting, confirmed by the insured; a few left unconfirmed or
        not recorded, as a real year leaves them (its own random stream: the rest is unchanged)."""
        local = random.Random(day.toordinal() * 1000 + site.id)
        chance = local.random()
        if chance < 0.05:
            return
        people = [meetings.Attendee("agency", site.lead.display_name, "项目负责人"),
                  meetings.Attendee("contractor", site.manager, "项目经理"),
                  meetings.Attendee("supervisor", site.chief_supervisor, "总监理工程师")]
        if local.random() < 0.7:
            people.append(meetings.Attendee("owner", local.choice(SURNAMES) + local.choice(GIVEN), "工程部负责人"))
        if local.random() < 0.4:
            people.append(meetings.Attendee("insurer", local.choice(SURNAMES) + local.choice(GIVEN), "客户经理"))
        confirmed = chance >= 0.13
        meetings.record(self.s, site.lead, site.id, meetings.MeetingForm(
            date=day, place="项目部会议室", attendees=tuple(people),
            topics=("scope", "plan", "contacts", "reporting"),
            notes="介绍风控服务内容、检查频次及隐患整改闭环流程，明确各方联系人和报告渠道。",
            confirmed_by=site.manager if confirmed else "",
            confirmed_on=min(day + dt.timedelta(days=local.randint(0, 3)), site.end) if confirmed else None))

    def standardisation(self, sites: list[_Site]) -> None:
        """Standardisation assistance on most running sites, its advice mostly followed up."""
        items = list(standardisation.CHECK_ITEMS)
        for site in sites:
            local = random.Random(site.contract.toordinal() * 7 + site.id)
            span = (site.end - site.contract).days
            if span < 40 or local.random() > 0.7:
                continue
            for _ in range(local.randint(1, 3)):
                day = site.contract + dt.timedelta(days=local.randint(30, span))
                later = day + dt.timedelta(days=local.randint(7, 20))
                done = later <= site.end and local.random() < 0.75
                standardisation.record(self.s, site.lead, site.id, standardisation.AssistForm(
                    date=day, items=tuple(local.sample(items, local.randint(3, 6))),
                    advice=local.choice(STANDARDISATION_ADVICE),
                    follow_up_on=later if done else None,
                    follow_up_result="建议已落实，经复查符合标准化工地要求。" if done else ""))

    # -- inspections and hazards ------------------------------------------------------------

    def plan(self, site: _Site) -> list[tuple[dt.date, int, str, object]]:
        """The site's visits: first identification, quarterly full coverage, stage, 危大 and routine."""
        rng = self.rng
        first = site.contract + dt.timedelta(days=rng.randint(3, 12) if rng.random() > 0.1 else rng.randint(18, 35))
        if first > site.end:
            return []
        visits: list[tuple[dt.date, int, str, object]] = [(first, site.id, "first_identification", None)]
        quarter = dt.date(site.contract.year, 3 * ((site.contract.month - 1) // 3) + 1, 1)
        while quarter <= site.end:
            q_end = risk.add_months(quarter, 3) - dt.timedelta(days=1)
            lo, hi = max(quarter, first + dt.timedelta(days=5)), min(q_end, site.end)
            if lo <= hi and rng.random() > 0.08:
                visits.append((self.day_between(lo, hi), site.id, "full_coverage", None))
            quarter = q_end + dt.timedelta(days=1)
        for stage_id, _, start, end in site.stages[1:]:  # inside the stage, however short
            day = min(start + dt.timedelta(days=rng.randint(3, 15)), end)
            if first < day <= site.end:
                visits.append((day, site.id, "stage", stage_id))
        for danger in site.dangers:
            day = danger[2] + dt.timedelta(days=rng.randint(2, 20))
            if first < day <= site.end:
                visits.append((day, site.id, "danda_targeted", danger))
        interval = int(rules.get(self.s, "risk.visit_interval_days")[site.level])
        day = first + dt.timedelta(days=int(interval * rng.uniform(0.6, 0.95)))
        while day <= site.end:
            visits.append((day, site.id, "routine", None))
            day += dt.timedelta(days=int(interval * rng.uniform(0.6, 0.95)))
        return visits

    def _stage_at(self, site: _Site, day: dt.date) -> tuple[int | None, str, str]:
        """The stage under way on the day by its dates, or none (before the works start, after
        the last stage ended): an inspection names only the stage its day falls in."""
        for n, (stage_id, name, start, end) in enumerate(site.stages):
            if start <= day <= end:
                return stage_id, name, "FSDD"[n]
        return None, "", "F" if not site.stages or day < site.stages[0][2] else "D"

    def visit(self, site: _Site, day: dt.date, kind: str, extra: object) -> Walk:
        """A site visit, on its day's morning (its hazards are found later that day)."""
        yield dt.datetime.combine(day, dt.time(7, 0))
        self.inspect(site, day, kind, extra)

    def inspect(self, site: _Site, day: dt.date, kind: str, extra: object) -> None:
        rng = self.rng
        stage_id, stage_name, letter = self._stage_at(site, day)
        danger = extra if kind == "danda_targeted" and isinstance(extra, tuple) else None
        if kind == "stage" and isinstance(extra, int):
            stage_id = extra
            stage_name = next(s[1] for s in site.stages if s[0] == stage_id)
        crew = [site.lead] + ([rng.choice([a for a in self.field if a != site.lead])] if rng.random() < 0.6 else [])
        count = {"first_identification": (1, 3), "full_coverage": (1, 3), "stage": (0, 2),
                 "danda_targeted": (0, 2), "routine": (0, 2)}[kind]
        found = max(rng.randint(*count), 1 if day == self.today - dt.timedelta(days=1) else 0)
        focus = danger[1] if danger is not None else stage_name
        summary = {
            "first_identification": f"开展首次风险辨识与隐患排查，核查安全管理体系、危大工程清单及专项方案，发现隐患 {found} 条。",
            "full_coverage": f"{day.year}年第{(day.month - 1) // 3 + 1}季度全覆盖检查，核查一、二级风险源，发现隐患 {found} 条。",
            "stage": f"{stage_name}阶段风险辨识与隐患排查，发现隐患 {found} 条。",
            "danda_targeted": f"{focus}专项检查，核查专项施工方案、验收记录及现场实施情况，发现隐患 {found} 条。",
            "routine": f"日常巡查（{focus}阶段），发现隐患 {found} 条，已当场向项目负责人反馈。" if focus
                       else f"日常巡查，发现隐患 {found} 条，已当场向项目负责人反馈。",
        }[kind]
        row = inspections.record(self.s, site.lead, inspections.InspectionForm(
            project_id=site.id, kind=kind, date=day, stage_id=stage_id,
            danger_item_id=danger[0] if danger is not None else None,
            inspector_ids=tuple(a.user_id for a in crew if a.user_id is not None), summary=summary,
            weather=rng.choice(["晴", "多云", "阴", "小雨"])))
        self.inspections += 1
        if rng.random() < 0.92:  # confirmed on site at the end of the visit: the record's day
            confirmed = dt.datetime.combine(day, dt.time(rng.randint(16, 17), rng.randint(0, 59)))
            with clock.pinned(min(confirmed, self.latest)):
                inspections.confirm(self.s, site.lead, row.id, site_person=site.manager,
                                    expected_version=row.version)
        if kind in ("first_identification", "full_coverage"):
            ticks = {src.risk_source_id: rng.random() > 0.04 for src in inspections.sources_to_verify(self.s, row.id)}
            inspections.verify_sources(self.s, site.lead, row.id, ticks)
        fees.add_entry(self.s, self.clerk, site.policy_id, fees.FeeForm(
            date=day, kind="service", service_kind="inspection", amount=Decimal(rng.choice([800, 1000, 1200, 1500])),
            description=row.kind_label, ref_type="inspection", ref_id=row.id))
        pool = [h for h in HAZARDS if letter in h[1] or h[1] == "A"]
        for _ in range(found):
            majors = [h for h in pool if h[3]]
            template = rng.choice(majors) if majors and rng.random() < 0.04 else rng.choice([h for h in pool if not h[3]])
            self.hazard(site, row.id, day, template, crew[0])

    def hazard(self, site: _Site, inspection_id: int, day: dt.date, template: tuple[Any, ...], actor: Actor) -> None:
        rng = self.rng
        category, _, levels, major, text, measures = template
        v: dict[str, Any] = {"b": rng.randint(1, site.buildings), "f": rng.randint(2, site.floors), "n": rng.randint(3, 12),
             "area": rng.choice(AREAS), "side": rng.choice("东南西北"), "crane": rng.randint(1, 3)}
        v["f2"] = v["f"] + rng.randint(2, 5)
        location = (f"{v['b']}#楼" if "{b}" in text else v["area"] if "{area}" in text
                    else f"基坑{v['side']}侧" if "{side}" in text else f"{v['crane']}#起重设备" if "{crane}" in text
                    else "施工现场")
        level = rng.choice(levels)
        found_at = dt.datetime.combine(day, dt.time(rng.randint(8, 15), rng.randint(0, 59)))
        contingency = (f"整改期间{location}设置警戒区域并安排专人监护，禁止无关人员进入；出现险情立即撤离人员"
                       f"并启动项目{SCENARIOS[category]}应急预案。") if level <= 2 else ""
        row = hazards.record(self.s, actor, hazards.HazardForm(
            project_id=site.id, description=text.format(**v), level=level, location=location, category=category,
            measures=measures, contingency=contingency, inspection_id=inspection_id, found_at=found_at,
            is_major=major is not None, catalogue_item_id=self.major_item(major, day),
            is_serious=level == 2 and rng.random() < 0.3, responsible_person=site.manager,
            stop_work=("partial" if rng.random() < 0.7 else "full") if level == 1 else "none"))
        caption = f"{site.name[3:15]} {location}"
        self.photo(actor, owner_type="hazard", owner_id=row.id, role="before", when=found_at, caption=caption)
        self.later(self.lifecycle(site, row, actor, caption))

    def _target(self, age: int) -> str:
        table = ((14, {"recorded": 20, "notified": 25, "rectifying": 30, "closure_submitted": 15, "closed": 10}),
                 (60, {"notified": 5, "rectifying": 22, "closure_submitted": 13, "closed": 57, "cancelled": 3}),
                 (10**6, {"rectifying": 6, "closure_submitted": 3, "closed": 88, "cancelled": 3}))
        weights = next(w for limit, w in table if age <= limit)
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _report(self, hazard_id: int, when: dt.datetime) -> None:
        for n, report in enumerate(hazards.pending_reports(self.s, hazard_id)):
            moment = min(when + dt.timedelta(minutes=10 * n), self.latest)
            hazards.record_report(self.s, self.clerk, report.id, reported_at=moment,
                                  channel=self.rng.choice(["电话并书面报送", "书面报送", "电子邮件", "监管平台报送"]))

    def lifecycle(self, site: _Site, h: hazards.HazardRow, actor: Actor, caption: str) -> Walk:
        """Walk a hazard as far as its age allows: notice, delivery, closure, review, or escalation,
        each step yielded to the timeline (run) and taken at its moment."""
        rng, latest = self.rng, self.latest
        def hours(a: float, b: float) -> dt.timedelta:
            return dt.timedelta(hours=rng.uniform(a, b))

        found, age = h.found_at, (self.today - h.found_at.date()).days
        # found yesterday: the notice is still being drafted, except for a level 1 (same day, N-07)
        target = self._target(age) if age > 1 else "recorded" if h.level > 1 else "notified"
        lead = rng.choice(self.by_role["tech_lead"])
        if (age > 3 or rng.random() < 0.5) and target != "cancelled":
            reported = min(found + hours(1, 5), dt.datetime.combine(found.date(), dt.time(22)), latest)
            yield reported
            self._report(h.id, reported)
        if target == "cancelled":
            cancelled = min(found + hours(2, 72), latest)
            yield cancelled
            with clock.pinned(cancelled):
                hazards.cancel(self.s, lead, h.id, expected_version=h.version, reason="经复核为重复登记，予以撤销")
            return
        if target == "recorded":
            return
        at = found + hours(1, 4)
        yield min(at, latest)
        if h.level == 1:  # the stop-work suggestion goes out with the notice, signed by a lead
            self.letter(h, lead, min(at, latest))
        h = hazards.issue_notice(self.s, actor, h.id, expected_version=h.version, at=min(at, latest))
        if target == "notified":
            if age > 10 and rng.random() < 0.3:
                yield from self._escalate(h, lead, "refusal", at + dt.timedelta(days=rng.randint(2, 5)))
            return
        at += hours(2, 30)
        if at > latest:
            return
        yield at
        h = hazards.record_delivery(self.s, self.clerk, h.id, expected_version=h.version, at=at,
                                    received_by=site.manager)
        if target == "rectifying":
            if h.deadline and h.deadline < self.today - dt.timedelta(days=2) and rng.random() < 0.6:
                yield from self._escalate(h, lead, "delay",
                                          dt.datetime.combine(h.deadline, dt.time(10)) + dt.timedelta(days=2))
            return
        allowed = max(1, ((h.deadline or found.date()) - found.date()).days)
        at += dt.timedelta(days=allowed * rng.uniform(0.2, 1.15)) + hours(2, 6)
        for attempt in range(2):
            if at > latest:
                return
            yield at
            self.photo(self.clerk, owner_type="hazard", owner_id=h.id, role="after", when=at, caption=caption, after=True)
            h = hazards.submit_closure(self.s, self.clerk, h.id, expected_version=h.version, at=at,
                                       supervisor_name=site.chief_supervisor)
            if target == "closure_submitted":
                return
            at += hours(18, 60)
            if at > latest:
                return
            if attempt == 0 and rng.random() < 0.1:
                yield at
                h = hazards.reject(self.s, actor, h.id, expected_version=h.version, at=at,
                                   reason="现场复查整改不到位，需继续整改并补充整改后照片")
                at += dt.timedelta(days=rng.randint(2, 5))
                continue
            break
        reported = at - hours(1, 2)
        yield reported
        self._report(h.id, reported)
        yield at
        review = None
        if h.level == 1 or h.is_major:
            review = inspections.record(self.s, actor, inspections.InspectionForm(
                project_id=site.id, kind="reinspection", date=at.date(), inspector_ids=(actor.user_id,) if actor.user_id is not None else (),
                summary=f"对重大隐患 {h.number} 整改情况进行现场复查，整改到位，同意销项。")).date
            self.inspections += 1
        hazards.verify_close(self.s, actor, h.id, expected_version=h.version, at=at, reinspection_date=review,
                             note="复查整改到位，同意销项")

    def letter(self, h: hazards.HazardRow, lead: Actor, at: dt.datetime) -> None:
        """The hazard's stop-work suggestion, drafted by the clerk and signed by a technical lead on
        the day the hazard is found, as the notice goes out at `at` (the clock pinned to each)."""
        with tempfile.TemporaryDirectory(prefix="riskdesk-demo-") as work:
            with clock.pinned(max(h.found_at, at - dt.timedelta(minutes=30))):
                draft = documents.generate_draft(self.s, self.clerk, kind="stop_work", scope_type="hazard",
                                                 scope_id=h.id, store_dir=self.store, work_dir=work)
            with clock.pinned(at):
                documents.sign(self.s, lead, draft.id, expected_version=draft.version, store_dir=self.store,
                               work_dir=work, key_dir=self.key_dir)
        self.letters += 1

    def _escalate(self, h: hazards.HazardRow, lead: Actor, kind: str, at: dt.datetime) -> Walk:
        if at > self.latest or (kind == "delay" and (h.deadline is None or h.deadline >= self.today)):
            return
        yield at
        note = "责任单位拒不签收整改通知、拒绝整改" if kind == "refusal" else "超过整改期限仍未完成整改"
        hazards.escalate(self.s, lead, h.id, expected_version=h.version, kind=kind, note=note, at=at)
        if self.rng.random() < 0.7:
            reported = min(at + dt.timedelta(hours=20), self.latest)
            yield reported
            self._report(h.id, reported)

    # -- training, drills, archive and the rest ----------------------------------------------

    def trainings(self, sites: list[_Site]) -> None:
        rng, yesterday = self.rng, self.today - dt.timedelta(days=1)
        trainer = self.by_role["tech_lead"][0].display_name
        start = dt.date(min(s.contract for s in sites).year, 1, 1)
        while start <= yesterday:
            end = risk.add_months(start, 6) - dt.timedelta(days=1)
            half = f"{start.year}年{'上' if start.month == 1 else '下'}半年"
            for group in (("越城区", "柯桥区"), ("上虞区",), ("诸暨市",), ("嵊州市", "新昌县")):
                members = [s for s in sites if s.district in group and s.contract <= min(end, yesterday) and s.end >= start]
                if not members or rng.random() < 0.08:
                    continue
                day = self.day_between(max(start, min(s.contract for s in members)), min(end, yesterday))
                topic, cats = rng.choice(TRAININGS)
                self._session(day, f"{half}{'、'.join(group)}安责险项目{topic}", cats, trainer, True,
                              f"{group[0]}建筑业安全教育培训中心", [s for s in members if s.contract <= day <= s.end])
            for s in sites:
                lo, hi = max(start, s.contract), min(end, s.end, yesterday)
                if lo <= hi and rng.random() < 0.35:
                    topic, cats = rng.choice(TRAININGS)
                    self._session(self.day_between(lo, hi), topic, cats, s.lead.display_name, False,
                                  f"{s.name}项目部", [s])
            start = end + dt.timedelta(days=1)

    def _session(self, day: dt.date, topic: str, cats: str, trainer: str, centralized: bool, location: str,
                 attendees: list[_Site]) -> None:
        rng = self.rng
        present = [training.Attendance(site.id, managers=round(site.headcount[0] * rng.uniform(0.6, 1.0)),
                                       workers=round(site.headcount[1] * rng.uniform(0.5, 0.95)))
                   for site in attendees if not centralized or rng.random() > 0.08]
        if present:
            sites = {site.id: site for site in attendees}
            roster = [] if day < self.roster_from else [
                person for a in present for person in self._signed_in(sites[a.project_id], a, centralized)]
            training.record_session(self.s, self.clerk, training.SessionForm(
                date=day, topic=topic[:200], categories=tuple(cats.split(",")), trainer=trainer,
                duration_hours=Decimal("3.0") if centralized else Decimal("2.0"), location=location[:200],
                centralized=centralized, materials="课件、签到表、考核试卷、现场照片",
                content=next((text for key, text in TRAINING_CONTENT.items() if topic.endswith(key)),
                             "、".join(cats.split(",")) + "相关安全管理要求和典型事故案例。")),
                present, roster)

    def _crew(self, site: _Site) -> tuple[list[AttendeeForm], list[AttendeeForm], bool]:
        """The site's managers (with ID numbers) and workers (mostly with phones), and whether the
        site brings everyone to its centralised training (so some sites are fully covered)."""
        if site.id not in self.crews:
            rng, keys = self.crew_rng, set()
            managers: list[AttendeeForm] = []
            workers: list[AttendeeForm] = []
            for i in range(site.headcount[0]):
                first = f"3306{rng.randint(2, 83):02d}{rng.randint(1965, 1995)}{rng.randint(1, 12):02d}" \
                        f"{rng.randint(1, 28):02d}{i % 1000:03d}"
                managers.append(AttendeeForm(site.id, rng.choice(SURNAMES) + rng.choice(GIVEN), "manager",
                                             id_number=first + training_people.id_check_digit(first),
                                             unit="项目部"))
            while len(workers) < site.headcount[1]:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                phone = "" if rng.random() < 0.1 else f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
                key = training_people.person_key(name, phone)
                if key not in keys:
                    keys.add(key)
                    workers.append(AttendeeForm(site.id, name, "worker", phone=phone, unit="劳务分包单位"))
            self.crews[site.id] = (managers, workers, rng.random() < 0.5)
        return self.crews[site.id]

    def _signed_in(self, site: _Site, present: training.Attendance, centralized: bool) -> list[AttendeeForm]:
        managers, workers, everyone = self._crew(site)
        if centralized and everyone:
            return managers + workers
        return self.crew_rng.sample(managers, present.managers) + self.crew_rng.sample(workers, present.workers)

    def drills(self, sites: list[_Site]) -> None:
        rng = self.rng
        for site in sites:
            span = (site.end - site.contract).days
            if span > 20 and rng.random() < 0.85:
                kind = rng.choice(list(training.ASSIST_KINDS))
                training.record_assist(
                    self.s, self.clerk, site.id, kind=kind, date=site.contract + dt.timedelta(days=rng.randint(10, 20)),
                    title=f"{site.name}生产安全事故应急预案" + ("（协助编制）" if kind == "draft_provided" else "修改建议"),
                    summary="结合项目危大工程和一、二级风险源，补充坍塌、高处坠落、触电、火灾等专项应急处置方案。")
            if span > 60 and rng.random() < 0.7:
                scenario = rng.choice(DRILL_SCENARIOS)
                drill = training.record_drill(self.s, self.clerk, training.DrillForm(
                    project_id=site.id, date=site.contract + dt.timedelta(days=rng.randint(45, span)),
                    scenario=scenario, location="施工现场及项目部", participants=rng.randint(30, 120),
                    organiser=f"项目经理{site.manager}", observations=f"模拟{scenario}险情，开展报警、疏散、救援和医疗救护演练。"))
                if rng.random() < 0.8:
                    training.evaluate_drill(self.s, site.lead, drill.id, expected_version=drill.version,
                                            evaluation="演练组织有序，响应及时，各小组职责明确。",
                                            rating=rng.choice(["优", "良", "良", "中"]),
                                            findings="个别作业人员对疏散路线不熟悉，应急物资清单未及时更新。",
                                            improvements="加强应急知识培训，补充应急物资并每月检查。")

    def archive(self, site: _Site) -> int:
        rng = self.rng
        box, shelf = f"{site.contract.year}-{site.id:03d}", f"{rng.choice('ABCD')}-{rng.randint(1, 12)}"
        titles = [("风控服务合同", "合同", site.contract), ("安全生产事故预防服务工作方案", "服务方案", site.contract + dt.timedelta(days=7))]
        quarter = dt.date(site.contract.year, 3 * ((site.contract.month - 1) // 3) + 1, 1)
        while risk.add_months(quarter, 3) <= min(site.end, self.today):
            q = f"{quarter.year}年第{(quarter.month - 1) // 3 + 1}季度"
            titles.append((f"{q}隐患排查记录及整改通知书、回复单", "检查记录", risk.add_months(quarter, 3)))
            quarter = risk.add_months(quarter, 3)
        for title, doc_type, filed in titles:
            archive.add_item(self.s, self.clerk, archive.ArchiveForm(
                project_id=site.id, title=f"{site.name}{title}", doc_type=doc_type, pages=rng.randint(4, 80),
                box=box, shelf=shelf, filed_at=min(filed, self.today)))
        return len(titles)

    def legacy(self, seq: int) -> None:
        """Two projects completed years ago: their files are due, one destruction is approved and done."""
        rng, lead = self.rng, self.by_role["tech_lead"][0]
        requests = []
        for n, completion in enumerate((dt.date(2018, 11, 20), dt.date(2019, 6, 28))):
            contract = completion - dt.timedelta(days=600)
            insurer = self.insurers[n]
            row = projects.create_project(self.s, self.clerk, projects.ProjectForm(
                code=f"FK{contract.year}-{seq + n:03d}", name=f"越城区灵芝街道安置房（{'一二'[n]}期）工程",
                district="越城区", authority_id=self.authorities["越城区"], owner_id=self.owners[0],
                contractor_id=self.contractors[n], supervisor_id=self.supervisors[n], status="completed",
                service_contract_date=contract, start_date=contract, planned_completion=completion,
                completion_date=completion, headcount_managers=12, headcount_workers=200, notes="演示数据（已竣工）"))
            projects.add_policy(self.s, self.clerk, row.id, projects.PolicyForm(
                policy_no=f"{self.prefixes[insurer]}{contract.year}3306L{n + 1:04d}", insurer_id=insurer,
                start_date=contract, end_date=completion, premium="86000", prevention_fee="15480"))
            items = [archive.add_item(self.s, self.clerk, archive.ArchiveForm(
                project_id=row.id, title=title, doc_type=kind, pages=rng.randint(10, 90), box=f"{contract.year}-L{n + 1}",
                shelf="D-1", filed_at=completion + dt.timedelta(days=30))).id
                for title, kind in (("风控服务合同及服务方案", "合同"), ("隐患排查记录及整改闭环资料", "检查记录"),
                                    ("培训及应急演练记录", "培训演练"))]
            requests.append((archive.request_destruction(self.s, self.clerk, item_ids=items,
                             reason="项目竣工已满五年，保存期限届满", today=self.today), items))
        (first, ids), scan_at = requests[0], now()  # the request is stamped now; approval follows it
        scan = self.photo(lead, owner_type="destruction_request", owner_id=first.id, role="scan", when=scan_at,
                          caption="承保机构关于同意销毁档案的复函（扫描件）")
        archive.record_approval(self.s, lead, first.id, expected_version=first.version, approved_by_name=self.person(),
                                approved_at=scan_at, approval_ref=f"人保绍函〔{self.today.year}〕{rng.randint(10, 99)}号",
                                approval_attachment_id=scan)
        archive.record_destruction(self.s, lead, item_ids=ids, destroyed_at=now(),
                                   note="经承保机构书面批准，由两人监销，碎纸机销毁")

    def extras(self, sites: list[_Site]) -> None:
        """Evaluations received, a complaint answered, an accident recorded (C-7, C-8)."""
        rng, this_quarter = self.rng, dt.date(self.today.year, 3 * ((self.today.month - 1) // 3) + 1, 1)
        for back in (1, 2):
            start = risk.add_months(this_quarter, -3 * back)
            for insurer in self.insurers:
                complaints.record_evaluation(
                    self.s, self.admin, evaluator_kind="insurer", evaluator_id=insurer,
                    period=f"{start.year}Q{(start.month - 1) // 3 + 1}", recognized=True,
                    received_on=risk.add_months(start, 3) + dt.timedelta(days=rng.randint(5, 20)),
                    result=rng.choice(["优秀", "良好", "良好"]))
        for district, authority in self.authorities.items():
            if any(s.district == district for s in sites):
                complaints.record_evaluation(self.s, self.admin, evaluator_kind="authority", evaluator_id=authority,
                                             period=str(self.today.year - 1), received_on=dt.date(self.today.year, 1, 15),
                                             result="合格", recognized=True)
        received = self.today - dt.timedelta(days=40)
        row = complaints.record_complaint(self.s, self.clerk, received_at=received, project_id=rng.choice(sites).id,
                                          complainant="施工单位项目部", channel="电话",
                                          content="反映检查人员现场检查时间与施工节点冲突，希望提前告知。")
        complaints.reply(self.s, self.clerk, row.id, expected_version=row.version, replied_at=received + dt.timedelta(days=6),
                         text="已调整检查计划，今后提前一天电话告知项目部。")
        site = rng.choice(sites)
        complaints.record_incident(self.s, self.admin, project_id=site.id, kind="general_accident",
                                   occurred_on=max(site.contract, site.end - dt.timedelta(days=rng.randint(10, 90))),
                                   description="一名钢筋工在搬运材料时被钢管砸伤脚部，送医治疗，无生命危险。",
                                   found_by="项目部报告", injuries=1)


def _credit_code(rng: random.Random) -> str:
    body = "91330602" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + agency.credit_code_check_char(body)


def generate(session: Session, *, store_dir: Path | str, projects: int = DEFAULT_PROJECTS, seed: int = 2024,
             key_dir: Path | str | None = None) -> DemoSummary:
    """Fill an empty data folder with a year of realistic work; photos go into the attachment store.
    `key_dir` (the data folder): the agency's signing key is made there, as `riskdesk init` makes
    it, and every document the demo signs carries its PDF signature."""
    if has_business_data(session):
        raise ServiceError(msg("该数据目录中已有业务数据；演示数据只能生成在新的或空的数据目录中，"
                               "请用 --data-dir 指定另一个目录。"))
    catalogues.load_all(session)
    demo = _Demo(session, store_dir=Path(store_dir), seed=seed, today=now().date(), key_dir=key_dir)
    demo.staff()
    demo.parties()
    sites = [demo.project(n + 1) for n in range(projects)]
    if key_dir is not None:  # set up with the agency, before its first project
        first = min((s.contract for s in sites), default=demo.today)
        outputs.agency_key(session, demo.admin, key_dir,
                           min(dt.datetime.combine(first - dt.timedelta(days=7), dt.time(9, 30)), demo.latest))
    visits = [v for site in sites for v in demo.plan(site)]
    yesterday = demo.today - dt.timedelta(days=1)
    running = [s for s in sites if s.end == yesterday and s.contract < yesterday - dt.timedelta(days=20)]
    visits += [(yesterday, s.id, "routine", None) for s in demo.rng.sample(running, min(2, len(running)))]
    visits.sort(key=lambda v: (v[0], v[1]))
    by_id = {s.id: s for s in sites}
    # records no hazard list, assessment or plan is drawn from, each dated its own day: entered first,
    # so a self-check or analysis drafted on the timeline below finds the trainings of its period
    demo.trainings(sites)
    demo.drills(sites)
    demo.standardisation(sites)
    items = sum(demo.archive(site) for site in sites)
    if projects >= 5:
        demo.legacy(projects + 1)
    demo.extras(sites)
    firsts: dict[int, dt.date] = {}
    for day, site_id, _, _ in visits:
        firsts.setdefault(site_id, day)
    sent = outputs.OutputsDone()
    with tempfile.TemporaryDirectory(prefix="riskdesk-demo-") as work:
        # the year in time order: visits and each hazard's steps, assessments (special plans too,
        # each on the day its project was raised) and the periodic outputs, each signed document
        # drawn from the records as they stood when it was signed
        demo.run([*(demo.visit(by_id[site_id], day, kind, extra) for day, site_id, kind, extra in visits),
                  *demo.assessments(sites, firsts),
                  *outputs.periodic_outputs(session, clerk=demo.clerk, lead=demo.by_role["tech_lead"][0],
                                            rng=random.Random(seed * 104729 + 29), store_dir=demo.store,
                                            key_dir=key_dir, today=demo.today, latest=demo.latest,
                                            work=Path(work), done=sent)])
    session.flush()
    if hasattr(os, "sync"):  # photos were written without a fsync each (durable=False): flush them once
        os.sync()
    states = dict(session.execute(select(Hazard.status, func.count(Hazard.id)).group_by(Hazard.status)).all())
    return DemoSummary(
        users=session.execute(select(func.count(User.id))).scalar_one(), organisations=session.execute(select(func.count(Organisation.id))).scalar_one(),
        projects=session.execute(select(func.count(Project.id))).scalar_one(), inspections=demo.inspections,
        hazards=states, photos=demo.photos, photo_bytes=demo.photo_bytes,
        trainings=session.execute(select(func.count(TrainingSession.id))).scalar_one(),
        drills=session.execute(select(func.count(Drill.id))).scalar_one(), archive_items=items,
        outputs=sent.signed, submissions=sent.submissions, unsent=sent.unsent)
