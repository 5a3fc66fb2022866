"""activities API."""

app_name = "activities-api"
urlpatterns: list = []
