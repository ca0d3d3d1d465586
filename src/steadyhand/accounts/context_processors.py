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


NAV_LINKS: tuple[NavLink, ...] = (
    NavLink("Home", "accounts:home", "home.view"),
    NavLink("Units", "agencies:unit_list", "unit.view"),
    NavLink("Members", "agencies:member_list", "member.view"),
    NavLink("Roster import", "imports:roster_upload", "member.import"),
    NavLink("Incident import", "incident_imports:upload", "incident.import"),
    NavLink("Incidents", "incidents:incident_list", "incident.view"),
    NavLink("Policy", "policy:document_list", "policy.view"),
    NavLink("Training", "training:catalogue", "training.catalogue"),
    NavLink("Training reports", "training:reports", "training.report"),
    NavLink("Roll-outs", "training:rollout_list", "rollout.view"),
    NavLink("Scenario drills", "scenarios:index", "scenario.play"),
    NavLink("Evaluation", "evaluations:list", "evaluation.view"),
    NavLink("Workbench", "reviews:workbench", "review.act"),
    NavLink("Force reviews", "reviews:list", "review.view"),
    NavLink("Review routes", "reviews:routes", "review.configure"),
    NavLink("Notifications", "reviews:notifications", "home.view"),
    NavLink("After-action reviews", "aar:index", "aar.view"),
    NavLink("AAR themes", "aar:themes", "aar.themes"),
    NavLink("Case library", "aar:library", "library.view"),
    NavLink("Commendations", "recognition:index", "commendation.view"),
    NavLink("Complaints", "complaints:list", "complaint.view"),
    NavLink("Record a complaint", "complaints:intake", "complaint.intake"),
    NavLink("Accounts", "accounts:user_list", "account.view"),
    NavLink("Agency settings", "agencies:agency_settings", "agency.configure"),
    NavLink("Audit log", "audit:event_list", "audit.view"),
    NavLink("Verify audit chain", "audit:verify", "audit.verify"),
    NavLink("Exports", "exports:index", "incident.export"),
    NavLink("API tokens", "api:token_list", "api.token"),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    actor = getattr(request, "actor", None)
    if not actor:
        return {"nav_links": [], "actor": None}
    links = [
        {"label": link.label, "url": reverse(link.url_name)}
        for link in NAV_LINKS
        if can(actor, link.action)
    ]
    return {"nav_links": links, "actor": actor}
