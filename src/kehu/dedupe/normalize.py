"""Normalise customer names for matching: text, company names, person names, ids.

Company names follow the 2020 企业名称登记管理规定 (Art. 6): region + brand (字号) + industry
+ legal form, with the region allowed in brackets after the brand. `parse_company` splits a
name into those parts so that brand + industry (the *core*) is the main key and the region a
separate comparison: 北京华为科技有限公司, 华为科技(北京)有限公司 and 北京華為科技有限責任公司
all give core 华为科技, region 北京. Branch offices (…分公司, …分行) are separate entities and
carry an `entity` key that never equals the head office's.

Everything here is pure Python over one string; `features.py` applies it to whole columns
(once per distinct value).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kehu.dedupe.latin import sinicize
from kehu.dedupe.regions import (
    CITIES,
    COUNTRY_NAMES,
    canonical_region,
    match_region_prefix,
    match_region_suffix,
    province_of,
)
from kehu.idcodes import (
    USCC_CHARS,
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_BRACKETS = str.maketrans(
    {
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "［": "(",
        "］": ")",
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
        "｛": "(",
        "｝": ")",
        "《": "",
        "》": "",
        "「": "",
        "」": "",
        "『": "",
        "』": "",
        "“": "",
        "”": "",
        "‘": "",
        "’": "",
        '"': "",
        "'": "",
    }
)
_DROP = re.compile(r"[\s·•・.,，。、;；:：!！?？\-_—–~～/\\|*#&+@%^`]+")


@lru_cache(maxsize=1)
def _simplify_table() -> dict[int, str]:
    """zhconv's single-character traditional → simplified table, for str.translate.

    Names change script, not vocabulary, so zhconv's phrase rules (which also swap regional
    words) are not applied; a character-level table is exact for names and 100x faster.
    """
    from zhconv import zhconv as _z

    table = _z.getdict("zh-hans")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and k != v}


def to_simplified(text: str) -> str:
    """Traditional → simplified, character by character (華為 → 华为)."""
    return text.translate(_simplify_table())


@lru_cache(maxsize=200_000)
def clean_text(text: str | None) -> str:
    """NFKC (full-width → half-width), traditional → simplified, unified brackets, no spaces
    or punctuation, lower-case latin. `None` and blank give ''."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    s = to_simplified(s)
    s = _DROP.sub("", s).lower()
    s = s.replace("()", "")
    return s


# ---- company names ----------------------------------------------------------------------

# Legal forms (组织形式), longest first: written form -> class. Classes compare as equal when
# the forms are interchangeable in practice (有限公司 = 有限责任公司; a truncated 有限).
LEGAL_FORMS: dict[str, str] = {
    "集团股份有限公司": "jsc",
    "集团有限责任公司": "ltd",
    "集团有限公司": "ltd",
    "股份有限公司": "jsc",
    "有限责任公司": "ltd",
    "股份合作公司": "coop",
    "股份合作企业": "coop",
    "个人独资企业": "sole",
    "专业合作社": "coop",
    "个体工商户": "individual",
    "集团公司": "group",
    "股份公司": "jsc",
    "有限公司": "ltd",
    "有限责任": "ltd",
    "有限合伙": "partnership",
    "普通合伙": "partnership",
    "合伙企业": "partnership",
    "独资企业": "sole",
    "总公司": "group",
    "合作社": "coop",
    "事务所": "office",
    "工作室": "office",
    "研究院": "institute",
    "研究所": "institute",
    "经营部": "shop",
    "门市部": "shop",
    "公司": "ltd",
    "集团": "group",
    "有限": "ltd",
    "商行": "shop",
    "商店": "shop",
    "中心": "center",
    "厂": "factory",
    # latin forms (after clean_text: lower case, no spaces or dots)
    "companylimited": "ltd",
    "corporation": "ltd",
    "colimited": "ltd",
    "coltd": "ltd",
    "limited": "ltd",
    "ltd": "ltd",
    "llc": "ltd",
    "gmbh": "ltd",
    "inc": "ltd",
    "corp": "ltd",
    "plc": "jsc",
    "co": "ltd",
}
_LEGAL_ORDER = sorted(LEGAL_FORMS, key=len, reverse=True)
_GROUP_MARK = "集团"

