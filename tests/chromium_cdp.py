"""A minimal headless-Chromium driver over the DevTools protocol on a pipe (no extra packages).

Chromium started with ``--remote-debugging-pipe`` reads protocol messages from file
descriptor 3 and writes to 4, each a JSON object ended by a NUL byte. This is
enough to load a page, collect console errors and uncaught exceptions, evaluate
JavaScript in the page and take a screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Self

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The first Chromium-like executable on PATH, or ``None``."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One headless browser; use as a context manager."""

    def __init__(self, executable: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._id = 0
        self._buf = b""
        self.events: list[dict[str, Any]] = []
        self._profile = tempfile.mkdtemp(prefix="infoops-chromium-")
        to_child_r, self._to_child_w = os.pipe()
        self._from_child_r, from_child_w = os.pipe()

        def wire() -> None:  # runs in the child: put the pipe ends on fds 3 and 4
            a, b = os.dup(to_child_r), os.dup(from_child_w)  # dodge clashes with 3 and 4
            os.dup2(a, 3)  # dup2 makes them inheritable; everything else closes on exec
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--hide-scrollbars", "--mute-audio", f"--user-data-dir={self._profile}",
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # pass_fds cannot renumber descriptors; the tests start no threads meanwhile
            preexec_fn=wire, close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)

    # -- protocol -------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_child_r], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_child_r, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        """Send a command and wait for its result (events that arrive meanwhile are kept)."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict[str, Any]:
        """Wait for an event (or return one already received)."""
        for ev in self.events:
            if ev.get("method") == method and (session is None or ev.get("sessionId") == session):
                return ev
        deadline = time.monotonic() + self.timeout
        while True:
            ev = self._read_message(deadline)
            self.events.append(ev)
            if ev.get("method") == method and (session is None or ev.get("sessionId") == session):
                return ev

    # -- high level -------------------------------------------------------------
    def open(self, url: str, width: int = 1200, height: int = 900) -> str:
        """Open ``url`` in a new page with console/log capture; return the session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        return session

    def _wait_after(self, method: str, session: str, start: int) -> dict[str, Any]:
        """Wait for an event that arrives after ``self.events[start]``."""
        for ev in self.events[start:]:
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
        deadline = time.monotonic() + self.timeout
        while True:
            ev = self._read_message(deadline)
            self.events.append(ev)
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev

    def navigate(self, session: str, url: str) -> None:
        """Load ``url`` in an open page and wait for it."""
        start = len(self.events)
        self.send("Page.navigate", {"url": url}, session=session)
        self._wait_after("Page.loadEventFired", session, start)

    def click(self, session: str, selector: str, navigates: bool = True) -> None:
        """Click the element ``selector`` (a link or a submit button); wait for the next page."""
        start = len(self.events)
        found = self.evaluate(session, f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                                       f" if (!e) return false; e.click(); return true; }})()")
        if not found:
            raise RuntimeError(f"no element {selector!r} on {self.url(session)}")
        if navigates:
            self._wait_after("Page.loadEventFired", session, start)

    def type(self, session: str, selector: str, text: str) -> None:
        """Set the value of the input, textarea or select ``selector``."""
        ok = self.evaluate(session, f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                                    f" if (!e) return false; e.value = {json.dumps(text)}; return true; }})()")
        if not ok:
            raise RuntimeError(f"no field {selector!r} on {self.url(session)}")

    def text(self, session: str, selector: str = "body") -> str:
        """The visible text of the first element ``selector`` ('' when absent)."""
        return str(self.evaluate(session, f"(document.querySelector({json.dumps(selector)}) || "
                                          f"{{innerText: ''}}).innerText"))

    def count(self, session: str, selector: str) -> int:
        return int(self.evaluate(session, f"document.querySelectorAll({json.dumps(selector)}).length"))

    def url(self, session: str) -> str:
        return str(self.evaluate(session, "location.href"))

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error-level log entries seen so far."""
        out = []
        for ev in self.events:
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(json.dumps(params.get("args", []))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(params["entry"].get("text", "")[:500])
        return out

    def evaluate(self, session: str, expression: str) -> Any:
        """Evaluate JavaScript in the page (DevTools only; the page itself runs none)."""
        res = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                        session=session)
        if "exceptionDetails" in res:
            raise RuntimeError(str(res["exceptionDetails"]))
        return res["result"].get("value")

    def screenshot(self, session: str, path: Path, max_height: int = 8000, top: int = 0) -> Path:
        """A PNG of the page from ``top`` (pixels from the top), up to ``max_height`` tall."""
        metrics = self.send("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": top, "width": size["width"],
                "height": max(1, min(size["height"] - top, max_height)), "scale": 1}
        data = self.send("Page.captureScreenshot",
                         {"format": "png", "clip": clip, "captureBeyondViewport": True},
                         session=session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child_w, self._from_child_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
