from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("people", views.PersonViewSet, basename="person")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("canonical-quotes", views.CanonicalQuoteViewSet, basename="canonical-quote")
router.register("events", views.EventViewSet, basename="event")
router.register("tags", views.TagViewSet, basename="tag")

# Swagger UI only: drf-spectacular's Redoc page loads Google Fonts, and the docs must be
# served entirely from this server's static files (issue 4, point 8).
# The "split" view serves Swagger UI's start-up script as a file (``?script``), so the page
# runs no inline script; its own markup and Swagger UI still use inline styles, which this
# page alone is allowed (issue 12: the public site's policy stays strict).
docs_view = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_view, name="docs"),
    *router.urls,
]