# Words that end a branch name (分支机构); the branch is its own entity.
BRANCH_WORDS = (
    "分公司",
    "分行",
    "支行",
    "分理处",
    "营业部",
    "营业所",
    "办事处",
    "代表处",
    "分店",
    "分厂",
    "分部",
    "分院",
    "分所",
    "分中心",
    "分社",
    "子公司",
)
_BRANCH_RE = re.compile("(" + "|".join(BRANCH_WORDS) + ")$")

# Industry words (行业表述) stripped from the end of the brand + industry core, longest first.
INDUSTRY_WORDS = frozenset(
    [
        "科技",
        "技术",
        "信息技术",
        "信息科技",
        "网络科技",
        "网络技术",
        "电子科技",
        "电子技术",
        "电子",
        "软件",
        "软件技术",
        "软件开发",
        "信息",
        "数据",
        "智能",
        "智能科技",
        "智能技术",
        "智能装备",
        "装备",
        "通信",
        "通讯",
        "通信设备",
        "网络设备",
        "电器",
        "电气",
        "电力",
        "能源",
        "新能源",
        "能源科技",
        "环保",
        "环保科技",
        "环境",
        "环境科技",
        "节能",
        "化工",
        "化学",
        "材料",
        "新材料",
        "塑料",
        "塑胶",
        "橡胶",
        "玻璃",
        "陶瓷",
        "建材",
        "钢铁",
        "金属",
        "机械",
        "机电",
        "设备",
        "仪器",
        "仪表",
        "自动化",
        "汽车",
        "汽车销售",
        "汽车服务",
        "汽配",
        "物流",
        "运输",
        "供应链",
        "供应链管理",
        "快递",
        "贸易",
        "商贸",
        "国际贸易",
        "进出口",
        "实业",
        "实业发展",
        "投资",
        "投资管理",
        "投资控股",
        "投资发展",
        "资产管理",
        "控股",
        "金融",
        "保险",
        "证券",
        "担保",
        "融资租赁",
        "建设",
        "建筑",
        "建筑工程",
        "工程",
        "装饰",
        "装饰工程",
        "设计",
        "园林",
        "园林绿化",
        "房地产",
        "房地产开发",
        "置业",
        "地产",
        "物业",
        "物业管理",
        "酒店",
        "酒店管理",
        "餐饮",
        "餐饮管理",
        "食品",
        "食品科技",
        "农业",
        "农业科技",
        "农业发展",
        "生物",
        "生物科技",
        "生物技术",
        "生物医药",
        "医药",
        "医药科技",
        "医疗",
        "医疗器械",
        "制药",
        "药业",
        "健康",
        "健康科技",
        "健康管理",
        "文化",
        "文化传媒",
        "文化传播",
        "传媒",
        "广告",
        "教育",
        "教育科技",
        "培训",
        "咨询",
        "管理咨询",
        "企业管理",
        "人力资源",
        "服务",
        "信息咨询",
        "商务",
        "商务服务",
        "旅游",
        "体育",
        "纺织",
        "服装",
        "服饰",
        "鞋业",
        "家具",
        "家居",
        "印刷",
        "包装",
        "纸业",
        "光电",
        "照明",
        "五金",
        "模具",
        "精密",
        "制造",
        "工业",
        "重工",
        "船舶",
        "矿业",
        "石油",
        "石化",
        "燃气",
        "水务",
        "电子商务",
        "网络",
        "互联网",
        "计算机",
        "计算机系统",
        "系统集成",
        "半导体",
        "集成电路",
        "微电子",
        "光伏",
        "电池",
        "安防",
        "消防",
        "检测",
        "影视",
        "数码",
        "商业",
        "百货",
        "超市",
        "连锁",
        "零售",
        "批发",
        "销售",
        "供销",
        "乳业",
        "酒业",
        "茶业",
        "饮料",
        "粮油",
        "水产",
        "畜牧",
        "种业",
        "饲料",
        "木业",
        "石材",
        "钢结构",
        "管道",
        "阀门",
        "泵业",
        "电缆",
        "线缆",
        "轴承",
        "铸造",
        "化纤",
        "印染",
        "皮革",
        "日化",
        "化妆品",
        "珠宝",
        "工艺品",
        "礼品",
        "玩具",
        "文具",
        "办公用品",
        "办公设备",
        "云计算",
        "大数据",
        "人工智能",
        "机器人",
        "物联网",
        "新媒体",
        "仓储",
        "货运",
        "货运代理",
        "航运",
        "租赁",
        "汽车租赁",
        "科技发展",
        "发展",
        "开发",
        "技术开发",
        "技术服务",
        "网络服务",
        "信息服务",
        "数字科技",
        "数字技术",
        "精工",
        "国际",
        "电子商务",
        "管理",
        "工贸",
        "经贸",
        "机电设备",
    ]
)
_MAX_INDUSTRY = max(len(w) for w in INDUSTRY_WORDS)
_DISTRICT_RE = re.compile(f"^[{_CJK}]{{1,4}}?(新区|开发区|工业园区|园区|区|县|旗)")
_BRACKET_RE = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class CompanyName:
    """A company name split into its registered parts (all cleaned, simplified)."""

    name: str  # the cleaned full name
    core: str  # brand + industry: the main key
    brand: str
    industry: str
    region: str | None  # city (or province) short name from the name
    province: str | None
    legal_form: str | None  # as written, e.g. 有限责任公司
    legal_class: str | None  # ltd | jsc | group | partnership | ...
    entity: str  # "head" or "branch:<place><word>", e.g. "branch:深圳分公司"


