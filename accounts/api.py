from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts import services
from accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, User
from accounts.selectors import relation_state
from core.ratelimit import limit
from core.text_checks import TextRefused


class VerifiedTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Issue tokens only to accounts that could also log in on the site."""

    def validate(self, attrs):
        # allauth authenticates, so that the site's log-in and the API share one per-account
        # failed-login limit (ACCOUNT_RATE_LIMITS["login_failed"]) and its per-IP one.
        request = self.context["request"]
        django_request = getattr(request, "_request", request)
        login = attrs[self.username_field]
        credentials = {"email" if "@" in login else "username": login}
        try:
            user = get_adapter(django_request).authenticate(
                django_request, password=attrs["password"], **credentials
            )
        except DjangoValidationError:
            raise exceptions.Throttled(
                detail=_("Too many failed log-in attempts. Try again later.")
            ) from None
        if not jwt_settings.USER_AUTHENTICATION_RULE(user):
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        self.user = user
        refresh = self.get_token(user)
        data = {"refresh": str(refresh), "access": str(refresh.access_token)}
        if jwt_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, user)
        mandatory = (
            allauth_settings.EMAIL_VERIFICATION
            == allauth_settings.EmailVerificationMethod.MANDATORY
        )
        if mandatory and not EmailAddress.objects.filter(user=self.user, verified=True).exists():
            raise exceptions.PermissionDenied(
                _("Verify your email address first: follow the link in the email we sent you.")
            )
        return data


class TokenObtainView(jwt_views.TokenObtainPairView):
    """Exchange a username and password for an access and a refresh token."""

    serializer_class = VerifiedTokenObtainPairSerializer
    throttle_scope = "auth"


class TokenRefreshView(jwt_views.TokenRefreshView):
    """Exchange a refresh token for a new access token."""

    throttle_scope = "auth"


class LogoutView(APIView):
    """Revoke a refresh token of the signed-in user (log out an API client)."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_scope = "auth"

    class LogoutInputSerializer(serializers.Serializer):
        refresh = serializers.CharField()

    @extend_schema(request=LogoutInputSerializer, responses={204: None})
    def post(self, request):
        incoming = self.LogoutInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not services.refresh_token_revoke(
            user=request.user, token=incoming.validated_data["refresh"]
        ):
            raise exceptions.ValidationError({"refresh": [_("That is not one of your tokens.")]})
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user's own account."""

    permission_classes = [permissions.IsAuthenticated]

    class MeOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        display_name = serializers.CharField()
        bio = serializers.CharField()
        avatar_url = serializers.CharField()
        date_joined = serializers.DateTimeField()

    class MeInputSerializer(serializers.Serializer):
        display_name = serializers.CharField(
            max_length=DISPLAY_NAME_MAX_LENGTH, allow_blank=True, required=False
        )
        bio = serializers.CharField(max_length=BIO_MAX_LENGTH, allow_blank=True, required=False)

    def get_serializer(self, *args, **kwargs):
        # Lets drf-spectacular describe the response.
        return self.MeOutputSerializer(*args, **kwargs)

    def get(self, request):
        return Response(self.MeOutputSerializer(request.user).data)

    def patch(self, request):
        limit(request, "profile_edit")
        incoming = self.MeInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            user = services.profile_update(
                user=request.user,
                display_name=incoming.validated_data.get("display_name", request.user.display_name),
                bio=incoming.validated_data.get("bio", request.user.bio),
            )
        except TextRefused as exc:
            raise exceptions.ValidationError({"detail": exc.message}) from None
        return Response(self.MeOutputSerializer(user).data)


# --- blocks and mutes ----------------------------------------------------------------------------
class _RelationApi(APIView):
    """POST makes the relation, DELETE undoes it; 409 if it already is (or is not) so."""

    permission_classes = [permissions.IsAuthenticated]
    create = staticmethod(lambda viewer, other: None)
    delete_ = staticmethod(lambda viewer, other: None)
    state_name = ""

    @extend_schema_serializer(component_name="RelationState")
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        blocked = serializers.BooleanField()
        muted = serializers.BooleanField()

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    def _change(self, request, username, change, code):
        other = get_object_or_404(User, username__iexact=username, is_active=True)
        try:
            change(request.user, other)
        except services.RelationError as exc:
            raise Conflict(exc.message) from None
        data = {"username": other.username, **relation_state(viewer=request.user, other=other)}
        return Response(self.OutputSerializer(data).data, status=code)

    def post(self, request, username):
        return self._change(request, username, self.create, status.HTTP_201_CREATED)

    def delete(self, request, username):
        return self._change(request, username, self.delete_, status.HTTP_200_OK)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("That is already so.")
    default_code = "conflict"


class BlockApi(_RelationApi):
    """POST blocks the user (you stop seeing each other; follows between you end), DELETE
    unblocks."""

    create = staticmethod(
        lambda viewer, other: services.block_create(blocker=viewer, blocked=other)
    )
    delete_ = staticmethod(
        lambda viewer, other: services.block_delete(blocker=viewer, blocked=other)
    )


class MuteApi(_RelationApi):
    """POST mutes the user (their videos and news leave your feeds), DELETE unmutes."""

    create = staticmethod(lambda viewer, other: services.mute_create(muter=viewer, muted=other))
    delete_ = staticmethod(lambda viewer, other: services.mute_delete(muter=viewer, muted=other))
