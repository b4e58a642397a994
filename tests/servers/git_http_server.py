#!/usr/bin/env python3
"""A real git smart-HTTP server for crabgate's tests: git's own `git http-backend`
run as CGI behind Python's standard HTTP server, with basic auth. Listens on
127.0.0.1 only, on a free port, and prints `PORT <n>` on its first line.

  git_http_server.py --root DIR [--token SECRET:rw]... [--log FILE] [--redirect-to URL]
                     [--tls CERT KEY]

Repositories are the bare repositories under DIR, served at /<name>.git/...
With no --token, anyone may fetch and push. With tokens, every request needs
basic auth whose password is one of them (any user name, as GitHub and GitLab
take `x-access-token` and `oauth2`); a token marked `ro` may fetch, and its
push is answered 403 as a forge answers a read-only token. Each request is
logged as one JSON line {method, path, service, user, auth, status} to --log
(auth: whether an Authorization header came), so a test can count the pushes
a client made and see the user name it sent.

With --tls, it speaks HTTPS with the given certificate and key.

With --redirect-to, a request that passes the token check is answered
`301 Moved Permanently` to URL followed by the request's path and query, as a
moved repository (or a hostile server) answers, with a WWW-Authenticate
challenge on the redirect so a client that holds credentials is tempted to
send them along.
"""

import argparse
import base64
import json
import os
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ARGS = None
LOG_LOCK = threading.Lock()


def log(entry):
    if not ARGS.log:
        return
    with LOG_LOCK, open(ARGS.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    server_version = "crabgate-test-git/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as forges answer; every answer has a Content-Length

    def log_message(self, fmt, *args):  # keep the test output quiet
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def answer(self, status, headers, body, entry):
        entry["status"] = status
        log(entry)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def user_and_rights(self):
        """(user, rights) for the request's credentials; rights None when refused."""
        if not ARGS.token:
            return "anonymous", "rw"
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None, None
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None, None
        for t in ARGS.token:
            secret, _, rights = t.rpartition(":")
            if password == secret:
                return user, rights
        return user, None

    def handle_git(self, method):
        url = urlsplit(self.path)
        body = self.read_body() if method == "POST" else b""
        service = "git-receive-pack" if ("git-receive-pack" in url.path or "git-receive-pack" in url.query) \
            else "git-upload-pack"
        user, rights = self.user_and_rights()
        entry = {"method": method, "path": url.path, "service": service, "user": user,
                 "auth": bool(self.headers.get("Authorization"))}
        if rights is None:
            # With a Content-Type, as forges send it: libgit2 1.5 takes a body without one for
            # no body at all, and would read it as the next answer's status line.
            self.answer(401, [("WWW-Authenticate", 'Basic realm="crabgate-test"'), ("Content-Type", "text/plain")],
                        b"authentication required\n", entry)
            return
        if ARGS.redirect_to:
            self.answer(301, [("Location", ARGS.redirect_to + self.path),
                              ("WWW-Authenticate", 'Basic realm="crabgate-test"'), ("Content-Type", "text/plain")],
                        b"moved\n", entry)
            return
        if service == "git-receive-pack" and rights != "rw":
            self.answer(403, [("Content-Type", "text/plain")], b"write access to this repository denied\n", entry)
            return
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": ARGS.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": ARGS.root,
            "REQUEST_METHOD": method,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": self.client_address[0],
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        r = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, _, out = r.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, out = r.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k, v.strip()))
        if r.returncode and not r.stdout:
            status, out = 500, r.stderr
        self.answer(status, headers, out, entry)

    def do_GET(self):
        self.handle_git("GET")

    def do_POST(self):
        self.handle_git("POST")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--token", action="append", default=[])
    p.add_argument("--log")
    p.add_argument("--redirect-to")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ARGS = p.parse_args()
    ARGS.root = os.path.abspath(ARGS.root)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if ARGS.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*ARGS.tls)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(f"PORT {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
