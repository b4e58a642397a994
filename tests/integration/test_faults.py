"""The fault matrix: what crabgate does when the network and the servers misbehave.

For the model review and for both forges, each fault of issue 10's list is put
in front of the built binary by a real server on 127.0.0.1 (FaultServer below:
a raw socket server, since most of these faults are below what an HTTP
framework lets a handler do), and the test asserts the documented outcome:

- model review: the rules' result stands (exit 0 here, where the rules find
  nothing), the run's notes say what failed; review.required turns a failed
  review into exit 3;
- forges: the findings stand (exit 1: the change adds a chrono import), a
  warning says posting failed; forge.fail_on_post_error turns it into exit 3;
- always: the number of requests is bounded (1 + max_retries at most, and
  exactly 1 for errors that must not be retried). No test asserts timings;
  waits between retries are scaled down by http.retry_wait_scale, and
  the timeout tests set review.timeout_s / forge.timeout_s to one second.

Memory commit-back: CRABGATE_TEST_CRASH_AT (test only, src/memory/crash.c)
ends crabgate at each step (blobs written, commit made, pack sent); the
repository and the remote must stay consistent and a re-run must finish.
"""
import json
import os
import re
import secrets
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, FAST_RETRIES, GIT_ENV, SOURCE_DIR, Repo  # noqa: E402

CHRONO_LINE = "use chrono::Utc;\n"
OPENAI_OK = {"id": "x", "object": "chat.completion", "model": "m",
             "choices": [{"index": 0, "finish_reason": "stop",
                          "message": {"role": "assistant", "content": json.dumps(
                              {"comments": [], "summary": "reviewed by the fault server", "lessons": [],
                               "todos": []})}}]}


class FaultServer:
    """HTTP/1.1 on 127.0.0.1, one connection per request (Connection: close).

    Each request takes the first rule whose method and path regex match and
    whose `times` is not used up, else `default`. An action is a dict:
      {"status": 500, "headers": {...}, "body": str or JSON}   a plain answer
      {"stall": True}        reads the request, never answers
      {"drip": True}         200 with a Content-Length, then one byte every 0.2 s
      {"truncate": True}     Content-Length 1000, 20 bytes, then the connection closes
      {"huge": True}         Content-Length 512 MiB, and bytes as fast as they are read
      {"redirect": URL}      302 to URL
    Every connection is recorded (a TLS handshake too, as method "?").
    """

    def __init__(self):
        self.rules, self.default, self.log = [], {"status": 404, "body": {"message": "no rule"}}, []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                outer._serve(self.request)

        class Srv(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.srv = Srv(("127.0.0.1", 0), Handler)
        self.port = self.srv.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.stop_event.set()
        self.srv.shutdown()
        self.srv.server_close()

    def script(self, rules=(), default=None):
        with self.lock:
            self.rules = [dict(r) for r in rules]
            self.default = default or {"status": 404, "body": {"message": "no rule"}}
            self.log = []

    def requests(self, path=None):
        with self.lock:
            return [r for r in self.log if path is None or re.search(path, r["path"])]

    def _pick(self, method, path):
        with self.lock:
            for r in self.rules:
                if r.get("method", method) != method or not re.search(r.get("path", ""), path):
                    continue
                if r.get("times") is not None:
                    if r["times"] <= 0:
                        continue
                    r["times"] -= 1
                return r
            return self.default

    def _serve(self, sock):
        sock.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if not data[:1].isalpha():
                    break  # not HTTP (a TLS ClientHello): answer nothing, close at once
        except OSError:
            pass
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) < 3 or not parts[2].startswith("HTTP/"):
            with self.lock:
                self.log.append({"method": "?", "path": "", "headers": {}, "body": ""})
            return
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        need = int(headers.get("content-length") or 0)
        try:
            while len(body) < need:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                body += chunk
        except OSError:
            pass
        method, path = parts[0], parts[1]
        with self.lock:
            self.log.append({"method": method, "path": path, "headers": headers,
                             "body": body.decode("utf-8", "replace")})
        act = self._pick(method, path)
        try:
            self._act(sock, act)
        except OSError:
            pass  # the client went away: a timeout or a size cap did its job

    def _send(self, sock, status, headers, body):
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        out = ["HTTP/1.1 %d X" % status, "Content-Type: application/json", "Connection: close",
               "Content-Length: %d" % len(body)]
        out += ["%s: %s" % kv for kv in (headers or {}).items()]
        sock.sendall(("\r\n".join(out) + "\r\n\r\n").encode() + body)

    def _wait_gone(self, sock, seconds):
        """Sleeps until the client closes the connection (or the test ends)."""
        end = time.monotonic() + seconds
        sock.settimeout(0.1)
        while time.monotonic() < end and not self.stop_event.is_set():
            try:
                if sock.recv(1) == b"":
                    return
            except socket.timeout:
                continue

    def _act(self, sock, act):
        if act.get("stall"):
            return self._wait_gone(sock, 30)
        if act.get("drip"):
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            for _ in range(150):
                if self.stop_event.is_set():
                    return
                sock.sendall(b" ")
                time.sleep(0.2)
            return
        if act.get("truncate"):
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
                         b"Connection: close\r\n\r\n{\"comments\": [{\"pat")
            return
        if act.get("huge"):
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 536870912\r\n\r\n[")
            chunk = b"0," * 32768
            sent = 0
            while sent < 536870912 and not self.stop_event.is_set():
                sock.sendall(chunk)
                sent += len(chunk)
            return
        if act.get("redirect"):
            return self._send(sock, act.get("status", 302), {"Location": act["redirect"]}, "")
        return self._send(sock, act.get("status", 200), act.get("headers"), act.get("body", ""))


def base_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "CRABGATE_", "OPENAI_", "ANTHROPIC_"))}
    env.update({"NO_COLOR": "1", "NO_PROXY": "*", "no_proxy": "*"})
    for var in ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY", "http_proxy", "https_proxy",
                "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env.pop(var, None)
    return env


