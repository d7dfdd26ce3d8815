"""The results: counts, averages and distributions on site beside digital and by sector, the written answers,
and the small-number rule that keeps anonymous answers from being recognised."""
from __future__ import annotations

import pytest

from eventhub.evaluation import results
from tests.evaluation.support import answer, set_up
from tests.registration.support import event_by_slug, page_text

# (name: overall, on_site or digital, change); Bengt, Eva and Zäta on site, the rest digital (support.PEOPLE)
ANSWERS = {
    "Bengt": (5, 5, "Mer tid för samtalen"),
    "Eva": (4, 4, ""),
    "Zäta": (4, 3, "Bra lokal"),
    "Åsa": (3, 2, "Ljudet hackade"),
    "Örjan": (2, 2, ""),
    "Cecilia": (3, 4, "Svårt att komma in i grupperna"),
    "Dan": (4, 3, ""),
}


def _answer_all(slug, ids, people=ANSWERS):
    for name, (overall, own, change) in people.items():
        mode_question = "on_site" if name in ("Bengt", "Eva", "Zäta") else "digital"
        answer(slug, ids[name], overall=overall, change=change, **{mode_question: own})


def _by_standard(found):
    return {result.question.standard: result for result in found.questions}


@pytest.mark.parametrize(("sizes", "shown"), [
    ({"on_site": 10, "digital": 9}, {"on_site", "digital"}),
    ({"on_site": 10, "digital": 2}, set()),  # one small mode: the other alone would reveal it
    ({"on_site": 10, "digital": 0}, {"on_site", "digital"}),  # nobody there: nothing to reveal
    ({"a": 5, "b": 1, "c": 2, "d": 7}, {"a", "d"}),  # 1 + 2 together are 3
    ({"a": 5, "b": 1, "c": 0, "d": 7}, {"c", "d"}),  # 1 alone: the next smallest goes with it
    ({"a": 3, "b": 3, "c": 3}, {"a", "b", "c"}),
    ({"a": 2, "b": 2}, set()),
], ids=["both-large", "one-small", "one-empty", "two-small-together", "one-small-and-next", "exactly-three",
        "all-small"])
def test_the_small_number_rule_withholds_groups_the_rest_would_reveal(sizes, shown):
    assert results.shown_groups(sizes) == shown
    withheld = sum(size for key, size in sizes.items() if key not in shown)
    assert withheld == 0 or withheld >= results.MIN_GROUP or not shown


def test_the_figures_are_split_by_mode_side_by_side(app_ctx, forum):
    set_up(forum.slug, anonymous=True)
    _answer_all(forum.slug, forum.ids)
    found = results.for_event(event_by_slug(forum.slug).id)
    by_key = _by_standard(found)

    assert found.responses == {"on_site": 3, "digital": 4} and found.with_a_place == {"on_site": 3, "digital": 5}
    assert found.split_by_mode
    overall = by_key["overall"]
    assert overall.total.answers == 7 and overall.total.average == pytest.approx(25 / 7)
    assert overall.by_mode["on_site"].average == pytest.approx(13 / 3)
    assert overall.by_mode["digital"].average == 3.0
    assert overall.by_mode["digital"].counts == {1: 0, 2: 1, 3: 2, 4: 1, 5: 0}
    assert overall.mode_gap == pytest.approx(13 / 3 - 3)
    assert set(by_key["on_site"].by_mode) == {"on_site"} and set(by_key["digital"].by_mode) == {"digital"}
    comments = by_key["change"].comments
    assert sorted((c.mode, c.text) for c in comments) == [
        ("digital", "Ljudet hackade"), ("digital", "Svårt att komma in i grupperna"),
        ("on_site", "Bra lokal"), ("on_site", "Mer tid för samtalen")]
    assert all(c.name is None for c in comments)  # anonymous


def test_a_small_digital_group_withholds_the_mode_split_and_the_comments_modes(app_ctx, forum):
    set_up(forum.slug, anonymous=True)
    _answer_all(forum.slug, forum.ids, {name: ANSWERS[name] for name in ("Bengt", "Eva", "Zäta", "Åsa", "Örjan")})
    found = results.for_event(event_by_slug(forum.slug).id)
    by_key = _by_standard(found)

    assert found.enough and not found.split_by_mode
    assert by_key["overall"].by_mode == {} and by_key["overall"].total.answers == 5
    assert {c.mode for c in by_key["change"].comments} == {None}


def test_by_sector_only_groups_of_three_together_are_shown(app_ctx, forum):
    set_up(forum.slug, anonymous=True)
    _answer_all(forum.slug, forum.ids)  # academia 2, other 1, public 2, business 1, non-profit 1
    found = results.for_event(event_by_slug(forum.slug).id)

    # every sector is under 3; withheld together they are 7, and nothing is shown by sector
    assert found.shown_sectors == []
    assert set(found.withheld_sectors) == {"academia", "other", "public", "business", "non_profit"}


