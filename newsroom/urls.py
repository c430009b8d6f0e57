from django.conf import settings
from django.conf.urls.static import static
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

# Uploaded images in development only (static() adds nothing when DEBUG is off): in
# production the web server or a CDN serves MEDIA_ROOT (README, "Images and bylines").
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Issue 12: under /api/ these answer JSON ({"detail": ...}); elsewhere the site's pages.
handler404 = "api.exceptions.page_not_found"
handler500 = "api.exceptions.server_error"
