"""The organisers' attendee list: search, filters, sorting, pages, and a fixed number of queries per page."""
from __future__ import annotations

import html
import re

import pytest

from eventhub.attendees.services import PAGE_SIZE
from eventhub.extensions import db
from tests.attendees.support import seed_registrations, sign_in, staff_member
from tests.registration.support import add_group_session, page_text, register

ROW = re.compile(r'<th scope="row"><a href="/manage/events/[^/]+/attendees/(\d+)">([^<]*)</a>')


def names(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [html.unescape(name) for _id, name in ROW.findall(response.get_data(as_text=True))]


@pytest.fixture
def people(app, signed_in):
    """Five people to search and filter among, plus a discussion group with two of them."""
    slug = signed_in.slug
    with app.app_context():
        on_site_group, _ = add_group_session(slug, [("Rum A", "on_site", 5), ("Zoom", "digital", 5)])
        register(slug, "asa@example.se", name="Åsa Öberg", organisation="Borås Stad", sector="public",
                 group_id=on_site_group)
        register(slug, "bengt@example.se", name="Bengt Berg", organisation="Högskolan i Borås", sector="academia",
                 group_id=on_site_group)
        register(slug, "cecilia@foretag.se", name="cecilia Ek", organisation="Företaget AB", mode="digital")
        register(slug, "dan@example.se", name="Dan Dahl", organisation="Ideell förening", sector="non_profit")
        register(slug, "eva@example.se", name="Eva Ek", mode="digital", sector="other")
    # Two seats per mode: Dan, the third on site, is on the waitlist.
    signed_in.group = on_site_group
    return signed_in


def url(slug, **args):
    from urllib.parse import urlencode

    return f"/manage/events/{slug}/attendees" + ("?" + urlencode(args) if args else "")


def test_list_shows_everyone(people):
    response = people.client.get(url(people.slug, lang="en"))
    assert sorted(names(response)) == sorted(["Åsa Öberg", "Bengt Berg", "cecilia Ek", "Dan Dahl", "Eva Ek"])
    text = page_text(response)
    assert "Showing 1–5 of 5 registrations." in text
    assert "Rum A" in text and "Borås Stad" in text and "Waitlisted" in text


@pytest.mark.parametrize(("query", "expected"), [
    ("ÅSA", {"Åsa Öberg"}),  # Swedish letters, any case, on both databases
    ("öberg", {"Åsa Öberg"}),
    ("BORÅS", {"Åsa Öberg", "Bengt Berg"}),  # organisation
    ("foretag.se", {"cecilia Ek"}),  # email
    ("CECILIA", {"cecilia Ek"}),
    (" ek ", {"cecilia Ek", "Eva Ek"}),  # trimmed
    ("100%", set()),  # LIKE wildcards are literal
    ("_", set()),
])
def test_search_by_name_email_or_organisation_ignores_case(people, query, expected):
    assert set(names(people.client.get(url(people.slug, q=query, lang="en")))) == expected


def test_filters_by_mode_status_sector_and_group(people):
    client, slug = people.client, people.slug
    assert set(names(client.get(url(slug, mode="digital")))) == {"cecilia Ek", "Eva Ek"}
    assert set(names(client.get(url(slug, status="waitlisted")))) == {"Dan Dahl"}  # third on site, two seats
    assert set(names(client.get(url(slug, sector="academia")))) == {"Bengt Berg"}
    assert set(names(client.get(url(slug, group=people.group)))) == {"Åsa Öberg", "Bengt Berg"}
    assert set(names(client.get(url(slug, mode="on_site", status="confirmed", q="berg")))) == {"Åsa Öberg",
                                                                                              "Bengt Berg"}
    assert names(client.get(url(slug, status="cancelled"))) == []


def test_the_form_is_a_plain_get_form_that_keeps_the_choices(people):
    body = people.client.get(url(people.slug, q="Ek", mode="digital", sector="other", lang="en")).get_data(
        as_text=True)
    form = re.search(r'<form method="get".*?</form>', body, re.DOTALL).group(0)
    assert 'method="get"' in form and "csrf" not in form
    assert 'name="q" value="Ek"' in form
    assert '<option value="digital" selected>' in form and '<option value="other" selected>' in form
    assert '<label for="q">' in form and '<label for="filter-status">' in form


def test_bad_filter_values_are_ignored_and_what_was_typed_is_kept(people):
    response = people.client.get(url(people.slug, q='<script>"x', mode="boat", status="??", sector="1",
                                      group="abc", sort="drop table", page="-3"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>" not in body and 'value="&lt;script&gt;&#34;x"' in body
    response = people.client.get(url(people.slug, mode="boat", group="999999999999", page="x"))
    assert len(names(response)) == 5


def test_a_group_of_another_event_is_not_a_filter(app, people, make_event):
    other = make_event()
    with app.app_context():
        (foreign,) = add_group_session(other, [("Annan", "on_site", 5)])
    assert len(names(people.client.get(url(people.slug, group=foreign)))) == 5


def test_sorting(people):
    client, slug = people.client, people.slug
    by_name = names(client.get(url(slug)))  # in the database's collation
    assert by_name.index("Eva Ek") > by_name.index("Dan Dahl") > by_name.index("Bengt Berg")
    assert names(client.get(url(slug, sort="-name"))) == list(reversed(by_name))
    assert names(client.get(url(slug, sort="registered"))) == ["Åsa Öberg", "Bengt Berg", "cecilia Ek", "Dan Dahl",
                                                               "Eva Ek"]
    assert names(client.get(url(slug, sort="-registered")))[0] == "Eva Ek"
    assert 'aria-sort="descending"' in client.get(url(slug, sort="-registered")).get_data(as_text=True)


def test_pages_of_fifty_with_links(app, signed_in):
    with app.app_context():
        seed_registrations(signed_in.slug, 120)
    client, slug = signed_in.client, signed_in.slug
    first = client.get(url(slug, lang="en"))
    assert len(names(first)) == PAGE_SIZE
    assert names(first)[0] == "Person 00000"
    body = first.get_data(as_text=True)
    assert "Showing 1–50 of 120 registrations." in page_text(first)
    assert f'href="/manage/events/{slug}/attendees?page=2" rel="next"' in body
    assert f'href="/manage/events/{slug}/attendees?page=3"' in body
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in body
    assert 'aria-label="Pages of registrations"' in body

    third = client.get(url(slug, page=3))
    assert names(third) == [f"Person {i:05d}" for i in range(100, 120)]
    assert 'rel="next"' not in third.get_data(as_text=True)
    # Filters stay in the page links.
    filtered = client.get(url(slug, mode="digital", page=1)).get_data(as_text=True)
    assert f'href="/manage/events/{slug}/attendees?mode=digital&amp;page=2"' in filtered
    # Past the end: the last page, not an error.
    assert names(client.get(url(slug, page=99))) == names(third)


def test_table_is_accessible(people):
    body = people.client.get(url(people.slug, lang="en")).get_data(as_text=True)
    assert '<caption id="attendee-caption">Registrations, page 1 of 1</caption>' in body
    # Five columns that fit the page (email under the name, sector under the organisation): no scrolling region.
    assert body.count('<th scope="col"') == 5
    assert 'role="region"' not in body
    assert 'aria-sort="ascending">Name and email</th>' in body
    # Every row's box to choose it has the person's name as its label.
    assert body.count('name="ids"') == 5
    assert '<label for="choose-' in body and ">Choose Åsa Öberg</label>" in body


def test_links_in_the_workspace_navigation(people):
    body = people.client.get(f"/manage/events/{people.slug}?lang=en").get_data(as_text=True)
    assert f'href="/manage/events/{people.slug}/attendees"' in body
    assert f'href="/manage/events/{people.slug}/statistics"' in body


def _count_page(client, count_queries, path):
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_a_page_costs_the_same_queries_at_10_and_200_registrations(app, make_event, count_queries):
    small, large = make_event(), make_event()
    for slug in (small, large):
        staff_member(app, slug, f"org-{slug}@example.se", "organiser")
    with app.app_context():
        for slug, count in ((small, 10), (large, 200)):
            add_group_session(slug, [("Rum", "on_site", None), ("Zoom", "digital", None)])
            seed_registrations(slug, count)
            # Everyone in a group, so the groups column has work to do on every row.
            from sqlalchemy import select

            from eventhub.groups.models import DiscussionGroup, GroupMembership
            from eventhub.programme.models import ProgrammeItem
            from eventhub.registration.models import Registration
            from tests.registration.support import event_by_slug

            event = event_by_slug(slug)
            groups = db.session.execute(select(DiscussionGroup.id, DiscussionGroup.item_id, DiscussionGroup.mode)
                                        .join(ProgrammeItem).where(ProgrammeItem.event_id == event.id)).all()
            by_mode = {mode: (group_id, item_id) for group_id, item_id, mode in groups}
            for rid, mode in db.session.execute(select(Registration.id, Registration.mode)
                                                .where(Registration.event_id == event.id)):
                group_id, item_id = by_mode[mode]
                db.session.add(GroupMembership(registration_id=rid, group_id=group_id, item_id=item_id,
                                               status="confirmed"))
            db.session.commit()
    counts = {}
    for slug in (small, large):
        organiser = app.test_client()
        sign_in(organiser, f"org-{slug}@example.se")
        organiser.get(url(slug))  # warm-up
        counts[slug] = [
            _count_page(organiser, count_queries, url(slug)),
            _count_page(organiser, count_queries, url(slug, q="person", mode="on_site", sort="-registered")),
            _count_page(organiser, count_queries, url(slug, page=2, status="confirmed")),
            # The segments as filters (also the mailing's audiences) and the rows' bulk checkboxes.
            _count_page(organiser, count_queries, url(slug, group="none", arrived="no", status="waitlisted")),
            _count_page(organiser, count_queries, url(slug, status="confirmed", mode="digital")),
        ]
    assert counts[small] == counts[large]
    assert max(counts[large]) <= 8


def test_list_filters_by_arrival(app, signed_in):
    from datetime import UTC, datetime

    from eventhub.checkin import services as checkin
    from tests.registration.support import event_by_slug, register

    with app.app_context():
        here = register(signed_in.slug, "here@example.se", "on_site", name="Hilda Här").registration
        register(signed_in.slug, "away@example.se", "on_site", name="Bertil Borta")
        checkin.check_in_registration(event_by_slug(signed_in.slug).id, here.id, None, "arrival-filter-1",
                                      datetime.now(UTC))
    arrived = signed_in.client.get(f"/manage/events/{signed_in.slug}/attendees?arrived=yes").get_data(as_text=True)
    missing = signed_in.client.get(f"/manage/events/{signed_in.slug}/attendees?arrived=no").get_data(as_text=True)
    assert "Hilda Här" in arrived and "Bertil Borta" not in arrived
    assert "Bertil Borta" in missing and "Hilda Här" not in missing
