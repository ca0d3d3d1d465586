"""The REST API, version 1: incidents, complaints, members and import batches.

Thin like the pages: parse, call one selector or service, serialise. Each view names the action
of each method (``required_actions``); ``RegistryPermission`` refuses roles that never hold it
(403) and the selectors refuse records the actor may not see (404, the same as missing).
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from steadyhand.access.actor import Actor
from steadyhand.agencies.models import Member
from steadyhand.agencies.selectors import member_get_visible, member_list_visible
from steadyhand.api import selectors
from steadyhand.api.permissions import api_actor
from steadyhand.api.serializers import (
    ComplaintDetailSerializer,
    ComplaintIntakeInput,
    ComplaintListSerializer,
    ImportBatchDetailSerializer,
    ImportBatchSerializer,
    IncidentDetailSerializer,
    IncidentListSerializer,
    IncidentRecordInput,
    MemberSerializer,
)
from steadyhand.complaints.models import Complaint
from steadyhand.complaints.selectors import complaint_get_visible, complaints_visible
from steadyhand.complaints.services import complaint_intake
from steadyhand.imports.models import ImportBatch
from steadyhand.incidents.intake_services import incident_record
from steadyhand.incidents.models import Incident, Involvement, TimelineEvent
from steadyhand.incidents.selectors import incident_get_visible, incidents_visible


def _actor(request: Request) -> Actor:
    actor = api_actor(request)
    assert actor is not None  # RegistryPermission let only actors through
    return actor


def _detail_prefetch(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    return queryset.prefetch_related(
        Prefetch("involvements", queryset=Involvement.objects.select_related("member")),
        "subjects",
        Prefetch(
            "events",
            queryset=TimelineEvent.objects.select_related(
                "actor_involvement__member", "actor_subject", "target_subject"
            ),
        ),
    )


class IncidentListCreate(generics.ListAPIView[Incident]):
    """Incidents the caller may read (their chain of command's, and their own). POST records a
    complete incident from another system (``incident_record``)."""

    required_actions = {"GET": "incident.view", "POST": "incident.report"}
    serializer_class = IncidentListSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        queryset = incidents_visible(actor=_actor(self.request)).order_by("-occurred_at", "-pk")
        status_filter = self.request.query_params.get("status")
        if status_filter:
            queryset = queryset.filter(status=status_filter)
        return queryset

    @extend_schema(
        request=IncidentRecordInput,
        responses={
            201: IncidentDetailSerializer,
            400: OpenApiResponse(description="Field errors keyed like events[2].code"),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = IncidentRecordInput(data=request.data)
        form.is_valid(raise_exception=True)
        actor = _actor(request)
        incident = incident_record(actor=actor, record=form.to_record())
        # The caller just wrote it; reading it back is not a separate disclosure.
        created = _detail_prefetch(Incident.objects.filter(pk=incident.pk)).get()
        return Response(IncidentDetailSerializer(created).data, status=status.HTTP_201_CREATED)


class IncidentDetail(generics.RetrieveAPIView[Incident]):
    """One identified incident with its people and timeline. Each read is logged."""

    required_actions = {"GET": "incident.view"}
    serializer_class = IncidentDetailSerializer

    def get_object(self) -> Incident:
        incident = incident_get_visible(
            actor=_actor(self.request), incident_id=int(self.kwargs["incident_id"])
        )
        return _detail_prefetch(Incident.objects.filter(pk=incident.pk)).get()


class ComplaintListCreate(generics.ListAPIView[Complaint]):
    """Complaints the caller may read. POST records one received by telephone, in person, by
    mail or from a member (``complaint_intake``)."""

    required_actions = {"GET": "complaint.view", "POST": "complaint.intake"}
    serializer_class = ComplaintListSerializer

    def get_queryset(self) -> QuerySet[Complaint]:
        return complaints_visible(actor=_actor(self.request)).order_by("-received_at", "-pk")

    @extend_schema(request=ComplaintIntakeInput, responses={201: ComplaintListSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = ComplaintIntakeInput(data=request.data)
        form.is_valid(raise_exception=True)
        complaint = complaint_intake(actor=_actor(request), **form.validated_data)
        return Response(ComplaintListSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintDetail(generics.RetrieveAPIView[Complaint]):
    """One complaint with its allegations. Each read is logged."""

    required_actions = {"GET": "complaint.view"}
    serializer_class = ComplaintDetailSerializer

    def get_object(self) -> Complaint:
        return complaint_get_visible(
            actor=_actor(self.request), complaint_id=int(self.kwargs["complaint_id"])
        )


class MemberList(generics.ListAPIView[Member]):
    required_actions = {"GET": "member.view"}
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[Member]:
        params = self.request.query_params
        return member_list_visible(
            actor=_actor(self.request),
            search=params.get("search", ""),
            status=params.get("status", ""),
        )


class MemberDetail(generics.RetrieveAPIView[Member]):
    required_actions = {"GET": "member.view"}
    serializer_class = MemberSerializer

    def get_object(self) -> Member:
        return member_get_visible(
            actor=_actor(self.request), member_id=int(self.kwargs["member_id"])
        )


class ImportBatchList(generics.ListAPIView[ImportBatch]):
    """Import batches of every kind the caller may import (rosters, training, incidents…)."""

    # Any one of the import actions opens the list; each row is then filtered by its kind's.
    required_actions = {"GET": "incident.import"}
    any_of_actions = {"GET": selectors.ALL_IMPORT_ACTIONS}
    serializer_class = ImportBatchSerializer

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return selectors.import_batches_visible(actor=_actor(self.request))


class ImportBatchDetail(generics.RetrieveAPIView[ImportBatch]):
    required_actions = {"GET": "incident.import"}
    any_of_actions = {"GET": selectors.ALL_IMPORT_ACTIONS}
    serializer_class = ImportBatchDetailSerializer

    def get_object(self) -> ImportBatch:
        return selectors.import_batch_get_visible(
            actor=_actor(self.request), batch_id=int(self.kwargs["batch_id"])
        )
