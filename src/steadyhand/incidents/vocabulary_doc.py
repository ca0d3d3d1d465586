"""Render ``docs/vocabulary.md`` from ``steadyhand.vocabulary``, so the two cannot drift."""

from steadyhand import vocabulary as v

HEADER = """\
<!-- Generated from src/steadyhand/vocabulary.py by `steadyhand vocabulary_doc`.
     Do not edit by hand: change the module and run the command again. -->

# The vocabulary of an encounter

Incident timelines, after-action reviews, the scenario simulator, imports and exports all use the
codes below, and only these. An agency's own codes are mapped onto them when its data is imported
(`docs/importing.md`); the source's code is kept next to ours.

Every timeline event has a **kind** and a **code** of that kind. Tactics the brief counts as
de-escalation are marked; an incident "attempted de-escalation" when its timeline has one of them.
"""


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def _codes(title: str, codes: dict[str, str]) -> list[str]:
    return [
        f"### {title}",
        "",
        *_table(["code", "meaning"], [[f"`{c}`", m] for c, m in codes.items()]),
        "",
    ]


def render_vocabulary_doc() -> str:
    out = [HEADER, "## Event kinds", ""]
    actor = {
        **{k: "member" for k in v.MEMBER_KINDS},
        **{k: "subject" for k in v.SUBJECT_KINDS},
        **{k: "member or subject" for k in v.EITHER_KINDS},
    }
    out += _table(
        ["kind", "meaning", "actor", "CDM step"],
        [
            [f"`{k.value}`", label, actor[k], v.CDM_LABELS[v.CDM_STEP_OF_KIND[k]]]
            for k, label in v.EVENT_KIND_LABELS.items()
        ],
    )
    out += ["", "## Codes by kind", ""]
    for kind, label in v.EVENT_KIND_LABELS.items():
        terms = [t for t in v.ALL_TERMS.values() if t.kind == kind]
        if not terms:
            continue
        header = ["code", "label", "meaning"]
        if kind == v.EventKind.FORCE:
            header.append("default level")
        elif kind == v.EventKind.SUBJECT_BEHAVIOUR:
            header.append("implied resistance")
        else:
            header.append("de-escalation")
        rows = []
        for t in terms:
            if kind == v.EventKind.FORCE:
                extra = (
                    f"{int(t.level)} {v.FORCE_LEVEL_LABELS[t.level]}" if t.level is not None else ""
                )
            elif kind == v.EventKind.SUBJECT_BEHAVIOUR:
                r = v.SUBJECT_ACT_RESISTANCE[t.code]
                extra = f"{int(r)} {v.RESISTANCE_LABELS[r]}"
            else:
                extra = "yes" if t.de_escalation else ""
            rows.append([f"`{t.code}`", t.label, t.description, extra])
        out += [f"### {label} (`{kind.value}`)", "", *_table(header, rows), ""]
    out += [
        "## One ladder for resistance and force",
        "",
        "Resistance and force share one ordinal scale (Alpert & Dunham's force factor;",
        "Terrill's Resistance-Force Comparative Scale). The **force factor** is force level minus",
        "the highest resistance faced before it; above zero, force exceeded resistance.",
        "",
        *_table(
            ["level", "resistance", "force"],
            [
                [str(int(r)), v.RESISTANCE_LABELS[r], v.FORCE_LEVEL_LABELS[v.ForceLevel(int(r))]]
                for r in v.Resistance
            ],
        ),
        "",
        "## People",
        "",
    ]
    out += _codes("Race (FBI National Use-of-Force Data Collection categories)", v.RACES)
    out += _codes("Ethnicity", v.ETHNICITIES)
    out += _codes("Sex", v.SEXES)
    out += _codes("Age band", v.AGE_BANDS)
    out += _codes("Subject indicators", v.INDICATORS)
    out += _codes("Armed with", v.ARMED_WITH)
    out += _codes("Role on scene", v.ROLES_ON_SCENE)
    out += _codes("Contact type", v.CONTACT_TYPES)
    out += _codes("Injury severity", v.INJURY_SEVERITIES)
    out += ["## The Critical Decision-Making Model", ""]
    out += _codes("CDM steps (PERF ICAT)", {s.value: label for s, label in v.CDM_LABELS.items()})
    out += ["## Complaints", ""]
    out += _codes("Allegation category", v.ALLEGATION_CATEGORIES)
    out += _codes("Finding", v.FINDINGS)
    out += _codes("Channel", v.COMPLAINT_CHANNELS)
    return "\n".join(out).rstrip() + "\n"
