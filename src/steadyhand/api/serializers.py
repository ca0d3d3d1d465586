"""What the API reads and writes. Output serializers are read-only views of the models; input
serializers check shapes and types only — the services decide what is valid, so the API and the
pages refuse the same things with the same messages."""

from typing import Any

from rest_framework import serializers

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Member
from steadyhand.complaints.models import Allegation, Complainant, Complaint
from steadyhand.imports.models import ImportBatch
from steadyhand.incidents.intake_services import (
    EventRecord,
    IncidentRecord,
    InvolvementRecord,
    SubjectRecord,
)
from steadyhand.incidents.models import Incident, Involvement, Subject, TimelineEvent

# Incidents ------------------------------------------------------------------------------------

INCIDENT_SUMMARY_FIELDS = [
    "id",
    "case_number",
    "status",
    "occurred_at",
    "unit",
    "district",
    "beat",
    "contact_type",
    "call_type",
    "force_used",
    "highest_force_level",
    "highest_resistance",
    "subject_injured",
    "officer_injured",
    "arrest_made",
    "subject_hospitalised",
    "resolution",
    "de_escalation_attempted",
    "supervisor_notified",
    "source",
    "submitted_at",
]


class IncidentListSerializer(serializers.ModelSerializer[Incident]):
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Incident
        fields = INCIDENT_SUMMARY_FIELDS
        read_only_fields = fields


class InvolvementSerializer(serializers.ModelSerializer[Involvement]):
    badge = serializers.CharField(source="member.badge", read_only=True, default="")
    member_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Involvement
        fields = ["badge", "member_id", "external_id", "role_on_scene", "used_force", "injured"]
        read_only_fields = fields


class SubjectSerializer(serializers.ModelSerializer[Subject]):
    indicators = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Subject
        fields = [
            "ordinal",
            "race",
            "ethnicity",
            "sex",
            "age_band",
            "indicators",
            "armed_with",
            "highest_resistance",
            "injured",
            "injury_severity",
            "arrested",
            "hospitalised",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer[TimelineEvent]):
    actor_badge = serializers.SerializerMethodField()
    actor_subject = serializers.SerializerMethodField()
    target_subject = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEvent
        fields = [
            "sequence",
            "offset_seconds",
            "kind",
            "code",
            "label",
            "actor_badge",
            "actor_subject",
            "target_subject",
            "resistance",
            "force_level",
            "note",
            "source_code",
        ]
        read_only_fields = fields

    def get_actor_badge(self, event: TimelineEvent) -> str:
        inv = event.actor_involvement
        if inv is None:
            return ""
        return inv.member.badge if inv.member else inv.external_id

    def get_actor_subject(self, event: TimelineEvent) -> int | None:
        return event.actor_subject.ordinal if event.actor_subject else None

    def get_target_subject(self, event: TimelineEvent) -> int | None:
        return event.target_subject.ordinal if event.target_subject else None


class IncidentDetailSerializer(IncidentListSerializer):
    reported_by = serializers.CharField(source="reported_by.badge", read_only=True, default="")
    involvements = InvolvementSerializer(many=True, read_only=True)
    subjects = SubjectSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            *INCIDENT_SUMMARY_FIELDS,
            "location",
            "latitude",
            "longitude",
            "narrative",
            "reported_by",
            "source_key",
            "involvements",
            "subjects",
            "events",
        ]
        read_only_fields = fields


class InvolvementInput(serializers.Serializer[InvolvementRecord]):
    badge = serializers.CharField(max_length=20)
    role_on_scene = serializers.CharField(max_length=20, default="primary")
    used_force = serializers.BooleanField(required=False, allow_null=True, default=None)
    injured = serializers.BooleanField(required=False, allow_null=True, default=None)


class SubjectInput(serializers.Serializer[SubjectRecord]):
    race = serializers.CharField(max_length=20, default="unknown")
    ethnicity = serializers.CharField(max_length=20, default="unknown")
    sex = serializers.CharField(max_length=10, default="unknown")
    age_band = serializers.CharField(max_length=10, default="unknown")
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=30), default=list, help_text=", ".join(v.INDICATORS)
    )
    armed_with = serializers.CharField(max_length=10, default="none")
    injured = serializers.BooleanField(default=False)
    injury_severity = serializers.CharField(max_length=15, default="none")
    arrested = serializers.BooleanField(default=False)
    hospitalised = serializers.BooleanField(default=False)


