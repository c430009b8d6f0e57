from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views
from .caching import public_page
from .sitemaps import SITEMAPS

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    # Editors' preview of a draft or scheduled article (staff only, never cached; issue 14).
    path("preview/articles/<int:pk>/", views.article_preview, name="article-preview"),
    path("people/", views.person_list, name="people"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote"),
    path("events/", views.event_list, name="events"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("search/", views.search, name="search"),
    # Feeds and crawler files.
    path("feeds/articles/rss/", public_page(feeds.LatestArticlesFeed()), name="feed-articles-rss"),
    path(
        "feeds/articles/atom/",
        public_page(feeds.LatestArticlesAtomFeed()),
        name="feed-articles-atom",
    ),
    path(
        "feeds/people/<slug:slug>/rss/",
        public_page(feeds.PersonFeed()),
        name="feed-person-rss",
    ),
    path(
        "feeds/people/<slug:slug>/atom/",
        public_page(feeds.PersonAtomFeed()),
        name="feed-person-atom",
    ),
    path("feeds/tags/<slug:slug>/rss/", public_page(feeds.TagFeed()), name="feed-tag-rss"),
    path("feeds/tags/<slug:slug>/atom/", public_page(feeds.TagAtomFeed()), name="feed-tag-atom"),
    # A sitemap index of paginated sections (issue 12): /sitemap-articles.xml?p=2.
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "web:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", public_page(views.robots_txt), name="robots"),
]
