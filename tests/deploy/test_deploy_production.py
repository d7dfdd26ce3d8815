"""Production as it runs: nginx with TLS in front of two gunicorn servers, PostgreSQL, Redis, a separate sender.

Everything is a real process started here: a private PostgreSQL database migrated with
``flask db upgrade``, a Redis of its own, two gunicorn servers (production settings, each with
its own instance folder as if on its own machine, ``EVENTHUB_TRUSTED_PROXIES=1``), nginx on a free
port with a certificate made for the test and the proxy settings operators install
(deploy/nginx/eventhub-locations.conf), round-robin to both and setting X-Forwarded-For/-Proto,
and ``flask outbox deliver --loop`` delivering to an SMTP server in this process. nginx names the
server that answered in ``X-Upstream``, so a test can tell which one served a request.

Clients connect from different loopback addresses (127.0.0.2, 127.0.0.10, ...), which is how the
rate limits tell people apart behind the proxy. Select with ``-m production``.
"""
from __future__ import annotations

import email
import email.policy
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select

from config import TestingConfig, normalise_database_url
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.live import channel
from eventhub.live import services as live
from eventhub.mail.models import OutboxMessage
from eventhub.materials.models import EventMaterial
from eventhub.registration.models import Registration
from tests.accounts.support import PASSWORD, csrf_from
from tests.conftest import require_or_skip
from tests.deploy.support import free_port, nginx_binary, private_database, redis_server, stop, tail, wait_for_port

pytestmark = [pytest.mark.production, pytest.mark.xdist_group("production")]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT = 60  # seconds for one request: two servers share a busy two-core machine with the rest of the suite
REGISTRATIONS_PER_ADDRESS = 12  # a minute, per client address (the per-address limit these servers run with)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%% made for the production-like test\n%%EOF\n"


class Inbox:
    """The SMTP server's handler: keeps every message it is given."""

    def __init__(self):
        self.envelopes = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            envelopes = list(self.envelopes)
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in envelopes]


class FromAddress(HTTPAdapter):
    """Connects from the given local address, as a client on another machine would have its own."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Stack:
    url: str  # https://127.0.0.1:<nginx port>
    certificate: Path
    database_url: str
    upstreams: list[str]  # host:port of the two gunicorn servers
    inbox: Inbox
    live_upstream: str = ""  # host:port of the live streams' server (gevent workers)
    logs: list[Path] = field(default_factory=list)
    app: object = None  # an app of this process on the same database, to set up and count

    def client(self, address: str = "127.0.0.1") -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no proxy from the environment, and REQUESTS_CA_BUNDLE would replace ``verify``
        session.verify = str(self.certificate)
        session.mount("https://", FromAddress(address))
        return session

    def log_tails(self) -> str:
        return "\n".join(f"--- {log.name}\n{tail(log, 15)}" for log in self.logs)


def _certificate(folder: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        require_or_skip("openssl is not installed (Debian package openssl)")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
{user}
events {{ worker_connections 512; }}
http {{
    include {log_format};
    access_log {folder}/nginx-access.log eventhub;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream eventhub_app {{
        server {upstream_a} max_fails=0;
        server {upstream_b} max_fails=0;
        keepalive 16;
    }}
    upstream eventhub_live {{
        server {upstream_live} max_fails=0;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        # What operators install (deploy/nginx/), plus which server answered, for the tests.
        add_header X-Upstream $upstream_addr always;
        include {locations};
    }}
}}
"""


def _environment(database_url: str, redis_url: str, smtp_port: int, base_url: str, instance: Path) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("EVENTHUB_", "RATELIMIT_", "CACHE_", "SMTP_", "MAIL_", "DATABASE_URL"))}
    env.update(
        EVENTHUB_ENV="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url, EVENTHUB_BASE_URL=base_url,
        EVENTHUB_INSTANCE=str(instance), EVENTHUB_TRUSTED_PROXIES="1",
        RATELIMIT_STORAGE_URI=redis_url, CACHE_URL=redis_url, LIVE_REDIS_URL=redis_url,
        REGISTRATION_RATE_LIMIT=f"{REGISTRATIONS_PER_ADDRESS} per minute",
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port),
    )
    return env


