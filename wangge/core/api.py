"""Token login for API clients, with the second factor where the account has one."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from wangge.core.models import AuditAction
from wangge.core.services import audit_record
from wangge.core.two_factor import confirmed_device, two_factor_required
from wangge.core.validators import normalize_text


class TokenLoginApi(ObtainAuthToken):
    """`POST username, password` (and `otp`, the code from the authenticator app, for accounts
    with two-factor login) → `{"token": ...}` for `Authorization: Token ...`."""

    @extend_schema(
        request=inline_serializer("TokenLogin", {
            "username": serializers.CharField(), "password": serializers.CharField(),
            "otp": serializers.CharField(required=False)}),
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        device = confirmed_device(user)
        if device is None and two_factor_required(user):
            return Response({"detail": _(
                "This account must set up two-factor login on the website first.")},
                status=status.HTTP_403_FORBIDDEN)
        if device is not None:
            code = normalize_text(request.data.get("otp", "")).replace(" ", "")
            if not code or not device.verify_is_allowed()[0] or not device.verify_token(code):
                audit_record(actor=user, action=AuditAction.TWO_FACTOR_FAILED, target=user,
                             detail={"via": "api token"}, request=request)
                return Response({"detail": _(
                    "A valid two-factor code (otp) from your authenticator app is needed.")},
                    status=status.HTTP_403_FORBIDDEN)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
