"""HTTP API of co-governance (`/api/cogovernance/`): committees, meetings (plan, hold,
publish) and follow-up tasks (list, complete). Scoped like the pages: another community's
meeting is a 404; an assignee sees and completes their own tasks. The same services as the
console."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.cases.choices import Decision as CaseDecision
from wangge.cases.models import Case
from wangge.cases.services import MeetingDecision
from wangge.cogovernance import selectors, services
from wangge.cogovernance.choices import MeetingKind, Presence, TaskStatus
from wangge.cogovernance.models import (
    Committee,
    CommitteeMember,
    FollowUpTask,
    Meeting,
)
from wangge.core.scope import restrict
from wangge.grids.models import Grid

# --- output ----------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")

    class Meta:
        model = CommitteeMember
        fields = ["id", "organisation", "organisation_id", "representative_name", "role",
                  "joined_on", "left_on"]


class CommitteeSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code")
    members = serializers.SerializerMethodField()

    class Meta:
        model = Committee
        fields = ["id", "name", "kind", "grid", "active", "members"]

    def get_members(self, committee) -> list[dict]:
        return MemberSerializer(selectors.current_members(committee), many=True).data


class TaskSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="decision.meeting_id")
    meeting_title = serializers.CharField(source="decision.meeting.title")
    decision = serializers.CharField(source="decision.text")
    member = serializers.IntegerField(source="member_id", allow_null=True)
    worker = serializers.IntegerField(source="worker_id", allow_null=True)

    class Meta:
        model = FollowUpTask
        fields = ["id", "title", "meeting", "meeting_title", "decision", "member", "worker",
                  "assignee_label", "due_on", "status", "overdue", "done_at", "result"]


class GovernanceMeetingSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code")
    committee = serializers.IntegerField(source="committee_id", allow_null=True)
    direct_line = serializers.IntegerField(source="direct_line_id", allow_null=True)

    class Meta:
        model = Meeting
        fields = ["id", "kind", "title", "grid", "committee", "held_at", "place", "status",
                  "public", "published_at", "direct_line"]


class GovernanceMeetingDetailSerializer(GovernanceMeetingSerializer):
    agenda = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    class Meta(GovernanceMeetingSerializer.Meta):
        fields = [*GovernanceMeetingSerializer.Meta.fields, "minutes", "agenda", "attendance",
                  "decisions"]

    def get_agenda(self, meeting) -> list[dict]:
        return [{"id": i.pk, "order": i.order, "title": i.title, "proposal": i.proposal,
                 "case": i.case.tracking_code if i.case else None}
                for i in meeting.agenda.all()]

    def get_attendance(self, meeting) -> list[dict]:
        return [{"member": a.member_id, "worker": a.worker_id, "presence": a.presence}
                for a in meeting.attendance.all()]

    def get_decisions(self, meeting) -> list[dict]:
        return [{"id": d.pk, "text": d.text, "agenda_item": d.agenda_item_id,
                 "tasks": [{"id": t.pk, "title": t.title, "assignee_label": t.assignee_label,
                            "due_on": t.due_on, "status": t.status, "overdue": t.overdue}
                           for t in d.tasks.all()]}
                for d in meeting.decisions.all()]


def _error(exc: services.CogovernanceError) -> Response:
    if isinstance(exc, services.CogovernancePermissionDenied):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


def _meeting(request, pk: int) -> Meeting:
    try:
        return selectors.meeting_get(user=request.user, pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


# --- committees ------------------------------------------------------------------------------


class CommitteeListApi(generics.ListAPIView):
    """Co-governance committees of the user's part of the street, with their member units."""

    permission_classes = [IsAuthenticated]
    serializer_class = CommitteeSerializer

    def get_queryset(self):
        return selectors.committees(user=self.request.user)


class CommitteeDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CommitteeSerializer

    def get_queryset(self):
        return selectors.committees(user=self.request.user)


# --- meetings --------------------------------------------------------------------------------


class AgendaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    proposal = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    case = serializers.CharField(max_length=12, required=False, allow_blank=True,
                                 help_text=_("tracking code"))


class GovernanceMeetingInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    committee = serializers.IntegerField(required=False, allow_null=True)
    grid = serializers.CharField(required=False, help_text=_("street or community code"))
    title = serializers.CharField(max_length=100)
    held_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    agenda = AgendaInputSerializer(many=True, required=False)


class MeetingListApi(generics.ListAPIView):
    """Meetings of the user's community or street; POST plans one with its agenda."""

    permission_classes = [IsAuthenticated]
    serializer_class = GovernanceMeetingSerializer

    def get_queryset(self):
        kind = self.request.query_params.get("kind", "")
        return selectors.meetings(user=self.request.user,
                                  kind=kind if kind in MeetingKind.values else "")

    @extend_schema(request=GovernanceMeetingInput,
                   responses={201: GovernanceMeetingDetailSerializer})
    def post(self, request):
        data = GovernanceMeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        committee = None
        if v.get("committee"):
            committee = selectors.committees(user=request.user).filter(
                pk=v["committee"]).first()
            if committee is None:
                raise serializers.ValidationError({"committee": [_("No such committee.")]})
        grid = committee.grid if committee else restrict(
            Grid.objects.filter(code=v.get("grid", "")).defer("boundary"), request.user,
            "code", distinct=False).first()
        if grid is None:
            raise serializers.ValidationError({"grid": [_("No such street or community.")]})
        agenda = []
        for row in v.get("agenda", []):
            case = None
            if row.get("case"):
                case = (Case.objects.for_user(request.user).select_related("grid")
                        .filter(tracking_code=row["case"].strip().upper()).first())
                if case is None:
                    raise serializers.ValidationError(
                        {"agenda": [_("No such case: %(code)s") % {"code": row["case"]}]})
            agenda.append(services.AgendaInput(title=row.get("title", ""),
                                               proposal=row.get("proposal", ""), case=case))
        try:
            meeting = services.meeting_create(
                kind=v["kind"], grid=grid, committee=committee, title=v["title"],
                held_at=v["held_at"], place=v.get("place", ""), agenda=agenda,
                actor=request.user)
        except services.CogovernanceError as exc:
            return _error(exc)
        return Response(GovernanceMeetingDetailSerializer(_meeting(request, meeting.pk)).data,
                        status=status.HTTP_201_CREATED)


class MeetingDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=GovernanceMeetingDetailSerializer)
    def get(self, request, pk: int):
        return Response(GovernanceMeetingDetailSerializer(_meeting(request, pk)).data)


class AttendanceInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(required=False)
    worker = serializers.IntegerField(required=False)
    presence = serializers.ChoiceField(choices=Presence.choices)


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    member = serializers.IntegerField(required=False)
    worker = serializers.IntegerField(required=False)


class GovernanceDecisionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    agenda_item = serializers.IntegerField(required=False, allow_null=True)
    tasks = TaskInputSerializer(many=True, required=False)


class CaseDecisionInputSerializer(serializers.Serializer):
    case = serializers.CharField(help_text=_("tracking code"))
    decision = serializers.ChoiceField(choices=CaseDecision.choices)
    note = serializers.CharField(max_length=2000)
    handling_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    days = serializers.IntegerField(required=False, min_value=1, max_value=365, default=10)
    until = serializers.DateField(required=False, allow_null=True)


class HoldInput(serializers.Serializer):
    minutes = serializers.CharField(max_length=10000)
    attendance = AttendanceInputSerializer(many=True, required=False)
    decisions = GovernanceDecisionInputSerializer(many=True, required=False)
    public = serializers.BooleanField(required=False, default=False)
    case_decisions = CaseDecisionInputSerializer(
        many=True, required=False, help_text=_("direct-line meetings: the decision on each "
                                               "case"))


