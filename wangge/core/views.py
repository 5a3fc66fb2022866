from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for load balancers: answers ok only if the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def server_error(request):
    """handler500. A database that cannot be reached (restarting, failing over) is not a bug
    of ours: answer 503 with Retry-After, in the caller's format, so load balancers and API
    clients retry; anything else stays a plain 500. Nothing was written: the request's
    transaction did not commit."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, HttpResponseServerError
    from django.utils.translation import gettext as _

    exc = sys.exc_info()[1]
    if not isinstance(exc, OperationalError | InterfaceError):
        return HttpResponseServerError(
            "<!doctype html><title>500</title><h1>{}</h1>".format(_("Server error")),
            content_type="text/html; charset=utf-8")
    message = _("The service is briefly unavailable; please try again in a moment.")
    if request.path.startswith(("/api/", "/open311/")):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(f"<!doctype html><title>503</title><p>{message}</p>",
                                status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = "5"
    return response
