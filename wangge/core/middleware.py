from django.conf import settings
from django.utils import timezone, translation


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie set
    by Django's set_language view). The browser's Accept-Language is not consulted: a
    street office's screens speak Chinese whatever the machine was set up with."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionIdleMiddleware:
    """The idle timeout without a database write per request: a signed-in session's expiry
    moves on (the session is saved) at most once a minute, or whenever the request changed
    it anyway. The session then ends between WANGGE_SESSION_IDLE_MINUTES - 1 and
    WANGGE_SESSION_IDLE_MINUTES after the last request. Sits right after
    SessionMiddleware, which does the saving."""

    REFRESH_SECONDS = 60
    KEY = "_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(timezone.now().timestamp())
        if session.modified or now - session.get(self.KEY, 0) >= self.REFRESH_SECONDS:
            session[self.KEY] = now
        return response
