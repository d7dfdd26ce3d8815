"""Ids in addresses: only 1 to MAX_ID route at all, so a huge number is a 404, never a 500."""
from __future__ import annotations

import re

import pytest

from eventhub.types import MAX_ID


def _id_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(type(conv).__name__ == "IdConverter" for conv in rule._converters.values())]


def test_every_numeric_id_in_an_address_uses_the_id_converter(app):
    plain_ints = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert plain_ints == []
    assert len(_id_rules(app)) >= 20


@pytest.mark.parametrize("value", ["0", str(MAX_ID + 1), "99999999999999999999", "-1"])
def test_an_id_out_of_range_is_404_on_every_route(app, client, value):
    for rule in _id_rules(app):
        url = re.sub(r"<id:[^>]+>", value, re.sub(r"<[^:>]+>", "slug", rule.rule))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)


def test_an_id_at_the_limit_still_routes(app):
    adapter = app.url_map.bind("localhost")
    _endpoint, values = adapter.match(f"/events/forum/material/{MAX_ID}")
    assert values == {"slug": "forum", "material_id": MAX_ID}
