"""The people index sorts by surname, with a letter index (issue 15, point 5): it sorted by
first name, so "Rose Ayling-Ellis" filed under R."""

import re

import pytest

from people.models import Person
from tests.factories import make_mention, make_person, make_story

pytestmark = pytest.mark.django_db


def named(*names):
    people = [make_person(name) for name in names]
    story = make_story("A story", ["Words words words."])
    for n, person in enumerate(people):
        make_mention(story, person, start=n, end=n + 1)
    return people


def listed(client, url="/people/"):
    page = client.get(url).content.decode()
    main = page[page.index("<main") :]
    return re.findall(r'<a href="/people/[^"]+/">([^<]+)</a>', main), page


def test_people_are_filed_by_surname(client):
    named("Rose Ayling-Ellis", "Giovanni Pernice", "Dr Alex George", "Madonna", "Mesut Özil")
    names, page = listed(client)
    assert names == [
        "Rose Ayling-Ellis",
        "Dr Alex George",
        "Madonna",
        "Mesut Özil",
        "Giovanni Pernice",
    ]
    assert re.findall(r'<h2 id="letter-[a-z]+">([A-Z#])</h2>', page) == ["A", "G", "M", "O", "P"]


def test_a_letter_starts_the_list_at_its_surnames(client):
    named("Rose Ayling-Ellis", "Giovanni Pernice", "Anton Du Beke", "Shirley Ballas")
    names, page = listed(client, "/people/?letter=P")
    assert names == ["Giovanni Pernice"]
    assert 'rel="prev"' in page
    names, _ = listed(client, "/people/?letter=B")
    assert names == ["Shirley Ballas", "Anton Du Beke", "Giovanni Pernice"]


def test_cursor_pages_walk_surnames_in_order(client):
    named(*(f"Person Surname{n:03}" for n in range(150)))
    names, page = listed(client)
    assert names[0] == "Person Surname000" and len(names) == 100
    after = re.search(r'rel="next" href="([^"]+)"', page)[1].replace("&amp;", "&")
    more, page = listed(client, after)
    assert more[0] == "Person Surname100" and len(more) == 50
    before = re.search(r'rel="prev" href="([^"]+)"', page)[1].replace("&amp;", "&")
    back, _ = listed(client, before)
    assert back == names


def test_bulk_created_people_get_their_sort_key():
    Person.objects.bulk_create([Person(name="Rose Ayling-Ellis", slug="rose")])
    person = Person.objects.get(slug="rose")
    assert (person.sort_name, person.name_normalized) == ("ayling-ellis rose", "rose ayling-ellis")
