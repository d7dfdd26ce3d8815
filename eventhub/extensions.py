"""Flask extensions as module globals, bound to the app in create_app()."""
import hashlib

from flask import request, session  # noqa: TID251 (the login manager below is part of the web layer)
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# A fixed naming convention makes constraint names predictable, which SQLite
# batch migrations need to drop or alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
cache = Cache()  # the public pages' rendered parts (eventhub.caching)
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def _browser_identifier() -> str:
    """What a signed-in session is bound to: the browser (its User-Agent), not its network address."""
    return hashlib.sha512(request.headers.get("User-Agent", "").encode()).hexdigest()


class SessionLoginManager(LoginManager):
    """Strong session protection, for signed-in sessions only, bound to the browser and not the address.

    Flask-Login's own binding is the client's address and User-Agent, and a door phone moving between
    the venue's Wi-Fi and 4G changes address mid-event: it would be signed out. So the session is
    bound to the User-Agent only; a cookie replayed from another browser is still refused. The rest
    does not depend on the address: the cookie is signed, HttpOnly, SameSite=Lax and, in production,
    Secure; it names the account's session version, so a password change or a deactivation ends every
    session (accounts.services.user_for_session); signing out ends it.

    Flask-Login checks every non-empty session, and an anonymous visitor's session (a CSRF token,
    a chosen language) never matches: each of their pages would then clear it again and send an
    expired remember cookie and a new session cookie, which also keeps shared caches from storing
    public pages. There is nothing to protect before someone signs in.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._session_identifier_generator = _browser_identifier

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


login_manager = SessionLoginManager()
login_manager.login_view = "accounts.login"
login_manager.session_protection = "strong"
