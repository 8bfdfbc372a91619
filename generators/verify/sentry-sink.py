"""A stand-in Sentry ingest endpoint for `yo django-prod:verify` (Python stdlib only).

The stack under test gets SENTRY_DSN=http://verify@sentry-sink:9000/1, so sentry-sdk posts its
envelopes here instead of to sentry.io. The sink keeps a summary of every error event and
answers GET /events with them, which is how verify proves that errors in Django and in Celery
tasks really reach Sentry.
"""
import gzip
import json
import os
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:  # sentry-sdk compresses with brotli when the app has it installed, gzip otherwise.
    import brotli
except ImportError:
    brotli = None

EVENTS = []
LOCK = threading.Lock()


def decode(body, encoding):
    encoding = (encoding or "").strip().lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        if brotli is None:
            raise ValueError("brotli-compressed body and no brotli module in the sink")
        return brotli.decompress(body)
    return body


def envelope_items(data):
    """Yields (item type, payload bytes) of a Sentry envelope: a header line, then items."""
    newline = data.find(b"\n")
    if newline < 0:
        return
    position = newline + 1
    while position < len(data):
        end = data.find(b"\n", position)
        if end < 0:
            end = len(data)
        raw_header = data[position:end].strip()
        position = end + 1
        if not raw_header:
            continue
        item = json.loads(raw_header)
        length = item.get("length")
        if length is None:
            end = data.find(b"\n", position)
            if end < 0:
                end = len(data)
            payload = data[position:end]
            position = end + 1
        else:
            payload = data[position:position + length]
            position += length + 1
        yield item.get("type"), payload


def summarize(event):
    values = (event.get("exception") or {}).get("values") or []
    last = values[-1] if values else {}
    entry = event.get("logentry") or {}
    return {
        "event_id": event.get("event_id"),
        "level": event.get("level"),
        "exception_type": last.get("type"),
        "exception_value": last.get("value"),
        "transaction": event.get("transaction"),
        "logger": event.get("logger"),
        "message": entry.get("formatted") or entry.get("message") or event.get("message"),
        "server_name": event.get("server_name"),
        "environment": event.get("environment"),
    }


def record(summary):
    with LOCK:
        EVENTS.append(summary)
    print("sentry-sink: event " + json.dumps(summary), flush=True)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("?")[0].strip("/").split("/")
        kind = parts[2] if len(parts) >= 3 and parts[0] == "api" else ""
        if kind not in ("envelope", "store"):
            self.answer(404, {"detail": "not a Sentry ingest path"})
            return
        try:
            data = decode(body, self.headers.get("Content-Encoding"))
            if kind == "store":
                record(summarize(json.loads(data)))
            else:
                for item_type, payload in envelope_items(data):
                    if item_type == "event":
                        record(summarize(json.loads(payload)))
        except Exception as error:  # an unreadable post still proves the DSN reached us
            record({"undecodable": "%s: %s" % (type(error).__name__, error)})
        self.answer(200, {"id": "0" * 32})

    def do_GET(self):
        if self.path.startswith("/events"):
            with LOCK:
                self.answer(200, {"count": len(EVENTS), "events": list(EVENTS)})
        elif self.path.startswith("/health"):
            self.answer(200, {"status": "ok"})
        else:
            self.answer(404, {"detail": "GET /events or /health"})

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # one line per request, on stdout
        print("sentry-sink: " + (format % args), flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("SINK_PORT", "9000"))
    print("sentry-sink: listening on :%d" % port, flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
