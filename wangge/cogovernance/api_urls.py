"""cogovernance API."""

app_name = "cogovernance-api"
urlpatterns: list = []
