"""docs/permissions.md is generated from the registry; this fails when the two disagree."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from steadyhand.access import registry
from steadyhand.access.docs import render_permissions_doc
from steadyhand.access.roles import Role
from steadyhand.cli import main

DOC = Path(settings.PROJECT_ROOT) / "docs" / "permissions.md"


def test_the_committed_document_matches_the_registry() -> None:
    assert DOC.exists(), "docs/permissions.md is missing; run `steadyhand permissions_doc`."
    assert DOC.read_text(encoding="utf-8") == render_permissions_doc(), (
        "docs/permissions.md is out of date; run `steadyhand permissions_doc` and commit it."
    )


def test_every_action_is_documented_with_its_description() -> None:
    text = render_permissions_doc()
    for action in registry.ACTIONS.values():
        assert f"| `{action.name}` | {action.description} |" in text


def test_walled_roles_are_shown_as_never_for_every_walled_action() -> None:
    text = render_permissions_doc()
    columns = [f"`{r.value}`" for r in Role]
    ia_column = columns.index("`internal_affairs`")
    aar_rows = [
        line for line in text.splitlines() if line.startswith("| `aar.") and "never" in line
    ]
    assert len(aar_rows) == sum(1 for name in registry.ACTIONS if name.startswith("aar."))
    for row in aar_rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1 + ia_column] == "never (wall)"


def test_a_new_action_changes_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    before = render_permissions_doc()
    monkeypatch.setattr(registry, "ACTIONS", dict(registry.ACTIONS))
    registry.register("zzz.try", "A made-up action for this test.", {Role.TRAINER})
    after = render_permissions_doc(registry.ACTIONS)
    assert after != before
    assert "| `zzz.try` | A made-up action for this test. | `trainer` |" in after


def test_command_writes_the_file_and_check_passes(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "permissions.md"
    call_command("permissions_doc", "--output", str(target))
    assert target.read_text(encoding="utf-8") == render_permissions_doc()
    call_command("permissions_doc", "--check", "--output", str(target))


@pytest.mark.parametrize("state", ["stale", "missing"])
def test_check_fails_with_status_1_when_out_of_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state: str
) -> None:
    target = tmp_path / "permissions.md"
    stale = render_permissions_doc().replace("| yes |", "| no |")
    if state == "stale":
        target.write_text(stale, encoding="utf-8")
    with pytest.raises(CommandError, match=f"is {'missing' if state == 'missing' else 'out of'}"):
        call_command("permissions_doc", "--check", "--output", str(target))
    # Through the real command line: the exit status CI relies on.
    with pytest.raises(SystemExit) as exit_info:
        main(["permissions_doc", "--check", "--output", str(target)])
    assert exit_info.value.code == 1
    assert "Run `steadyhand permissions_doc`" in capsys.readouterr().err
    if state == "stale":
        assert target.read_text(encoding="utf-8") == stale  # --check never writes
    else:
        assert not target.exists()
