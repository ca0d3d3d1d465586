"""The rules of STYLE.md that a machine can check, so they hold without anyone remembering.

(a) the statistics package never imports Django; (b) every public service takes a keyword-only
``actor``; (c) migrations are named; (d) no model change lacks its migration; (e) every page is
guarded by ``@requires``, so that the access layer, not the view, decides.
"""

import ast
import importlib
import inspect
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.urls.resolvers import RegexPattern

from steadyhand.access.decorators import requires
from steadyhand.access.registry import ACTIONS

SRC = Path(__file__).resolve().parents[1] / "src" / "steadyhand"
ANALYTICS = SRC / "analytics"
# Pure packages: usable without Django (researchers' notebooks, the terminal simulator).
PURE_PREFIXES = ("steadyhand.analytics", "steadyhand.simulator", "steadyhand.vocabulary")


# (a) analytics is pure


def _imported_modules(source: str, filename: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import, and ``import_module("…")`` with a literal."""
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.lineno, str(node.args[0].value)


def _forbidden(module: str) -> bool:
    top = module.split(".")[0]
    if top == "django":
        return True
    # Nothing else of Steadyhand either: its apps import Django.
    return top == "steadyhand" and not module.startswith(PURE_PREFIXES)


ANALYTICS_FILES = sorted(
    [*ANALYTICS.rglob("*.py"), *(SRC / "simulator").rglob("*.py"), SRC / "vocabulary.py"]
)


def test_analytics_has_modules_to_check() -> None:
    assert ANALYTICS / "rates.py" in ANALYTICS_FILES


@pytest.mark.parametrize("path", ANALYTICS_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_analytics_source_imports_no_django(path: Path) -> None:
    modules = _imported_modules(path.read_text(encoding="utf-8"), str(path))
    bad = [f"line {line}: {mod}" for line, mod in modules if _forbidden(mod)]
    assert not bad, f"{path.relative_to(SRC)} imports {bad}; analytics must stay pure"


def test_the_import_check_would_notice_django() -> None:
    source = (
        "import numpy\n"
        "from django.db import models\n"
        "import steadyhand.agencies.models\n"
        "from steadyhand.analytics import rates\n"
        "def f():\n"
        "    importlib.import_module('django.conf')\n"
    )
    found = [mod for _, mod in _imported_modules(source, "probe.py") if _forbidden(mod)]
    assert found == ["django.db", "steadyhand.agencies.models", "django.conf"]
    assert not _forbidden("steadyhand.vocabulary")


IMPORT_PROBE = """
import json, pkgutil, sys
import steadyhand.analytics as pkg
names = [pkg.__name__]
for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
    __import__(info.name)
    names.append(info.name)
django = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(json.dumps({"imported": names, "django": django}))
"""


def test_importing_analytics_loads_no_django() -> None:
    # A fresh interpreter without DJANGO_SETTINGS_MODULE: what a notebook user would have.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC.parent)}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "steadyhand.analytics.rates" in report["imported"]
    assert report["django"] == [], f"importing analytics loaded {report['django']}"


# (b) services take a keyword-only actor

# Job progress bookkeeping is called from inside a running task, many times, on behalf of the
# job's own starter; it writes no record a person edits and is not audited (see jobs/services).
NO_ACTOR_EXEMPT = {
    "steadyhand.jobs.services.job_progress",
    "steadyhand.jobs.services.job_mark_running",
    "steadyhand.jobs.services.job_finish",
    "steadyhand.jobs.services.progress_reporter",
}


def _service_functions() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    # services.py, or a services/ package once it outgrows one module (STYLE.md).
    files = [*SRC.glob("*/services.py"), *SRC.glob("*/*_services.py"), *SRC.glob("*/services/*.py")]
    for services_file in sorted(files):
        dotted = ".".join(services_file.relative_to(SRC.parent).with_suffix("").parts)
        module = importlib.import_module(dotted.removesuffix(".__init__"))
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or func.__module__ != module.__name__:
                continue  # private, or imported from elsewhere (checked where it is defined)
            found.append((f"{module.__name__}.{name}", func))
    return found


SERVICES = _service_functions()


def test_services_were_found() -> None:
    names = {name for name, _ in SERVICES}
    assert "steadyhand.agencies.services.member_create" in names
    assert "steadyhand.audit.services.audit_record" in names


@pytest.mark.parametrize(
    ("name", "func"),
    [s for s in SERVICES if s[0] not in NO_ACTOR_EXEMPT],
    ids=[name for name, _ in SERVICES if name not in NO_ACTOR_EXEMPT],
)
def test_every_service_takes_a_keyword_only_actor(name: str, func: Callable[..., Any]) -> None:
    params = inspect.signature(func).parameters  # follows @transaction.atomic's __wrapped__
    assert "actor" in params, f"{name} has no 'actor' parameter"
    assert params["actor"].kind is inspect.Parameter.KEYWORD_ONLY, (
        f"{name}: 'actor' must be keyword-only (put it after '*')"
    )
    assert params["actor"].default is inspect.Parameter.empty, f"{name}: 'actor' has a default"


def test_the_exemptions_are_still_needed() -> None:
    by_name = dict(SERVICES)
    for name in NO_ACTOR_EXEMPT:
        assert name in by_name, f"{name} no longer exists; remove it from NO_ACTOR_EXEMPT"
        assert "actor" not in inspect.signature(by_name[name]).parameters, (
            f"{name} now takes an actor; remove it from NO_ACTOR_EXEMPT"
        )


# (c) and (d) migrations

MIGRATIONS = sorted(p for p in SRC.glob("*/migrations/*.py") if p.name != "__init__.py")


def test_migrations_exist() -> None:
    assert MIGRATIONS


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: str(p.relative_to(SRC)))
def test_migrations_are_named(path: Path) -> None:
    assert "_auto_" not in path.name, (
        f"{path.relative_to(SRC)} is auto-named; rename it to say what it does "
        "(makemigrations --name …)"
    )


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=1)
    except SystemExit as exc:
        pending = capsys.readouterr().out
        pytest.fail(f"models changed without a migration (exit {exc.code}):\n{pending}")


# (e) every page is guarded by @requires

# Pages reached before there is an actor, or that serve no agency data.
UNGUARDED = {"accounts:login", "accounts:logout", "accounts:two_factor", "health"}


def _patterns(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + str(entry.pattern), name, entry.callback


def _is_static(route: str, view: Any) -> bool:
    return route.startswith("static/") or getattr(view, "__module__", "").startswith(
        "django.contrib.staticfiles"
    )


ROUTES = [r for r in _patterns(get_resolver()) if not _is_static(r[0], r[2])]


def test_exemptions_name_real_routes() -> None:
    names = {name for _, name, _ in ROUTES}
    assert names >= UNGUARDED, f"stale exemptions: {UNGUARDED - names}"


@pytest.mark.parametrize(
    ("route", "name", "view"),
    [r for r in ROUTES if r[1] not in UNGUARDED],
    ids=[r[1] or r[0] for r in ROUTES if r[1] not in UNGUARDED],
)
def test_every_view_is_guarded_by_requires(route: str, name: str, view: Any) -> None:
    # ``@requires`` marks a public action's view (no login: the complaint form) ``public_action``
    # instead, so that the refusal tests, which refuse every role lacking the action, skip it.
    public = getattr(view, "public_action", None)
    action = getattr(view, "required_action", None) or public
    assert action is not None, (
        f"/{route} ({name or 'unnamed'}) is not wrapped in @requires(...); views must not "
        "decide access themselves"
    )
    assert action in ACTIONS, f"/{route} requires unregistered action {action!r}"
    if public is not None:
        assert ACTIONS[public].public, f"/{route} is public but {public!r} is not a public action"


def test_the_route_walk_sees_guarded_and_unguarded_views() -> None:
    def plain(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    inner = ([path("guarded/", requires("home.view")(plain), name="guarded")], "probe")
    resolver = URLResolver(
        RegexPattern(r"^/"), [path("plain/", plain, name="plain"), path("", include(inner))]
    )
    found = {name: getattr(view, "required_action", None) for _, name, view in _patterns(resolver)}
    assert found == {"plain": None, "probe:guarded": "home.view"}


def test_public_views_are_marked_public_not_required() -> None:
    def plain(request: HttpRequest, agency: Any) -> HttpResponse:
        return HttpResponse()

    view = requires("complaint.submit")(plain)
    assert getattr(view, "public_action", None) == "complaint.submit"
    assert not hasattr(view, "required_action")
