"""The tenant (Agency), its organisation (Unit tree) and its people (Member)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from steadyhand.access.policy import Scope
from steadyhand.core.models import TimeStampedModel, VersionedModel


class Agency(TimeStampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="America/Chicago")
    # Roles whose holders must log in with a second factor (TOTP). PRODUCT.md: roles that see
    # identified records.
    require_2fa_roles = models.JSONField(default=list, blank=True)
    is_demo = models.BooleanField(default=False)
    # Smallest count the public page and open data may show (issue 9); smaller counts, and the
    # complements that protect them, are hidden (steadyhand.analytics.suppression).
    suppression_threshold = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(2)],
        help_text="Public statistics hide every count below this number.",
    )

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.pk)

    @property
    def root_unit(self) -> "Unit":
        return self.units.get(parent__isnull=True)


class UnitKind(models.TextChoices):
    AGENCY = "agency", "Agency"
    BUREAU = "bureau", "Bureau"
    DIVISION = "division", "Division"
    PRECINCT = "precinct", "Precinct / district"
    SECTION = "section", "Section"
    SQUAD = "squad", "Squad / shift"


class Unit(VersionedModel):
    """A node of the agency's tree. ``path`` is the materialised path of ids, ``/1/4/9/``.

    A subtree is ``path LIKE '/1/4/%'``: one indexed query (PostgreSQL gets a
    ``varchar_pattern_ops`` index for it automatically), never a walk in Python.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=120)
    code = models.CharField(max_length=20, help_text="Short code used in imports, e.g. 'D7-S2'.")
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique_in_agency"),
        ]
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id, unit_path=self.path)


class Rank(models.TextChoices):
    RECRUIT = "recruit", "Recruit"
    OFFICER = "officer", "Police officer"
    DETECTIVE = "detective", "Detective"
    SERGEANT = "sergeant", "Sergeant"
    LIEUTENANT = "lieutenant", "Lieutenant"
    CAPTAIN = "captain", "Captain"
    COMMANDER = "commander", "Commander"
    DEPUTY_CHIEF = "deputy_chief", "Deputy chief"
    CHIEF = "chief", "Chief"
    CIVILIAN = "civilian", "Civilian staff"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LEAVE = "leave", "On leave"
    SUSPENDED = "suspended", "Suspended"
    SEPARATED = "separated", "Separated"


class Shift(models.TextChoices):
    """The watch a member works. Exposure differs by shift (nights see more force), so early
    intervention compares members with peers on the same shift (issue 8)."""

    DAY = "day", "Day"
    EVENING = "evening", "Evening"
    NIGHT = "night", "Night"
    ROTATING = "rotating", "Rotating"


class Assignment(models.TextChoices):
    """The kind of work a member is assigned to; peers share unit, shift and assignment."""

    PATROL = "patrol", "Patrol"
    TACTICAL = "tactical", "Tactical / special operations"
    TRAFFIC = "traffic", "Traffic"
    INVESTIGATIONS = "investigations", "Investigations"
    COMMUNITY = "community", "Community / school"
    SUPERVISION = "supervision", "Field supervision"
    ADMINISTRATIVE = "administrative", "Administrative"


class Member(VersionedModel):
    """A sworn or civilian member of the agency (a personnel record, not a login)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    badge = models.CharField(max_length=20)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    rank = models.CharField(max_length=20, choices=Rank.choices, default=Rank.OFFICER)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="members")
    supervisor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    hire_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    # Blank when the roster does not say; early intervention then pools the member with the
    # others whose shift or assignment is not recorded.
    shift = models.CharField(max_length=12, choices=Shift.choices, blank=True)
    assignment = models.CharField(max_length=20, choices=Assignment.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "badge"], name="member_badge_unique_in_agency"
            ),
        ]
        indexes = [models.Index(Lower("last_name"), "agency", name="member_last_name_idx")]
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.get_rank_display()} {self.first_name} {self.last_name} (#{self.badge})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def account_user_id(self) -> int | None:
        """The id of the login linked to this member, if any."""
        account = getattr(self, "user_account", None)
        return account.pk if account is not None else None

    def access_scope(self) -> Scope:
        return Scope(
            agency_id=self.agency_id, unit_path=self.unit.path, owner_user_id=self.account_user_id
        )
