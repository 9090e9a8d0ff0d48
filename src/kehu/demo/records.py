"""From entities to exported records: CRM and ERP customer records, ids, and the truth.

A customer (entity) gets one CRM record; some were entered twice in the CRM, some also live
in the ERP under a variant name (duplicates the dedupe floor must find). Child records
(orders, tickets, ...) point at the id the source system would use. Tables are dicts of
numpy arrays with canonical column names: dates are epoch days (-1 = empty), money is int
fen (`MISSING` = empty), timestamps are epoch minutes (-1 = empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kehu.demo import dirt
from kehu.demo import names as N
from kehu.demo.columns import Cat, Column, Seq
from kehu.demo.events import PROD_NAME, Arrays
from kehu.demo.world import (
    CATEGORIES,
    CHURN,
    CITY_NAME,
    CITY_POST,
    CITY_SHORT,
    DECLINING,
    GROWING,
    IND_WORD,
    LEGAL,
    NEW,
    PROSPECT,
    PROV_NAME,
    REGION_NAME,
    REL_BRANCH,
    REL_SAME_NAME,
    WONBACK,
    World,
)

MISSING = np.int64(-(2**62))
Frame = dict[str, Column]


@dataclass
class Ids:
    """How each entity is referred to by each system: codes into `all`, every customer id
    that appears in the exports (CRM records first, then ERP records); -1 = none."""

    all: np.ndarray
    crm: np.ndarray  # the original CRM 客户编号 of each entity
    dup: np.ndarray  # a second CRM record
    dup_day: np.ndarray  # day the second record was created (huge if none)
    erp: np.ndarray  # the ERP 客户编码

    def for_events(
        self, rng: np.random.Generator, ent: np.ndarray, day: np.ndarray, share: float
    ) -> np.ndarray:
        """CRM id code per event; after a duplicate entry exists, `share` of events use it."""
        use_dup = (self.dup[ent] >= 0) & (day >= self.dup_day[ent]) & (rng.random(len(ent)) < share)
        return np.where(use_dup, self.dup[ent], self.crm[ent])

    def cat(self, codes: np.ndarray) -> Cat:
        return Cat(codes, self.all)

    def text(self, codes: np.ndarray) -> np.ndarray:
        return self.all[codes]


@dataclass
class Records:
    crm: Frame
    erp: Frame
    contacts: Frame
    ledger: Frame
    erp_orders: Frame
    interactions: Frame
    tickets: Frame
    surveys: Frame
    opportunities: Frame
    targets: Frame
    truth: dict[str, Any]
    bad: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    crm_ent: np.ndarray | None = None  # the entity of each CRM customer row
    crm_ids: np.ndarray | None = None  # each entity's CRM customer id
    contact_ent: np.ndarray | None = None  # the entity of each contact row
    competitors: Frame | None = None  # planted by kehu.demo.competition
    market_potential: Frame | None = None
    opportunity_stages: Frame | None = None  # planted by kehu.demo.pipeline


def _ids(prefix: str, seq: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(seq.astype(str), width))


def _days_to_str(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"))


def build_records(rng: np.random.Generator, w: World, ev: dict[str, Arrays]) -> Records:
    """Assemble every exported table and the truth of what was planted."""
    p = w.params
    n = w.n
    # ---- which customers were entered twice / also live in the ERP --------------------------
    active = np.flatnonzero(w.state != PROSPECT)
    plain = active[w.relation[active] == 0]
    k_dup = max(1, int(round(n * p.crm_dup_share))) if n >= 50 else int(round(n * p.crm_dup_share))
    dup_ent = np.sort(rng.choice(plain, size=min(k_dup, len(plain)), replace=False))
    k_erp = int(round(n * p.erp_share))
    erp_ent = np.sort(rng.choice(active, size=min(k_erp, len(active)), replace=False))

    dup_day = np.full(n, np.iinfo(np.int64).max // 4)
    lo = np.maximum(w.created[dup_ent] + 30, w.w0)
    span = np.maximum(w.as_of - 30 - lo, 1)
    dup_day[dup_ent] = lo + (rng.random(len(dup_ent)) * span).astype(np.int64)

    # ---- CRM ids: numbered in the order records were created --------------------------------
    rec_ent = np.concatenate([np.arange(n), dup_ent])
    rec_day = np.concatenate([w.created, dup_day[dup_ent]])
    is_dup = np.concatenate([np.zeros(n, bool), np.ones(len(dup_ent), bool)])
    order = np.lexsort((rng.random(len(rec_ent)), rec_day))
    seq = np.empty(len(rec_ent), dtype=np.int64)
    seq[order] = np.arange(1, len(rec_ent) + 1)
    crm_id = _ids("C", seq, 7)
    erp_id = _ids("E", np.arange(2_000_001, 2_000_001 + len(erp_ent)), 7)
    m = len(rec_ent)
    ids = Ids(
        all=np.concatenate([crm_id, erp_id]),
        crm=np.arange(n),
        dup=np.full(n, -1),
        dup_day=dup_day,
        erp=np.full(n, -1),
    )
    ids.dup[dup_ent] = np.arange(n, m)
    ids.erp[erp_ent] = np.arange(m, m + len(erp_ent))

    contact = ev["contacts"]
    key_idx = np.flatnonzero(contact["is_key"])  # one per entity, in entity order
    key_name = contact["name"][key_idx]

    crm = _crm_frame(rng, w, rec_ent, is_dup, crm_id, key_name)
    erp = _erp_frame(rng, w, erp_ent, erp_id, key_name)

    truth = _truth(w, ids, ev["orders"], dup_ent, erp_ent)
    bad: dict[str, list[dict[str, str]]] = {}
    # a half-entered CRM record without a name: the importer must reject it
    bad_id = _ids("C", np.array([m + 1]), 7)[0]
    bad["customers_crm"] = [{"customer_id": bad_id, "reason": "missing_name"}]

    orders = ev.pop("orders")  # the frames below copy what they need; free the rest early
    ledger_mask = orders["ledger"]
    cust = ids.for_events(rng, orders["ent"], orders["day"], 0.5)
    erp_code = ids.erp[orders["ent"]]
    cust = np.where(~ledger_mask & (erp_code >= 0), erp_code, cust)
    ledger = _orders_frame(w, orders, ledger_mask, ids.cat(cust), Seq("SO", 1, 8, 0))
    ledger["customer_name"] = Cat(orders["ent"][ledger_mask], w.name)
    erp_orders = _orders_frame(w, orders, ~ledger_mask, ids.cat(cust), Seq("XS", 1, 9, 0))
    bad["orders_erp"] = _bad_orders(p.bad_rows_per_kind)
    bad["orders_ledger"] = [{"order_id": "SO99999999", "amount": "面议", "reason": "bad_amount"}]
    targets = _targets(rng, w, orders)
    del orders, cust, erp_code, ledger_mask

    contacts = _contacts_frame(rng, w, contact, ids, dup_ent)
    inter = ev["interactions"]
    interactions = {
        "interaction_id": Seq("HD", 1, 9, len(inter["ent"])),
        "customer_id": ids.cat(ids.for_events(rng, inter["ent"], inter["day"], 0.3)),
        "kind": inter["kind"],
        "occurred_at": inter["day"].astype(np.int64) * 1440 + inter["minute"],
        "owner": Cat(inter["owner"], w.reps.name),
        "contact_name": Cat(inter["contact"], contact["name"]),
        "summary": inter["note"],
    }
    tk = ev["tickets"]
    tickets = {
        "ticket_id": Seq("GD", 1, 8, len(tk["ent"])),
        "customer_id": ids.cat(ids.for_events(rng, tk["ent"], tk["opened"] // 1440, 0.3)),
        "category": tk["category"],
        "priority": tk["priority"],
        "opened_at": tk["opened"],
        "first_response_at": tk["first_response"],
        "resolved_at": tk["resolved"],
        "status": tk["status"],
        "satisfaction": tk["satisfaction"],
        "description": tk["text"],
        "owner": _agents(rng, len(tk["ent"]), w.n),
    }
    sv = ev["surveys"]
    surveys = {
        "survey_id": Seq("NPS", 1, 8, len(sv["ent"])),
        "customer_id": ids.cat(ids.for_events(rng, sv["ent"], sv["day"], 0.3)),
        "surveyed_on": sv["day"],
        "nps": sv["nps"],
        "csat": sv["csat"],
        "comment": sv["comment"],
    }
    op = ev["opportunities"]
    short = np.where(w.is_person, w.name, np.char.add(w.brand, IND_WORD[np.maximum(w.industry, 0)]))
    opportunities = {
        "opportunity_id": Seq("SJ", 1, 8, len(op["ent"])),
        "customer_id": ids.cat(ids.crm[op["ent"]]),
        "name": np.char.add(np.char.add(short[op["ent"]], CATEGORIES[op["cat"]]), "采购项目"),
        "stage": op["stage"],
        "status": op["status"],
        "amount": op["amount_yuan"] * 100,
        "product_category": Cat(op["cat"], CATEGORIES),
        "owner": Cat(op["owner"], w.reps.name),
        "created_on": op["day"],
        "closed_on": op["closed"],
    }
    return Records(
        crm=crm,
        erp=erp,
        contacts=contacts,
        ledger=ledger,
        erp_orders=erp_orders,
        interactions=interactions,
        tickets=tickets,
        surveys=surveys,
        opportunities=opportunities,
        targets=targets,
        truth=truth,
        bad=bad,
        crm_ent=rec_ent,
        crm_ids=ids.text(ids.crm),
        contact_ent=np.concatenate([contact["ent"], dup_ent]),
    )


def _bad_orders(k: int) -> list[dict[str, str]]:
    """Rows the importer must reject: unknown customer, unparseable amount, missing date."""
    unknown = [
        {
            "order_id": f"XS9{i:08d}",
            "customer_id": f"E{9_900_001 + i}",
            "reason": "unknown_customer",
        }
        for i in range(k)
    ]
    amounts = [
        {
            "order_id": f"XS9{k + i:08d}",
            "amount": ("待定", "见合同", "N/A")[i % 3],
            "reason": "bad_amount",
        }
        for i in range(k)
    ]
    dates = [
        {"order_id": f"XS9{2 * k + i:08d}", "order_date": "", "reason": "missing_date"}
        for i in range(k)
    ]
    return unknown + amounts + dates


def _crm_frame(
    rng: np.random.Generator,
    w: World,
    rec_ent: np.ndarray,
    is_dup: np.ndarray,
    crm_id: np.ndarray,
    key_name: np.ndarray,
) -> Frame:
    e = rec_ent
    m = len(e)
    name = w.name[e].astype(object)
    phone = w.phone[e].astype(object)
    for i in np.flatnonzero(is_dup):
        ent = int(e[i])
        if w.is_person[ent]:
            name[i] = w.name[ent] if rng.random() < 0.6 else " ".join(w.name[ent])
        else:
            kind = dirt.CRM_VARIANTS[int(rng.integers(len(dirt.CRM_VARIANTS)))]
            name[i] = _company_variant(rng, w, ent, kind)
        phone[i] = dirt.format_phone(str(w.phone[ent]), int(rng.integers(1, 5)))
    industry = _industry_text(rng, w, e)
    blank = is_dup & (rng.random(m) < 0.5)
    industry = np.where(blank, "", industry)
    reg = np.where(is_dup & (rng.random(m) < 0.4), "", w.reg_id[e])
    return {
        "customer_id": crm_id,
        "name": name.astype(str),
        "customer_type": np.where(w.is_person[e], "person", "company"),
        "registration_id": reg,
        "industry": industry,
        "province": PROV_NAME[w.prov[e]],
        "city": CITY_NAME[w.city[e]],
        "district": w.district[e],
        "address": w.address[e],
        "postcode": CITY_POST[w.city[e]],
        "region": REGION_NAME[w.region[e]],
        "founded_on": w.founded[e],
        "birth_date": w.birth[e],
        "cooperation_start": np.where(is_dup, -1, w.coop_start[e]),
        "employees": w.employees[e],
        "annual_revenue": np.where(w.revenue[e] >= 0, w.revenue[e] * 100, MISSING),
        "industry_position": w.position[e],
        "budget_growth": w.budget_growth[e],
        "owner": w.reps.name[w.owner[e]],
        "contact_name": key_name[e],
        "phone": phone.astype(str),
        "email": w.email[e],
        "is_benchmark": w.benchmark[e],
        "is_reference": w.reference[e],
        "tags": w.tags[e],
    }


def _company_variant(rng: np.random.Generator, w: World, ent: int, kind: str) -> str:
    core = str(w.brand[ent]) + str(IND_WORD[max(int(w.industry[ent]), 0)])
    return dirt.company_variant(
        rng,
        str(w.name[ent]),
        kind,
        core=core,
        city=str(CITY_SHORT[w.city[ent]]),
        form=str(LEGAL[max(int(w.legal[ent]), 0)]),
        style=int(w.style[ent]),
    )


def _industry_text(rng: np.random.Generator, w: World, e: np.ndarray) -> np.ndarray:
    """所属行业 as people type it: mostly the division name, sometimes a code or the section."""
    ind = np.maximum(w.industry[e], 0)
    div_name = np.array([i.division_name for i in N.INDUSTRIES])[ind]
    code = np.array([i.section + i.division for i in N.INDUSTRIES])[ind]
    section = np.array([N.SECTIONS[i.section] for i in N.INDUSTRIES])[ind]
    u = rng.random(len(e))
    text = np.where(u < 0.75, div_name, np.where(u < 0.88, code, section))
    text = np.where(rng.random(len(e)) < 0.03, "", text)
    return np.where(w.is_person[e], "", text)


def _erp_frame(
    rng: np.random.Generator,
    w: World,
    erp_ent: np.ndarray,
    erp_id: np.ndarray,
    key_name: np.ndarray,
) -> Frame:
    e = erp_ent
    m = len(e)
    variant = rng.random(m) < w.params.erp_variant_share
    names = w.name[e].astype(object)
    sur_first = w.person.pinyin("surname_first")[e]
    giv_first = w.person.pinyin("given_first")[e]
    for i in np.flatnonzero(variant):
        ent = int(e[i])
        if w.is_person[ent]:
            kind = dirt.PERSON_VARIANTS[int(rng.integers(len(dirt.PERSON_VARIANTS)))]
            names[i] = dirt.person_variant(
                kind, str(w.name[ent]), str(sur_first[i]), str(giv_first[i])
            )
        else:
            kind = dirt.COMPANY_VARIANTS[int(rng.integers(len(dirt.COMPANY_VARIANTS)))]
            names[i] = _company_variant(rng, w, ent, kind)
    styles = rng.integers(0, 5, size=m)
    phone = [dirt.format_phone(str(x), int(s)) for x, s in zip(w.phone[e], styles, strict=True)]
    has_reg = np.where(w.is_person[e], rng.random(m) < 0.3, rng.random(m) < 0.75)
    city_first = np.char.add(CITY_NAME[w.city[e]], w.district[e])
    short_addr = np.char.replace(w.address[e], PROV_NAME[w.prov[e]], "")
    address = np.where(rng.random(m) < 0.5, short_addr, w.address[e])
    address = np.where(rng.random(m) < 0.1, city_first, address)
    return {
        "customer_id": erp_id,
        "name": names.astype(str),
        "customer_type": np.where(w.is_person[e], "person", "company"),
        "registration_id": np.where(has_reg, w.reg_id[e], ""),
        "address": address,
        "phone": np.array(phone),
        "contact_name": key_name[e],
        "owner": w.reps.name[w.owner[e]],
        "region": REGION_NAME[w.region[e]],
        "bank": np.array(N.ERP_BANKS)[rng.integers(0, len(N.ERP_BANKS), size=m)],
    }


def _orders_frame(w: World, o: Arrays, mask: np.ndarray, cust: Cat, ids: Seq) -> Frame:
    """The orders of one export (`mask` picks its rows), ids numbered within the export."""
    return {
        "order_id": Seq(ids.prefix, ids.start, ids.width, int(mask.sum())),
        "customer_id": cust[mask],
        "order_date": o["day"][mask],
        "product_category": Cat(o["cat"][mask], CATEGORIES),
        "product": Cat(o["prod"][mask], PROD_NAME),
        "quantity": o["qty"][mask],
        "amount": o["amount_fen"][mask],
        "cost": o["cost_fen"][mask],
        "paid_amount": o["paid_fen"][mask],
        "due_date": o["due"][mask],
        "paid_date": o["paid_day"][mask],
        "channel": Cat(o["channel"][mask], np.array(N.CHANNELS)),
        "owner": Cat(w.owner[o["ent"][mask]], w.reps.name),
    }


def _contacts_frame(
    rng: np.random.Generator, w: World, c: Arrays, ids: Ids, dup_ent: np.ndarray
) -> Frame:
    m = len(c["ent"])
    base = {
        "contact_id": _ids("LX", np.arange(1, m + 1), 8),
        "customer_id": ids.text(ids.crm[c["ent"]]),
        "name": c["name"],
        "title": c["title"],
        "role": c["role"],
        "is_key": c["is_key"],
        "phone": c["phone"],
        "email": c["email"],
    }
    # the duplicate CRM entry got its own copy of the key contact
    key_rows = np.flatnonzero(c["is_key"])[dup_ent]
    extra = {k: v[key_rows] for k, v in base.items()}
    extra["contact_id"] = _ids("LX", np.arange(m + 1, m + 1 + len(key_rows)), 8)
    extra["customer_id"] = ids.text(ids.dup[dup_ent])
    extra["phone"] = np.array(
        [dirt.format_phone(str(x), int(rng.integers(1, 5))) for x in extra["phone"]], dtype=object
    ).astype(str)
    return {k: np.concatenate([base[k], extra[k]]) for k in base}


def _agents(rng: np.random.Generator, m: int, n_customers: int) -> Cat:
    """The service desk's engineers, one per ticket."""
    from kehu.demo.people import unique_person_names

    k = max(6, int(round(6 * np.sqrt(max(n_customers, 1) / 2000))))
    names = unique_person_names(rng, k).name
    return Cat(rng.integers(0, k, size=m), names)


