"""Reason codes for rejected rows and findings, with their zh/en texts."""

from __future__ import annotations

from kehu.i18n import Catalog

# Why a row was rejected. Templates may use {min}, {max}, {kept}, {existing}, {p}, {fields}.
REJECT_REASONS = Catalog(
    {
        "missing_required": ("必填项为空", "required value is empty"),
        "industry_required_unmatched": (
            "行业无法对应 GB/T 4754-2017(此列必填)",
            "industry not matched to GB/T 4754-2017 (a required column)",
        ),
        "invalid_money": ("金额无法识别", "not a recognisable amount"),
        "foreign_currency": ("金额为外币,无法按人民币入库", "amount is in a foreign currency"),
        "money_out_of_range": ("金额超出范围", "amount out of range"),
        "invalid_date": ("日期无法识别", "not a recognisable date"),
        "ambiguous_date": (
            "日期有歧义(日/月顺序不明),请在 kehu.toml 设置 ingest.day_first",
            "ambiguous date (day/month order unknown); set ingest.day_first in kehu.toml",
        ),
        "invalid_datetime": ("时间无法识别", "not a recognisable date and time"),
        "date_out_of_range": (
            "日期不在 {min} 至 {max} 之间",
            "date is not between {min} and {max}",
        ),
        "invalid_number": ("数值无法识别", "not a recognisable number"),
        "invalid_integer": ("不是整数", "not a whole number"),
        "number_out_of_range": (
            "数值应在 {min} 至 {max} 之间",
            "value must be between {min} and {max}",
        ),
        "invalid_bool": ("应为 是/否", "expected yes/no (是/否)"),
        "invalid_period": (
            "期间无法识别(如 2026、2026-Q1、2026-03)",
            "not a recognisable period (e.g. 2026, 2026-Q1, 2026-03)",
        ),
        "malformed_row": (
            "该行的列数与表头不符({fields} 列)",
            "row has a wrong number of fields ({fields})",
        ),
        "summary_row": ("合计/小计行,不是数据", "a totals row, not data"),
        "truncated_row": (
            "文件在此行中途结束(文件不完整,可能复制或下载被中断),该行未导入;其余完整的行已导入",
            "the file ends in the middle of this row (truncated, e.g. an interrupted copy or"
            " download); the row is not loaded, the complete rows are",
        ),
        "field_too_long": (
            "单元格过长({length} 个字符,上限 {limit});该行未导入,可在 kehu.toml 调整"
            " ingest.max_field_chars",
            "cell too long ({length} characters, the limit is {limit}); row not loaded"
            " (ingest.max_field_chars in kehu.toml)",
        ),
        "duplicate_key": (
            "文件内编号重复,以第 {kept} 行为准",
            "duplicate key in the file; row {kept} is kept",
        ),
        "merged_duplicate": (
            "与第 {kept} 行指向同一个(已合并的)客户,以第 {kept} 行为准",
            "same (merged) customer as row {kept}; row {kept} is kept",
        ),
        "id_conflict": (
            "编号与其他系统的客户冲突({source}:编号 已被占用),请用 --source 区分或先合并",
            "id clashes with another system's customer ({source}:id is taken); "
            "use another --source or merge first",
        ),
        "unknown_customer": (
            "客户不存在(请先导入客户)",
            "unknown customer (import customers first)",
        ),
        "likely_duplicate": (
            "疑似与已有客户 {existing} 重复(概率 {p}),未新建",
            "likely duplicate of existing customer {existing} (p = {p}); not created",
        ),
    }
)

# Values that were kept but deserve a look. Templates may use {count}, {unit}.
FINDINGS = Catalog(
    {
        "industry_unmatched": (
            "行业无法对应 GB/T 4754-2017,已保留原文",
            "industry not matched to GB/T 4754-2017; original text kept",
        ),
        "province_unmatched": (
            "省份无法识别,已保留原文",
            "province not recognised; original text kept",
        ),
        "phone_unrecognised": (
            "电话号码无法识别(可能是掩码或位数不对),已保留原文",
            "phone number not recognised (masked or wrong length); original text kept",
        ),
        "email_invalid": (
            "邮箱格式不正确,已保留原文",
            "e-mail address looks invalid; kept as written",
        ),
        "registration_unverified": (
            "统一社会信用代码/身份证号校验位不符,已保留原文",
            "registration / ID number fails its checksum; kept as written",
        ),
        "postcode_invalid": (
            "邮编不是 6 位数字,已保留原文",
            "postcode is not 6 digits; kept as written",
        ),
        "value_unrecognised": (
            "取值不在标准列表中,已保留原文",
            "value not in the standard list; kept as written",
        ),
        "columns_combined": (
            "多列对应同一字段,按列顺序取第一个非空值",
            "several columns map to this field; the first non-empty one (left to right) is used",
        ),
        "unit_from_header": (
            "表头单位 ×{unit} 已换算为元",
            "header unit ×{unit} converted to yuan",
        ),
        "excel_serial_dates": (
            "{count} 个数值按 Excel 日期序号解读",
            "{count} numbers read as Excel date serials",
        ),
        "due_from_terms": (
            "{count} 个账期(如“30天”)已按下单日期换算为到期日",
            "{count} payment terms (e.g. '30 days') turned into due dates from the order date",
        ),
        "customer_type_inferred": (
            "{count} 个客户类型由名称/证件号推断",
            "{count} customer types inferred from name or registration number",
        ),
        "region_from_province": (
            "{count} 个客户的区域按省份填入([regions] 配置)",
            "{count} customer regions filled from their province ([regions] in kehu.toml)",
        ),
        "blank_rows": ("跳过 {count} 个空行", "{count} blank rows skipped"),
        "formula_text": (
            "{count} 个文本以 = + - @ 或制表符开头,电子表格会当作公式;"
            "已按原文导入,导出时作为文本写出",
            "{count} text values start with = + - @ or a tab, which spreadsheets run as formulas;"
            " loaded as written, exported as text",
        ),
    }
)
