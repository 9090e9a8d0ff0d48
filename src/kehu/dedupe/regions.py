"""Chinese administrative regions used to find the region part of names and addresses.

Province-level units and their prefecture-level cities (plus county-level cities that often
open a company name, such as 昆山 or 义乌), written as short names (no 省/市 suffix). The
list serves the name parser (a region prefix or a bracketed region) and the address
normaliser; it is not a full gazetteer and needs none: an unknown place simply stays part of
the name, the same way in every record.
"""

from __future__ import annotations

from functools import lru_cache

# province short name -> full name
PROVINCES: dict[str, str] = {
    "北京": "北京市",
    "天津": "天津市",
    "上海": "上海市",
    "重庆": "重庆市",
    "河北": "河北省",
    "山西": "山西省",
    "辽宁": "辽宁省",
    "吉林": "吉林省",
    "黑龙江": "黑龙江省",
    "江苏": "江苏省",
    "浙江": "浙江省",
    "安徽": "安徽省",
    "福建": "福建省",
    "江西": "江西省",
    "山东": "山东省",
    "河南": "河南省",
    "湖北": "湖北省",
    "湖南": "湖南省",
    "广东": "广东省",
    "海南": "海南省",
    "四川": "四川省",
    "贵州": "贵州省",
    "云南": "云南省",
    "陕西": "陕西省",
    "甘肃": "甘肃省",
    "青海": "青海省",
    "台湾": "台湾省",
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}

# province short name -> its cities (prefecture level, then notable county-level cities)
_CITIES = """
河北: 石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水 辛集 定州 迁安 三河 任丘
山西: 太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
内蒙古: 呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安 锡林郭勒 阿拉善 满洲里
    二连浩特
辽宁: 沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛 瓦房店 海城
吉林: 长春 吉林 四平 辽源 通化 白山 松原 白城 延边 延吉 珲春
黑龙江: 哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭 绥芬河
江苏: 南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 昆山 江阴 宜兴 常熟 张家港
    太仓 溧阳 丹阳 靖江 泰兴 如皋 海门 启东 邳州 新沂
浙江: 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 义乌 慈溪 余姚 诸暨 乐清 瑞安 温岭 永康
    海宁 桐乡 平湖 东阳 临海 上虞 富阳
安徽: 合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城 巢湖
福建: 福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德 晋江 石狮 南安 福清 长乐
江西: 南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶
山东: 济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 莱芜 寿光 青州
    诸城 胶州 平度 莱州 龙口 荣成 即墨 邹城 滕州
河南: 郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店
    济源 巩义 新郑 禹州 长葛
湖北: 武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门 神农架
湖南: 长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西 浏阳 醴陵 宁乡
广东: 广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州
    揭阳 云浮 顺德
广西: 南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左
海南: 海口 三亚 三沙 儋州 琼海 文昌 万宁 五指山 东方
四川: 成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳
    阿坝 甘孜 凉山 都江堰 彭州 邛崃 崇州 简阳
贵州: 贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南 仁怀
云南: 昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 红河 文山 西双版纳 大理 德宏 怒江 迪庆
西藏: 拉萨 日喀则 昌都 林芝 山南 那曲 阿里
陕西: 西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛 杨凌
甘肃: 兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南
青海: 西宁 海东 海北 黄南 果洛 玉树 海西 格尔木
宁夏: 银川 石嘴山 吴忠 固原 中卫
新疆: 乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞 阿克苏 克孜勒苏 喀什 和田 伊犁 塔城
    阿勒泰 石河子 库尔勒
台湾: 台北 新北 桃园 台中 台南 高雄 基隆 新竹 嘉义
香港: 九龙 新界
澳门: 氹仔
"""