SECRET_KEY = secrets.token_hex(32)


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx = nginx_binary()
    folder = tmp_path_factory.mktemp("production")
    with ExitStack() as cleanup:
        database_url = cleanup.enter_context(private_database("eventhub_production"))
        redis_url = cleanup.enter_context(redis_server(folder / "redis"))
        inbox = Inbox()
        smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        cleanup.callback(smtp.stop)
        cert, key = _certificate(folder)
        port = free_port()
        base_url = f"https://127.0.0.1:{port}"
        logs: list[Path] = []

        def environment(name: str) -> dict:
            return _environment(database_url, redis_url, smtp.port, base_url, folder / name / "instance")

        migrate = subprocess.run([str(BIN / "flask"), "--app", "wsgi.py", "db", "upgrade"], cwd=ROOT,
                                 env=environment("migrate"), capture_output=True, text=True, timeout=180)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr

        processes: list[tuple[subprocess.Popen, int, Path]] = []
        upstreams = []
        for name in ("server-a", "server-b"):
            upstream_port = free_port()
            log = folder / f"{name}.log"
            process = _start([str(BIN / "gunicorn"), "--workers", "2", "--threads", "4",
                              "--bind", f"127.0.0.1:{upstream_port}", "--graceful-timeout", "5", "--timeout", "120",
                              "--error-logfile", "-", "--no-control-socket", "--preload", "wsgi:app"],
                             environment(name), log)
            cleanup.callback(stop, process)
            processes.append((process, upstream_port, log))
            upstreams.append(f"127.0.0.1:{upstream_port}")
            logs.append(log)
        # The live streams' own server, as deploy/systemd/eventhub-live.service runs it (gevent, no --preload).
        live_port = free_port()
        live_log = folder / "live.log"
        live = _start([str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "gevent",
                       "--worker-connections", "100",
                       "--bind", f"127.0.0.1:{live_port}", "--graceful-timeout", "5", "--timeout", "120",
                       "--error-logfile", "-", "--no-control-socket", "wsgi:app"],
                      dict(environment("live"), LIVE_MAX_STREAMS="100"), live_log)
        cleanup.callback(stop, live)
        processes.append((live, live_port, live_log))
        logs.append(live_log)
        sender_log = folder / "sender.log"
        sender = _start([str(BIN / "flask"), "--app", "wsgi.py", "outbox", "deliver", "--loop", "--interval", "1"],
                        environment("sender"), sender_log)
        cleanup.callback(stop, sender)
        logs.append(sender_log)

        (folder / "nginx.conf").write_text(NGINX_CONF.format(
            folder=folder, port=port, cert=cert, key=key, upstream_a=upstreams[0], upstream_b=upstreams[1],
            upstream_live=f"127.0.0.1:{live_port}",
            locations=ROOT / "deploy" / "nginx" / "eventhub-locations.conf",
            log_format=ROOT / "deploy" / "nginx" / "eventhub-log.conf",
            # As root, nginx's workers would run as nobody, who may not enter the test's folder.
            user="user root;" if os.geteuid() == 0 else ""))
        nginx_log = folder / "nginx.out"
        proxy = _start([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                        "-e", str(folder / "nginx-error.log")], {"PATH": os.environ.get("PATH", "")}, nginx_log)
        cleanup.callback(stop, proxy)
        logs += [nginx_log, folder / "nginx-error.log", folder / "nginx-access.log"]

        for process, upstream_port, log in processes:
            wait_for_port(upstream_port, process, log, timeout=120)
        wait_for_port(port, proxy, folder / "nginx-error.log", timeout=30)
        assert sender.poll() is None, tail(sender_log)

        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url),
                         LIVE_REDIS_URL=redis_url)
        cleanup.callback(lambda: _dispose(app))
        yield Stack(url=base_url, certificate=cert, database_url=database_url, upstreams=upstreams, inbox=inbox,
                    logs=logs, app=app, live_upstream=f"127.0.0.1:{live_port}")


def _dispose(app) -> None:
    channel.of(app).close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _event(stack: Stack, **values) -> int:
    start = values.pop("starts_at", datetime.now(UTC) + timedelta(days=14))
    slug = f"forum-{secrets.token_hex(3)}"
    with stack.app.app_context():
        event = Event(slug=slug, title=values.pop("title", "Forumträff i produktion"), starts_at=start,
                      ends_at=start + timedelta(hours=3), format="hybrid", status="published", **values)
        db.session.add(event)
        db.session.commit()
        return event.slug


def _register(session: requests.Session, stack: Stack, slug: str, person: str, **headers) -> requests.Response:
    """The public form as a browser fills it in: GET for the CSRF token, then POST (each may reach either server)."""
    page = session.get(f"{stack.url}/events/{slug}", timeout=TIMEOUT)
    assert page.status_code == 200, page.status_code
    # Over https the CSRF check also wants the page the form came from, as a browser sends it.
    headers = {"Referer": page.url, **headers}
    return session.post(f"{stack.url}/events/{slug}/register", allow_redirects=False, timeout=TIMEOUT, headers=headers,
                        data={"csrf_token": csrf_from(page.text), "name": f"Person {person}",
                              "email": f"{person}@example.se", "mode": "on_site", "sector": "public",
                              "language": "sv", "privacy": "y"})


