"""Public pages. Only published articles and what was extracted from them are shown."""

from django.shortcuts import get_object_or_404, redirect, render

from articles.models import Article, Event, Quote, Tag
from people.models import Person, PersonRedirect


def home(request):
    articles = Article.objects.published().latest_first()[:20]
    return render(request, "web/home.html", {"articles": articles})


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    quotes = Quote.objects.public().filter(article=article).select_related("speaker")
    return render(request, "web/article_detail.html", {"article": article, "quotes": quotes})


def person_list(request):
    return render(request, "web/person_list.html", {"people": Person.objects.all()})


def person_detail(request, slug):
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        moved = get_object_or_404(PersonRedirect.objects.select_related("person"), old_slug=slug)
        return redirect(moved.person, permanent=True)
    quotes = Quote.objects.public().filter(speaker=person).select_related("article")
    return render(request, "web/person_detail.html", {"person": person, "quotes": quotes})


def quote_detail(request, pk):
    quote = get_object_or_404(Quote.objects.public().select_related("speaker", "article"), pk=pk)
    return render(request, "web/quote_detail.html", {"quote": quote})


def event_list(request):
    events = Event.objects.public().chronological().select_related("article")
    return render(request, "web/event_list.html", {"events": events})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = tag.articles.published().latest_first()
    return render(request, "web/tag_detail.html", {"tag": tag, "articles": articles})
