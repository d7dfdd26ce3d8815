"""Configuration read from the environment.

Development needs nothing set: the database is SQLite under ``instance/`` and a
secret key is generated once and kept there. Production must set SECRET_KEY.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("EVENTHUB_INSTANCE", BASE_DIR / "instance"))


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _development_secret_key() -> str:
    """A random key generated once and kept in instance/, so sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()



def default_base_url() -> str:
    """EVENTHUB_BASE_URL, or the address scripts/run.sh serves on (``PORT``, 5000 by default), so that
    links in emails and calendars of a local run point where the app is."""
    return os.environ.get("EVENTHUB_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}"

class Config:
    ENV_NAME = "development"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", _sqlite_url(INSTANCE_DIR / "eventhub.sqlite"))
    )
    # hide_parameters: SQL logging and database errors (tracebacks in logs) never show the values,
    # which are names, email addresses and answers.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    DEFAULT_TIMEZONE = os.environ.get("EVENTHUB_TIMEZONE", "Europe/Stockholm")
    LANGUAGES = ("sv", "en")
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    WTF_CSRF_TIME_LIMIT = None  # a form left open over a long session must still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Links in emails and calendars are absolute: set this to the public address in production.
    BASE_URL = default_base_url()
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "folder")  # folder (instance/mail) or smtp
    MAIL_FOLDER = os.environ.get("MAIL_FOLDER")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "EventHub <noreply@eventhub.invalid>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "") in ("1", "true", "yes")
    # Addresses with letters outside ASCII before the @ (åsa@example.se) need a server offering SMTPUTF8:
    # auto asks the server's EHLO, true promises it, false refuses them at registration (docs/outbox.md).
    MAIL_SMTPUTF8 = os.environ.get("MAIL_SMTPUTF8", "auto")
    # werkzeug.security's method for new password hashes (its default: scrypt).
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")  # noqa: S105 (a method name)
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host (Werkzeug's ProxyFix).
    # 0 trusts none: a client could otherwise forge its address and dodge the rate limits. Behind one
    # TLS proxy (nginx, Caddy) that overwrites -Proto and -Host and appends to -For, set it to 1.
    TRUSTED_PROXIES = int(os.environ.get("EVENTHUB_TRUSTED_PROXIES", "0"))
    # The cache of the public pages' rendered parts (eventhub.caching, Flask-Caching): in memory per
    # process by default (SimpleCache); set CACHE_URL=redis://127.0.0.1:6379/1 to share one cache between
    # app servers and their workers (RedisCache). CACHE_TYPE names another backend (NullCache: none).
    CACHE_URL = os.environ.get("CACHE_URL", "")
    CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if CACHE_URL else "SimpleCache")
    CACHE_REDIS_URL = CACHE_URL or None
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", str(24 * 3600)))  # seconds
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", "500"))  # entries per process (SimpleCache)
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "eventhub:")
    # Flask-Limiter: in memory per process by default; set RATELIMIT_STORAGE_URI=redis://… to share.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") not in ("0", "false", "no")
    RATELIMIT_HEADERS_ENABLED = True
    # Per signed-in host: a busy door scans about one ticket a second.
    CHECKIN_RATE_LIMIT = os.environ.get("CHECKIN_RATE_LIMIT", "300 per minute")
    # The public API, per address over all its routes: a site that embeds it fetches once a minute at most
    # (its answers may be cached a minute), and browsers behind one office network share an address.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute;5000 per hour")
    # Failed sign-ins only (see accounts.views.login). Per account and address: below the address's own
    # limit, so one account's failures never block colleagues behind the same office network.
    ACCOUNT_ADDRESS_LOGIN_RATE_LIMIT = os.environ.get("ACCOUNT_ADDRESS_LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute;100 per hour")  # per address
    ACCOUNT_LOGIN_RATE_LIMIT = os.environ.get("ACCOUNT_LOGIN_RATE_LIMIT", "20 per hour")  # per account, any address
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "10 per minute;50 per hour")
    # Registrations per address: a room of a hundred behind one office or venue network registering in
    # a couple of minutes, each correcting the form now and then. Per email address: a few tries.
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "150 per minute;1000 per hour")
    REGISTRATION_EMAIL_RATE_LIMIT = os.environ.get("REGISTRATION_EMAIL_RATE_LIMIT", "5 per minute;20 per hour")
    # Post-event material is kept in the database. MATERIAL_FOLDER (default instance/materials) is where
    # files were kept before: the migration that moved them into the database reads it.
    MATERIAL_FOLDER = os.environ.get("MATERIAL_FOLDER")
    MATERIAL_MAX_BYTES = int(os.environ.get("MATERIAL_MAX_BYTES", str(25_000_000)))
    # A photo for the documentation page, as uploaded (what is kept is smaller: documentation.photos).
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(20_000_000)))
    # Any request larger than this is refused (413) before it is read: one file plus the form around it.
    MAX_CONTENT_LENGTH = MATERIAL_MAX_BYTES + 1_000_000
    # The live channel (eventhub.live): each open personal page holds one stream of Server-Sent Events.
    # LIVE_REDIS_URL=redis://127.0.0.1:6379/2 fans announcements out through Redis pub/sub to every gunicorn
    # worker and app server; empty: within this process only (the embedded default, one process).
    LIVE_REDIS_URL = os.environ.get("LIVE_REDIS_URL", "")
    LIVE_CHANNEL_PREFIX = os.environ.get("LIVE_CHANNEL_PREFIX", "eventhub:live:")
    # A stream ends after this many seconds (the browser reconnects with Last-Event-ID, missing nothing),
    # sends a heartbeat comment this often (proxies close idle connections), and each process holds at
    # most LIVE_MAX_STREAMS: keep it below gunicorn's --threads, so that pages always get a thread (a page
    # turned away polls live.json every LIVE_POLL_SECONDS instead). docs/operations.md.
    LIVE_STREAM_SECONDS = float(os.environ.get("LIVE_STREAM_SECONDS", "300"))
    LIVE_HEARTBEAT_SECONDS = float(os.environ.get("LIVE_HEARTBEAT_SECONDS", "15"))
    LIVE_MAX_STREAMS = int(os.environ.get("LIVE_MAX_STREAMS", "200"))
    LIVE_POLL_SECONDS = int(os.environ.get("LIVE_POLL_SECONDS", "15"))
    # Strict-Transport-Security's max-age in seconds; 0 sends none (plain http in development).
    HSTS_MAX_AGE = int(os.environ.get("EVENTHUB_HSTS_MAX_AGE", "0"))


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS_MAX_AGE = int(os.environ.get("EVENTHUB_HSTS_MAX_AGE", str(365 * 24 * 3600)))


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (tests only)
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False  # tests that check the limit turn it on
    CACHE_URL, CACHE_TYPE, CACHE_REDIS_URL = "", "SimpleCache", None  # each test app its own, whatever is set
    LIVE_REDIS_URL = ""  # each test app its own channel; tests of Redis set it
    LIVE_STREAM_SECONDS = 0.0  # a stream sends what is there and ends (tests of waiting set more)
    LIVE_HEARTBEAT_SECONDS = 0.05
    MAIL_BACKEND = "folder"
    # A strong hash costs a tenth of a second by design, and the suite signs in hundreds of times.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (a method name, not a password)


def config_from_environment() -> type[Config]:
    name = os.environ.get("EVENTHUB_ENV", "development")
    return {"production": ProductionConfig, "testing": TestingConfig}.get(name, DevelopmentConfig)


def resolve_secret_key(config: dict) -> str:
    """Production refuses to start without SECRET_KEY; development generates one."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if config.get("ENV_NAME") == "production":
        raise RuntimeError("SECRET_KEY must be set in the environment in production.")
    return _development_secret_key()
