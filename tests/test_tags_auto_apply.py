"""Suggested tags that recur across published stories are applied automatically (issue 15,
point 5: 11 of 12 tags were empty because only editors' acceptances tag articles). The
rule is general and behind a setting (default off); drafts never
show a tag; editors can still dismiss an applied one."""

import pytest

from articles import services
from articles.importing import Importer
from articles.models import Article, Tag, TagSuggestion
from tests.factories import make_article, make_editor, make_tag, make_tag_suggestion
from tests.test_importing import parsed_story, pipeline, story_file  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggested(db):
    """Tag "Tennis" suggested (pending) for three published stories and one draft."""
    tag = make_tag("Tennis")
    stories = [make_article(f"Match {n}") for n in range(3)]
    draft = make_article("Draft match", status=Article.Status.DRAFT)
    for article in [*stories, draft]:
        make_tag_suggestion(article, tag)
    return tag, stories, draft


def test_off_by_default(suggested):
    """Off unless a newsroom chooses a threshold (issue 15: "setting, default off")."""
    tag, _stories, _ = suggested
    assert services.tag_suggestions_auto_apply() == 0
    assert not tag.articles.exists()


def test_a_tag_suggested_for_enough_published_stories_tags_them(suggested, settings, client):
    """Applied to the published stories only; the draft's suggestion waits, and the tag
    page lists the published stories, never the draft."""
    settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = 3
    tag, stories, draft = suggested
    assert services.tag_suggestions_auto_apply() == 3
    assert set(tag.articles.all()) == set(stories)
    applied = TagSuggestion.objects.filter(tag=tag, auto_applied=True)
    assert applied.filter(status=TagSuggestion.Status.ACCEPTED).count() == 3
    assert TagSuggestion.objects.get(article=draft).status == TagSuggestion.Status.PENDING
    page = client.get(tag.get_absolute_url()).content.decode()
    assert "Match 0" in page and "Draft match" not in page


def test_below_the_threshold_nothing_is_applied(suggested, settings):
    """Dismissed suggestions and drafts do not count towards the threshold."""
    settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = 3
    tag, stories, _ = suggested
    TagSuggestion.objects.filter(article=stories[0]).update(status=TagSuggestion.Status.DISMISSED)
    assert services.tag_suggestions_auto_apply() == 0
    assert not tag.articles.exists()


def test_publishing_a_draft_applies_its_recurring_tags(suggested, settings):
    settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = 3
    tag, _, draft = suggested
    services.tag_suggestions_auto_apply()
    editor = make_editor()
    services.article_set_status(article=draft, status=Article.Status.PUBLISHED, user=editor)
    assert tag.articles.filter(pk=draft.pk).exists()


def test_editors_can_dismiss_an_applied_tag(suggested, settings):
    """Dismissed, the tag leaves the story and is not applied again."""
    settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = 2
    tag, stories, _ = suggested
    services.tag_suggestions_auto_apply()
    suggestion = TagSuggestion.objects.get(article=stories[0])
    services.tag_suggestion_dismiss(suggestion=suggestion)
    services.tag_suggestions_auto_apply()
    assert not tag.articles.filter(pk=stories[0].pk).exists()
    assert tag.articles.count() == 2


def test_drafts_never_make_a_tag_public(settings):
    settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = 1
    tag = make_tag("Secret topic")
    make_tag_suggestion(make_article("Draft", status=Article.Status.DRAFT), tag)
    services.tag_suggestions_auto_apply()
    assert not Tag.objects.public().filter(pk=tag.pk).exists()


def test_imports_apply_recurring_suggestions(pipeline, story_file, settings):  # noqa: F811
    """Two published imports suggesting the same tag: with a threshold of 2 both are
    tagged once the second arrives."""
    settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = 2
    for n in (1, 2):
        story = parsed_story(name=f"s{n}.txt", raw=f"Story {n}\n\nbody {n}".encode())
        pipeline[f"s{n}.txt"] = story
        Importer(publish=True).import_path(story_file(f"s{n}.txt", f"{n}".encode()))
    tag = Tag.objects.get(name="Strictly Come Dancing")
    assert tag.articles.count() == 2
    assert TagSuggestion.objects.filter(auto_applied=True).count() == 2


def test_the_tag_page_says_which_stories_it_was_applied_to_automatically(
    suggested, settings, client
):
    """An editor's tag shows no note; an automatically applied one says so."""
    settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = 3
    tag, _stories, _ = suggested
    by_editor = make_article("Tagged by an editor")
    by_editor.tags.add(tag)
    services.tag_suggestions_auto_apply()
    page = client.get(tag.get_absolute_url()).content.decode()
    assert page.count("Topic suggested automatically") == 3
    editor_card = page[page.index("Tagged by an editor") :]
    following = editor_card.split("</article>", 1)[1][:200]
    assert "Topic suggested automatically" not in following
