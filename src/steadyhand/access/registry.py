"""The one registry of named, described actions and the roles that may take them.

``docs/permissions.md`` is generated from this module (``steadyhand permissions_doc``) and a test
fails when the two disagree. Add an action here, never an ``if role == …`` in a view.
"""

from dataclasses import dataclass

from steadyhand.access.roles import Role

ALL_ROLES = frozenset(Role)
STAFF_ROLES = ALL_ROLES

# The after-action-review wall (PRODUCT.md, non-negotiable 1). An actor holding any role listed
# here, in any assignment and at any scope, is refused every action of the category, whatever
# else they hold. ``register`` refuses an action that tries to grant a walled role.
WALLS: dict[str, frozenset[Role]] = {
    "aar": frozenset({Role.INTERNAL_AFFAIRS}),
    # Early-intervention flags are supportive and non-disciplinary by design (issue 8).
    "intervention": frozenset({Role.INTERNAL_AFFAIRS}),
}


@dataclass(frozen=True)
class Action:
    name: str
    description: str
    roles: frozenset[Role]
    # Roles that may take the action only on records they own (their own member record, their
    # own import job). Checked against ``Scope.owner_user_id``.
    self_roles: frozenset[Role] = frozenset()
    # Scoped actions respect the unit subtree of the grant; unscoped ones need only the role.
    scoped: bool = True
    # Public actions need no login and no role (the public complaint form); the agency still
    # has to match.
    public: bool = False

    @property
    def category(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def walled_from(self) -> frozenset[Role]:
        return WALLS.get(self.category, frozenset())


class RegistryError(Exception):
    pass


ACTIONS: dict[str, Action] = {}


def register(
    name: str,
    description: str,
    roles: frozenset[Role] | set[Role],
    *,
    self_roles: frozenset[Role] | set[Role] = frozenset(),
    scoped: bool = True,
    public: bool = False,
) -> Action:
    action = Action(name, description, frozenset(roles), frozenset(self_roles), scoped, public)
    if name in ACTIONS:
        raise RegistryError(f"Action {name!r} is registered twice.")
    breach = (action.roles | action.self_roles) & action.walled_from
    if breach:
        raise RegistryError(
            f"Action {name!r} would grant {sorted(breach)} access across the "
            f"{action.category!r} wall."
        )
    ACTIONS[name] = action
    return action


def get_action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise RegistryError(
            f"Unknown action {name!r}; register it in access/registry.py."
        ) from None


R = Role
_chain_readers = {R.AGENCY_ADMIN, R.SUPERVISOR, R.COMMANDER, R.TRAINER, R.INTERNAL_AFFAIRS}

register(
    "home.view", "See one's own home page and what needs one's attention.", ALL_ROLES, scoped=False
)
register(
    "unit.view", "See the unit tree (the agency's organisation chart).", ALL_ROLES, scoped=False
)
register("unit.manage", "Create, rename and move units.", {R.AGENCY_ADMIN})
register(
    "member.view",
    "See members' personnel records (name, badge, rank, unit, supervisor).",
    _chain_readers,
    self_roles={R.OFFICER},
)
register(
    "member.manage",
    "Add members and change their badge, rank, unit, supervisor or status.",
    {R.AGENCY_ADMIN},
)
register("member.import", "Import a member roster from CSV.", {R.AGENCY_ADMIN})
register("account.view", "See user accounts and their role assignments.", {R.AGENCY_ADMIN})
register(
    "account.manage", "Create and deactivate user accounts, reset passwords.", {R.AGENCY_ADMIN}
)
register(
    "role.assign", "Grant or revoke a role, agency-wide or over a unit subtree.", {R.AGENCY_ADMIN}
)
register(
    "agency.configure",
    "Change agency settings such as which roles need two-factor login.",
    {R.AGENCY_ADMIN},
)
register("audit.view", "Read the audit log.", {R.AUDITOR})
register("audit.verify", "Verify the audit log's hash chain.", {R.AUDITOR, R.AGENCY_ADMIN})
register(
    "job.view",
    "Follow a background job's progress and result.",
    {R.AGENCY_ADMIN},
    self_roles=ALL_ROLES,
)
# The after-action-review actions are used by the reviews app; they are registered now so that
# the wall is part of the access layer from the first day, not added later.
register(
    "aar.view",
    "Read a protected after-action review: its existence, participants and content.",
    {R.SUPERVISOR, R.COMMANDER, R.TRAINER},
    self_roles={R.OFFICER},
)
register("aar.facilitate", "Open and facilitate an after-action review.", {R.SUPERVISOR, R.TRAINER})

# Written policy ---------------------------------------------------------------------------
register("policy.view", "Read published policy and its version history.", ALL_ROLES, scoped=False)
register(
    "policy.edit",
    "Draft policy versions and their numbered sections.",
    {R.COMMANDER, R.TRAINER},
    scoped=False,
)
register("policy.approve", "Approve a draft policy version.", {R.COMMANDER}, scoped=False)
register(
    "policy.publish",
    "Publish an approved version (it then never changes) and set the acknowledgement due date.",
    {R.COMMANDER},
    scoped=False,
)
register(
    "policy.acknowledge",
    "Acknowledge a published policy version one has read.",
    set(),
    self_roles=ALL_ROLES,
)
register(
    "policy.compliance",
    "See who has and has not acknowledged policy, and who is overdue.",
    {R.SUPERVISOR, R.COMMANDER, R.TRAINER, R.AUDITOR},
)

# Training ---------------------------------------------------------------------------------
register(
    "training.catalogue",
    "See the course catalogue and the session calendar.",
    ALL_ROLES,
    scoped=False,
)
register(
    "training.manage",
    "Create and change courses, sessions, enrolments, attendance, completion and scores.",
    {R.TRAINER},
    scoped=False,
)
register(
    "training.record",
    "See a member's training transcript.",
    {R.SUPERVISOR, R.COMMANDER, R.TRAINER},
    self_roles=ALL_ROLES,
)
register(
    "training.import",
    "Import training records from CSV.",
    {R.TRAINER, R.AGENCY_ADMIN},
    scoped=False,
)
register(
    "training.report",
    "See training parity, mandate compliance and policy coverage (counts and hours).",
    {R.SUPERVISOR, R.COMMANDER, R.TRAINER, R.ANALYST, R.AUDITOR},
)
register(
    "mandate.manage",
    "Define training mandates (hours of a topic per rolling period).",
    {R.TRAINER, R.COMMANDER},
    scoped=False,
)
register(
    "rollout.view",
    "See roll-out plans, waves and their randomized assignments.",
    {R.SUPERVISOR, R.COMMANDER, R.TRAINER, R.ANALYST, R.AUDITOR},
    scoped=False,
)
register(
    "rollout.manage",
    "Plan roll-out waves and run their (immutable) randomized assignment.",
    {R.TRAINER, R.ANALYST},
    scoped=False,
)
register(
    "survey.manage",
    "Define anonymous attitude surveys and invite members.",
    {R.TRAINER},
    scoped=False,
)
register(
    "survey.respond",
    "Answer a survey one was invited to (anonymously).",
    set(),
    self_roles=ALL_ROLES,
)
register(
    "survey.results",
    "See survey results in aggregate (small groups suppressed).",
    {R.TRAINER, R.COMMANDER, R.ANALYST, R.AUDITOR},
    scoped=False,
)
register(
    "evaluation.view",
    "See program evaluations: estimates, charts and the printable report (aggregates only).",
    {R.ANALYST, R.COMMANDER, R.TRAINER, R.AUDITOR},
    scoped=False,
)
register(
    "evaluation.run",
    "Run a program evaluation of a roll-out (as a background job).",
    {R.ANALYST},
    scoped=False,
)

# Incidents ---------------------------------------------------------------------------------
# Identified incident records are for the chain of command and internal affairs; the members
# involved see their own. Analysts, auditors and administrators get de-identified exports and
# aggregates, never the records (PRODUCT.md: agency_admin is "not case content").
register(
    "incident.view",
    "Read an identified incident: people, timeline, statements (each read is logged).",
    {R.SUPERVISOR, R.COMMANDER, R.INTERNAL_AFFAIRS},
    self_roles=ALL_ROLES,
)
register(
    "incident.report",
    "File an incident report one was involved in: draft, timeline, submit.",
    set(),
    self_roles=ALL_ROLES,
)
register(
    "incident.statement",
    "Write one's own statement about an incident one was involved in.",
    set(),
    self_roles=ALL_ROLES,
)
register(
    "incident.import",
    "Import incidents from another system's CSV files through a mapping.",
    {R.AGENCY_ADMIN, R.ANALYST},
    scoped=False,
)
register(
    "incident.export",
    "Download de-identified open data (no names, badges or exact dates).",
    {R.ANALYST, R.COMMANDER, R.AUDITOR, R.AGENCY_ADMIN},
    scoped=False,
)
register(
    "incident.export_nuofdc",
    "Export qualifying incidents for the FBI National Use-of-Force Data Collection.",
    {R.AGENCY_ADMIN, R.ANALYST},
    scoped=False,
)

# Complaints --------------------------------------------------------------------------------
register(
    "complaint.submit",
    "Submit a complaint through the public web form (no login).",
    set(),
    scoped=False,
    public=True,
)
register(
    "complaint.intake",
    "Record a complaint received by telephone, in person or in writing.",
    {R.INTERNAL_AFFAIRS, R.SUPERVISOR, R.COMMANDER},
    scoped=False,
)
register(
    "complaint.view",
    "Read a complaint: complainant, narrative, allegations, findings (each read is logged).",
    {R.INTERNAL_AFFAIRS, R.COMMANDER},
)
register(
    "complaint.manage",
    "Add allegations, link members and incidents, record findings, close complaints.",
    {R.INTERNAL_AFFAIRS},
)
register(
    "complaint.import",
    "Import complaints from another system's CSV files through a mapping.",
    {R.AGENCY_ADMIN},
    scoped=False,
)

# The API -----------------------------------------------------------------------------------
register(
    "api.token",
    "Create and revoke one's own API tokens (a token acts with one's own roles).",
    set(),
    self_roles=ALL_ROLES,
    scoped=False,
)

# Scenarios (issue 7) -----------------------------------------------------------------------
# Added by helper "scenarios-web" for the lead to review: simulator runs in the browser.
register(
    "scenario.play",
    "Play scenario drills in the simulator; read one's own runs and their debriefs.",
    set(),
    self_roles=ALL_ROLES,
)
register(
    "scenario.run_session",
    "Run a group scenario session: watch every trainee's run live and inject scenario events.",
    {R.TRAINER},
    scoped=False,
)
register(
    "scenario.view_runs",
    "See the scenario runs and debriefs of trainees in one's chain of command.",
    {R.SUPERVISOR, R.COMMANDER, R.TRAINER},
)

# Formal force review and accountability (issue 5) -----------------------------------------
register(
    "review.view",
    "Read formal force reviews in one's chain of command (members: their own, once closed).",
    {R.SUPERVISOR, R.COMMANDER, R.INTERNAL_AFFAIRS},
    self_roles=ALL_ROLES,
)
register(
    "review.act",
    "Take one's step of a force review: findings, approve, return for correction, escalate.",
    {R.SUPERVISOR, R.COMMANDER},
)
register(
    "review.configure",
    "Set the agency's review routes by force level, and each step's due days.",
    {R.COMMANDER},
    scoped=False,
)
register(
    "corrective.manage",
    "Assign and follow up corrective actions: counselling, remedial training, referral to IA.",
    {R.SUPERVISOR, R.COMMANDER},
)
register(
    "training.assign_remedial",
    "Enrol a member in remedial training because of a review finding or a flag.",
    {R.SUPERVISOR, R.COMMANDER, R.TRAINER},
)

# After-action reviews beyond view/facilitate (issue 5): the "aar" category is walled --------
register(
    "aar.themes",
    "See aggregate themes across after-action reviews (counts only, small groups suppressed).",
    {R.TRAINER, R.COMMANDER},
    scoped=False,
)
register(
    "aar.publish",
    "Turn agreed lessons into de-identified case-library entries.",
    {R.TRAINER},
    scoped=False,
)
register(
    "library.view",
    "Read the de-identified case library of lessons learned.",
    ALL_ROLES,
    scoped=False,
)

# Commendations (issue 5) -------------------------------------------------------------------
register(
    "commendation.view",
    "See the agency's recognition page: approved commendations.",
    ALL_ROLES,
    scoped=False,
)
register(
    "commendation.nominate",
    "Nominate a member for a commendation.",
    ALL_ROLES,
    scoped=False,
)
register(
    "commendation.nominate_public",
    "Nominate an officer through the public web form (no login).",
    set(),
    scoped=False,
    public=True,
)
register(
    "commendation.approve",
    "Approve or decline commendation nominations in one's chain of command.",
    {R.SUPERVISOR, R.COMMANDER},
)
register(
    "commendation.configure",
    "Define the agency's award types.",
    {R.COMMANDER},
    scoped=False,
)

# Early intervention (issue 8): walled from internal affairs like after-action reviews --------
register(
    "intervention.view",
    "See early-intervention flags and their explanations in your chain of command.",
    {R.SUPERVISOR, R.COMMANDER},
    self_roles={R.OFFICER},
)
register(
    "intervention.respond",
    "Agree or disagree with an early-intervention flag and assign a supportive intervention.",
    {R.SUPERVISOR, R.COMMANDER},
)
register(
    "intervention.score",
    "Run early-intervention scoring for the agency.",
    {R.AGENCY_ADMIN},
    scoped=False,
)
register(
    "intervention.calibration",
    "See how often supervisors dispute each factor, and the recalibrated weights.",
    {R.COMMANDER, R.ANALYST},
    scoped=False,
)

# Dashboards and public transparency (issue 9) -----------------------------------------------
register(
    "dashboard.view",
    "See the command dashboard and monthly report for the units one oversees (aggregates).",
    {R.SUPERVISOR, R.COMMANDER, R.ANALYST, R.AUDITOR, R.AGENCY_ADMIN},
)
register(
    "transparency.view",
    "See the agency's public page and download its open data (no login; small cells suppressed).",
    set(),
    scoped=False,
    public=True,
)