def run(args, cwd, env):
    r = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    assert "Sanitizer" not in r.stderr and "runtime error:" not in r.stderr, r.stderr
    return r


class FaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = FaultServer()
        cls.other = FaultServer()  # "another host" for redirects: reached as localhost, not 127.0.0.1

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.other.close()

    def setUp(self):
        self.server.script()
        self.other.script(default={"status": 200, "body": OPENAI_OK})
        self.repo = Repo()
        self.repo.write("src/lib.rs", "pub fn a() -> u32 {\n    1\n}\n")
        self.repo.write(".git/info/exclude", ".crabgate.yaml\n")
        self.base = self.repo.commit("base")

    def tearDown(self):
        self.repo.cleanup()

    def assertNoSecret(self, secret, *texts):
        for t in texts:
            self.assertNotIn(secret, t)


# ----------------------------------------------------------------- model review

class TestReviewFaults(FaultTest):
    KEY = "sk-faultKEY" + "0123456789abcdef0123"

    def setUp(self):
        super().setUp()
        self.repo.write("src/lib.rs", "pub fn a() -> u32 {\n    1\n}\npub fn b() -> u32 {\n    2\n}\n")
        self.repo.stage()

    def review(self, base_url, required=False, retries=2, timeout_s=10, **extra):
        # One second only where a timeout is the fault: a loaded CI machine may be slow to answer otherwise.
        cfg = {"provider": "openai", "base_url": base_url, "api_key_env": "CG_FAULT_KEY", "max_retries": retries,
               "timeout_s": timeout_s, "required": required}
        cfg.update(extra)
        self.repo.write(".crabgate.yaml", FAST_RETRIES + "review:\n" +
                        "".join("  %s: %s\n" % (k, json.dumps(v)) for k, v in cfg.items()))
        env = base_env()
        env["CG_FAULT_KEY"] = self.KEY
        r = run(["-v", "check", "--review", "--no-cache", "--format", "json"], self.repo.path, env)
        self.assertNoSecret(self.KEY, r.stdout, r.stderr)
        doc = json.loads(r.stdout) if r.stdout.startswith("{") else None
        self.assertIsNotNone(doc, r.stderr)
        return r, doc, "\n".join(doc.get("notes", []))

    def expect_failed(self, base_url, *needles, requests=None, **kw):
        r, doc, notes = self.review(base_url, **kw)
        self.assertEqual(r.returncode, 0, r.stderr)  # the rules found nothing; a failed review does not change that
        self.assertIn("model review failed", notes)
        self.assertIn("the rules' result stands", notes)
        for n in needles:
            self.assertIn(n.lower(), notes.lower())
        if requests is not None:
            self.assertEqual(len(self.server.requests("/v1/")), requests, self.server.requests())
        return r, doc, notes

    def test_connection_refused(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        self.expect_failed("http://127.0.0.1:%d/v1" % port, "connect")
        r, doc, notes = self.review("http://127.0.0.1:%d/v1" % port, required=True)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("review.required is true", notes)

    def test_dns_failure(self):
        self.expect_failed("https://crabgate-model.invalid/v1", "resolve")

    def test_tls_failure(self):
        # https:// to a server that speaks plain HTTP: the handshake fails, nothing is sent in clear.
        r, doc, notes = self.expect_failed("https://127.0.0.1:%d/v1" % self.server.port)
        self.assertLessEqual(len(self.server.requests()), 3)
        self.assertEqual([q["method"] for q in self.server.requests()], ["?"] * len(self.server.requests()))

    def test_timeout_and_slow_drip(self):
        for action in ({"stall": True}, {"drip": True}):
            with self.subTest(action=action):
                self.server.script(default=action)
                self.expect_failed(self.server.url + "/v1", "timed out", requests=2, retries=1, timeout_s=1)

    def test_429_with_and_without_retry_after(self):
        self.server.script([{"status": 429, "headers": {"Retry-After": "3"}, "times": 1,
                             "body": {"error": {"type": "rate_limit_exceeded", "message": "slow down"}}}],
                           default={"status": 200, "body": OPENAI_OK})
        r, doc, notes = self.review(self.server.url + "/v1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(doc["review"]["summary"], "reviewed by the fault server")
        self.assertEqual(len(self.server.requests("/v1/")), 2)
        self.server.script(default={"status": 429, "body": {"error": {"type": "rate_limit_exceeded"}}})
        self.expect_failed(self.server.url + "/v1", "429", requests=3)

    def test_5xx_and_529_are_retried_then_given_up(self):
        for status in (500, 502, 503, 504, 529):
            with self.subTest(status=status):
                self.server.script(default={"status": status, "body": {"error": {"message": "down %d" % status}}})
                self.expect_failed(self.server.url + "/v1", "HTTP %d" % status, requests=3)

    def test_4xx_are_not_retried(self):
        for status in (401, 403, 404, 422):
            with self.subTest(status=status):
                self.server.script(default={"status": status, "body": {"error": {"message": "no %d" % status}}})
                self.expect_failed(self.server.url + "/v1", "HTTP %d" % status, requests=1)

    def test_malformed_truncated_and_huge_bodies(self):
        self.server.script(default={"status": 200, "body": "{\"choices\": [ not json"})
        self.expect_failed(self.server.url + "/v1", "not JSON", requests=1)
        self.server.script(default={"truncate": True})
        self.expect_failed(self.server.url + "/v1", requests=3)
        self.server.script(default={"huge": True})
        r, doc, notes = self.expect_failed(self.server.url + "/v1")
        self.assertLessEqual(len(self.server.requests("/v1/")), 3)

    def test_redirects_same_host_followed_other_host_refused(self):
        self.server.script([{"path": "^/v1/chat", "redirect": self.server.url + "/moved/v1/chat/completions"}],
                           default={"status": 200, "body": OPENAI_OK})
        r, doc, notes = self.review(self.server.url + "/v1")
        self.assertEqual(doc["review"]["summary"], "reviewed by the fault server", notes)
        moved = self.server.requests("^/moved/")
        self.assertEqual(len(moved), 1)
        self.assertEqual(moved[0]["headers"].get("authorization"), "Bearer " + self.KEY)

        other = "http://localhost:%d/steal" % self.other.port
        self.server.script(default={"redirect": other})
        self.expect_failed(self.server.url + "/v1", "redirect")
        self.assertEqual(self.other.requests(), [], "the redirect reached another host")
        self.assertLessEqual(len(self.server.requests()), 3)


# ----------------------------------------------------------------- forges

class ForgeFaults:
    """Mixed into a FaultTest per forge. The change adds a chrono import (exit 1); each fault hits
    the forge's first request."""

    def setUp(self):
        super().setUp()
        self.repo.git("checkout", "-q", "-b", "feature")
        self.repo.write("src/lib.rs", CHRONO_LINE + "pub fn a() -> u32 {\n    1\n}\n")
        self.head = self.repo.commit("feature")
        self.tmp = tempfile.TemporaryDirectory(prefix="crabgate-faults-")
        self.token = self.TOKEN_PREFIX + secrets.token_hex(18)

    def tearDown(self):
        for srv in (self.server, self.other):
            for q in srv.requests():
                for k, v in q["headers"].items():
                    if k not in ("authorization", "private-token"):
                        self.assertNotIn(self.token, v)
                self.assertNotIn(self.token, q["path"] + q["body"])
        self.tmp.cleanup()
        super().tearDown()

    def config(self, extra="", timeout_s=10):
        self.repo.write(".crabgate.yaml", FAST_RETRIES + "forge:\n  timeout_s: %d\n" % timeout_s + extra)

    def ci(self, api, extra_cfg="", timeout_s=10):
        self.config(extra_cfg, timeout_s)
        env = base_env()
        env.update(self.ci_env(api))
        r = run(["-v", "ci", "--no-review", "--output", "json=" + os.path.join(self.tmp.name, "r.json")],
                self.repo.path, env)
        self.assertNoSecret(self.token, r.stdout, r.stderr)
        for name in os.listdir(self.tmp.name):
            with open(os.path.join(self.tmp.name, name), errors="replace") as f:
                self.assertNotIn(self.token, f.read(), name)
        return r

    def expect_failed(self, api, *needles, requests=None, at=None, timeout_s=10):
        r = self.ci(api, timeout_s=timeout_s)
        self.assertEqual(r.returncode, 1, r.stderr)  # the findings stand
        self.assertIn("posting the findings failed", r.stderr)
        self.assertIn("forge.fail_on_post_error: true makes this exit 3", r.stderr)
        for n in needles:
            self.assertIn(n.lower(), r.stderr.lower())
        if requests is not None:
            self.assertEqual(len(self.server.requests(at or "")), requests, self.server.requests())
        self.assertLessEqual(len(self.server.requests()), 6)  # 1 + the forges' 5 retries
        return r

    def test_connection_refused_and_fail_on_post_error(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.expect_failed("http://127.0.0.1:%d%s" % (port, self.API_PATH), "connect")
        r = self.ci("http://127.0.0.1:%d%s" % (port, self.API_PATH), "  fail_on_post_error: true\n")
        self.assertEqual(r.returncode, 3, r.stderr)

    def test_dns_failure(self):
        self.expect_failed("https://api.crabgate-forge.invalid" + self.API_PATH, "resolve")

    def test_tls_failure(self):
        self.expect_failed("https://127.0.0.1:%d%s" % (self.server.port, self.API_PATH))
        self.assertTrue(all(q["method"] == "?" for q in self.server.requests()))

    def test_timeout_and_slow_drip(self):
        for action in ({"stall": True}, {"drip": True}):
            with self.subTest(action=action):
                self.server.script(default=action)
                self.expect_failed(self.server.url + self.API_PATH, "timed out", requests=6, timeout_s=1)

    def test_429_with_and_without_retry_after(self):
        self.server.script([{"status": 429, "headers": {"Retry-After": "7"}, "times": 2}], default=self.forge_ok())
        r = self.ci(self.server.url + self.API_PATH)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("posting the findings failed", r.stderr)
        self.assertEqual([q["method"] for q in self.server.requests()][:3], ["GET"] * 3)
        self.assertTrue(any(q["method"] in ("POST", "PUT") for q in self.server.requests()))
        self.server.script(default={"status": 429, "body": {"message": "slow down"}})
        self.expect_failed(self.server.url + self.API_PATH, "429", requests=6)

    def test_5xx_and_529_are_retried_then_given_up(self):
        for status in (500, 502, 503, 504, 529):
            with self.subTest(status=status):
                self.server.script(default={"status": status, "body": {"message": "down"}})
                self.expect_failed(self.server.url + self.API_PATH, "HTTP %d" % status, requests=6)

    def test_4xx_are_not_retried(self):
        for status in (401, 403, 404, 422):
            with self.subTest(status=status):
                self.server.script(default={"status": status, "body": {"message": "no %d" % status}})
                r = self.ci(self.server.url + self.API_PATH)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual(len(self.server.requests()), 1, (status, self.server.requests()))
                # A token that cannot read or write falls back (and says so); anything else fails the post.
                self.assertTrue("falls back" in r.stderr or "instead" in r.stderr
                                or "posting the findings failed" in r.stderr, r.stderr)

    def test_malformed_truncated_and_huge_bodies(self):
        self.server.script(default={"status": 200, "body": "[{\"id\": 1, \"body\": "})
        self.expect_failed(self.server.url + self.API_PATH, "JSON", requests=1)
        self.server.script(default={"truncate": True})
        self.expect_failed(self.server.url + self.API_PATH)
        self.server.script(default={"huge": True})
        self.expect_failed(self.server.url + self.API_PATH)

    def test_redirects_same_host_followed_other_host_refused(self):
        ok = self.forge_ok()
        self.server.script([{"method": "GET", "path": self.FIRST_GET, "times": 1,
                             "redirect": self.server.url + "/moved" + self.API_PATH + "/first"}],
                           default=ok)
        r = self.ci(self.server.url + self.API_PATH)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("posting the findings failed", r.stderr)
        moved = self.server.requests("^/moved/")
        self.assertEqual(len(moved), 1)
        self.assertIn(self.token, moved[0]["headers"].get(self.AUTH, ""))

        self.server.script(default={"redirect": "http://localhost:%d/steal" % self.other.port})
        self.expect_failed(self.server.url + self.API_PATH, "redirect")
        self.assertEqual(self.other.requests(), [], "the redirect reached another host")

    def test_link_header_cannot_send_the_token_elsewhere(self):
        # A next page given as "@host:port/...": appended to the API root it would
        # name another host. Found by fuzz_forge_json.
        if self.AUTH != "authorization":
            self.skipTest("GitLab pages with X-Next-Page numbers")
        self.server.script([{"method": "GET", "path": self.FIRST_GET, "times": 1, "status": 200, "body": [],
                             "headers": {"Link": '<@localhost:%d/steal>; rel="next"' % self.other.port}}],
                           default=self.forge_ok())
        r = self.ci(self.server.url)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("refusing to send the token", r.stderr)
        self.assertEqual(self.other.requests(), [])


class TestGitHubFaults(ForgeFaults, FaultTest):
    TOKEN_PREFIX = "ghs_"
    API_PATH = ""
    AUTH = "authorization"
    FIRST_GET = "/pulls/7/comments"

    def ci_env(self, api):
        event = os.path.join(self.tmp.name, "event.json")
        with open(event, "w") as f:
            json.dump({"number": 7, "pull_request": {
                "number": 7, "title": "Faults", "base": {"sha": self.base, "ref": "main", "repo": {"full_name": "o/r"}},
                "head": {"sha": self.head, "ref": "feature", "repo": {"full_name": "o/r"}}},
                "repository": {"full_name": "o/r"}}, f)
        return {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
                "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": api, "GITHUB_SHA": self.head,
                "GITHUB_TOKEN": self.token}

    def forge_ok(self):
        return {"status": 200, "body": []}


class TestGitLabFaults(ForgeFaults, FaultTest):
    TOKEN_PREFIX = "glpat-"
    API_PATH = "/api/v4"
    AUTH = "private-token"
    FIRST_GET = "/merge_requests/3$"

    def ci_env(self, api):
        return {"GITLAB_CI": "true", "CI_API_V4_URL": api, "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "3",
                "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.base, "CI_COMMIT_SHA": self.head,
                "CI_PIPELINE_SOURCE": "merge_request_event", "GITLAB_TOKEN": self.token}

    def forge_ok(self):
        return {"status": 200, "body": {"iid": 3, "diff_refs": {"base_sha": self.base, "start_sha": self.base,
                                                                 "head_sha": self.head}}}

    def test_429_with_and_without_retry_after(self):
        # The merge request first, then lists ([] from the same default would not be a merge request).
        self.server.script([{"status": 429, "headers": {"Retry-After": "7"}, "times": 2},
                            {"method": "GET", "path": "/merge_requests/3$", "status": 200,
                             "body": self.forge_ok()["body"]},
                            {"method": "GET", "status": 200, "body": []}],
                           default={"status": 201, "body": {"id": 5}})
        r = self.ci(self.server.url + self.API_PATH)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("posting the findings failed", r.stderr)
        self.assertEqual(len(self.server.requests("/merge_requests/3$")), 3)
        self.server.script(default={"status": 429, "body": {"message": "slow down"}})
        self.expect_failed(self.server.url + self.API_PATH, "429", requests=6)

    def test_redirects_same_host_followed_other_host_refused(self):
        mr = self.forge_ok()["body"]
        self.server.script([{"method": "GET", "path": "^/api/v4/projects/42/merge_requests/3$", "times": 1,
                             "redirect": self.server.url + "/moved/api/v4/mr"},
                            {"method": "GET", "path": "^/moved/", "status": 200, "body": mr},
                            {"method": "GET", "status": 200, "body": []}],
                           default={"status": 201, "body": {"id": 5}})
        r = self.ci(self.server.url + self.API_PATH)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("posting the findings failed", r.stderr)
        moved = self.server.requests("^/moved/")
        self.assertEqual(len(moved), 1)
        self.assertEqual(moved[0]["headers"].get("private-token"), self.token)

        self.server.script(default={"redirect": "http://localhost:%d/steal" % self.other.port})
        self.expect_failed(self.server.url + self.API_PATH, "redirect")
        self.assertEqual(self.other.requests(), [], "the redirect reached another host")


# ----------------------------------------------------------------- memory commit-back

SERVER = os.path.join(SOURCE_DIR, "tests", "servers", "git_http_server.py")
CHRONO = "use chrono::Utc;\n\npub fn now() -> i64 {\n    // TODO: switch to jiff\n    0\n}\n"


class TestMemoryCrashes(unittest.TestCase):
    """Killed after the blobs, after the commit, during the push: nothing half-done shows, and a re-run finishes."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="crabgate-crash-")
        root = self.tmp.name
        self.remote = os.path.join(root, "srv", "proj.git")
        os.makedirs(self.remote)
        Repo(self.remote, bare=True)
        self.work = self.clone("seed")
        self.work.write("src/lib.rs", "pub fn a() {}\n")
        self.work.write("scratchpad.md", "# Team scratchpad\n\nTeam notes.\n")
        self.base = self.work.commit("init")
        self.work.git("push", "-q", "origin", "HEAD:refs/heads/feature")
        self.work.write("src/lib.rs", CHRONO)
        self.head = self.work.commit("feat: clock")
        self.work.git("push", "-q", "origin", "HEAD:refs/heads/feature")
        self.http = None

    def tearDown(self):
        if self.http:
            self.http.terminate()
            self.http.wait(timeout=30)
            self.http.stdout.close()
        self.tmp.cleanup()

    def clone(self, name):
        path = os.path.join(self.tmp.name, name)
        subprocess.run(["git", "clone", "-q", self.remote, path], env=dict(os.environ, **GIT_ENV), check=True,
                       capture_output=True)
        return Repo(path)

    def remote_git(self, *args):
        r = subprocess.run(["git", "-C", self.remote, *args], capture_output=True, text=True,
                           env=dict(os.environ, **GIT_ENV))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def http_url(self):
        self.http = subprocess.Popen([sys.executable, SERVER, "--root", os.path.dirname(self.remote),
                                      "--token", "s3cret-rw:rw"], stdout=subprocess.PIPE, text=True,
                                     stderr=subprocess.DEVNULL)  # a push killed mid-way breaks its pipe: expected
        line = self.http.stdout.readline()
        self.assertTrue(line.startswith("PORT "), line)
        return "http://127.0.0.1:%s/proj.git" % line.split()[1]

    def update(self, remote, crash=None):
        env = base_env()
        env.update({"SOURCE_DATE_EPOCH": "1767225600", "GITHUB_TOKEN": "s3cret-rw"})
        if crash:
            env["CRABGATE_TEST_CRASH_AT"] = crash
        return run(["memory", "update", "--base", self.base, "--head", self.head, "--pr", "5", "--title", "PR 5",
                    "--push", "--branch", "feature", "--remote", remote], self.work.path, env)

    def assert_consistent(self):
        self.assertEqual(subprocess.run(["git", "-C", self.remote, "fsck", "--no-dangling"], capture_output=True,
                                        env=dict(os.environ, **GIT_ENV)).returncode, 0)
        self.assertEqual(subprocess.run(["git", "-C", self.work.path, "fsck", "--no-dangling"],
                                        capture_output=True, env=dict(os.environ, **GIT_ENV)).returncode, 0)
        self.assertEqual(self.remote_git("rev-parse", "refs/heads/feature"), self.head)
        self.assertEqual(self.work.git("status", "--porcelain"), "")

    def crash_and_rerun(self, remote, step):
        r = self.update(remote, crash=step)
        self.assertEqual(r.returncode, 99, r.stderr)
        self.assertIn("CRABGATE_TEST_CRASH_AT=%s" % step, r.stderr)
        self.assert_consistent()
        r = self.update(remote)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("outcome: pushed", r.stdout)
        tip = self.remote_git("rev-parse", "refs/heads/feature")
        self.assertEqual(self.remote_git("rev-parse", tip + "^"), self.head)
        self.assertIn("## #5: PR 5", self.remote_git("show", tip + ":memories.md"))
        self.assertTrue(self.remote_git("show", tip + ":scratchpad.md").startswith("# Team scratchpad\n\nTeam notes.\n"))
        self.assertEqual(self.work.git("for-each-ref", "refs/crabgate"), "")
        # And once more: the job is done, nothing new is pushed.
        r = self.update(remote)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.remote_git("rev-parse", "refs/heads/feature"), tip)

    def test_local_remote(self):
        for step in ("blob", "commit", "push"):
            with self.subTest(step=step):
                self.remote_git("update-ref", "refs/heads/feature", self.head)
                self.crash_and_rerun(self.remote, step)

    def test_http_remote(self):
        url = self.http_url()
        for step in ("blob", "commit", "push"):
            with self.subTest(step=step):
                self.remote_git("update-ref", "refs/heads/feature", self.head)
                self.crash_and_rerun(url, step)

    def test_local_commit_mode(self):
        repo = self.work
        repo.write(".git/info/exclude", ".crabgate.yaml\n")
        repo.write(".crabgate.yaml", "memory:\n  mode: commit\n")
        repo.write("src/lib.rs", CHRONO + "pub fn b() {}\n")
        repo.stage()
        head = repo.git("rev-parse", "HEAD")
        env = base_env()
        for step in ("blob", "commit"):
            with self.subTest(step=step):
                r = run(["check", "--update-memory"], repo.path, dict(env, CRABGATE_TEST_CRASH_AT=step))
                self.assertEqual(r.returncode, 99, r.stderr)
                self.assertEqual(repo.git("rev-parse", "HEAD"), head)
                self.assertEqual(repo.git("status", "--porcelain"), "M  src/lib.rs")
        r = run(["check", "--update-memory"], repo.path, env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(repo.git("rev-parse", "HEAD^"), head)
        self.assertEqual(repo.git("status", "--porcelain"), "M  src/lib.rs")


if __name__ == "__main__":
    unittest.main()
