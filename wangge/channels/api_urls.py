from django.urls import path

from wangge.channels import api

urlpatterns = [
    path("channels/hotline/import", api.HotlineImportApi.as_view(),
         name="api-hotline-import"),
    path("channels/hotline/export", api.HotlineExportApi.as_view(),
         name="api-hotline-export"),
    path("channels/access-control/events", api.AccessEventApi.as_view(),
         name="api-access-control-events"),
]
