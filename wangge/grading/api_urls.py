"""grading API."""

app_name = "grading-api"
urlpatterns: list = []
