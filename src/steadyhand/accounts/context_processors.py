"""Navigation: the links a role may use, decided by ``can`` (hiding is convenience only)."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from steadyhand.access.policy import can


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    action: str


# Grouped by the job a person comes to do, so a role with thirty links can still scan them.
NAV_GROUPS: tuple[tuple[str, tuple[NavLink, ...]], ...] = (
    (
        "My work",
        (
            NavLink("Home", "accounts:home", "home.view"),
            NavLink("Workbench", "reviews:workbench", "review.act"),
            NavLink("Notifications", "reviews:notifications", "home.view"),
        ),
    ),
    (
        "Incidents",
        (
            NavLink("Incidents", "incidents:incident_list", "incident.view"),
            NavLink("Force reviews", "reviews:list", "review.view"),
            NavLink("Early intervention", "intervention:list", "intervention.view"),
            NavLink("Complaints", "complaints:list", "complaint.view"),
            NavLink("Record a complaint", "complaints:intake", "complaint.intake"),
        ),
    ),
    (
        "Learning",
        (
            NavLink("After-action reviews", "aar:index", "aar.view"),
            NavLink("AAR themes", "aar:themes", "aar.themes"),
            NavLink("Case library", "aar:library", "library.view"),
            NavLink("Commendations", "recognition:index", "commendation.view"),
            NavLink("Scenario drills", "scenarios:index", "scenario.play"),
        ),
    ),
    (
        "Training and policy",
        (
            NavLink("Policy", "policy:document_list", "policy.view"),
            NavLink("Training", "training:catalogue", "training.catalogue"),
            NavLink("Training reports", "training:reports", "training.report"),
            NavLink("Roll-outs", "training:rollout_list", "rollout.view"),
        ),
    ),
    (
        "Measures",
        (
            NavLink("Dashboard", "dashboard:index", "dashboard.view"),
            NavLink("Evaluation", "evaluations:list", "evaluation.view"),
            NavLink("EI calibration", "intervention:calibration", "intervention.calibration"),
            NavLink("Exports", "exports:index", "incident.export"),
        ),
    ),
    (
        "Data in",
        (
            NavLink("Roster import", "imports:roster_upload", "member.import"),
            NavLink("Incident import", "incident_imports:upload", "incident.import"),
            NavLink("Complaint import", "complaint_imports:upload", "complaint.import"),
        ),
    ),
    (
        "Administration",
        (
            NavLink("Units", "agencies:unit_list", "unit.view"),
            NavLink("Members", "agencies:member_list", "member.view"),
            NavLink("Accounts", "accounts:user_list", "account.view"),
            NavLink("Agency settings", "agencies:agency_settings", "agency.configure"),
            NavLink("Review routes", "reviews:routes", "review.configure"),
            NavLink("EI scoring", "intervention:score", "intervention.score"),
            NavLink("Audit log", "audit:event_list", "audit.view"),
            NavLink("Verify audit chain", "audit:verify", "audit.verify"),
            NavLink("API tokens", "api:token_list", "api.token"),
        ),
    ),
)
NAV_LINKS: tuple[NavLink, ...] = tuple(link for _label, links in NAV_GROUPS for link in links)


def navigation(request: HttpRequest) -> dict[str, object]:
    actor = getattr(request, "actor", None)
    if not actor:
        return {"nav_groups": [], "actor": None}
    groups = []
    for label, links in NAV_GROUPS:
        allowed = [
            {"label": link.label, "url": reverse(link.url_name)}
            for link in links
            if can(actor, link.action)
        ]
        if allowed:
            groups.append({"label": label, "links": allowed})
    return {"nav_groups": groups, "actor": actor}
