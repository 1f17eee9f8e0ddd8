"""What the app sends: the mitmproxy addon, body decoding, detectors, destination attribution.

Pipeline, each step a pure module: message.py (a request/response/WebSocket message from
any source) -> decode.py + layers.py (every encoding layer, bounded) -> match.py
(known values, knownvalues.py), location.py, detectors.py (validated patterns) ->
analyze.py (one detection per value, place and form) -> detection.py (masked output,
observations), party.py (first/third/unknown, SDK). I/O at the edges: addon.py and
session.py/recorder.py (live capture into the bundle), capture.py (`apptest capture`),
flowfile.py and har.py (saved traffic), offline.py (`apptest traffic`), marks.py
(`apptest phase`).
"""
