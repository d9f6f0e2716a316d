"""Render camau-public.conf.template (or camau-editors.conf.template) from the environment,
after checking every value.

    CAMAU_PROXY_LISTEN=203.0.113.10:80 CAMAU_PROXY_SERVER_NAME=bando.camau.gov.vn \\
    CAMAU_FRAME_ANCESTORS="https://camau.gov.vn https://*.camau.gov.vn" \\
      python3 deploy/nginx/render.py > /etc/nginx/sites-available/camau-public

    CAMAU_EDITORS_LISTEN=10.10.0.5:80 CAMAU_MAX_UPLOAD_MB=10 \\
    CAMAU_EDITORS_UPSTREAMS="127.0.0.1:8601 127.0.0.1:8602" \\
      python3 deploy/nginx/render.py editors > /etc/nginx/sites-available/camau-editors

Only the standard library is used, so any python3 will do. The output is byte for byte what
envsubst gives for the same values (tests/test_nginx.py checks this):

    envsubst '${CAMAU_PROXY_LISTEN} ${CAMAU_PROXY_SERVER_NAME} ${CAMAU_PUBLIC_DIR}
      ${CAMAU_PUBLIC_BASE_PATH} ${CAMAU_FRAME_ANCESTORS}' \\
      < deploy/nginx/camau-public.conf.template

but envsubst checks nothing, and it leaves an unset variable empty. Here a value that could change
the meaning of the configuration (a quote, ';', '{', '$', a line break) is refused, and so is a
frame-ancestors entry that is not a CSP source. The exit status is then 2, with the reason on stderr.
The editors' template has computed values: CAMAU_EDITORS_MAX_BODY, CAMAU_MAX_UPLOAD_MB rounded
up plus 1 MB for the multipart framing; and the upstream groups and maps that keep each browser on
one replica, from the replicas in CAMAU_EDITORS_UPSTREAMS (address:port, separated by spaces;
unset, the one app at CAMAU_EDITORS_ADDRESS:CAMAU_EDITORS_PORT).
"""
from __future__ import annotations

import math
import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("camau-public.conf.template")
EDITORS_TEMPLATE = Path(__file__).resolve().with_name("camau-editors.conf.template")

DEFAULTS = {
    "CAMAU_PROXY_LISTEN": None,                  # required: the public address:port
    "CAMAU_PROXY_SERVER_NAME": "_",
    "CAMAU_PUBLIC_DIR": "/var/www/camau-public",  # the editors' app's CAMAU_PUBLIC_DIR (the static site)
    "CAMAU_PUBLIC_BASE_PATH": "ban-do-cong-khai",
    "CAMAU_FRAME_ANCESTORS": "",                 # besides 'self'
}

_HOST = r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*"
_SOURCE = re.compile(
    r"'self'"
    r"|\*"
    r"|https?:"                                                  # scheme-source
    rf"|(https?://)?{_HOST}(:(\d{{1,5}}|\*))?(/[A-Za-z0-9._~%/-]*)?")   # host-source
_CHECKS = {
    "CAMAU_PROXY_LISTEN": re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?"
                                     r"( (ssl|http2|default_server|reuseport))*"),
    "CAMAU_PROXY_SERVER_NAME": re.compile(r"[A-Za-z0-9._*-]+( [A-Za-z0-9._*-]+)*"),
    "CAMAU_PUBLIC_ADDRESS": re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+"),
    "CAMAU_PUBLIC_PORT": re.compile(r"\d{1,5}"),
    "CAMAU_PUBLIC_BASE_PATH": re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*"),
    "CAMAU_PUBLIC_DIR": re.compile(r"(/[A-Za-z0-9._~-]+)+"),
}


EDITORS_DEFAULTS = {
    "CAMAU_EDITORS_LISTEN": None,                # required: an intranet or VPN address:port
    "CAMAU_EDITORS_SERVER_NAME": "_",
    "CAMAU_EDITORS_ADDRESS": "127.0.0.1",        # as in scripts/run-app.sh
    "CAMAU_EDITORS_PORT": "8501",
}
_EDITORS_CHECKS = {
    "CAMAU_EDITORS_LISTEN": _CHECKS["CAMAU_PROXY_LISTEN"],
    "CAMAU_EDITORS_SERVER_NAME": _CHECKS["CAMAU_PROXY_SERVER_NAME"],
    "CAMAU_EDITORS_ADDRESS": _CHECKS["CAMAU_PUBLIC_ADDRESS"],
    "CAMAU_EDITORS_PORT": _CHECKS["CAMAU_PUBLIC_PORT"],
}


class SettingError(ValueError):
    pass


