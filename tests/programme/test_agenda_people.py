"""Speakers on programme items and the reusable people directory, through the organiser's pages."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from tests.programme.conftest import audit_actions, event_by_slug

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def _person(app, name="Lars Larsson", title="Projektledare", organisation="Borås stad") -> int:
    with app.app_context():
        person = Person(name=name, title=title, organisation=organisation)
        db.session.add(person)
        db.session.commit()
        return person.id


def _speakers(app, item_id):
    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        return [(part.person.name, part.role) for part in item.speakers]


def _speaker_form(person="", name="", title="", organisation="", role="speaker") -> dict:
    return {"speaker-person": person, "speaker-new_name": name, "speaker-new_title": title,
            "speaker-new_organisation": organisation, "speaker-role": role}


def _age(app, slug):
    with app.app_context():
        db.session.execute(update(Event).where(Event.slug == slug).values(updated_at=OLD))
        db.session.commit()


def _updated_at(app, slug):
    with app.app_context():
        return event_by_slug(slug).updated_at


def test_add_a_speaker_from_the_directory(app, agenda):
    lars = _person(app)
    item_id = agenda.add_item(title="Hållbar arbetsmarknadsintegration")
    page = agenda.get(f"/items/{item_id}?lang=en").get_data(as_text=True)
    assert f'<option lang="sv" value="{lars}">Lars Larsson (Projektledare, Borås stad)</option>' in page
    _age(app, agenda.slug)
    response = agenda.post(f"/items/{item_id}/speakers", _speaker_form(person=str(lars), role="moderator"),
                           prefix="speaker")
    assert response.status_code == 303 and response.headers["Location"].endswith("#speakers")
    assert _speakers(app, item_id) == [("Lars Larsson", "moderator")]
    assert _updated_at(app, agenda.slug) > OLD
    with app.app_context():
        assert audit_actions(agenda.slug)[-1] == "programme.speaker_added"
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert "Moderator:</span>" in page and "Lars Larsson" in page


def test_add_a_new_person_inline_puts_them_in_the_directory(app, agenda):
    item_id = agenda.add_item(title="Panel", kind="panel")
    response = agenda.post(f"/items/{item_id}/speakers",
                           _speaker_form(name="Ulrica Zinn", title="VD", organisation="Zinn AB", role="panellist"),
                           prefix="speaker")
    assert response.status_code == 303
    assert _speakers(app, item_id) == [("Ulrica Zinn", "panellist")]
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.name == "Ulrica Zinn"))
        assert (person.title, person.organisation) == ("VD", "Zinn AB")
        assert audit_actions(agenda.slug)[-2:] == ["programme.person_added", "programme.speaker_added"]
    directory = agenda.get("/people?lang=en").get_data(as_text=True)
    assert "Ulrica Zinn" in directory and "Zinn AB" in directory


def test_speaker_form_needs_exactly_one_person(app, agenda):
    lars = _person(app)
    item_id = agenda.add_item()
    for data, message in (
        (_speaker_form(), "Choose a person from the directory or type a new name."),
        (_speaker_form(person=str(lars), name="Någon Annan"),
         "Choose a person from the directory or type a new name, not both."),
        (_speaker_form(person="987654"), "Choose a person from the list."),
        (_speaker_form(name="Eva", role="singer"), "Not a valid choice"),
    ):
        response = agenda.post(f"/items/{item_id}/speakers?lang=en", data, prefix="speaker")
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
    # What was typed stays in the form.
    response = agenda.post(f"/items/{item_id}/speakers?lang=en",
                           _speaker_form(person=str(lars), name="Någon Annan", organisation="Org X"),
                           prefix="speaker")
    assert 'value="Någon Annan"' in response.get_data(as_text=True)
    assert 'value="Org X"' in response.get_data(as_text=True)
    assert _speakers(app, item_id) == []


def test_the_same_person_is_not_added_twice(app, agenda):
    lars = _person(app)
    item_id = agenda.add_item()
    agenda.post(f"/items/{item_id}/speakers", _speaker_form(person=str(lars)), prefix="speaker")
    response = agenda.post(f"/items/{item_id}/speakers?lang=en", _speaker_form(person=str(lars)), prefix="speaker")
    assert response.status_code == 422
    assert "That person is already here." in response.get_data(as_text=True)
    assert _speakers(app, item_id) == [("Lars Larsson", "speaker")]


def test_remove_a_speaker_keeps_them_in_the_directory(app, agenda):
    lars = _person(app)
    item_id = agenda.add_item()
    agenda.post(f"/items/{item_id}/speakers", _speaker_form(person=str(lars)), prefix="speaker")
    with app.app_context():
        speaker_id = db.session.scalar(select(ItemSpeaker.id))
    _age(app, agenda.slug)
    assert agenda.post(f"/items/{item_id}/speakers/{speaker_id}/remove").status_code == 303
    assert _speakers(app, item_id) == []
    assert _updated_at(app, agenda.slug) > OLD
    with app.app_context():
        assert db.session.get(Person, lars) is not None
        assert audit_actions(agenda.slug)[-1] == "programme.speaker_removed"
    assert agenda.post(f"/items/{item_id}/speakers/{speaker_id}/remove").status_code == 404


def test_speaker_of_another_events_item_is_not_found(app, agenda, make_event, make_item):
    lars = _person(app)
    other_item = make_item(make_event(), title="Annat")
    response = agenda.post(f"/items/{other_item}/speakers", _speaker_form(person=str(lars)), prefix="speaker")
    assert response.status_code == 404
    assert _speakers(app, other_item) == []


def test_directory_lists_people_and_adds_one(app, agenda):
    _person(app, "Zlatan Öberg", "", "")
    _person(app, "anna Ahl", "Forskare", "Högskolan i Borås")
    page = agenda.get("/people?lang=en").get_data(as_text=True)
    assert page.index("anna Ahl") < page.index("Zlatan Öberg")  # by name, whatever the case
    response = agenda.post("/people", {"person-name": "Maria Ek", "person-title": "", "person-organisation": "RISE"},
                           prefix="person")
    assert response.status_code == 303
    response = agenda.post("/people?lang=en", {"person-name": "  ", "person-organisation": "Kvar"}, prefix="person")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a name." in page and 'value="Kvar"' in page
    with app.app_context():
        assert db.session.scalar(select(Person.organisation).where(Person.name == "Maria Ek")) == "RISE"
        assert audit_actions(agenda.slug)[-1] == "programme.person_added"


def test_editing_a_person_is_a_new_version_of_the_programmes_they_are_in(app, agenda, make_event):
    lars = _person(app)
    item_id = agenda.add_item()
    agenda.post(f"/items/{item_id}/speakers", _speaker_form(person=str(lars)), prefix="speaker")
    bystander = make_event(title="Utan Lars")
    _age(app, agenda.slug)
    _age(app, bystander)
    page = agenda.get(f"/people/{lars}").get_data(as_text=True)
    assert 'value="Lars Larsson"' in page
    response = agenda.post(f"/people/{lars}", {"person-name": "Lars Larsson Berg", "person-title": "Chef",
                                               "person-organisation": "Borås stad"}, prefix="person")
    assert response.status_code == 303
    assert _speakers(app, item_id) == [("Lars Larsson Berg", "speaker")]
    assert _updated_at(app, agenda.slug) > OLD
    assert _updated_at(app, bystander) == OLD
    with app.app_context():
        assert audit_actions(agenda.slug)[-1] == "programme.person_updated"
    assert agenda.get("/people/424242").status_code == 404


def test_a_person_in_a_programme_stays_in_the_directory(app, agenda):
    lars, spare = _person(app), _person(app, "Reserv Person", "", "")
    item_id = agenda.add_item()
    agenda.post(f"/items/{item_id}/speakers", _speaker_form(person=str(lars)), prefix="speaker")
    agenda.client.set_cookie("lang", "en")
    response = agenda.post(f"/people/{lars}/delete", follow_redirects=True)
    assert "That person is a speaker or group leader somewhere" in response.get_data(as_text=True)
    assert agenda.post(f"/people/{spare}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(Person, lars) is not None
        assert db.session.get(Person, spare) is None
        assert audit_actions(agenda.slug)[-1] == "programme.person_deleted"


# --- the same name twice -----------------------------------------------------------------------

def _directory_names(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Person.name).order_by(Person.id)))


def test_directory_says_a_name_is_already_there_and_adds_it_only_when_asked(app, agenda):
    berit = _person(app, "Berit Müllerström", "Forskare", "RISE")
    form = {"person-name": "berit  mullerstrom", "person-organisation": "Annan AB"}
    response = agenda.post("/people?lang=en", form, prefix="person")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "berit  mullerstrom is already in the directory." in page
    assert f'href="/manage/events/{agenda.slug}/programme/people/{berit}"' in page
    assert 'value="Annan AB"' in page  # what was typed stays
    assert _directory_names(app) == ["Berit Müllerström"]
    response = agenda.post("/people", {**form, "person-even_if_same_name": "y"}, prefix="person")
    assert response.status_code == 303
    assert _directory_names(app) == ["Berit Müllerström", "berit  mullerstrom"]


def test_a_new_speaker_with_a_name_already_there_is_asked_about(app, agenda):
    berit = _person(app, "Berit Müllerström", "Forskare", "RISE")
    item_id = agenda.add_item()
    response = agenda.post(f"/items/{item_id}/speakers?lang=en", _speaker_form(name="Berit Mullerstrom"),
                           prefix="speaker")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Is it the same person?" in page
    assert f'name="speaker-same_as" value="{berit}"' in page and 'name="speaker-same_as" value="new"' in page
    assert _speakers(app, item_id) == []
    # "Yes, it is Berit": the one in the directory is the speaker, nobody new is added.
    response = agenda.post(f"/items/{item_id}/speakers",
                           {**_speaker_form(name="Berit Mullerstrom"), "speaker-same_as": str(berit)},
                           prefix="speaker")
    assert response.status_code == 303
    assert _speakers(app, item_id) == [("Berit Müllerström", "speaker")]
    assert _directory_names(app) == ["Berit Müllerström"]


def test_a_new_speaker_who_only_shares_the_name_is_added_when_said_so(app, agenda):
    _person(app, "Berit Müllerström")
    item_id = agenda.add_item()
    response = agenda.post(f"/items/{item_id}/speakers",
                           {**_speaker_form(name="Berit Müllerström", organisation="Borås stad"),
                            "speaker-same_as": "new"}, prefix="speaker")
    assert response.status_code == 303
    assert _directory_names(app) == ["Berit Müllerström", "Berit Müllerström"]


# --- speakers while creating an item -----------------------------------------------------------

def _new_item(**extra) -> dict:
    from tests.programme.conftest import item_form
    return {**item_form(title="Panelsamtal", kind="panel"), **{f"new-{key}": value for key, value in extra.items()}}


def _items(app):
    with app.app_context():
        return [(item.title, [(part.person.name, part.role) for part in item.speakers])
                for item in db.session.scalars(select(ProgrammeItem).order_by(ProgrammeItem.id))]


def test_an_item_is_created_with_people_from_the_directory_and_a_new_one(app, agenda):
    lars, anna = _person(app), _person(app, "Anna Ahl", "Forskare", "Högskolan i Borås")
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert f'name="new-speakers" value="{lars}"' in page and "Anna Ahl (Forskare, Högskolan i Borås)" in page
    data = _new_item(speaker_role="panellist", new_name="Ulrica Zinn", new_organisation="Zinn AB")
    data["new-speakers"] = [str(anna), str(lars)]
    response = agenda.post("/items", data, prefix="new")
    assert response.status_code == 303
    assert _items(app) == [("Panelsamtal", [("Anna Ahl", "panellist"), ("Lars Larsson", "panellist"),
                                            ("Ulrica Zinn", "panellist")])]
    with app.app_context():
        assert audit_actions(agenda.slug)[-5:] == ["programme.item_added", "programme.speaker_added",
                                                   "programme.speaker_added", "programme.person_added",
                                                   "programme.speaker_added"]


def test_an_item_with_a_new_speaker_already_in_the_directory_is_not_saved_until_answered(app, agenda):
    lars = _person(app)
    response = agenda.post("/items?lang=en", _new_item(new_name="lars larsson"), prefix="new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Is it the same person?" in page and 'value="Panelsamtal"' in page
    assert _items(app) == []  # neither the item nor a second Lars
    response = agenda.post("/items", _new_item(new_name="lars larsson", same_as=str(lars)), prefix="new")
    assert response.status_code == 303
    assert _items(app) == [("Panelsamtal", [("Lars Larsson", "speaker")])]
    assert _directory_names(app) == ["Lars Larsson"]


def test_an_item_form_with_a_speaker_not_in_the_list_keeps_what_was_typed(app, agenda):
    data = _new_item(new_title="Moderator")
    data["new-speakers"] = ["987654"]
    response = agenda.post("/items?lang=en", data, prefix="new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose people from the list." in page and 'value="Panelsamtal"' in page and 'value="Moderator"' in page
    assert _items(app) == []


# --- merging two entries ---------------------------------------------------------------------

def test_two_entries_for_one_person_are_merged_after_confirming(app, agenda):
    lars, twin = _person(app), _person(app, "Lars Larson", "", "")
    item_id = agenda.add_item()
    agenda.post(f"/items/{item_id}/speakers", _speaker_form(person=str(twin), role="moderator"), prefix="speaker")
    page = agenda.get(f"/people/{lars}?lang=en").get_data(as_text=True)
    assert "In the directory twice?" in page and f'<option value="{twin}">Lars Larson</option>' in page
    confirm = agenda.get(f"/people/{lars}/merge?other={twin}&lang=en").get_data(as_text=True)
    assert "Its 1 part in programmes moves to Lars Larsson." in confirm
    assert _directory_names(app) == ["Lars Larsson", "Lars Larson"]  # looking changes nothing
    response = agenda.post(f"/people/{lars}/merge", {"other": str(twin), "confirm": "yes"})
    assert response.status_code == 303
    assert _directory_names(app) == ["Lars Larsson"]
    assert _speakers(app, item_id) == [("Lars Larsson", "moderator")]
    with app.app_context():
        assert audit_actions(agenda.slug)[-1] == "programme.people_merged"
    assert agenda.post(f"/people/{lars}/merge?lang=en", {"other": str(lars), "confirm": "yes"}).status_code == 422
