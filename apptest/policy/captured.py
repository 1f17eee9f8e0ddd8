"""Policy pages captured during the run: first-party HTML in flows.mitm that reads like a policy.

Many apps show their policy as a web page from their own server; the proxy recorded it,
so the bundle already holds the very text the user was shown. A page is taken when

* the request went to the operator's own domains (`operator_domains` of the manifest), or
  to a policy URL the APK itself contains (static.json `privacy_policy_hints`) — a page
  from anyone else is not the app's policy;
* the response is a successful HTML, Markdown or text document;
* it reads like a policy: a title or heading with a policy word of the lexicon
  (隐私政策, privacy policy …) and at least `min_data_types` data types mentioned.

Flows are read with the traffic collector's tolerant reader (a capture killed mid-write
still yields every complete flow); this module never parses a flow file itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apptest.attribution import registrable_suffixes
from apptest.evidence import Bundle
from apptest.policy.collect import Collected, extractor, open_bundle, record
from apptest.policy.extract import mentions_data_types
from apptest.policy.matcher import fold
from apptest.policy.text import PlainText, to_plain

FLOWS = "flows.mitm"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")


@dataclass(frozen=True)
class Page:
    url: str
    host: str
    content_type: str
    body: bytes


def first_party(host: str, url: str, operator_domains: Iterable[str], hint_urls: Iterable[str]) -> bool:
    """The operator's own host, or exactly a policy URL found in the APK."""
    domains = {d.strip().lower().lstrip("*.").rstrip(".") for d in operator_domains if d.strip()}
    if any(suffix in domains for suffix in registrable_suffixes(host)):
        return True
    bare = url.split("#", 1)[0].rstrip("/")
    return any(bare == h.split("#", 1)[0].rstrip("/") for h in hint_urls)


def reads_like_policy(plain: PlainText, knowledge: Any) -> bool:
    ex = extractor(knowledge)
    titles = ex.lexicon.policy_titles
    headings = [plain.title or "", *(s.text for s in plain.sentences if s.block == "heading")]
    if not any(titles.search(fold(h)) for h in headings if h):
        return False
    return mentions_data_types(plain, ex) >= ex.lexicon.min_data_types


def pages(bundle: Bundle) -> tuple[list[Page], list[str]]:
    """Successful text responses in the bundle's flow file (and what could not be read)."""
    path = bundle.root / FLOWS
    if not path.exists():
        return [], []
    from apptest.traffic.flowfile import read_flow_file

    read = read_flow_file(path)
    out = []
    for flow in read.flows:
        response = getattr(flow, "response", None)
        request = getattr(flow, "request", None)
        if response is None or request is None or response.status_code != 200:
            continue
        content_type = (response.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if content_type not in TEXT_TYPES:
            continue
        body = response.get_content(strict=False) or b""
        if body:
            out.append(Page(request.pretty_url, request.pretty_host.lower(), content_type, body))
    return out, list(read.errors)


def collect_captured(bundle_dir: Path, knowledge: Any) -> tuple[list[Collected], list[str]]:
    """Record every first-party policy page of the bundle's traffic; returns (collected, errors)."""
    bundle = open_bundle(bundle_dir)
    try:
        manifest = bundle.manifest()
        hints = [
            h.get("value", "") for h in bundle.static().get("privacy_policy_hints") or [] if h.get("kind") == "url"
        ]
        found, errors = pages(bundle)
        out = []
        for page in found:
            if not first_party(page.host, page.url, manifest.get("operator_domains") or [], hints):
                continue
            fmt = "html" if "html" in page.content_type else "markdown" if "markdown" in page.content_type else None
            plain = to_plain(page.body, page.url.split("?", 1)[0], fmt)
            if not reads_like_policy(plain, knowledge):
                continue
            name = page.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or page.host
            if fmt == "html" and not name.lower().endswith((".html", ".htm")):
                name += ".html"
            out.append(record(bundle, page.body, name, knowledge, origin="captured", source=page.url, plain=plain))
        return out, errors
    finally:
        bundle.close()
