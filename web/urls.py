from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("people/", views.person_list, name="people"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote"),
    path("events/", views.event_list, name="events"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
]
