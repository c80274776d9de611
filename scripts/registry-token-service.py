#!/usr/bin/env python3
"""A token service for tests of Docker's registry token authentication.

Issues RS256 JWTs signed with --key, carrying --cert in the `x5c` header, which the registry
checks against its `auth.token.rootcertbundle`. Users come from --user NAME:PASSWORD; with
--anonymous-pull, requests without credentials get pull access. `offline_token=true` yields a
refresh token, usable with the OAuth2 POST form (`grant_type=refresh_token`). Listens on
127.0.0.1 only. Signing uses the openssl command, so only the standard library is needed.
"""
import argparse
import base64
import json
import secrets
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--user", action="append", default=[])
    parser.add_argument("--anonymous-pull", action="store_true")
    return parser.parse_args()


ARGS = parse_args()
USERS = dict(entry.split(":", 1) for entry in ARGS.user)
REFRESH_TOKENS = {}
with open(ARGS.cert) as handle:
    PEM = handle.read()
CERT_DER_B64 = "".join(line for line in PEM.splitlines() if line and not line.startswith("-----"))


def sign(payload: dict) -> str:
    header = {"typ": "JWT", "alg": "RS256", "x5c": [CERT_DER_B64]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    signature = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", ARGS.key], input=signing_input.encode(), capture_output=True, check=True
    ).stdout
    return signing_input + "." + b64url(signature)


def access_for(user, scopes):
    """Grants what was asked to a known user, and only pull to anonymous when allowed."""
    access = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) < 3:
            continue
        kind, actions = parts[0], parts[-1].split(",")
        name = ":".join(parts[1:-1])
        if user is None:
            actions = [a for a in actions if a == "pull"] if ARGS.anonymous_pull else []
        if actions:
            access.append({"type": kind, "name": name, "actions": actions})
    return access


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        # The request line only: queries hold scopes, never secrets (those are in headers).
        sys.stderr.write("token-service: " + (fmt % args) + "\n")

    def reply(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def issue(self, user, scopes, offline):
        now = int(time.time())
        claims = {
            "iss": ARGS.issuer, "sub": user or "", "aud": ARGS.service, "exp": now + 300, "nbf": now - 10,
            "iat": now, "jti": secrets.token_hex(8), "access": access_for(user, scopes),
        }
        token = sign(claims)
        answer = {"token": token, "access_token": token, "expires_in": 300,
                  "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        if offline and user is not None:
            refresh = secrets.token_urlsafe(24)
            REFRESH_TOKENS[refresh] = user
            answer["refresh_token"] = refresh
        sys.stderr.write(f"token-service: issued to {user or 'anonymous'} for {scopes}\n")
        self.reply(200, answer)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        user = None
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            name, _, password = base64.b64decode(header[6:]).decode().partition(":")
            if USERS.get(name) != password:
                return self.reply(401, {"details": "incorrect username or password"})
            user = name
        self.issue(user, query.get("scope", []), query.get("offline_token", ["false"])[0] == "true")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        grant = form.get("grant_type", [""])[0]
        if grant == "refresh_token":
            user = REFRESH_TOKENS.get(form.get("refresh_token", [""])[0])
            if user is None:
                return self.reply(401, {"details": "invalid refresh token"})
        elif grant == "password":
            user = form.get("username", [""])[0]
            if USERS.get(user) != form.get("password", [""])[0]:
                return self.reply(401, {"details": "incorrect username or password"})
        else:
            return self.reply(400, {"details": f"unsupported grant_type {grant!r}"})
        self.issue(user, form.get("scope", []), form.get("access_type", [""])[0] == "offline")


ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler).serve_forever()
