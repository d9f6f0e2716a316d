"""Which address a sign-in attempt comes from.

The address that counts is the direct TCP peer, unless that peer is one of the configured proxies
(``CAMAU_TRUSTED_PROXIES``: IP addresses or networks, separated by commas or spaces; empty by
default, so ``X-Forwarded-For`` is ignored). Then ``X-Forwarded-For`` is read from the right: each
trusted proxy appends the address it saw, so the first entry from the right that is not itself a
trusted proxy is the client. Entries to the left of it were written by the client and are never
believed. A header that cannot be parsed leaves the proxy's own address, never a made-up one.
"""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable

TRUSTED_PROXIES_ENV = "CAMAU_TRUSTED_PROXIES"
LOOPBACK = "127.0.0.1"
UNKNOWN = "-"          # no network peer at all (command line, tests without a server)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxySettingError(ValueError):
    """``CAMAU_TRUSTED_PROXIES`` names something that is not an IP address or network."""

    def __init__(self, message: str, item: str):
        super().__init__(message)
        self.item = item


def trusted_proxies(value: str | None = None) -> tuple[Network, ...]:
    """The networks of ``value`` (default: the ``CAMAU_TRUSTED_PROXIES`` environment variable)."""
    text = os.environ.get(TRUSTED_PROXIES_ENV, "") if value is None else value
    networks = []
    for item in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ProxySettingError(
                f"{TRUSTED_PROXIES_ENV}: {item!r} is not an IP address or network; write e.g. "
                "CAMAU_TRUSTED_PROXIES=127.0.0.1 (nginx on the same machine) or 10.0.0.5,10.0.1.0/24",
                item) from None
    return tuple(networks)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    address = address.strip()
    if address.startswith("[") and "]" in address:          # [v6]:port
        address = address[1:address.index("]")]
    elif address.count(":") == 1:                             # v4:port
        address = address.split(":", 1)[0]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        return parsed.ipv4_mapped
    return parsed


def _trusted(address, proxies: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Iterable[Network]) -> str:
    """The client's address (normalised text) for the rate limits.

    ``peer``: the direct TCP peer (None: no network peer). ``forwarded_for``: the X-Forwarded-For
    header as received (several headers joined with commas)."""
    if peer is None:
        return UNKNOWN
    address = _parse(peer)
    if address is None:
        return peer.strip()[:64] or UNKNOWN
    proxies = tuple(proxies)
    if not forwarded_for or not _trusted(address, proxies):
        return str(address)
    for entry in reversed(forwarded_for.split(",")):
        hop = _parse(entry)
        if hop is None:           # garbage, "unknown" or an obfuscated id: stop at the last good one
            return str(address)
        address = hop
        if not _trusted(address, proxies):
            return str(address)
    return str(address)
