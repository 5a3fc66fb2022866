"""Helpers shared by tests."""

import django_otp
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core.two_factor import DEVICE_NAME, confirmed_device, two_factor_required


def mark_verified_for_tests(client, user):
    """For tests that log in with `client.force_login`, which skips the login form and so the
    second factor: logs `user` in on the test `client` if it is not yet, and if the user has
    or must have an authenticator, marks the session as having passed the second factor (as
    django_otp.login does), giving the user a confirmed device if they have none. Returns
    the device, or None when the user owes no second factor."""
    session = client.session
    if session.get(SESSION_KEY) != user._meta.pk.value_to_string(user):
        client.force_login(user)
        session = client.session
    device = confirmed_device(user)
    if device is None:
        if not two_factor_required(user):
            return None
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