def test_nothing_but_the_count_is_shown_before_three_have_answered(app_ctx, forum):
    set_up(forum.slug, anonymous=True)
    _answer_all(forum.slug, forum.ids, {name: ANSWERS[name] for name in ("Bengt", "Åsa")})
    found = results.for_event(event_by_slug(forum.slug).id)

    assert found.total_responses == 2 and not found.enough
    assert all(not result.total.answers and not result.comments for result in found.questions)
    assert results.figure_rows(found) == []


def test_named_answers_are_shown_with_names_whatever_the_group_size(app_ctx, forum):
    set_up(forum.slug, anonymous=False)
    _answer_all(forum.slug, forum.ids, {name: ANSWERS[name] for name in ("Bengt", "Åsa")})
    found = results.for_event(event_by_slug(forum.slug).id)
    by_key = _by_standard(found)

    assert found.enough and found.split_by_mode
    assert sorted((c.name, c.mode) for c in by_key["change"].comments) == [("Bengt Bäck", "on_site"),
                                                                         ("Åsa Öberg", "digital")]
    assert found.shown_sectors == ["academia", "public"]
    assert sorted(person.name for person in results.people_rows(found)) == ["Bengt Bäck", "Åsa Öberg"]


# --- the page ------------------------------------------------------------------------------------------

def test_the_results_page_shows_the_room_beside_the_digital_audience(app, organiser):
    with app.app_context():
        set_up(organiser.slug, anonymous=True)
        _answer_all(organiser.slug, organiser.ids)
    text = page_text(organiser.client.get(f"/manage/events/{organiser.slug}/evaluation/results?lang=en"))

    assert "7 of 8 with a place (88%)" in text
    assert "On site 3 of 3 with a place (100%)" in text and "Digital 4 of 5 with a place (80%)" in text
    assert "How was the event as a whole? 4.3 (3 answers) 3.0 (4 answers) On site 1.3 higher" in text
    assert "Ljudet hackade" in text and "Bra lokal" in text
    assert "Not shown on their own, so that no one can be recognised" in text


def test_the_results_page_in_swedish_writes_decimal_commas(app, organiser):
    with app.app_context():
        set_up(organiser.slug, anonymous=True)
        _answer_all(organiser.slug, organiser.ids)
    text = page_text(organiser.client.get(f"/manage/events/{organiser.slug}/evaluation/results?lang=sv"))
    assert "Hur var träffen som helhet? 4,3 (3 svar) 3,0 (4 svar) På plats 1,3 högre" in text


def test_the_results_page_says_when_there_are_too_few_answers(app, organiser):
    with app.app_context():
        set_up(organiser.slug, anonymous=True)
        _answer_all(organiser.slug, organiser.ids, {"Bengt": ANSWERS["Bengt"]})
    text = page_text(organiser.client.get(f"/manage/events/{organiser.slug}/evaluation/results?lang=en"))
    assert "1 person has answered. The results are shown once at least 3 have." in text
    assert "Mer tid för samtalen" not in text


def test_the_results_page_without_an_evaluation_points_to_setting_one_up(app, organiser):
    text = page_text(organiser.client.get(f"/manage/events/{organiser.slug}/evaluation/results?lang=en"))
    assert "This event has no evaluation yet." in text


def test_each_questions_own_small_cells_are_withheld(app_ctx, forum):
    """Three people each way answered, but not everyone answered every question."""
    set_up(forum.slug, anonymous=True)
    for name in ("Bengt", "Eva", "Zäta"):
        answer(forum.slug, forum.ids[name], overall=4, content=4)
    answer(forum.slug, forum.ids["Åsa"], overall=3, content=2, organisation=5)
    answer(forum.slug, forum.ids["Örjan"], overall=2)
    answer(forum.slug, forum.ids["Cecilia"], overall=3, organisation=4)
    found = results.for_event(event_by_slug(forum.slug).id)
    by_key = _by_standard(found)

    assert found.split_by_mode and not by_key["overall"].by_mode["digital"].withheld
    content = by_key["content"]  # one digital rating: withheld, and on site with it (else 4 - 3 reveals it)
    assert (content.by_mode["digital"].withheld, content.by_mode["on_site"].withheld) == (True, True)
    assert not content.total.withheld and content.total.answers == 4 and content.mode_gap is None
    organisation = by_key["organisation"]  # rated by two in all: nothing of it is shown
    assert organisation.total.withheld and organisation.by_mode["digital"].withheld
    rows = {(row.question.standard, row.split, row.group) for row in results.figure_rows(found)}
    assert ("content", "all", None) in rows and ("content", "mode", "digital") not in rows
    assert not any(standard == "organisation" for standard, _split, _group in rows)
