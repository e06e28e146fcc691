"""Fetching articles over http(s) without letting a URL reach inside our network.

Every connection, including each redirect hop, goes through ``GuardedBackend``, which resolves
the host itself and connects only to public addresses; a DNS name that resolves to a private
address is refused at connect time, so a redirect or a rebinding DNS answer cannot slip past a
check made earlier.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from articleqa.errors import FetchFailed, IngestError, SourceTooLarge, UnsafeURL, UnsupportedFormat
from articleqa.ingest.decode import decode_html, decode_text
from articleqa.ingest.html import read_html
from articleqa.ingest.org import read_text_or_org
from articleqa.models import RawArticle

logger = logging.getLogger(__name__)

USER_AGENT = "articleqa/0.1 (+https://github.com/articleqa/articleqa)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")


# IPv6 ranges whose last 32 bits are an IPv4 address a gateway or the host itself may reach:
# NAT64 (RFC 6052), IPv4-compatible (deprecated) and IPv4-translated (RFC 2765) addresses.
_EMBEDS_IPV4_LOW32 = tuple(
    ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "::/96", "::ffff:0:0:0/96")
)
# Local-use NAT64 (RFC 8215): a site's own translator, whatever the embedded address.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDS_IPV4_LOW32):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a public unicast address, judging an IPv6 address that carries an
    IPv4 one (mapped, NAT64, 6to4, IPv4-compatible or -translated) by the IPv4 address it
    leads to: on an IPv6-only host with NAT64, ``64:ff9b::a9fe:a9fe`` is 169.254.169.254."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        if ip.teredo is not None:
            return all(is_public_address(str(part)) for part in ip.teredo)
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchFailed(f"cannot resolve host {host!r}: {exc.strerror}") from exc
    except UnicodeError as exc:  # an IDNA label over 63 characters, say
        raise IngestError(f"invalid host name {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_host(host: str, port: int, allow_private: bool) -> list[str]:
    """Resolve ``host`` and refuse it unless every address is public (or private is allowed)."""
    addresses = resolve(host, port)
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise UnsafeURL(
                    f"refusing to fetch from {host} ({address}): loopback, private, link-local "
                    "and metadata addresses are blocked "
                    "(ARTICLEQA_ALLOW_PRIVATE_URLS=true allows them)"
                )
    return addresses


class GuardedBackend(httpcore.SyncBackend):
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = check_host(host, port, self.allow_private)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last_error = exc
        raise httpcore.ConnectError(f"cannot connect to {host}:{port}: {last_error}")


def _client(allow_private: bool, timeout_s: float) -> httpx.Client:
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no public hook for the network backend; its pool is httpcore's, which has one.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=GuardedBackend(allow_private)
    )
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"},
    )


def _check_url(url: str, allow_private: bool) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # unbalanced brackets, a port out of range...
        raise IngestError(f"invalid URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(f"only http and https URLs can be fetched, not {parts.scheme or 'none'!r}")
    if not parts.hostname:
        raise IngestError(f"URL has no host: {url}")
    check_host(parts.hostname, port or (443 if parts.scheme == "https" else 80), allow_private)


@dataclass(frozen=True, slots=True)
class FetchedResponse:
    """A response read under the same address rules as ``fetch_url``; ``url`` is after redirects."""

    url: str
    status_code: int
    headers: httpx.Headers
    body: bytes


def fetch_response(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    allow_private: bool = False,
    timeout_s: float = 15.0,
    max_bytes: int = 5_000_000,
    max_redirects: int = 5,
) -> FetchedResponse:
    """GET ``url`` (each redirect hop checked) and return any non-error response as is.

    For callers that need the status and headers, such as a conditional GET answered 304.
    Raises a typed IngestError for unsafe URLs, network failures and HTTP errors.
    """
    deadline = time.monotonic() + timeout_s
    current = url
    with _client(allow_private, timeout_s) as client:
        for _ in range(max_redirects + 1):
            _check_url(current, allow_private)
            try:
                with client.stream("GET", current, headers=dict(headers or {})) as response:
                    # is_redirect is true for any 3xx, a 304 Not Modified included.
                    if response.has_redirect_location:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        raise FetchFailed(f"{current} answered HTTP {response.status_code}")
                    body = _read_limited(response, max_bytes, deadline)
                    return FetchedResponse(current, response.status_code, response.headers, body)
            except httpx.TimeoutException as exc:
                raise FetchFailed(f"{current} timed out after {timeout_s:g}s") from exc
            except httpx.HTTPError as exc:
                raise FetchFailed(f"cannot fetch {current}: {exc}") from exc
            except httpx.InvalidURL as exc:
                raise IngestError(f"invalid URL {current!r}: {exc}") from exc
    raise FetchFailed(f"{url}: more than {max_redirects} redirects")


def fetch_url(
    url: str,
    *,
    allow_private: bool = False,
    timeout_s: float = 15.0,
    max_bytes: int = 5_000_000,
    max_redirects: int = 5,
) -> RawArticle:
    """Fetch one page and read it as an article. Raises a typed IngestError on any failure."""
    response = fetch_response(
        url,
        allow_private=allow_private,
        timeout_s=timeout_s,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
    )
    content_type, _, parameters = response.headers.get("content-type", "").partition(";")
    charset = next(
        (
            value.strip().strip("\"'")
            for key, _, value in (p.partition("=") for p in parameters.split(";"))
            if key.strip().lower() == "charset" and value.strip()
        ),
        None,
    )
    return _to_article(url, response.body, content_type.strip().lower(), charset)


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceTooLarge(f"page is {int(declared):,} bytes, over the {max_bytes:,}-byte limit")
    chunks: list[bytes] = []
    size = 0
    # Decoded bytes: most sites send gzip, and the limit must hold for what is unpacked too.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceTooLarge(f"page is over the {max_bytes:,}-byte limit")
        if time.monotonic() > deadline:
            raise FetchFailed("page took too long to download")
        chunks.append(chunk)
    return b"".join(chunks)


def _to_article(url: str, body: bytes, content_type: str, charset: str | None) -> RawArticle:
    if content_type and not content_type.startswith(_HTML_TYPES + _TEXT_TYPES):
        raise UnsupportedFormat(f"{url} is {content_type}, not an HTML or text page")
    if charset and charset.lower().replace("-", "") not in ("utf8", "ascii"):
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise IngestError(f"{url} cannot be decoded as {charset}") from exc
    elif content_type.startswith(_TEXT_TYPES):
        text = decode_text(body, what=url)
    else:
        text = decode_html(body, what=url)
    if content_type.startswith(_TEXT_TYPES):
        article = read_text_or_org(text, source=url)
        return RawArticle(title=article.title, text=article.text, url=url, source=url)
    return read_html(text, source=url, url=url)
