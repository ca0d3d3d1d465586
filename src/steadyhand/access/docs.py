"""Render ``docs/permissions.md`` from the registry, so the document cannot drift from the code.

``steadyhand permissions_doc`` writes the file; ``tests/test_permissions_doc.py`` fails when the
committed file differs from what this module renders.
"""

from collections.abc import Iterable

from steadyhand.access.registry import ACTIONS, WALLS, Action
from steadyhand.access.roles import Role

HEADER = """\
<!-- Generated from src/steadyhand/access/registry.py by `steadyhand permissions_doc`.
     Do not edit by hand: change the registry and run the command again. -->

# Permissions

Every page, service and selector asks one question, `can(actor, action, object)`, about one of
the named actions below. This document is generated from the registry that answers it
(`src/steadyhand/access/registry.py`), and a test fails when the two disagree.
"""

SCOPE_RULES = """\
## How scope works

- **Agency.** Every record belongs to one agency. No role, in any agency, reaches a record of
  another agency.
- **Role assignments.** A user holds each role either over the **whole agency** or over a
  **unit subtree** (a precinct and every squad under it). The same user may hold several roles,
  with different scopes.
- **Unit-scoped actions** ("unit subtree of the assignment" in the tables) reach a record only
  if the record is filed in a unit inside the subtree of one of the user's assignments of an
  allowed role. An agency-wide assignment reaches every unit. Records filed at agency level
  (no unit), such as the audit log or the agency's settings, need an agency-wide assignment.
- **Agency-wide actions** ("any record of the agency") need only the role, at any scope.
- **Own records.** Roles listed under "only on own records" may take the action only on records
  they own (their own personnel record, a job they started), wherever those records are filed.
- **Pages and lists.** A page opens for anyone whose roles could take its action on some record;
  the lists and lookups behind it then return only the records the user may act on, and a
  record the user may not see is reported as not found, never as forbidden.
- **The command line** (`steadyhand …`) is for platform operators with access to the server and
  its database; it is not governed by these roles.
"""

WALL_INTRO = """\
## The after-action-review wall

An after-action review is a learning record. Its content is never visible to internal affairs,
never exported with disciplinary records, and never an input to discipline or early-intervention
scoring (PRODUCT.md, non-negotiable 1).

The wall is enforced in the access layer, before any role is consulted:

- A user who holds a walled role in **any** assignment, at **any** scope, is refused **every**
  action of the walled category, whatever other roles they hold and even on their own records.
- The lists behind pages return nothing for such a user.
- The registry refuses to register an action of a walled category that would grant a walled
  role, so the wall cannot be opened by adding an action.
- `tests/test_aar_wall.py` checks every combination of roles that includes a walled role, at
  every scope.
"""

YES = "yes"
OWN = "own only"
NO = "—"
WALLED = "never (wall)"


def _roles(roles: Iterable[Role]) -> str:
    ordered = [r for r in Role if r in set(roles)]
    return ", ".join(f"`{r.value}`" for r in ordered) if ordered else NO


def _scope(action: Action) -> str:
    if action.public:
        return "anyone, without logging in"
    return "unit subtree of the assignment" if action.scoped else "any record of the agency"


def _cell(action: Action, role: Role) -> str:
    if role in action.walled_from:
        return WALLED
    if role in action.roles or action.public:
        return YES
    if role in action.self_roles:
        return OWN
    return NO


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def render_permissions_doc(actions: dict[str, Action] | None = None) -> str:
    """The Markdown text of ``docs/permissions.md`` for ``actions`` (default: the registry)."""
    registry = ACTIONS if actions is None else actions
    ordered = sorted(registry.values(), key=lambda a: a.name)
    categories = sorted({a.category for a in ordered})
    out: list[str] = [HEADER]

    out.append("## Roles\n")
    out += _table(["Role", "Name"], ([f"`{r.value}`", r.label] for r in Role))
    out.append("")

    out.append("## Actions\n")
    for category in categories:
        out.append(f"### `{category}.*`\n")
        walled = WALLS.get(category, frozenset())
        if walled:
            out.append(f"Walled: never allowed to {_roles(walled)} (see below).\n")
        out += _table(
            ["Action", "What it allows", "Roles", "Only on own records", "Scope"],
            (
                [
                    f"`{a.name}`",
                    a.description,
                    _roles(a.roles),
                    # A role that holds the action outright is not "limited to own records".
                    _roles(a.self_roles - a.roles),
                    _scope(a),
                ]
                for a in ordered
                if a.category == category
            ),
        )
        out.append("")

    out.append("## Role by action\n")
    out.append(
        f"“{YES}”: the role may take the action (within its scope); “{OWN}”: only on the "
        f"user's own records; “{NO}”: never; “{WALLED}”: never, whatever else the user holds.\n"
    )
    out += _table(
        ["Action", *(f"`{r.value}`" for r in Role)],
        ([f"`{a.name}`", *(_cell(a, r) for r in Role)] for a in ordered),
    )
    out.append("")

    out.append(WALL_INTRO)
    out += _table(
        ["Category", "Walled roles", "Actions behind the wall"],
        (
            [
                f"`{category}.*`",
                _roles(roles),
                ", ".join(f"`{a.name}`" for a in ordered if a.category == category) or NO,
            ]
            for category, roles in sorted(WALLS.items())
        ),
    )
    out.append("")
    out.append(SCOPE_RULES)
    return "\n".join(out).rstrip("\n") + "\n"