def _targets(rng: np.random.Generator, w: World, o: Arrays) -> Frame:
    """The reference year's quarterly targets per region and per rep: last year × growth."""
    year = int(np.datetime64(w.as_of, "D").astype("datetime64[Y]").astype(int)) + 1970
    days = o["day"].astype("datetime64[D]")
    y = days.astype("datetime64[Y]").astype(int) + 1970
    q = (days.astype("datetime64[M]").astype(int) % 12) // 3
    last = y == year - 1
    region = w.region[o["ent"]]
    ids, periods, regions, owners, amounts = [], [], [], [], []
    for qi in range(4):
        period = f"{year}-Q{qi + 1}"
        sel = last & (q == qi)
        by_region = np.bincount(region[sel], weights=o["amount_fen"][sel], minlength=len(N.REGIONS))
        for r, actual in enumerate(by_region):
            amount = _round_wan(actual * rng.uniform(1.08, 1.25))
            ids.append(f"TGT-{period}-{REGION_NAME[r]}")
            periods.append(period)
            regions.append(REGION_NAME[r])
            owners.append("")
            amounts.append(amount)
        by_rep = np.bincount(
            w.owner[o["ent"][sel]], weights=o["amount_fen"][sel], minlength=len(w.reps.name)
        )
        for rep, actual in enumerate(by_rep):
            ids.append(f"TGT-{period}-R{rep + 1:04d}")
            periods.append(period)
            regions.append(REGION_NAME[w.reps.region[rep]])
            owners.append(str(w.reps.name[rep]))
            amounts.append(_round_wan(actual * rng.uniform(1.08, 1.25)))
    total = sum(a for a, o_ in zip(amounts, owners, strict=True) if o_ == "")
    ids.append(f"TGT-{year}")
    periods.append(str(year))
    regions.append("")
    owners.append("")
    amounts.append(total)
    return {
        "target_id": np.array(ids),
        "period": np.array(periods),
        "region": np.array(regions),
        "owner": np.array(owners),
        "amount": np.array(amounts, dtype=np.int64),
    }