class EventInput(serializers.Serializer[EventRecord]):
    code = serializers.CharField(max_length=40, help_text="A vocabulary code (docs/vocabulary.md).")
    kind = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    offset_seconds = serializers.IntegerField(required=False, allow_null=True, default=None)
    actor_badge = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    actor_subject = serializers.IntegerField(required=False, allow_null=True, default=None)
    target_subject = serializers.IntegerField(required=False, allow_null=True, default=None)
    resistance = serializers.IntegerField(required=False, allow_null=True, default=None)
    force_level = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class IncidentRecordInput(serializers.Serializer[IncidentRecord]):
    """A whole incident pushed by a records system. ``kind`` of an event may be omitted."""

    case_number = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    occurred_at = serializers.DateTimeField()
    contact_type = serializers.CharField(max_length=20, help_text=", ".join(v.CONTACT_TYPES))
    call_type = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    district = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    beat = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    narrative = serializers.CharField(required=False, default="", allow_blank=True)
    reported_by_badge = serializers.CharField(
        max_length=20, required=False, default="", allow_blank=True
    )
    supervisor_notified = serializers.BooleanField(required=False, allow_null=True, default=None)
    involvements = InvolvementInput(many=True)
    subjects = SubjectInput(many=True, required=False, default=list)
    events = EventInput(many=True, required=False, default=list)

    def to_record(self) -> IncidentRecord:
        data: dict[str, Any] = dict(self.validated_data)
        return IncidentRecord(
            **{
                **data,
                "involvements": tuple(InvolvementRecord(**i) for i in data["involvements"]),
                "subjects": tuple(
                    SubjectRecord(**{**s, "indicators": tuple(s["indicators"])})
                    for s in data["subjects"]
                ),
                "events": tuple(EventRecord(**e) for e in data["events"]),
            }
        )


# Complaints -----------------------------------------------------------------------------------


class AllegationSerializer(serializers.ModelSerializer[Allegation]):
    badge = serializers.CharField(source="member.badge", read_only=True, default="")

    class Meta:
        model = Allegation
        fields = [
            "id",
            "badge",
            "external_officer_id",
            "category",
            "description",
            "finding",
            "finding_at",
        ]
        read_only_fields = fields


class ComplainantSerializer(serializers.ModelSerializer[Complainant]):
    class Meta:
        model = Complainant
        fields = ["is_victim", "race", "sex", "age_band"]
        read_only_fields = fields


class ComplaintListSerializer(serializers.ModelSerializer[Complaint]):
    unit = serializers.CharField(source="unit.code", read_only=True, default="")
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "received_at",
            "channel",
            "status",
            "occurred_at",
            "unit",
            "incident",
            "closed_at",
        ]
        read_only_fields = fields


class ComplaintDetailSerializer(ComplaintListSerializer):
    allegations = AllegationSerializer(many=True, read_only=True)
    people = ComplainantSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            *ComplaintListSerializer.Meta.fields,
            "location",
            "narrative",
            "complainant_name",
            "complainant_contact",
            "allegations",
            "people",
        ]
        read_only_fields = fields


class ComplaintIntakeInput(serializers.Serializer[Complaint]):
    channel = serializers.CharField(max_length=20, help_text=", ".join(v.COMPLAINT_CHANNELS))
    narrative = serializers.CharField()
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    complainant_name = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    complainant_contact = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    officer_description = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True
    )


# Members --------------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer[Member]):
    unit = serializers.CharField(source="unit.code", read_only=True)
    supervisor = serializers.CharField(source="supervisor.badge", read_only=True, default="")

    class Meta:
        model = Member
        fields = [
            "id",
            "badge",
            "first_name",
            "last_name",
            "rank",
            "unit",
            "supervisor",
            "hire_date",
            "status",
        ]
        read_only_fields = fields


# Imports --------------------------------------------------------------------------------------

IMPORT_FIELDS = [
    "id",
    "kind",
    "file_name",
    "size",
    "sha256",
    "status",
    "row_count",
    "valid_count",
    "error_row_count",
    "error_count",
    "create_count",
    "update_count",
    "unchanged_count",
    "loaded_count",
    "load_mode",
    "fatal",
    "failure",
    "created_at",
    "validated_at",
    "loaded_at",
]


class ImportBatchSerializer(serializers.ModelSerializer[ImportBatch]):
    class Meta:
        model = ImportBatch
        fields = IMPORT_FIELDS
        read_only_fields = fields


class ImportBatchDetailSerializer(ImportBatchSerializer):
    # Not "errors": that name is the serializer's own validation result.
    row_errors = serializers.JSONField(source="errors", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [*IMPORT_FIELDS, "row_errors"]
        read_only_fields = fields