class MeetingHoldApi(APIView):
    """Record a held meeting: attendance, minutes, decisions with their follow-up tasks
    (which appear in the assignees' task lists), and whether the minutes are public."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=HoldInput, responses={200: GovernanceMeetingDetailSerializer})
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        data = HoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        members = ({m.pk: m for m in meeting.committee.members.current()
                    .select_related("organisation")} if meeting.committee_id else {})
        items = {i.pk: i for i in meeting.agenda.all()}

        def member(pk):
            if pk is None:
                return None
            if pk not in members:
                raise serializers.ValidationError({"member": [_("No such member unit.")]})
            return members[pk]

        def worker(pk):
            if pk is None:
                return None
            found = selectors.assignable_workers(grid=meeting.grid).filter(pk=pk).first()
            if found is None:
                raise serializers.ValidationError({"worker": [_("No such worker.")]})
            return found

        attendance = [services.AttendanceInput(presence=a["presence"],
                                               member=member(a.get("member")),
                                               worker=worker(a.get("worker")))
                      for a in v.get("attendance", [])]
        decisions = []
        for d in v.get("decisions", []):
            item = items.get(d.get("agenda_item")) if d.get("agenda_item") else None
            if d.get("agenda_item") and item is None:
                raise serializers.ValidationError({"agenda_item": [_("No such agenda item.")]})
            decisions.append(services.DecisionInput(
                text=d["text"], agenda_item=item,
                tasks=[services.TaskInput(title=t["title"], due_on=t["due_on"],
                                          member=member(t.get("member")),
                                          worker=worker(t.get("worker")))
                       for t in d.get("tasks", [])]))
        case_decisions = []
        visible = Case.objects.for_user(request.user)
        for row in v.get("case_decisions", []):
            case = visible.filter(tracking_code=row["case"].strip().upper()).first()
            if case is None:
                raise serializers.ValidationError(
                    {"case_decisions": [_("No such case: %(code)s") % {"code": row["case"]}]})
            case_decisions.append(MeetingDecision(
                case=case, decision=row["decision"], note=row["note"],
                handling_unit=row.get("handling_unit", ""), days=row.get("days", 10),
                until=row.get("until")))
        try:
            services.meeting_hold(meeting=meeting, actor=request.user, minutes=v["minutes"],
                                  attendance=attendance, decisions=decisions,
                                  public=v["public"], case_decisions=case_decisions)
        except services.CogovernanceError as exc:
            return _error(exc)
        return Response(GovernanceMeetingDetailSerializer(_meeting(request, pk)).data)


class PublishInput(serializers.Serializer):
    public = serializers.BooleanField()


class MeetingPublishApi(APIView):
    """Publish a held meeting's minutes on the residents' site, or take them down."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PublishInput, responses={200: GovernanceMeetingSerializer})
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            meeting = services.meeting_publish(meeting=meeting, actor=request.user,
                                               public=data.validated_data["public"])
        except services.CogovernanceError as exc:
            return _error(exc)
        return Response(GovernanceMeetingSerializer(meeting).data)


# --- follow-up tasks -------------------------------------------------------------------------


class TaskListApi(generics.ListAPIView):
    """Follow-up tasks the user may see (their community's or street's, and their own);
    `?status=open|done|cancelled`, `?overdue=1`, `?mine=1`."""

    permission_classes = [IsAuthenticated]
    serializer_class = TaskSerializer

    def get_queryset(self):
        params = self.request.query_params
        if params.get("mine") == "1":
            return selectors.my_follow_ups(user=self.request.user)
        state = params.get("status", "")
        return selectors.tasks(user=self.request.user,
                               status=state if state in TaskStatus.values else "",
                               overdue=params.get("overdue") == "1")


class TaskDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.tasks(user=self.request.user)


class CompleteInput(serializers.Serializer):
    result = serializers.CharField(max_length=2000)


class TaskCompleteApi(APIView):
    """Mark a task done with what was done: its assignee or an officer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CompleteInput, responses={200: TaskSerializer})
    def post(self, request, pk: int):
        try:
            task = selectors.task_get(user=request.user, pk=pk)
        except FollowUpTask.DoesNotExist as exc:
            raise Http404 from exc
        data = CompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            task = services.task_complete(task=task, actor=request.user,
                                          result=data.validated_data["result"])
        except services.CogovernancePermissionDenied as exc:
            raise Http404 from exc
        except services.CogovernanceError as exc:
            return _error(exc)
        return Response(TaskSerializer(selectors.task_get(user=request.user, pk=task.pk)).data)