_LEGAL_LENGTHS = sorted({len(f) for f in LEGAL_FORMS}, reverse=True)


def _strip_legal(s: str) -> tuple[str, str | None]:
    for size in _LEGAL_LENGTHS:
        if len(s) > size and s[-size:] in LEGAL_FORMS:
            return s[:-size], s[-size:]
    return s, None


def _region_at_end(s: str) -> tuple[str, str | None]:
    """Split a trailing region (深圳, 深圳市) off `s`: (rest, region short name)."""
    hit = match_region_suffix(s)
    if hit is None:
        return s, None
    return s[: -len(hit[0])], hit[1]


def _split_branch(s: str) -> tuple[str, str | None]:
    """(head name, branch key) — the key is '<place><branch word>' or None for a head office."""
    # A branch written in brackets: 华为技术有限公司(深圳分公司)
    inner = _BRACKET_RE.findall(s)
    for content in inner:
        if _BRANCH_RE.search(content):
            s = s.replace(f"({content})", content)
    m = _BRANCH_RE.search(s)
    if not m or m.start() == 0:
        return s, None
    word = m.group(1)
    before = s[: m.start()]
    head, tail = before, ""
    # The branch's own place comes after the head office's legal form, if one is written.
    best = -1
    for form in _LEGAL_ORDER:
        if LEGAL_FORMS[form] in ("shop", "center", "factory", "office", "institute"):
            continue
        pos = before.rfind(form)
        if pos > 0 and pos + len(form) > best:
            best = pos + len(form)
    if best > 0:
        head, tail = before[:best], before[best:]
    else:
        head, region = _region_at_end(before)
        tail = region or ""
        if not head:
            head, tail = before, ""
    place = tail
    if tail:
        prov, city = canonical_region(tail)
        place = city or prov or tail
    return head, f"{place}{word}"


def _split_regions(s: str, home_city: str | None = None) -> tuple[str, str | None, str | None]:
    """Remove bracketed and prefixed regions: (rest, region short name, province short)."""
    region: str | None = None
    province: str | None = None
    national = False
    for content in _BRACKET_RE.findall(s):
        prov, city = canonical_region(content)
        if content in COUNTRY_NAMES:
            national = True
            s = s.replace(f"({content})", "", 1)
        elif prov or city:
            region, province = city or prov, prov
            s = s.replace(f"({content})", "", 1)
        elif content in LEGAL_FORMS or content == _GROUP_MARK:
            s = s.replace(f"({content})", content, 1)
        else:
            s = s.replace(f"({content})", content, 1)
    # Prefix: [province][city][district] (not when the region was already in brackets)
    matched_place = False
    for _ in range(0 if region else 2):
        hit = match_region_prefix(s)
        if hit is None and home_city and s.startswith(home_city):
            hit = (home_city, home_city, "city")
        if hit is None or len(s) - len(hit[0]) < 2:
            break
        form, short, level = hit
        s = s[len(form) :]
        matched_place = True
        if level == "city" or region is None or region == province:
            if level == "city":
                region = short
                province = province or CITIES.get(short)
            else:
                province = short
                region = region or short
        if level == "city":
            break
    if matched_place:
        m = _DISTRICT_RE.match(s)
        if m and len(s) - m.end() >= 2:
            s = s[m.end() :]
    if national and region is None:
        region = None
    return s, region, province


def _split_industry(core: str) -> tuple[str, str]:
    """Greedy: strip industry words off the end while the brand keeps two characters."""
    brand = core
    words: list[str] = []
    while True:
        for size in range(min(_MAX_INDUSTRY, len(brand) - 2), 1, -1):
            if brand[-size:] in INDUSTRY_WORDS:
                words.insert(0, brand[-size:])
                brand = brand[:-size]
                break
        else:
            break
    return brand, "".join(words)


