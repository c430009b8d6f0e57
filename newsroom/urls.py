from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
]

# Issue 12: under /api/ these answer JSON ({"detail": ...}); elsewhere the site's pages.
handler404 = "api.exceptions.page_not_found"
handler500 = "api.exceptions.server_error"
