"""The public API: what `kehu.app` exports is documented, and `Kehu`'s methods are typed."""

from __future__ import annotations

import inspect

import kehu.app
from kehu.app import Kehu


def test_the_exports_exist_and_are_the_whole_face() -> None:
    public = {n for n in vars(kehu.app) if not n.startswith("_")} - {"annotations", "entry"}
    assert sorted(kehu.app.__all__) == sorted(set(kehu.app.__all__)), "a name listed twice"
    assert set(kehu.app.__all__) == public, sorted(public ^ set(kehu.app.__all__))


def test_every_export_is_documented() -> None:
    """Classes and functions by their own docstring; constants in the package's docstring."""
    undocumented = []
    for name in kehu.app.__all__:
        obj = getattr(kehu.app, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            documented = bool(inspect.getdoc(obj)) and obj.__doc__ is not None
        else:
            documented = f"`{name}`" in (kehu.app.__doc__ or "")
        if not documented:
            undocumented.append(name)
    assert not undocumented, f"give these a docstring (or a line in kehu.app's): {undocumented}"


def public_methods() -> dict[str, object]:
    return {
        name: member
        for name, member in vars(Kehu).items()
        if not name.startswith("_") and callable(getattr(Kehu, name))
    }


def test_kehu_methods_are_annotated_and_documented() -> None:
    missing = []
    for name, member in public_methods().items():
        fn = member.__func__ if isinstance(member, classmethod | staticmethod) else member
        if not fn.__doc__:  # type: ignore[union-attr]
            missing.append(f"{name}: docstring")
        sig = inspect.signature(fn)  # type: ignore[arg-type]
        params = [p for p in sig.parameters.values() if p.name not in ("self", "cls")]
        if sig.return_annotation is inspect.Signature.empty:
            missing.append(f"{name} -> ?")
        missing += [f"{name}({p.name})" for p in params if p.annotation is inspect.Parameter.empty]
    assert not missing, f"annotate: {missing}"
    assert len(public_methods()) >= 40  # the CLI's whole reach


def test_kehu_properties_are_typed() -> None:
    for name, member in vars(Kehu).items():
        if isinstance(member, property):
            assert member.fget is not None
            assert "return" in member.fget.__annotations__, name
            assert member.fget.__doc__, f"{name}: docstring"
