"""The organiser's navigation inside an event: each area adds its own pages here."""
from flask import current_app

_LINKS: list[tuple[int, str, object]] = []


def add_link(order: int, endpoint: str, label) -> None:
    if all(existing != endpoint for _, existing, _ in _LINKS):
        _LINKS.append((order, endpoint, label))


def links() -> list[tuple[str, object]]:
    """The pages that exist in this app, in their order."""
    return [(endpoint, label) for _, endpoint, label in sorted(_LINKS, key=lambda link: link[0])
            if endpoint in current_app.view_functions]
