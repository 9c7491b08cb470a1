"""The few fakes the tests use. Each stands in for something we cannot reach here
(Google's TTS service); none replaces espeak-ng, ffmpeg or SQLite. The daemon's
fakes (a clock and an in-process renderer) live in daemon_fakes.py."""

from __future__ import annotations

import base64

import requests


class OfflineHTTP:
    """Fakes the network under gTTS as this machine really is: no route to Google.

    Patches requests.Session.send (the only HTTP call gTTS makes) and records
    the timeout gTTS passed, so tests can check it is never 'wait forever'."""

    def __init__(self, monkeypatch) -> None:
        self.requests: list[dict] = []
        monkeypatch.setattr(requests.Session, "send", lambda session, request, **kw: self._send(request, **kw))

    def _send(self, request, **kwargs):
        self.requests.append({"url": request.url, "timeout": kwargs.get("timeout")})
        raise requests.ConnectionError("fake network: no route to translate.google.com")


class GoogleTTSReplay(OfflineHTTP):
    """Fakes a Google TTS answer carrying the given MP3 bytes, in the response format gTTS parses."""

    def __init__(self, monkeypatch, mp3: bytes) -> None:
        super().__init__(monkeypatch)
        self.mp3 = mp3

    def _send(self, request, **kwargs):
        self.requests.append({"url": request.url, "timeout": kwargs.get("timeout")})
        response = requests.Response()
        response.status_code = 200
        payload = base64.b64encode(self.mp3).decode("ascii")
        response._content = f')]}}\'\n\n[["wrb.fr","jQ1olc","[\\"{payload}\\"]",null]]'.encode()
        response._content_consumed = True
        response.request = request
        return response
