"""What the scenario app puts on people's home pages (see ``accounts/home.py``): one's runs in
progress, and for trainers the group sessions they have open."""

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.scenarios.models import GroupSession, GroupSessionStatus, RunStatus
from steadyhand.scenarios.selectors import runs_of_actor, scenario_titles

ITEMS = 5


def home_sections(actor: Actor) -> list[HomeSection]:
    sections: list[HomeSection] = []
    if can(actor, "scenario.play"):
        titles = scenario_titles()
        runs = list(runs_of_actor(actor=actor).filter(status=RunStatus.IN_PROGRESS)[:ITEMS])
        sections.append(
            HomeSection(
                "Scenario drills",
                "",
                [
                    *(
                        HomeItem(
                            f"Continue {titles.get(r.scenario_id, r.scenario_id)}",
                            reverse("scenarios:play", args=[r.pk]),
                            f"turn {r.turn + 1}",
                        )
                        for r in runs
                    ),
                    HomeItem("Play a scenario or join a group session",
                             reverse("scenarios:index")),
                ],
            )
        )  # fmt: skip
    if can(actor, "scenario.run_session"):
        sessions = GroupSession.objects.filter(
            agency_id=actor.agency_id, trainer_id=actor.user_id, status=GroupSessionStatus.OPEN
        )[:ITEMS]
        sections.append(
            HomeSection(
                "Your open group sessions",
                "You have no group session open.",
                [
                    HomeItem(str(s), reverse("scenarios:session_live", args=[s.pk]),
                             f"code {s.code}")
                    for s in sessions
                ],
            )
        )  # fmt: skip
    return sections