def _round_wan(fen: float) -> int:
    """Round to whole 万 yuan (at least 10万), in fen."""
    return int(max(round(fen / 1_000_000), 10)) * 1_000_000


def _truth(w: World, ids: Ids, o: Arrays, dup_ent: np.ndarray, erp_ent: np.ndarray) -> dict:
    """What the generator planted, keyed by the ids that appear in the files."""
    crm_arr = ids.text(ids.crm)
    crm = crm_arr.tolist()
    clusters: dict[int, list[str]] = {}
    for ent in dup_ent.tolist():
        clusters.setdefault(ent, [crm[ent]]).append(str(ids.all[ids.dup[ent]]))
    for ent in erp_ent.tolist():
        clusters.setdefault(ent, [crm[ent]]).append(str(ids.all[ids.erp[ent]]))
    ctype = np.where(w.is_person, "person", "company")
    customer_type = dict(zip(crm, ctype.tolist(), strict=True))
    customer_type.update({str(ids.all[ids.dup[e]]): str(ctype[e]) for e in dup_ent.tolist()})
    customer_type.update({str(ids.all[ids.erp[e]]): str(ctype[e]) for e in erp_ent.tolist()})
    churn = np.flatnonzero(w.state == CHURN)
    first = np.full(w.n, np.iinfo(np.int64).max)
    np.minimum.at(first, o["ent"], o["day"])
    new = np.flatnonzero((w.state == NEW) & (first < np.iinfo(np.int64).max))
    wb = np.flatnonzero(w.state == WONBACK)
    not_dups = [
        {
            "ids": [crm[w.related_to[e]], crm[e]],
            "kind": "branch" if w.relation[e] == REL_BRANCH else "same_name_other_city",
        }
        for e in np.flatnonzero(np.isin(w.relation, [REL_BRANCH, REL_SAME_NAME])).tolist()
    ]
    return {
        "as_of": str(np.datetime64(w.as_of, "D")),
        "window_start": str(np.datetime64(w.w0, "D")),
        "duplicates": [clusters[k] for k in sorted(clusters)],
        "churned": dict(
            zip(crm_arr[churn].tolist(), _days_to_str(w.end[churn]).tolist(), strict=True)
        ),
        "customer_type": customer_type,
        "won_back": dict(zip(crm_arr[wb].tolist(), _days_to_str(w.ret[wb]).tolist(), strict=True)),
        "new": dict(zip(crm_arr[new].tolist(), _days_to_str(first[new]).tolist(), strict=True)),
        "growing": crm_arr[w.state == GROWING].tolist(),
        "declining": crm_arr[w.state == DECLINING].tolist(),
        "prospects": crm_arr[w.state == PROSPECT].tolist(),
        "loss_making": crm_arr[w.margin < 0].tolist(),
        "not_duplicates": not_dups,
        "owners": {
            str(nm): str(REGION_NAME[r]) for nm, r in zip(w.reps.name, w.reps.region, strict=True)
        },
    }