@lru_cache(maxsize=500_000)
def parse_company(raw: str | None, home_city: str | None = None) -> CompanyName:
    """Split a company name into region / brand / industry / legal form / branch.

    `home_city` (the record's own city, short form) lets an ambiguous place name such as
    黑河 or 东方 count as the region prefix when the record is located there.
    """
    name = clean_text(sinicize(raw) if raw else raw)
    s, branch = _split_branch(name)
    # Legal form may be written once or twice (集团 + 有限公司): strip repeatedly.
    forms: list[str] = []
    while True:
        s2, form = _strip_legal(s)
        if form is None:
            break
        forms.insert(0, form)
        s = s2
    # A bracketed legal form inside: 华为(集团)有限公司 -> handled after regions.
    s, region, province = _split_regions(s, home_city)
    while True:
        s2, form = _strip_legal(s)
        if form is None:
            break
        forms.insert(0, form)
        s = s2
    legal_form = "".join(forms) or None
    legal_class = _legal_class(forms)
    brand, industry = _split_industry(s)
    core = s or name
    return CompanyName(
        name=name,
        core=core,
        brand=brand or core,
        industry=industry,
        region=region,
        province=province or (province_of(region) if region else None),
        legal_form=legal_form,
        legal_class=legal_class,
        entity=f"branch:{branch}" if branch else "head",
    )


def _legal_class(forms: list[str]) -> str | None:
    if not forms:
        return None
    classes = [LEGAL_FORMS[f] for f in forms]
    for preferred in ("jsc", "ltd", "partnership", "sole", "coop", "individual"):
        if preferred in classes:
            return preferred
    return classes[-1]


# ---- pinyin -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """Code point -> toneless pinyin (first reading), for str.translate on whole strings."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, str] = {}
    for code, readings in pinyin_dict.items():
        first = readings.split(",")[0]
        plain = unicodedata.normalize("NFKD", first)
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        table[code] = plain.replace("ü", "v")
    return table


def to_pinyin(text: str) -> str:
    """Toneless pinyin of every Chinese character, concatenated (other characters kept).

    ASCII output, so string distances agree on DuckDB and Spark (DuckDB's count bytes,
    duckdb#25113); one reading per character, the same on every record.
    """
    return text.translate(_pinyin_table()) if text else ""


# ---- person names -------------------------------------------------------------------------

COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "太史",
        "端木",
        "上官",
        "司马",
        "东方",
        "独孤",
        "南宫",
        "万俟",
        "闻人",
        "夏侯",
        "诸葛",
        "尉迟",
        "公羊",
        "赫连",
        "澹台",
        "皇甫",
        "宗政",
        "濮阳",
        "公冶",
        "太叔",
        "申屠",
        "公孙",
        "慕容",
        "仲孙",
        "钟离",
        "长孙",
        "宇文",
        "司徒",
        "鲜于",
        "司空",
        "闾丘",
        "子车",
        "亓官",
        "司寇",
        "巫马",
        "公西",
        "颛孙",
        "壤驷",
        "公良",
        "漆雕",
        "乐正",
        "宰父",
        "谷梁",
        "拓跋",
        "夹谷",
        "轩辕",
        "令狐",
        "段干",
        "百里",
        "呼延",
        "东郭",
        "南门",
        "羊舌",
        "微生",
        "左丘",
        "西门",
        "第五",
        "东里",
        "即墨",
        "达奚",
    ]
)
_COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)


@lru_cache(maxsize=1)
def surname_pinyins() -> frozenset[str]:
    """Toneless pinyin of common surnames (to find the family name in romanised names)."""
    from pypinyin import lazy_pinyin

    out = {"".join(lazy_pinyin(s)) for s in COMPOUND_SURNAMES}
    out.update(lazy_pinyin(c)[0] for c in _COMMON_SURNAMES)
    # Surname readings that differ from the common reading of the character.
    out.update({"shan", "zeng", "ou", "xie", "qiu", "yue", "ren"})
    return frozenset(out)


