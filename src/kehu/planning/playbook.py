"""Playbooks (分层策略): a strategy direction and measures per rfm_type and value_tier.

Three layers, later ones overriding earlier ones field by field (`actions` as a whole):
the shipped `kehu/data/playbooks.toml`, the file named by `plan.playbook_file`, and the
`[playbooks]` tables of `kehu.toml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kehu import datafiles
from kehu.calendar import CADENCE_DAYS
from kehu.config import PlaybookEntry, PlaybookSettings, Settings, read_toml
from kehu.errors import ConfigError
from kehu.i18n import tr

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "rfm_type": ("high_value", "potential", "new", "churn_risk", "low_value"),
    "value_tier": ("strategic", "core", "potential", "basic"),
}
_REQUIRED = ("name_zh", "name_en", "direction_zh", "direction_en", "cadence", "actions")


@dataclass(frozen=True)
class Action:
    code: str
    zh: str
    en: str
    cost: float
    consulted: str | None

    def text(self, lang: str) -> str:
        return tr(lang, self.zh, self.en)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
            "cost": self.cost,
            "consulted": self.consulted,
        }


@dataclass(frozen=True)
class Playbook:
    key: str  # "value_tier.strategic"
    dimension: str  # rfm_type | value_tier
    value: str  # strategic
    name_zh: str
    name_en: str
    direction_zh: str
    direction_en: str
    cadence: str  # once | week | month | quarter | year
    due_days: int | None
    actions: tuple[Action, ...]

    def name(self, lang: str) -> str:
        return tr(lang, self.name_zh, self.name_en)

    def direction(self, lang: str) -> str:
        return tr(lang, self.direction_zh, self.direction_en)

    @property
    def occurrences_per_year(self) -> float:
        """How often the measures run in a year (once -> 1)."""
        days = CADENCE_DAYS.get(self.cadence)
        return 1.0 if days is None else 365.0 / days

    @property
    def yearly_cost(self) -> float:
        """Cost to serve one customer with this playbook for a year (yuan)."""
        return sum(a.cost for a in self.actions) * self.occurrences_per_year

    @property
    def max_due_days(self) -> int | None:
        """The latest due date after the plan date: due_days, else the cadence length."""
        return self.due_days if self.due_days is not None else CADENCE_DAYS.get(self.cadence)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "direction_zh": self.direction_zh,
            "direction_en": self.direction_en,
            "cadence": self.cadence,
            "due_days": self.due_days,
            "yearly_cost": round(self.yearly_cost, 2),
            "actions": [a.to_json() for a in self.actions],
        }


def _read_layer(raw: dict[str, Any], source: str) -> PlaybookSettings:
    try:
        return PlaybookSettings.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {key}: {err['msg']} ({err.get('input')!r})")
        text = "\n".join(lines)
        raise ConfigError(
            f"{source} 中的打法(playbook)有误:\n{text}", f"{source} has invalid playbooks:\n{text}"
        ) from None


def _default_layer() -> PlaybookSettings:
    return _read_layer(datafiles.read_toml("playbooks.toml"), "kehu/data/playbooks.toml")


def _file_layer(path: Path) -> PlaybookSettings:
    missing = (
        f"plan.playbook_file 指向的文件 {path} 不存在",
        f"plan.playbook_file points at {path}, which does not exist",
    )
    return _read_layer(read_toml(path, missing), str(path))


def _merge(layers: list[tuple[str, PlaybookSettings]]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for source, layer in layers:
        for dim in DIMENSIONS:
            entries: dict[str, PlaybookEntry] = getattr(layer, dim)
            for value, entry in entries.items():
                if value not in DIMENSIONS[dim]:
                    known = ", ".join(DIMENSIONS[dim])
                    raise ConfigError(
                        f"{source}: 未知的 playbooks.{dim}.{value}(可选: {known})",
                        f"{source}: unknown playbooks.{dim}.{value} (known: {known})",
                    )
                fields = entry.model_dump(exclude_none=True)
                merged.setdefault(f"{dim}.{value}", {}).update(fields)
    return merged


def load_playbooks(settings: Settings, root: Path | None = None) -> dict[str, Playbook]:
    """The playbooks in force, keyed `rfm_type.X` / `value_tier.X`, validated."""
    layers: list[tuple[str, PlaybookSettings]] = [("kehu/data/playbooks.toml", _default_layer())]
    if settings.plan.playbook_file:
        path = Path(settings.plan.playbook_file)
        if not path.is_absolute() and root is not None:
            path = root / path
        layers.append((str(path), _file_layer(path)))
    layers.append(("kehu.toml [playbooks]", settings.playbooks))
    out: dict[str, Playbook] = {}
    for key, fields in _merge(layers).items():
        missing = [f for f in _REQUIRED if not fields.get(f)]
        if missing:
            raise ConfigError(
                f"playbooks.{key} 缺少字段: {', '.join(missing)}",
                f"playbooks.{key} is missing: {', '.join(missing)}",
            )
        dim, value = key.split(".", 1)
        out[key] = Playbook(
            key=key,
            dimension=dim,
            value=value,
            name_zh=fields["name_zh"],
            name_en=fields["name_en"],
            direction_zh=fields["direction_zh"],
            direction_en=fields["direction_en"],
            cadence=fields["cadence"],
            due_days=fields.get("due_days"),
            actions=tuple(
                Action(a["code"], a["zh"], a["en"], float(a.get("cost", 0.0)), a.get("consulted"))
                for a in fields["actions"]
            ),
        )
    known = ", ".join(sorted(out))
    for i, key in enumerate(settings.plan.precedence):
        if key not in out:
            raise ConfigError(
                f"plan.precedence[{i}] = {key!r} 不是已定义的打法(可选: {known})",
                f"plan.precedence[{i}] = {key!r} is not a playbook (known: {known})",
            )
    return out
