from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from accounts import services
from accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH


class VerifiedTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Issue tokens only to accounts that could also log in on the site."""

    def validate(self, attrs):
        data = super().validate(attrs)
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
        incoming = self.MeInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        user = services.profile_update(
            user=request.user,
            display_name=incoming.validated_data.get("display_name", request.user.display_name),
            bio=incoming.validated_data.get("bio", request.user.bio),
        )
        return Response(self.MeOutputSerializer(user).data)
