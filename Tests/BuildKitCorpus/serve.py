#!/usr/bin/env python3
"""Fixtures of the BuildKit corpus cases, on 127.0.0.1 only.

  serve.py PORT ROUTES.json    HTTP: GET and HEAD of each route; "content" or "content_file",
                               an ETag when "etag" is true, Last-Modified from "last_modified"
                               (Unix seconds, or {"relative_to_now_seconds": N}).
  serve.py PORT --echo TEXT    TCP: writes TEXT to every connection and closes it.
"""
import email.utils
import hashlib
import http.server
import json
import socketserver
import sys
import time


def serve_routes(port, routes_file):
    with open(routes_file) as f:
        routes = json.load(f)

    class Handler(http.server.BaseHTTPRequestHandler):
        def route(self):
            route = routes.get(self.path.split("?", 1)[0])
            if route is None:
                self.send_error(404)
                return None, None
            if "content_file" in route:
                with open(route["content_file"], "rb") as f:
                    body = f.read()
            else:
                body = route.get("content", "").encode()
            etag = '"%s"' % hashlib.sha256(body).hexdigest() if route.get("etag") else None
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None, None
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            modified = route.get("last_modified")
            if isinstance(modified, dict):
                modified = int(time.time()) + modified.get("relative_to_now_seconds", 0)
            if modified is not None:
                self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
            self.end_headers()
            return body, route

        def do_GET(self):
            body, _ = self.route()
            if body is not None:
                self.wfile.write(body)

        def do_HEAD(self):
            self.route()

        def log_message(self, format, *args):
            sys.stderr.write("%s\n" % (format % args))

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def serve_echo(port, text):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.sendall(text.encode())

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    if sys.argv[2] == "--echo":
        serve_echo(int(sys.argv[1]), sys.argv[3])
    else:
        serve_routes(int(sys.argv[1]), sys.argv[2])