def test_health_through_nginx_over_https_is_ok_on_both_servers(stack):
    served = Counter()
    with stack.client() as client:
        for _ in range(4):
            response = client.get(f"{stack.url}/healthz", timeout=TIMEOUT)
            assert response.status_code == 200, f"{response.text}\n{stack.log_tails()}"
            assert response.json()["database"] == "ok"
            assert response.json()["redis"] == "ok"
            assert response.json()["status"] == "ok"
            served[response.headers["X-Upstream"]] += 1
    assert set(served) == set(stack.upstreams)  # round-robin: each server answered for itself


def test_a_registration_rush_across_both_servers_never_oversells_and_mails_each_person_once(stack):
    seats, people, clients = 20, 60, 6
    slug = _event(stack, on_site_seats=seats, digital_seats=0)
    # Six clients on six addresses, ten registrations each: under the per-address limit.
    addresses = [f"127.0.0.{10 + n}" for n in range(clients)]

    def register_all(n: int) -> list[tuple[int, str]]:
        answers = []
        for i in range(people // clients):
            with stack.client(addresses[n]) as session:
                response = _register(session, stack, slug, f"rush{n}-{i:02d}")
                answers.append((response.status_code, response.headers.get("X-Upstream", "")))
        return answers

    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = [answer for chunk in pool.map(register_all, range(clients)) for answer in chunk]

    statuses = Counter(status for status, _ in answers)
    assert statuses == {303: people}, f"{statuses}\n{stack.log_tails()}"
    assert {upstream for _, upstream in answers} == set(stack.upstreams)  # both servers took registrations
    with stack.app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        counts = Counter(db.session.scalars(select(Registration.status).where(Registration.event_id == event.id)))
        assert counts == {"confirmed": seats, "waitlisted": people - seats}
        assert event.on_site_taken == seats

    # The separate sender delivers every email, each once.
    deadline = time.monotonic() + 90
    while True:
        with stack.app.app_context():
            unsent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.to_address.like("rush%")))
        if unsent == 0:
            break
        assert time.monotonic() < deadline, f"{unsent} emails still unsent\n{stack.log_tails()}"
        time.sleep(0.5)
    time.sleep(2.5)  # two more rounds of the sender: nothing is sent again
    received = [m for m in stack.inbox.messages() if m["To"].startswith("rush")]
    per_person = Counter(m["To"] for m in received)
    assert len(per_person) == people and set(per_person.values()) == {1}, per_person.most_common(3)
    subjects = Counter(m["Subject"] for m in received)
    assert subjects == {"Du är anmäld: Forumträff i produktion": seats,
                        "Du står på reservlistan: Forumträff i produktion": people - seats}