@lru_cache(maxsize=4096)
def _surname_pinyin(family: str) -> str:
    """A family name's reading as a surname (单 → shan, 曾 → zeng), via pypinyin."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(family)).lower()


@dataclass(frozen=True)
class PersonName:
    name: str  # cleaned (simplified, no spaces, lower-case latin)
    family: str
    given: str
    key: str  # order-free pinyin key: sorted [family pinyin, given pinyin] joined by a space


_LATIN_SPLIT = re.compile(r"[\s,，.·•_]+")


@lru_cache(maxsize=500_000)
def parse_person(raw: str | None) -> PersonName:
    """Family / given name and an order-free pinyin key for Chinese or romanised names.

    张小明, 張小明, "Zhang Xiaoming", "Xiaoming ZHANG" and "Zhang Xiao-Ming" share the key
    "xiaoming zhang".
    """
    if not raw:
        return PersonName("", "", "", "")
    text = to_simplified(unicodedata.normalize("NFKC", str(raw))).strip()
    if re.search(f"[{_CJK}]", text):
        han = re.sub(f"[^{_CJK}a-zA-Z]", "", text)
        family_len = 2 if han[:2] in COMPOUND_SURNAMES and len(han) > 2 else 1
        family, given = han[:family_len], han[family_len:]
        fam_py = _surname_pinyin(family)
        given_py = to_pinyin(given).lower()
        key = " ".join(sorted(p for p in (fam_py, given_py) if p))
        return PersonName(han, family, given, key)
    tokens = [t.replace("-", "").replace("'", "") for t in _LATIN_SPLIT.split(text.lower())]
    tokens = [t for t in tokens if t]
    if not tokens:
        return PersonName("", "", "", "")
    surnames = surname_pinyins()
    if len(tokens) == 1:
        family, given = tokens[0], ""
    elif tokens[0] in surnames and (len(tokens) > 2 or tokens[-1] not in surnames):
        family, given = tokens[0], "".join(tokens[1:])
    elif tokens[-1] in surnames:
        family, given = tokens[-1], "".join(tokens[:-1])
    else:
        family, given = tokens[0], "".join(tokens[1:])
    key = " ".join(sorted(p for p in (family, given) if p))
    return PersonName("".join(tokens), family, given, key)


_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


@lru_cache(maxsize=200_000)
def soundex(token: str) -> str:
    """American Soundex of an ASCII word (pinyin for Chinese): first letter + three digits;
    a typo after the first letter usually leaves it unchanged."""
    word = re.sub(r"[^a-z]", "", token.lower())
    if not word:
        return ""
    codes = word.translate(_SOUNDEX)
    out, last = [word[0]], codes[0]
    for ch, code in zip(word[1:], codes[1:], strict=True):
        if code.isdigit() and code != last:
            out.append(code)
        if ch not in "hw":  # h and w do not separate equal codes
            last = code
    return ("".join(out) + "000")[:4]


# ---- identifiers --------------------------------------------------------------------------

_CLEAN_ID = re.compile(r"[0-9A-Z]{9,18}")


@dataclass(frozen=True)
class RegistrationId:
    value: str  # cleaned: upper-case, no spaces or dashes; 15-digit ids widened to 18
    kind: str  # uscc | resident_id | org_code | other
    valid: bool  # check digit verified (uscc, resident_id, org_code)
    org_code: str | None  # 9-char organisation code (inside a USCC, or the code itself)


@lru_cache(maxsize=200_000)
def normalize_registration_id(raw: str | None) -> RegistrationId | None:
    """Clean and classify a 统一社会信用代码, resident ID number or organisation code."""
    if not raw:
        return None
    s = str(raw)
    if not _CLEAN_ID.fullmatch(s):
        s = re.sub(r"[\s\-_.]", "", unicodedata.normalize("NFKC", s)).upper()
    if not s:
        return None
    if len(s) == 15 and s.isdigit():  # first-generation ID: insert the century, add a check
        body = s[:6] + "19" + s[6:]
        return RegistrationId(
            body + (resident_id_check_char(body) or ""), "resident_id", True, None
        )
    if len(s) == 18 and s[:17].isdigit() and s[6:8] in ("19", "20"):
        valid = resident_id_check_char(s[:17]) == s[17]
        if valid or not all(c in USCC_CHARS for c in s):
            return RegistrationId(s, "resident_id", valid, None)
    if len(s) == 18 and all(c in USCC_CHARS for c in s):
        return RegistrationId(s, "uscc", uscc_check_char(s[:17]) == s[17], s[8:17])
    if len(s) == 9:
        return RegistrationId(s, "org_code", org_code_check_char(s[:8]) == s[8], s)
    return RegistrationId(s, "other", False, None)
