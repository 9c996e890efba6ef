"""The moderation JSON API: the reasons catalogue, reports, one's standing and appeals."""

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation import selectors, services
from moderation.views import target_for_viewer


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()


class ReasonListApi(APIView):
    """GET the reasons a report may give, with their labels in the request's language."""

    permission_classes = [permissions.AllowAny]

    def get_serializer(self, *args, **kwargs):
        return ReasonSerializer(*args, **kwargs)

    @extend_schema(responses=ReasonSerializer(many=True))
    def get(self, request):
        return Response(ReasonSerializer(selectors.reasons_active(), many=True).data)


class TooManyReports(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "quota"


class ReportCreateApi(APIView):
    """POST a report of one video (`video`: short id), comment (`comment`: id) or account
    (`account`: username), with a `reason` code and an optional `note` (<= 1,000 characters).
    Your own content, something gone, a second report of the same thing and reports past the
    quotas are refused with a message (quotas: 429 with Retry-After)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ReportInput")
    class InputSerializer(serializers.Serializer):
        video = serializers.CharField(required=False)
        comment = serializers.IntegerField(required=False)
        account = serializers.CharField(required=False)
        reason = serializers.CharField()
        # Length is checked by the service, so that the API and the site say the same thing.
        note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)

        def validate(self, attrs):
            given = [name for name in ("video", "comment", "account") if name in attrs]
            if len(given) != 1:
                raise serializers.ValidationError(
                    {"detail": "Give exactly one of video, comment or account."}
                )
            return attrs

    @extend_schema_serializer(component_name="ReportOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        reason = serializers.CharField(source="reason.code")
        target_type = serializers.CharField()
        created_at = serializers.DateTimeField()

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        target_type = next(name for name in ("video", "comment", "account") if name in data)
        target = target_for_viewer(request, target_type, str(data[target_type]))
        try:
            report = services.report_create(
                reporter=request.user,
                reason_code=data["reason"],
                note=data.get("note", ""),
                language=get_language() or "",
                **target["kwargs"],
            )
        except services.QuotaExceeded as exc:
            error = TooManyReports(exc.message)
            error.wait = exc.retry_after
            raise error from None
        except services.ModerationError as exc:
            raise exceptions.ValidationError({"detail": exc.message, "code": exc.code}) from None
        return Response(self.OutputSerializer(report).data, status=status.HTTP_201_CREATED)


class StrikeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField(source="kind")
    target = serializers.CharField(source="target_repr")
    reason = serializers.CharField(source="reason.code", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    reversed_at = serializers.DateTimeField(allow_null=True)
    appeal_deadline = serializers.DateTimeField()
    can_appeal = serializers.BooleanField()
    appeal_status = serializers.SerializerMethodField()

    def get_appeal_status(self, strike) -> str | None:
        appeal = getattr(strike, "appeal", None)  # the reverse one-to-one may be missing
        return appeal.status if appeal else None


class StandingApi(APIView):
    """GET your account standing: suspension, limit, strikes and whether each can be
    appealed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="Standing")
    class OutputSerializer(serializers.Serializer):
        suspended = serializers.BooleanField()
        suspended_until = serializers.DateTimeField(allow_null=True)
        limited = serializers.BooleanField()
        active_strike_count = serializers.IntegerField()
        strikes = StrikeSerializer(many=True)

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    def get(self, request):
        return Response(self.OutputSerializer(selectors.standing_of(user=request.user)).data)


class AppealCreateApi(APIView):
    """POST an appeal of one of your strikes (`strike`: its id, `text`: <= 2,000 characters),
    within 20 days of the decision."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="AppealInput")
    class InputSerializer(serializers.Serializer):
        strike = serializers.IntegerField()
        text = serializers.CharField(max_length=20_000)

    @extend_schema_serializer(component_name="AppealOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        strike = serializers.IntegerField(source="action_id")
        status = serializers.CharField()
        created_at = serializers.DateTimeField()

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        strike = selectors.strike_get_for_appeal(
            user=request.user, pk=incoming.validated_data["strike"]
        )
        try:
            appeal = services.appeal_create(
                user=request.user, action=strike, text=incoming.validated_data["text"]
            )
        except services.ModerationError as exc:
            raise exceptions.ValidationError({"detail": exc.message, "code": exc.code}) from None
        return Response(self.OutputSerializer(appeal).data, status=status.HTTP_201_CREATED)
