"""The model review end to end: the built binary against a real model server
(tests/servers/model_server.py) on 127.0.0.1, speaking the OpenAI and
Anthropic APIs, told per test how to answer. Assertions are on what the
server received and what a user sees (findings, notes, exit status, files);
http.retry_wait_scale in the test repository's .crabgate.yaml makes retry
waits short, and no test asserts how long anything took beyond "at least the
scaled wait"."""
import glob
import json
import os
import subprocess
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from cglib import SOURCE_DIR, Repo, run  # noqa: E402

SERVER = os.path.join(SOURCE_DIR, "tests", "servers", "model_server.py")
API_KEY = "sk-test-CRABGATEreviewKEY0123456789abcdef"
FAKE_AWS = "AKIAIOSFODNN7EXAMPLE"
# Waits between retries a hundred times shorter: still long enough to see a 429's wait kept.
WAIT_SCALE = 0.01
SHORT_RETRIES = "http:\n  retry_wait_scale: %s\n" % WAIT_SCALE
KEY_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
PRIVATE_KEY = ("-----BEGIN RSA PRIVATE KEY-----\n" + KEY_BODY + "\n"
               "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
               "-----END RSA PRIVATE KEY-----\n")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ModelServer:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, SERVER], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])
        self.base = "http://127.0.0.1:%d" % self.port

    def _call(self, what, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + "/_control/" + what, data=data,
                                     method="POST" if data is not None else "GET")
        with NO_PROXY.open(req, timeout=30) as r:
            return json.loads(r.read())

    def scenario(self, **sc):
        self._call("scenario", sc)

    def reset(self):
        self._call("reset", {})

    def requests(self):
        return [r for r in self._call("requests")]

    def stats(self):
        return self._call("stats")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def rust_file(i, lines=30):
    return "".join("pub fn item_%d_%d() -> u32 {\n    %d\n}\n" % (i, j, j) for j in range(lines // 3))


def model_texts(req):
    """(system, user) text of a recorded model request."""
    b = json.loads(req["body"])
    if "system" in b:
        return b["system"], "".join(m["content"] for m in b["messages"])
    msgs = b["messages"]
    return msgs[0]["content"], msgs[1]["content"]


def shown_added(user):
    """{path: [added line numbers]} of one request's user content."""
    out, path = {}, None
    for line in user.splitlines():
        if line.startswith("### "):
            path = line[4:]
            out.setdefault(path, [])
        elif path and " + " in line and line.split(" + ", 1)[0].isdigit():
            out[path].append(int(line.split(" + ", 1)[0]))
    return out


class ReviewTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ModelServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.repo = Repo()
        self.repo.write("README.md", "# x\n")
        self.repo.write("STANDARDS.md", "Use jiff, never chrono. Bounded channels only.\n")
        self.repo.commit("first")
        # The config is the test's, not part of the change under review.
        self.repo.write(".git/info/exclude", ".crabgate.yaml\n")
        self.server.scenario(default={"mode": "normal"})

    def tearDown(self):
        self.repo.cleanup()

    # ------------------------------------------------------------ helpers

    def configure(self, provider="openai", base=None, **review):
        cfg = {"provider": provider, "api_key_env": "CG_TEST_KEY", "standards_file": "STANDARDS.md",
               "max_retries": 2, "timeout_s": 20}
        cfg["base_url"] = base if base is not None else self.server.base + "/v1"
        cfg.update(review)
        lines = ["review:"]
        for k, v in cfg.items():
            lines.append("  %s: %s" % (k, json.dumps(v)))
        self.repo.write(".crabgate.yaml", SHORT_RETRIES + "\n".join(lines) + "\n")

    def env(self, **extra):
        e = {"CG_TEST_KEY": API_KEY, "OPENAI_API_KEY": "",
             "ANTHROPIC_API_KEY": "", "CRABGATE_REVIEW_BASE_URL": "", "NO_PROXY": "*", "no_proxy": "*"}
        e.update(extra)
        return e

    def check(self, *args, env=None):
        report = os.path.join(self.repo.path, ".git", "report.json")
        if os.path.exists(report):
            os.unlink(report)
        r = run(["-v", "check", *args, "--format", "json", "--output", "json=" + report], self.repo.path,
                env=env or self.env())
        doc = json.loads(r.stdout) if r.stdout.strip().startswith("{") else None
        self.assertIsNotNone(doc, r.stderr)
        # Under the sanitizer build a report is a failure even when the exit status looks right.
        self.assertNotIn("Sanitizer", r.stderr)
        self.assertNotIn("runtime error:", r.stderr)
        with open(report) as f:
            self.report_text = f.read()
        return r, doc

    def review_findings(self, doc):
        return [f for f in doc["findings"] if f["origin"] == "review"]

    def notes(self, doc):
        return "\n".join(doc.get("notes", []))

    def cache_files(self):
        return glob.glob(os.path.join(self.repo.path, ".git", "crabgate", "review-cache", "**", "*"), recursive=True)

    def stage_files(self, n, lines=30):
        for i in range(n):
            self.repo.write("src/m%d.rs" % i, rust_file(i, lines))
        self.repo.stage()

    # -------------------------------------------------------------- tests

    def test_chunks_concurrency_secrets_key_and_cache(self):
        self.server.scenario(default={"mode": "normal", "delay_ms": 150})
        self.stage_files(8)
        self.repo.write("src/secrets.rs", 'pub const AWS: &str = "%s";\npub const KEY: &str = r"%s";\n'
                        % (FAKE_AWS, PRIVATE_KEY))
        self.repo.write("Cargo.lock", "version = 3\n[[package]]\nname = \"lockedcrate\"\n")
        self.repo.stage()
        self.configure(max_concurrency=2, max_input_tokens=900)
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 0, r.stderr)
        reqs = self.server.requests()
        self.assertGreaterEqual(len(reqs), 5)

        # The right chunks: every added line of every reviewable file exactly once, nothing else.
        seen = {}
        for q in reqs:
            self.assertEqual(q["path"], "/v1/chat/completions")
            system, user = model_texts(q)
            self.assertLessEqual(len(system) + len(user), 900 * 3 + 3)
            self.assertIn("Use jiff, never chrono.", system)
            for path, lines in shown_added(user).items():
                seen.setdefault(path, []).extend(lines)
        expected = {"src/m%d.rs" % i: list(range(1, 31)) for i in range(8)}
        expected["src/secrets.rs"] = list(range(1, 7))
        self.assertEqual({p: sorted(v) for p, v in seen.items()}, expected)
        self.assertIn("%d chunks (0 from the cache), %d requests sent" % (len(reqs), len(reqs)), self.notes(doc))
        self.assertIn("left out: Cargo.lock (lockfile)", self.notes(doc))

        # Never more than max_concurrency in flight.
        self.assertLessEqual(self.server.stats()["max_in_flight"], 2)
        self.assertTrue(all(q["in_flight"] <= 2 for q in reqs))

        # Secrets: masked in every request body, counted; the lockfile never sent.
        for q in reqs:
            self.assertNotIn(FAKE_AWS, q["body"])
            self.assertNotIn(KEY_BODY, q["body"])
            self.assertNotIn("BEGIN RSA PRIVATE KEY", q["body"])
            self.assertNotIn("lockedcrate", q["body"])
            self.assertEqual(q["headers"].get("Authorization"), "Bearer " + API_KEY)
        self.assertIn("2 secret-looking values were masked", self.notes(doc))

        # Comments became findings of origin review on added lines.
        found = self.review_findings(doc)
        self.assertEqual(len(found), 9)
        self.assertTrue(all(f["rule"] == "review/standards" for f in found))
        self.assertIn("reviewed 1 files", doc["review"]["summary"])

        # The API key: in no output, log, report or cache file.
        self.assertTrue(self.cache_files())
        for text in [r.stdout, r.stderr, self.report_text] + [
                read_text(p) for p in self.cache_files() if os.path.isfile(p)]:
            self.assertNotIn(API_KEY, text)
            self.assertNotIn(FAKE_AWS, text)
        self.assertIn("Authorization: ***", r.stderr)  # --verbose shows requests, redacted

        # A second run sends nothing and reports the same.
        self.server.reset()
        r2, doc2 = self.check("--review")
        self.assertEqual(self.server.stats()["count"], 0)
        self.assertEqual(self.review_findings(doc2), found)
        self.assertIn("(%d from the cache), 0 requests sent" % len(reqs), self.notes(doc2))

        # --no-cache asks again.
        self.server.reset()
        self.check("--review", "--no-cache")
        self.assertEqual(self.server.stats()["count"], len(reqs))

    def test_anthropic_messages_api(self):
        self.stage_files(1)
        self.configure(provider="anthropic", base=self.server.base)
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 0, r.stderr)
        (q,) = self.server.requests()
        self.assertEqual(q["path"], "/v1/messages")
        self.assertEqual(q["headers"]["x-api-key"], API_KEY)
        self.assertEqual(q["headers"]["anthropic-version"], "2023-06-01")
        self.assertNotIn("Authorization", q["headers"])
        body = json.loads(q["body"])
        self.assertIn("Use jiff", body["system"])
        self.assertEqual([m["role"] for m in body["messages"]], ["user"])
        self.assertIsInstance(body["max_tokens"], int)
        self.assertEqual(len(self.review_findings(doc)), 1)
        self.assertIn("anthropic, model", r.stderr)

    def test_review_is_off_by_default_in_check(self):
        self.stage_files(1)
        self.configure()
        r, doc = self.check()
        self.assertEqual(self.server.stats()["count"], 0)
        self.assertNotIn("model review", r.stderr)
        r, doc = self.check("--review", "--no-review")
        self.assertEqual(self.server.stats()["count"], 0)

    def test_auto_picks_from_environment_or_skips(self):
        self.stage_files(1)
        self.repo.write(".crabgate.yaml", SHORT_RETRIES + "review:\n  standards_file: STANDARDS.md\n")
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 0)
        skipped = [l for l in r.stderr.splitlines() if "model review" in l]
        self.assertEqual(len(skipped), 1, r.stderr)
        self.assertIn("skipped", skipped[0])
        self.assertEqual(self.server.stats()["count"], 0)

        r, doc = self.check("--review", env=self.env(CRABGATE_REVIEW_BASE_URL=self.server.base + "/v1"))
        self.assertIn("auto found CRABGATE_REVIEW_BASE_URL", r.stderr)
        (q,) = self.server.requests()
        self.assertNotIn("Authorization", q["headers"])  # a local server needs no key

        self.server.reset()
        r, doc = self.check("--review", "--no-cache", env=self.env(
            ANTHROPIC_API_KEY=API_KEY, CRABGATE_REVIEW_BASE_URL=self.server.base + "/v1"))
        self.assertIn("auto found ANTHROPIC_API_KEY", r.stderr)
        (q,) = self.server.requests()
        self.assertEqual(q["path"], "/v1/messages")
        self.assertNotIn(API_KEY, r.stderr + r.stdout)

    def test_off_diff_comments_are_dropped_and_counted(self):
        self.repo.write("src/lib.rs", rust_file(0, 12))
        self.repo.commit("base")
        self.repo.write("src/lib.rs", rust_file(0, 12) + "pub fn added() -> u32 {\n    1\n}\n")
        self.repo.stage()
        self.server.scenario(default={"mode": "offdiff"})
        self.configure()
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 0, r.stderr)
        found = self.review_findings(doc)
        self.assertEqual([(f["path"], f["line"]) for f in found], [("src/lib.rs", 13), ("src/lib.rs", 13)])
        self.assertTrue(all(f["end_line"] == 13 for f in found))  # a range leaving the change is cut
        self.assertIn("2 model comments were outside the change and were dropped", self.notes(doc))

    def test_a_suggestion_that_applies_is_a_fix(self):
        """The model's code for the commented line becomes a maybe-incorrect fix of that line, when it fits."""
        self.repo.write("src/lib.rs", rust_file(0, 12))
        self.repo.commit("base")
        self.repo.write("src/lib.rs", rust_file(0, 12) + "pub fn added() -> u32 { 1 }\n")
        self.repo.stage()
        self.configure()
        self.server.scenario(default={"mode": "normal", "comment_suggestion": "pub fn added() -> u64 { 1 }\n"})
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 0, r.stderr)
        [f] = self.review_findings(doc)
        self.assertEqual(f["line"], 13)
        self.assertEqual(f["fix"]["applicability"], "maybe-incorrect")
        [e] = f["fix"]["edits"]
        self.assertEqual((e["path"], e["line"], e["end_line"], e["replacement"]),
                         ("src/lib.rs", 13, 13, "pub fn added() -> u64 { 1 }"))
        with open(os.path.join(self.repo.path, "src/lib.rs"), "rb") as fh:
            text = fh.read()
        self.assertEqual(text[e["byte_start"]:e["byte_end"]], b"pub fn added() -> u32 { 1 }")
        self.assertIsNone(f["help"])  # shown as the fix, not twice
        # Code equal to the line, or on a CRLF line, is no fix: it stays the comment's help.
        for code, crlf in (("pub fn added() -> u32 { 1 }", False), ("pub fn added() -> u64 { 1 }", True)):
            with self.subTest(code=code, crlf=crlf):
                self.repo.write("src/lib.rs", rust_file(0, 12) + "pub fn added() -> u32 { 1 }" +
                                ("\r\n" if crlf else "\n"))
                self.repo.stage()
                self.server.scenario(default={"mode": "normal", "comment_suggestion": code})
                r, doc = self.check("--review", "--no-cache")
                [f] = self.review_findings(doc)
                self.assertNotIn("fix", f)
                self.assertEqual(f["help"], code)

    def test_comments_over_the_cap_are_counted_as_such(self):
        self.stage_files(1)
        self.server.scenario(default={"mode": "normal", "comment_count": 10000})
        self.configure()
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.review_findings(doc)), 200)
        # 200 comments on one line: one fingerprint recipe (src/finding/) keeps them apart.
        self.assertEqual(len({f["fingerprint"] for f in self.review_findings(doc)}), 200)
        self.assertIn("9800 model comments were over the cap of 200 comments per answer and were dropped",
                      self.notes(doc))
        self.assertNotIn("schema", self.notes(doc))

    def fault(self, scenario, provider="openai", required=False, **review):
        self.stage_files(1)
        self.server.scenario(**scenario)
        self.configure(provider=provider, base=self.server.base + ("/v1" if provider == "openai" else ""),
                       required=required, **review)
        return self.check("--review")

    def test_fault_429_retry_after_then_ok(self):
        r, doc = self.fault({"sequence": [{"mode": "status", "status": 429, "headers": {"Retry-After": "2"},
                                           "body": {"error": {"type": "rate_limit_exceeded", "message": "slow"}}}]})
        self.assertEqual(r.returncode, 0, r.stderr)
        reqs = self.server.requests()
        self.assertEqual(len(reqs), 2)
        self.assertGreaterEqual(reqs[1]["arrived"] - reqs[0]["finished"], 2 * WAIT_SCALE * 0.9)
        self.assertEqual(len(self.review_findings(doc)), 1)
        self.assertNotIn("failed", self.notes(doc))

    def test_fault_5xx_and_529_are_retried(self):
        r, doc = self.fault({"sequence": [{"mode": "status", "status": 500}, {"mode": "status", "status": 503}]})
        self.assertEqual(len(self.server.requests()), 3)
        self.assertEqual(len(self.review_findings(doc)), 1)
        self.server.reset()
        self.repo.write("src/other.rs", rust_file(9))
        self.repo.stage()
        self.server.scenario(sequence=[{"mode": "status", "status": 529,
                                        "body": {"type": "error", "error": {"type": "overloaded_error"}}}])
        self.configure(provider="anthropic", base=self.server.base)
        r, doc = self.check("--review")
        self.assertEqual(len(self.server.requests()), 2)  # one chunk: 529, then an answer
        self.assertEqual(len(self.review_findings(doc)), 2)

    def test_fault_persistent_500_warns_or_fails_when_required(self):
        r, doc = self.fault({"default": {"mode": "status", "status": 500,
                                         "body": {"error": {"message": "boom", "type": "server_error"}}}})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.server.requests()), 3)  # 1 + max_retries
        self.assertIn("model review failed for chunk 1 of 1", self.notes(doc))
        self.assertIn("HTTP 500 server_error: boom", self.notes(doc))
        self.assertIn("the rules' result stands", self.notes(doc))
        self.assertEqual(self.review_findings(doc), [])
        self.configure(required=True)
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("review.required is true", self.notes(doc))

    def test_fault_quota_and_auth_are_not_retried(self):
        r, doc = self.fault({"default": {"mode": "status", "status": 429, "headers": {"Retry-After": "1"},
                                         "body": {"error": {"message": "You exceeded your current quota",
                                                            "type": "insufficient_quota"}}}})
        self.assertEqual(len(self.server.requests()), 1)
        self.assertIn("quota is used up", self.notes(doc))
        self.assertEqual(r.returncode, 0)
        self.server.scenario(default={"mode": "normal"}, require_key="another-key-entirely")
        r, doc = self.check("--review")
        self.assertEqual(len(self.server.requests()), 1)
        self.assertIn("HTTP 401", self.notes(doc))
        self.assertIn("check the key in CG_TEST_KEY", self.notes(doc))
        self.assertNotIn(API_KEY, r.stderr + r.stdout + self.report_text)

    def test_fault_malformed_and_truncated_answers(self):
        for mode in ("malformed", "truncated", "empty"):
            with self.subTest(mode=mode):
                self.server.scenario(default={"mode": mode})
                self.stage_files(1)
                self.configure()
                r, doc = self.check("--review")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("the model's answer was not usable", self.notes(doc))
                self.assertEqual(len(self.server.requests()), 1)  # not retried: same prompt, same answer
                self.assertEqual(self.cache_files(), [])  # a bad answer is never cached
        self.server.scenario(default={"mode": "http_truncated"})
        r, doc = self.check("--review")
        self.assertEqual(len(self.server.requests()), 3)  # a cut transfer is a network fault: retried
        self.assertIn("failed", self.notes(doc))

    def test_fenced_and_prose_answers_are_accepted(self):
        for mode in ("fenced", "prose"):
            with self.subTest(mode=mode):
                self.server.scenario(default={"mode": mode})
                self.stage_files(1)
                self.configure()
                r, doc = self.check("--review", "--no-cache")
                self.assertEqual(len(self.review_findings(doc)), 1, self.notes(doc))

    def test_slow_server_times_out(self):
        r, doc = self.fault({"default": {"mode": "normal", "delay_ms": 2500}}, timeout_s=1, max_retries=0)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("timed out", self.notes(doc).lower())
        self.assertEqual(len(self.server.requests()), 1)

    def test_prompt_injection_stays_data(self):
        self.repo.write("src/bad.rs", "use chrono::Utc;\n\npub fn now() -> i64 {\n    Utc::now().timestamp()\n}\n")
        r, doc = self.fault({"default": {"mode": "injection"}})
        rules = [f for f in doc["findings"] if f["origin"] == "rules"]
        self.assertTrue(rules)  # the rules' findings are untouched
        self.assertEqual(r.returncode, 1)  # from the rule's error, not from the model
        found = self.review_findings(doc)
        self.assertTrue(found)
        for f in found:
            self.assertEqual(f["rule"], "review/etc-passwd")
            self.assertNotIn("@octocat", f["message"])
            self.assertIn("@\u200boctocat", f["message"])
            self.assertNotIn("\x1b", f["message"])
            self.assertNotIn("\x07", f["message"])
        self.assertNotIn("@admin", doc["review"]["summary"])
        # With only model errors, the exit status stays the rules'.
        self.repo.write("src/bad.rs", "pub fn f() {}\n")
        self.repo.stage()
        r, doc = self.check("--review")
        self.assertTrue(any(f["severity"] == "error" for f in self.review_findings(doc)))
        self.assertEqual(r.returncode, 0)

    def test_json_schema_falls_back_to_json_object(self):
        self.stage_files(2)
        self.server.scenario(default={"mode": "reject_schema"})
        self.configure(max_input_tokens=900)
        r, doc = self.check("--review")
        reqs = self.server.requests()
        kinds = [json.loads(q["body"])["response_format"]["type"] for q in reqs]
        self.assertEqual(sorted(kinds), ["json_object", "json_object", "json_schema", "json_schema"])
        self.assertEqual(len(self.review_findings(doc)), 2, self.notes(doc))
        self.assertIn("json_object", r.stderr)
        # Cached under the first request's key: a re-run asks nothing.
        self.server.reset()
        r, doc = self.check("--review")
        self.assertEqual(self.server.stats()["count"], 0)
        self.assertEqual(len(self.review_findings(doc)), 2)
        # A new chunk goes straight to json_object: the refusal was remembered.
        self.repo.write("src/new.rs", rust_file(7))
        self.repo.stage()
        r, doc = self.check("--review")
        kinds = [json.loads(q["body"])["response_format"]["type"] for q in self.server.requests()]
        self.assertEqual(kinds, ["json_object"])

    def test_total_budget_lists_what_was_left_out(self):
        self.stage_files(6)
        self.configure(max_input_tokens=900, max_total_tokens=2500, max_output_tokens=100)
        r, doc = self.check("--review")
        self.assertEqual(r.returncode, 0, r.stderr)
        reqs = self.server.requests()
        self.assertEqual(len(reqs), 2)
        sent = set()
        for q in reqs:
            sent |= set(shown_added(model_texts(q)[1]))
        left = [n for n in doc["notes"] if "over review.max_total_tokens" in n]
        self.assertEqual(len(left), 1)
        for i in range(6):
            p = "src/m%d.rs" % i
            self.assertTrue((p in sent) != (p in left[0]), p)


if __name__ == "__main__":
    unittest.main(verbosity=2)
