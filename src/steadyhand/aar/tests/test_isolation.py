"""The wall in the code: nothing outside the AAR app reaches into it.

The formal review, early intervention, exports and the API must never read an AAR. No module
outside ``steadyhand.aar`` imports it (the two places that wire the app in are named), and no
other model has a reverse accessor into it.
"""

import ast
from pathlib import Path

from django.apps import apps

SRC = Path(__file__).resolve().parents[2]
# Wiring only: the URL include and the home-page provider list (a dotted string, not an import).
ALLOWED = {"config/urls.py", "config/settings/base.py", "accounts/home.py", "demo/generator.py"}


def _imports_aar(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        if any(n == "steadyhand.aar" or n.startswith("steadyhand.aar.") for n in names):
            return True
    return False


def test_no_other_app_imports_the_aar_app() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "aar" not in p.relative_to(SRC).parts[:1]
        and str(p.relative_to(SRC)) not in ALLOWED
        and _imports_aar(p)
    ]
    assert offenders == []


def test_the_check_would_notice_an_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from steadyhand.aar.selectors import aars_visible\n", encoding="utf-8")
    assert _imports_aar(probe)


def test_no_model_outside_the_app_has_a_reverse_accessor_into_it() -> None:
    leaks = []
    hidden = 0
    for model in apps.get_models():
        if model._meta.app_label == "aar":
            continue
        for relation in model._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete):
                continue  # forward fields; we look at reverse relations
            if relation.related_model._meta.app_label == "aar":
                hidden += relation.hidden
                if not relation.hidden:
                    leaks.append(f"{model.__name__}.{relation.get_accessor_name()}")
    assert leaks == []
    assert hidden >= 5  # the control: incident, member, event … do relate to AARs
