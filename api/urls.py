from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("people", views.PersonViewSet, basename="person")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("events", views.EventViewSet, basename="event")
router.register("tags", views.TagViewSet, basename="tag")

# Swagger UI only: drf-spectacular's Redoc page loads Google Fonts, and the docs must be
# served entirely from this server's static files (issue 4, point 8).
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
