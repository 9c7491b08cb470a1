"""One MQTT connection that looks after itself: persistent session, last will, reconnect with back-off.

Both ends use it: the node (subscribes to its bundle and receipts) and the
county (subscribes to every node's status and reports). paho-mqtt's own loop
thread reconnects (1 s, doubling up to ``reconnect_max_seconds``); subscriptions are renewed on every
connect, and a subscription the broker refuses (SUBACK failure: outside this
client's ACL) is logged and remembered, never silently ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion

from outreach.i18n import _

log = logging.getLogger("outreach.mqtt")

KEEPALIVE = 30


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    username: str
    password: str
    ca_file: str | None = None
    reconnect_max_seconds: int = 30


@dataclass
class Link:
    endpoint: Endpoint
    client_id: str
    subscriptions: list[str]
    on_message: Callable[[str, bytes], None]
    will: tuple[str, bytes] | None = None
    on_connect: Callable[[], None] | None = None
    """Called (in the network thread) after every successful connect, once the subscriptions are sent."""
    connected: threading.Event = field(default_factory=threading.Event)
    refused: list[str] = field(default_factory=list)
    _pending: dict[int, str] = field(default_factory=dict)
    _client: mqtt.Client | None = None

    def start(self) -> None:
        """Connect in the background; the loop thread keeps trying until stop()."""
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, clean_session=False,
                             protocol=MQTTProtocolVersion.MQTTv311)
        client.username_pw_set(self.endpoint.username, self.endpoint.password)
        if self.endpoint.ca_file:
            client.tls_set(ca_certs=self.endpoint.ca_file)
        if self.will:
            client.will_set(self.will[0], self.will[1], qos=1, retain=True)
        client.reconnect_delay_set(1, max(1, self.endpoint.reconnect_max_seconds))
        client.on_connect = self._connected
        client.on_disconnect = self._disconnected
        client.on_subscribe = self._subscribed
        client.on_message = self._message
        self._client = client
        client.connect_async(self.endpoint.host, self.endpoint.port, keepalive=KEEPALIVE)
        client.loop_start()

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> bool:
        """QoS 1; False when not connected (the caller keeps the message and tries later)."""
        if self._client is None or not self.connected.is_set():
            return False
        return self._client.publish(topic, payload, qos=1, retain=retain).rc == MQTTErrorCode.MQTT_ERR_SUCCESS

    def stop(self, farewell: tuple[str, bytes] | None = None) -> None:
        """A clean goodbye (the will is not sent then, so say it ourselves), then close."""
        if self._client is None:
            return
        if farewell and self.connected.is_set():
            info = self._client.publish(farewell[0], farewell[1], qos=1, retain=True)
            try:
                info.wait_for_publish(timeout=3)
            except (RuntimeError, ValueError):
                pass
        self.connected.clear()
        self._client.disconnect()
        self._client.loop_stop()

    def _connected(self, client: mqtt.Client, userdata: object, flags: mqtt.ConnectFlags,
                   reason: mqtt.ReasonCode, properties: object) -> None:
        if reason.is_failure:
            log.error(_("broker {host}:{port} refused {client}: {reason}").format(
                host=self.endpoint.host, port=self.endpoint.port, client=self.client_id, reason=reason))
            return
        log.info(_("connected to {host}:{port} as {user}").format(
            host=self.endpoint.host, port=self.endpoint.port, user=self.endpoint.username))
        self.connected.set()
        for topic in self.subscriptions:
            _result, mid = client.subscribe(topic, qos=1)
            if mid is not None:
                self._pending[mid] = topic
        if self.on_connect is not None:
            try:
                self.on_connect()
            except Exception:  # must not end the network thread
                log.exception(_("after connecting"))

    def _disconnected(self, client: mqtt.Client, userdata: object, flags: mqtt.DisconnectFlags,
                      reason: mqtt.ReasonCode, properties: object) -> None:
        if self.connected.is_set():
            log.warning(_("lost the broker ({reason}); reconnecting with back-off").format(reason=reason))
        self.connected.clear()

    def _subscribed(self, client: mqtt.Client, userdata: object, mid: int, reasons: list[mqtt.ReasonCode],
                    properties: object) -> None:
        topic = self._pending.pop(mid, "?")
        if any(r.is_failure for r in reasons):
            log.error(_("the broker refused the subscription to {topic} (not in this client's ACL)").format(topic=topic))
            self.refused.append(topic)

    def _message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        try:
            self.on_message(message.topic, message.payload)
        except Exception:  # a bad message must not end the network thread
            log.exception(_("handling a message on {topic} failed").format(topic=message.topic))
