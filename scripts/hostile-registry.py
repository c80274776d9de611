#!/usr/bin/env python3
"""A registry that lies, for tests of what Hoist believes: it serves manifests and blobs from a
directory as they are (no checks), optionally dripping blob bodies a byte at a time.

Layout of --root: manifests/REF (the bytes served for /v2/NAME/manifests/REF, with the media
type in manifests/REF.type when present) and blobs/DIGEST. With --drip SECONDS, blob bodies are
sent one byte every SECONDS (the full Content-Length announced first). Listens on 127.0.0.1.
"""
import argparse
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--drip", type=float, default=0)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def send_bytes(self, body, content_type, drip=0):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if drip <= 0:
                self.wfile.write(body)
                return
            for index in range(len(body)):
                self.wfile.write(body[index:index + 1])
                self.wfile.flush()
                time.sleep(drip)

        def missing(self):
            body = b'{"errors":[{"code":"NOT_FOUND","message":"not here"}]}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path in ("/v2/", "/v2"):
                return self.send_bytes(b"{}", "application/json")
            parts = path.split("/")
            if len(parts) < 5 or parts[1] != "v2":
                return self.missing()
            kind, ref = parts[-2], parts[-1]
            if kind == "manifests":
                file = os.path.join(args.root, "manifests", ref)
                if not os.path.isfile(file):
                    return self.missing()
                media = "application/vnd.oci.image.manifest.v1+json"
                if os.path.isfile(file + ".type"):
                    media = open(file + ".type").read().strip()
                return self.send_bytes(open(file, "rb").read(), media)
            if kind == "blobs":
                file = os.path.join(args.root, "blobs", ref)
                if not os.path.isfile(file):
                    return self.missing()
                return self.send_bytes(open(file, "rb").read(), "application/octet-stream", args.drip)
            return self.missing()

        do_HEAD = do_GET

        def log_message(self, *arguments):
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