# Suffixes a city or county may carry in a name; tried longest first.
CITY_SUFFIXES = ("特别行政区", "自治州", "地区", "新区", "市", "盟", "县", "区")
PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Country-level names that act as a region in brackets, e.g. 阿里巴巴(中国)网络技术有限公司.
COUNTRY_NAMES = frozenset({"中国", "中华", "全国", "国际", "亚太", "大中华", "大陆"})
# Cities whose bare short name is also an everyday word or a common brand (阿里巴巴, 东方电气,
# 中山大学 ...): they count as a region only when written with a suffix (东方市, 中山市).
NO_BARE = frozenset(
    [
        "阿里",
        "东方",
        "中山",
        "朝阳",
        "兴安",
        "红河",
        "文山",
        "山南",
        "白山",
        "黑河",
        "通化",
        "普洱",
        "安康",
        "永康",
        "长乐",
        "万宁",
        "吉安",
        "中卫",
        "天门",
        "海东",
        "海北",
        "海西",
        "黄南",
        "玉树",
        "大理",
        "东阳",
        "龙口",
        "荣成",
        "长治",
        "安顺",
        "宜春",
        "金昌",
        "白银",
        "德宏",
        "迪庆",
        "怒江",
        "甘南",
        "果洛",
        "阿坝",
        "伊春",
        "鹤岗",
        "松原",
        "新余",
        "三明",
        "南平",
        "丽江",
        "丽水",
        "金华",
        "富阳",
        "上虞",
        "临海",
        "泰安",
        "黄山",
        "九龙",
        "新界",
        "库尔勒",
        "杨凌",
    ]
)


def _parse_cities() -> dict[str, str]:
    cities: dict[str, str] = {}
    province = ""
    for line in _CITIES.strip().splitlines():
        if ":" in line:  # "江苏: 南京 无锡 …"; indented lines continue the province above
            province, _, line = line.partition(":")
            province = province.strip()
        for name in line.split():
            cities.setdefault(name, province)
    return cities


# city short name -> province short name
CITIES: dict[str, str] = _parse_cities()


@lru_cache(maxsize=1)
def region_prefixes() -> tuple[tuple[str, str, str], ...]:
    """(written form, canonical short name, level) for every region, longest form first.

    Level is "province" or "city". A province that is also a city (北京, 上海 ...) is listed
    as a province; the canonical short name is what records are compared on.
    """
    forms: dict[str, tuple[str, str]] = {}
    for short, full in PROVINCES.items():
        forms.setdefault(full, (short, "province"))
        for suffix in PROVINCE_SUFFIXES:
            forms.setdefault(short + suffix, (short, "province"))
        forms.setdefault(short, (short, "province"))
    for short in CITIES:
        for suffix in CITY_SUFFIXES:
            forms.setdefault(short + suffix, (short, "city"))
        if short not in NO_BARE:
            forms.setdefault(short, (short, "city"))
    ordered = sorted(forms.items(), key=lambda kv: (-len(kv[0]), kv[0]))
    return tuple((form, short, level) for form, (short, level) in ordered)


@lru_cache(maxsize=1)
def _forms_by_text() -> tuple[dict[str, tuple[str, str, str]], tuple[int, ...]]:
    forms = {item[0]: item for item in region_prefixes()}
    return forms, tuple(sorted({len(f) for f in forms}, reverse=True))


def match_region_prefix(text: str) -> tuple[str, str, str] | None:
    """The longest region written at the start of `text`: (written form, short name, level)."""
    if not text:
        return None
    forms, lengths = _forms_by_text()
    for size in lengths:
        if size <= len(text):
            hit = forms.get(text[:size])
            if hit is not None:
                return hit
    return None


def match_region_suffix(text: str) -> tuple[str, str, str] | None:
    """The longest region written at the end of `text` (same tuple as the prefix match)."""
    if not text:
        return None
    forms, lengths = _forms_by_text()
    for size in lengths:
        if size <= len(text):
            hit = forms.get(text[-size:])
            if hit is not None:
                return hit
    return None


def canonical_region(text: str | None) -> tuple[str | None, str | None]:
    """(province, city) short names for a place written in any common form.

    "广东省" -> ("广东", None); "深圳市" -> ("广东", "深圳"); "北京" -> ("北京", "北京").
    Unknown text gives (None, None).
    """
    if not text:
        return None, None
    hit = match_region_prefix(text)
    if hit is None or hit[0] != text:
        return None, None
    _, short, level = hit
    if level == "province":
        # Municipalities are their own city.
        city = short if short in ("北京", "天津", "上海", "重庆", "香港", "澳门") else None
        return short, city
    return CITIES.get(short), short


def province_of(city_short: str) -> str | None:
    """The province of a city short name, or None."""
    if city_short in PROVINCES:
        return city_short
    return CITIES.get(city_short)
