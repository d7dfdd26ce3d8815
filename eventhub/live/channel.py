"""The live channel's fan-out: a message for an event reaches every open stream of that event, in this
process and (with ``LIVE_REDIS_URL``) in every worker of every app server.

- ``LocalHub`` (the embedded default: one process, SQLite): each open stream has a queue, and a
  message is put in the queue of every stream of its event.
- ``RedisHub``: a message is published on Redis (``PUBLISH <prefix><event id>``); each process has
  one listener thread (``PSUBSCRIBE <prefix>*``, one Redis connection however many streams it holds)
  that hands what arrives to its own streams as ``LocalHub`` does. Redis pub/sub delivers only to
  whoever listens at that moment: a message is never the only copy. The database keeps every
  announcement, and a stream that (re)connects asks for those after the last it saw
  (``Last-Event-ID``); after the listener lost Redis for a while it tells its streams to look again
  (a ``resync`` message), so nothing published in the gap is missed.

Each process also counts its open streams (``admit``/``release``): at most ``LIVE_MAX_STREAMS``, so that
long-lived streams never take every worker thread from ordinary pages; a page turned away falls back
to polling.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time

import redis

log = logging.getLogger(__name__)

RESYNC = {"resync": True}  # what a stream gets when messages may have been lost: read the database again


STAFF = "staff"  # a message's "to" for the organisers' streams only (``publish_state(..., staff_only=True)``)


class Subscription:
    """One open stream's queue of messages for its event. ``staff``: an organisers' stream (the console,
    the moderator's, the projector's, a group leader's page), which also gets the messages for staff only."""

    def __init__(self, hub: LocalHub, event_id: int, staff: bool = False):
        self.hub, self.event_id, self.staff = hub, event_id, staff
        self._queue: queue.SimpleQueue[dict] = queue.SimpleQueue()

    def put(self, message: dict) -> None:
        self._queue.put(message)

    def get(self, timeout: float) -> dict | None:
        """The next message, or None when ``timeout`` seconds pass without one."""
        try:
            return self._queue.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None

    def close(self) -> None:
        self.hub.unsubscribe(self)


class LocalHub:
    """Fan-out inside one process."""

    kind = "local"

    def __init__(self, max_streams: int = 200):
        self._lock = threading.Lock()
        self._subscriptions: dict[int, set[Subscription]] = {}
        self._max_streams, self._open = max_streams, 0

    def admit(self) -> bool:
        """Count one more open stream, unless this process holds its most already."""
        with self._lock:
            if self._open >= self._max_streams:
                return False
            self._open += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._open = max(0, self._open - 1)

    @property
    def open_streams(self) -> int:
        return self._open

    def subscribe(self, event_id: int, staff: bool = False) -> Subscription:
        subscription = Subscription(self, event_id, staff)
        with self._lock:
            self._subscriptions.setdefault(event_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            subscriptions = self._subscriptions.get(subscription.event_id)
            if subscriptions is not None:
                subscriptions.discard(subscription)
                if not subscriptions:
                    del self._subscriptions[subscription.event_id]

    def deliver(self, event_id: int, message: dict) -> None:
        """Hand ``message`` to this process's streams of the event: a message for staff only wakes none of
        the attendees' streams (a full room asking and upvoting would wake a thousand pages for nothing)."""
        staff_only = message.get("to") == STAFF
        with self._lock:
            subscriptions = list(self._subscriptions.get(event_id, ()))
        for subscription in subscriptions:
            if subscription.staff or not staff_only:
                subscription.put(message)

    def resync_all(self) -> None:
        with self._lock:
            subscriptions = [s for group in self._subscriptions.values() for s in group]
        for subscription in subscriptions:
            subscription.put(RESYNC)

    def publish(self, event_id: int, message: dict) -> None:
        self.deliver(event_id, message)

    def close(self) -> None:
        pass


class RedisHub(LocalHub):
    """Fan-out through Redis pub/sub, to every process that listens on the same Redis and prefix."""

    kind = "redis"

    def __init__(self, url: str, prefix: str = "eventhub:live:", max_streams: int = 200):
        super().__init__(max_streams)
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2,
                                           health_check_interval=30)
        self._url, self._prefix = url, prefix
        self._listening = threading.Event()
        self._listener: threading.Thread | None = None
        self._stopped = threading.Event()
        self._start_lock = threading.Lock()

    def publish(self, event_id: int, message: dict) -> None:
        try:
            self._redis.publish(f"{self._prefix}{event_id}", json.dumps(message))
        except redis.RedisError as error:
            # The announcement is in the database: pages that reconnect or poll get it. This process's
            # own streams get it at once.
            log.warning("live channel: Redis unavailable, delivering in this process only: %s", error)
            self.deliver(event_id, message)

    def subscribe(self, event_id: int, staff: bool = False) -> Subscription:
        subscription = super().subscribe(event_id, staff)
        self._start_listener()
        return subscription

    def _start_listener(self) -> None:
        with self._start_lock:
            if self._listener is None or not self._listener.is_alive():
                self._listening.clear()
                self._listener = threading.Thread(target=self._listen, name="live-redis-listener", daemon=True)
                self._listener.start()
        # A stream reads the database's backlog after it subscribes: the listener must hear from then on.
        self._listening.wait(timeout=2)

    def _listen(self) -> None:
        listener = redis.Redis.from_url(self._url, socket_connect_timeout=2, health_check_interval=30)
        lost = False
        while not self._stopped.is_set():
            pubsub = listener.pubsub(ignore_subscribe_messages=False)
            try:
                pubsub.psubscribe(f"{self._prefix}*")
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        self._listening.set()
                        if lost:
                            self.resync_all()
                            lost = False
                    elif message["type"] == "pmessage":
                        self._dispatch(message["channel"], message["data"])
            except redis.RedisError as error:
                log.warning("live channel: lost Redis, listening again in a second: %s", error)
                lost = True
                self._listening.set()  # streams read the database; the resync follows the reconnection
                time.sleep(1)
            finally:
                try:
                    pubsub.close()
                except redis.RedisError:
                    pass

    def _dispatch(self, channel: bytes, data: bytes) -> None:
        try:
            event_id = int(channel.decode()[len(self._prefix):])
            message = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return
        self.deliver(event_id, message)

    def close(self) -> None:
        self._stopped.set()
        if self._listener is not None:
            self._listener.join(timeout=3)


def hub_for(config) -> LocalHub:
    """The hub the configuration asks for: Redis with ``LIVE_REDIS_URL``, else this process alone."""
    max_streams = int(config.get("LIVE_MAX_STREAMS", 200))
    if config.get("LIVE_REDIS_URL"):
        return RedisHub(config["LIVE_REDIS_URL"], config.get("LIVE_CHANNEL_PREFIX", "eventhub:live:"), max_streams)
    return LocalHub(max_streams)


def init_app(app) -> None:
    app.extensions["live"] = hub_for(app.config)


def of(app) -> LocalHub:
    return app.extensions["live"]