def test_rate_limits_count_per_real_client_address_behind_the_proxy(stack):
    slug = _event(stack, on_site_seats=None)
    with stack.client("127.0.0.2") as crowded:
        # Writing another address into X-Forwarded-For does not help: the app trusts only what nginx appended.
        statuses = [_register(crowded, stack, slug, f"limit-{i:02d}",
                              **{"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                    for i in range(REGISTRATIONS_PER_ADDRESS + 1)]
    assert statuses == [303] * REGISTRATIONS_PER_ADDRESS + [429], f"{statuses}\n{stack.log_tails()}"
    with stack.client("127.0.0.3") as neighbour:
        assert _register(neighbour, stack, slug, "neighbour").status_code == 303


def test_the_limit_per_email_address_holds_across_addresses_and_servers(stack):
    """REGISTRATION_EMAIL_RATE_LIMIT's default, 5 a minute: kept in Redis, so both servers count together."""
    slug = _event(stack, on_site_seats=None)
    statuses, served = [], set()
    for n in range(6):
        with stack.client(f"127.0.0.{30 + n}") as client:
            if n % 2:  # one request more: round-robin then hands this form to the other server
                client.get(f"{stack.url}/healthz", timeout=TIMEOUT)
            response = _register(client, stack, slug, "same-person")
            statuses.append(response.status_code)
            served.add(response.headers["X-Upstream"])
    assert 429 not in statuses[:5] and statuses[5] == 429, statuses
    assert served == set(stack.upstreams)


def test_a_file_uploaded_through_one_server_downloads_from_the_other(stack):
    slug = _event(stack, starts_at=datetime.now(UTC) - timedelta(days=2))  # material is public once it is over
    with stack.app.app_context():
        user, _ = accounts.create_user(f"org-{slug}@example.se", "Organisatör", "organiser", datetime.now(UTC),
                                       password=PASSWORD)
        accounts.add_staff(db.session.scalar(select(Event.id).where(Event.slug == slug)), user.id, "organiser", None)
        db.session.commit()
        email_address = user.email
    with stack.client("127.0.0.4") as organiser:
        login = organiser.get(f"{stack.url}/account/login", timeout=TIMEOUT)
        signed_in = organiser.post(f"{stack.url}/account/login", allow_redirects=False, timeout=TIMEOUT,
                                   headers={"Referer": login.url},
                                   data={"csrf_token": csrf_from(login.text), "email": email_address,
                                         "password": PASSWORD})
        assert signed_in.status_code == 303, signed_in.text
        page = organiser.get(f"{stack.url}/manage/events/{slug}/material", timeout=TIMEOUT)
        assert page.status_code == 200
        upload = organiser.post(f"{stack.url}/manage/events/{slug}/material/upload", allow_redirects=False,
                                timeout=TIMEOUT, files={"file": ("bilder.pdf", PDF, "application/pdf")},
                                headers={"Referer": page.url},
                                data={"csrf_token": csrf_from(page.text), "title": "Bilder", "kind": "slides"})
        assert upload.status_code == 303, f"{upload.status_code} {upload.text[:500]}"
        uploaded_on = upload.headers["X-Upstream"]
    with stack.app.app_context():
        material_id = db.session.scalar(select(EventMaterial.id).join(Event).where(Event.slug == slug))

    served = {}
    with stack.client("127.0.0.5") as visitor:
        for _ in range(6):  # round-robin: the other server answers within two requests
            response = visitor.get(f"{stack.url}/events/{slug}/material/{material_id}", timeout=TIMEOUT)
            served[response.headers["X-Upstream"]] = (response.status_code, response.content)
            if len(served) == 2:
                break
    other = next(upstream for upstream in stack.upstreams if upstream != uploaded_on)
    assert served.get(other, (None,))[0] == 200, f"the other server answered {served.get(other, (None,))[0]}"
    assert served[other][1] == PDF
    assert served[uploaded_on] == (200, PDF)


def _mail_to(stack: Stack, address: str, timeout: float = 60) -> email.message.EmailMessage:
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in stack.inbox.messages() if m["To"] == address]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no email to {address}\n{stack.log_tails()}"
        time.sleep(0.3)


def test_an_attendee_link_opened_through_the_proxy_leaves_its_token_in_no_log(stack):
    slug = _event(stack, on_site_seats=None)
    with stack.client("127.0.0.6") as attendee:
        assert _register(attendee, stack, slug, "logged").status_code == 303
        letter = _mail_to(stack, "logged@example.se").get_body(("plain",)).get_content()
        link = re.search(re.escape(stack.url) + r"/r/([^/?#\s]+)\S*", letter)
        assert link, letter
        token = link.group(1)  # the secret alone, without the link's query string
        assert len(token) >= 20, token
        for _ in range(2):  # once through each server
            page = attendee.get(link.group(0), timeout=TIMEOUT)
            assert page.status_code == 200
    time.sleep(0.5)  # the access log lines are written after the answer
    for log in stack.logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        assert token not in text, f"the personal link's token is in {log.name}"
    assert "/r/<token>" in (stack.logs[-1]).read_text()  # nginx logged the visit, redacted


def test_a_live_stream_goes_to_the_streams_server_and_gets_an_announcement_sent_elsewhere(stack):
    """The proxy sends the stream (and only it) to the gevent server, unbuffered; an announcement sent by
    another app instance reaches it through Redis."""
    slug = _event(stack, on_site_seats=None)
    with stack.client("127.0.0.7") as attendee:
        assert _register(attendee, stack, slug, "live").status_code == 303
        letter = _mail_to(stack, "live@example.se").get_body(("plain",)).get_content()
        token = re.search(re.escape(stack.url) + r"/r/([^/?#\s]+)", letter).group(1)
        poll = attendee.get(f"{stack.url}/r/{token}/live.json", timeout=TIMEOUT)
        assert poll.status_code == 200 and poll.headers["X-Upstream"] in stack.upstreams
        with attendee.get(f"{stack.url}/r/{token}/live", stream=True, timeout=TIMEOUT) as stream:
            assert stream.status_code == 200, stack.log_tails()
            assert stream.headers["X-Upstream"] == stack.live_upstream
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            lines = stream.iter_lines(decode_unicode=True)
            assert any(line == "event: hello" for line, _ in zip(lines, range(5), strict=False))
            with stack.app.app_context():
                event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
                sent_at = time.monotonic()
                live.send(event_id, "all", "Tillbaka i stora salen om fem minuter", "", False, None,
                          Keyring(SECRET_KEY), datetime.now(UTC), channel.of(stack.app))
            data = next(line for line in lines if line.startswith("data: ") and "stora salen" in line)
            assert time.monotonic() - sent_at < 3  # not held back by a buffer on the way
            assert "Tillbaka i stora salen om fem minuter" in json.loads(data[6:])["html"]