def editors_settings(environ: dict[str, str]) -> dict[str, str]:
    """The editors' template's values, each one checked, and CAMAU_EDITORS_MAX_BODY computed from
    CAMAU_MAX_UPLOAD_MB (default 10, as in storage/settings.py)."""
    values = {}
    for name, default in EDITORS_DEFAULTS.items():
        value = environ.get(name, default)
        if not value:
            raise SettingError(f"{name} is not set")
        if not _EDITORS_CHECKS[name].fullmatch(value):
            raise SettingError(f"{name}: {value!r} is not allowed here")
        if name == "CAMAU_EDITORS_PORT" and not 0 < int(value) < 65536:
            raise SettingError(f"{name}: {value} is not a port")
        values[name] = value
    upload = environ.get("CAMAU_MAX_UPLOAD_MB", "10")
    try:
        megabytes = float(upload)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and 0 < megabytes <= 10_000):
        raise SettingError(f"CAMAU_MAX_UPLOAD_MB: {upload!r} is not a size in megabytes (write e.g. 10)")
    values["CAMAU_EDITORS_MAX_BODY"] = f"{max(1, math.ceil(megabytes)) + 1}m"
    values.update(affinity_settings(editors_upstreams(environ, values)))
    return values


def affinity_settings(replicas: list[str]) -> dict[str, str]:
    """The editors' template's upstream parts for ``replicas`` (see its "Sticky sessions"):
    every replica in camau_editors_app; a group camau_editors_N per replica, the others its
    backups; the cookie value N routed to that group; N recognised in $upstream_addr."""
    groups = []
    for number, replica in enumerate(replicas, 1):
        backups = "".join(f"    server {other} backup;\n" for other in replicas if other != replica)
        groups.append(f"upstream camau_editors_{number} {{\n    server {replica};\n{backups}    keepalive 4;\n}}")
    return {
        "CAMAU_EDITORS_SERVERS": "\n    ".join(f"server {replica};" for replica in replicas),
        "CAMAU_EDITORS_REPLICA_UPSTREAMS": "\n".join(groups),
        "CAMAU_EDITORS_AFFINITY_ROUTES": "\n    ".join(
            f"{number} camau_editors_{number};" for number in range(1, len(replicas) + 1)),
        "CAMAU_EDITORS_AFFINITY_SERVED": "\n    ".join(
            f'"~(^|, ){re.escape(replica)}$" {number};' for number, replica in enumerate(replicas, 1)),
    }


def editors_upstreams(environ: dict[str, str], values: dict[str, str]) -> list[str]:
    """The replicas named by CAMAU_EDITORS_UPSTREAMS ("address:port address:port ..."), each
    checked, or the one app at CAMAU_EDITORS_ADDRESS:CAMAU_EDITORS_PORT when it is not set."""
    listed = environ.get("CAMAU_EDITORS_UPSTREAMS", "").split()
    if not listed:
        return [f"{values['CAMAU_EDITORS_ADDRESS']}:{values['CAMAU_EDITORS_PORT']}"]
    replicas = []
    for replica in listed:
        address, _, port = replica.rpartition(":")
        if not (_EDITORS_CHECKS["CAMAU_EDITORS_ADDRESS"].fullmatch(address) and port.isdigit()
                and len(port) <= 5 and 0 < int(port) < 65536):
            raise SettingError(f"CAMAU_EDITORS_UPSTREAMS: {replica!r} is not an address:port "
                               "(write e.g. \"127.0.0.1:8601 127.0.0.1:8602\")")
        if replica in replicas:
            raise SettingError(f"CAMAU_EDITORS_UPSTREAMS: {replica} is named twice")
        replicas.append(replica)
    return replicas


def settings(environ: dict[str, str]) -> dict[str, str]:
    """The template's values from ``environ`` with the defaults filled in, each one checked."""
    values = {}
    for name, default in DEFAULTS.items():
        value = environ.get(name, default)
        if value is None or (value == "" and name != "CAMAU_FRAME_ANCESTORS"):
            raise SettingError(f"{name} is not set")
        if name == "CAMAU_FRAME_ANCESTORS":
            for source in value.split(" "):
                if source and (source.lower() == "'none'" or not _SOURCE.fullmatch(source)):
                    raise SettingError(f"{name}: {source!r} is not a CSP source for frame-ancestors "
                                       "(write e.g. https://camau.gov.vn https://*.camau.gov.vn, "
                                       "separated by spaces; 'none' would also block the map's own iframe)")
        elif not _CHECKS[name].fullmatch(value) or (
                name in ("CAMAU_PUBLIC_BASE_PATH", "CAMAU_PUBLIC_DIR")
                and any(set(part) == {"."} for part in value.split("/"))):
            raise SettingError(f"{name}: {value!r} is not allowed here")
        if name == "CAMAU_PUBLIC_PORT" and not 0 < int(value) < 65536:
            raise SettingError(f"{name}: {value} is not a port")
        values[name] = value
    return values


def render(environ: dict[str, str], template: str | None = None, site: str = "public") -> str:
    """The configuration for ``site`` ("public" or "editors")."""
    if site not in ("public", "editors"):
        raise SettingError(f"unknown site {site!r}: write public or editors")
    values = settings(environ) if site == "public" else editors_settings(environ)
    path = TEMPLATE if site == "public" else EDITORS_TEMPLATE
    text = path.read_text(encoding="utf-8") if template is None else template
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    if "${" in text:
        raise SettingError("the template names a variable that render.py does not know: "
                           + re.search(r"\$\{[^}]*\}?", text).group(0))
    return text


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if len(args) > 1:
            raise SettingError("usage: render.py [public|editors]")
        sys.stdout.write(render(dict(os.environ), site=args[0] if args else "public"))
    except SettingError as error:
        print(f"render.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
