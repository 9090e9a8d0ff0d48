"""Free text of the demo: service tickets, NPS comments, interaction notes (zh, some en).

Templates with slots are rendered once into a pool per category; rows then pick from the
pool by index, so 10^6 tickets cost one `take`, not 10^6 format calls.
"""

from __future__ import annotations

import numpy as np

from kehu.demo.names import CATALOGUE

PRODUCTS = [p for _, items in CATALOGUE for p, _ in items]
CATEGORY_NAMES = [c for c, _ in CATALOGUE]

TICKET_TEMPLATES: dict[str, tuple[str, ...]] = {
    "投诉": (
        "{product}交货延迟{days}天,影响我方产线排产,请尽快给出解决方案。",
        "上月到货的{product}有{n}台出现故障,返修周期太长,非常不满意。",
        "售后工程师响应太慢,报修后两天才有人联系。",
        "发票开具错误,已经是第二次了,请财务尽快核实更正。",
        "今年报价比去年上涨明显,希望给出合理解释。",
        "{product}固件升级后通讯异常,现场停线{n}小时。",
        "物流包装破损,{product}外壳磕坏,要求换货。",
        "同样的问题反复出现,建议贵司重视质量管控。",
        "技术支持热线一直占线,无法及时沟通。",
        "合同约定的操作培训至今没有安排。",
        "{product}实际性能与宣传不符,考虑退货。",
        "多次催促维修进度无人答复,我们正在评估其他供应商。",
    ),
    "产品咨询": (
        "请问{product}是否支持Modbus TCP和Profinet通讯?",
        "想了解{category}的最新报价和交期。",
        "{product}的质保期是多久?过保后维修如何收费?",
        "能否提供{product}的选型手册和3D图纸?",
        "我们计划扩建产线,需要{category}整体方案,请安排技术对接。",
        "请提供上季度的对账单和发票明细。",
        "{product}能否与现有MES系统集成?",
        "{category}有没有国产化替代方案?",
        "批量采购{n}台{product}能否给阶梯价格?",
    ),
    "售后服务": (
        "{product}报警代码E{code},请远程协助排查。",
        "设备运行中{product}过热停机,需要上门检修。",
        "申请{product}年度维保服务。",
        "{product}需要更换备件,请确认型号及交期。",
        "现场调试遇到参数设置问题,请工程师支持。",
        "触摸屏画面偶尔卡死,重启后恢复,请排查原因。",
        "{product}与上位机通讯中断,已检查网线无异常。",
        "新产线{category}安装完毕,请安排工程师验收。",
    ),
    "建议": (
        "建议开通微信服务号报修渠道。",
        "希望增加线上培训课程,方便新员工学习{category}操作。",
        "建议对老客户提供阶梯价格优惠。",
        "希望备件库存能放在本地仓,缩短交期。",
        "建议售后报告附上故障原因分析。",
        "希望{product}的说明书提供电子版和视频教程。",
    ),
}

NPS_COMMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # band: (zh comments, en comments)
    "promoter": (
        (
            "产品稳定可靠,售后响应及时,会继续合作。",
            "技术支持很专业,帮我们解决了很多现场问题。",
            "交付准时,性价比高。",
            "客户经理服务很到位,沟通顺畅。",
            "设备运行三年基本没出故障,值得推荐。",
        ),
        (
            "Reliable products and very responsive support.",
            "Great value for money and on-time delivery.",
        ),
    ),
    "passive": (
        (
            "整体满意,价格还有优化空间。",
            "产品不错,但交期偶尔延迟。",
            "服务可以,希望技术文档更完善。",
            "售后还行,就是周末联系不上人。",
        ),
        ("Good overall, but lead times could be shorter.", "Decent service, pricing is high."),
    ),
    "detractor": (
        (
            "故障频发,售后处理太慢。",
            "价格偏高,竞争对手报价更低。",
            "多次投诉没有得到解决,考虑更换供应商。",
            "交货延迟严重影响生产。",
            "技术支持不专业,问题拖了一个月。",
        ),
        (
            "Support is slow and the same issues keep coming back.",
            "We are considering other suppliers because of price and delays.",
        ),
    ),
}

INTERACTION_NOTES: dict[str, tuple[str, ...]] = {
    "拜访": (
        "上门拜访{contact},了解{category}年度采购计划",
        "陪同技术工程师现场勘查产线",
        "拜访客户高层,沟通战略合作框架",
        "年度回访,客户反馈设备运行稳定",
    ),
    "电话": (
        "电话回访,确认{category}使用情况",
        "电话沟通报价细节",
        "催收应收账款,客户承诺月底付款",
        "电话沟通交期安排",
    ),
    "邮件": (
        "发送{category}报价单",
        "邮件发送产品选型资料",
        "发送对账单及发票",
        "邮件确认合同条款",
    ),
    "会议": ("召开项目启动会", "技术交流会,演示{category}新品", "季度业务回顾会议"),
    "微信": ("微信沟通订单进度", "微信发送产品资料", "微信群答疑"),
}
RESCUE_NOTES = (
    "客户近期订单减少,电话了解原因",
    "客户反馈考虑更换供应商,安排高层拜访",
    "针对投诉问题上门致歉并提出整改方案",
)
INTERACTION_KINDS = ("拜访", "电话", "邮件", "会议", "微信")
INTERACTION_P = (0.25, 0.4, 0.2, 0.05, 0.1)


def render_pool(rng: np.random.Generator, templates: tuple[str, ...], k: int) -> np.ndarray:
    """k rendered texts: random template, random slot values."""
    out = []
    for _ in range(k):
        t = templates[int(rng.integers(len(templates)))]
        out.append(
            t.format(
                product=PRODUCTS[int(rng.integers(len(PRODUCTS)))],
                category=CATEGORY_NAMES[int(rng.integers(len(CATEGORY_NAMES)))],
                days=int(rng.integers(3, 30)),
                n=int(rng.integers(2, 12)),
                code=int(rng.integers(100, 999)),
                contact="采购负责人" if rng.random() < 0.5 else "技术负责人",
            )
        )
    return np.array(out)
