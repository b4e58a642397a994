"""`crabgate ci` on GitLab CI, against the GitLab test server (tests/servers/gitlab_server.js).

The server holds each request to GitLab's documented shapes (JSON bodies,
known query parameters) and positions to the merge request's diff the way
GitLab does (new_line for an added line, old_line and new_line for an
unchanged one, 400 "line_code can't be blank" otherwise).
"""
import os
import re
import secrets
import subprocess
import tempfile
import unittest

from cglib import BIN, FAST_RETRIES, Repo
from forge_servers import Server, only_rule

PROJECT = 42
IID = 3
FILLER = "".join(f"pub fn f{i}() -> u32 {{ {i} }}\n" for i in range(1, 21))


def clean_env():
    # No CI variables of the machine running the tests, and no model keys: nothing leaves 127.0.0.1.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "CRABGATE_", "OPENAI_", "ANTHROPIC_"))}
    env["NO_COLOR"] = "1"
    return env


class GitLabCI(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("gitlab_server.js")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.server.control("POST", "reset")
        self.token = "glpat-" + secrets.token_hex(10)
        self.job_token = "glcbt-" + secrets.token_hex(10)
        self.server.control("POST", "tokens", {self.token: {"kind": "private", "access": "write"},
                                               self.job_token: {"kind": "job", "access": "read"}})
        self.tmp = tempfile.TemporaryDirectory(prefix="crabgate-ci-gl-")
        self.repo = Repo()
        self.repo.write("Cargo.toml", '[package]\nname = "crabby"\nversion = "0.1.0"\nedition = "2021"\n')
        # Line 21 is an old chrono import; the change adds a line at the top and two at the bottom,
        # so line 21 becomes 22 and sits in the bottom hunk's context.
        self.repo.write("src/lib.rs", FILLER + "use chrono::Duration;\npub fn last() {}\n")
        self.base = self.repo.commit("base")
        self.repo.git("checkout", "-q", "-b", "feature")
        self.write_feature("use chrono::Utc;\nuse chrono::NaiveDate;\n")
        self.head = self.repo.commit("feature")
        self.repo.git("checkout", "-q", "main")
        self.repo.write("src/other.rs", "use chrono::Local;\n")
        self.target_tip = self.repo.commit("main moves on")
        self.configure()

    def tearDown(self):
        for r in self.server.requests():
            for k, v in r["headers"].items():
                if k != "private-token":
                    self.assertNotIn(self.token, v, f"token in header {k}")
                self.assertNotIn(self.job_token, v, f"job token sent in header {k}")
            self.assertNotIn(self.token, r["url"] + r["body"])
        self.assertEqual(self.server.violations(), [], "requests that break GitLab's documented API")
        self.repo.cleanup()
        self.tmp.cleanup()

    # -- helpers --------------------------------------------------------------

    def configure(self, extra=""):
        self.repo.write(".crabgate.yaml", only_rule("chrono-ban", FAST_RETRIES + extra))

    def write_feature(self, tail):
        self.repo.write("src/lib.rs", "//! crabby\n" + FILLER + "use chrono::Duration;\npub fn last() {}\n" + tail)

    def open_mr(self, head=None, mr_head=None):
        head = head or self.head
        diff = self.repo.git("diff", f"{self.base}...{head}")
        self.server.control("POST", "mrs", {"project_id": PROJECT, "iid": IID, "base_sha": self.base,
                                             "start_sha": self.target_tip, "head_sha": mr_head or head,
                                             "diff": diff + "\n"})
        self.repo.git("checkout", "-q", "--detach", head)

    def ci(self, *args, token=True, extra_env=None):
        env = clean_env()
        env.update({
            "GITLAB_CI": "true", "CI_API_V4_URL": self.server.url + "/api/v4", "CI_PROJECT_ID": str(PROJECT),
            "CI_MERGE_REQUEST_IID": str(IID), "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.base,
            "CI_COMMIT_SHA": self.repo.git("rev-parse", "HEAD"), "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_JOB_TOKEN": self.job_token,
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature", "CI_MERGE_REQUEST_TITLE": "Two chrono imports",
            "CI_MERGE_REQUEST_PROJECT_ID": str(PROJECT), "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": str(PROJECT),
        })
        if token:
            env["GITLAB_TOKEN"] = self.token
        env.update(extra_env or {})
        r = subprocess.run([BIN, *args], cwd=self.repo.path, capture_output=True, text=True, env=env)
        for stream in (r.stdout, r.stderr):
            self.assertNotIn(self.token, stream)
            self.assertNotIn(self.job_token, stream)
        return r

    def state(self):
        return self.server.control("GET", f"state?project_id={PROJECT}&iid={IID}")

    def positioned(self):
        return [d["notes"][0] for d in self.state()["discussions"] if d["notes"][0].get("position")]

    def line_of(self, text, rev=None):
        lines = self.repo.git("show", f"{rev or self.head}:src/lib.rs").splitlines()
        return [i + 1 for i, l in enumerate(lines) if text in l][0]

    # -- tests ----------------------------------------------------------------

    def test_first_run_posts_one_discussion_per_finding_and_one_summary_note(self):
        self.open_mr()
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("GitLab CI, merge request !3", r.stderr)
        notes = self.positioned()
        self.assertEqual(len(notes), 2)
        for n in notes:
            pos = n["position"]
            self.assertEqual((pos["base_sha"], pos["start_sha"], pos["head_sha"]), (self.base, self.target_tip, self.head))
            self.assertEqual((pos["old_path"], pos["new_path"]), ("src/lib.rs", "src/lib.rs"))
            self.assertIsNone(pos["old_line"])  # added lines carry new_line only
            self.assertRegex(n["body"], r"<!-- crabgate:fp=[0-9a-f]{16} -->$")
        self.assertEqual(sorted(n["position"]["new_line"] for n in notes),
                         [self.line_of("use chrono::Utc"), self.line_of("NaiveDate")])
        st = self.state()
        self.assertEqual(len(st["notes"]), 1)
        self.assertTrue(st["notes"][0]["body"].startswith("<!-- crabgate:summary -->"))
        self.assertNotIn("other.rs", r.stdout)

    def test_a_fixable_finding_carries_a_suggestion(self):
        """GitLab's suggestion replaces the commented line and the N below it: `suggestion:-0+N`."""
        self.repo.write(".crabgate.yaml", only_rule("blocking-in-async"))
        self.repo.git("checkout", "-q", "feature")
        self.repo.write("Cargo.toml", '[package]\nname = "crabby"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                      '[dependencies]\ntokio = { version = "1", features = ["full"] }\n')
        self.repo.write("src/io.rs", "pub async fn load(p: &str, q: &str) -> std::io::Result<()> {\n"
                                     "    std::thread::sleep(std::time::Duration::from_millis(1));\n"
                                     "    std::fs::write(\n        p,\n        q,\n    )?;\n"
                                     "    Ok(())\n}\n")
        self.repo.git("add", "Cargo.toml", "src/io.rs")
        self.repo.git("commit", "-q", "-m", "feature: blocking calls")
        head = self.repo.git("rev-parse", "HEAD")
        self.repo.git("checkout", "-q", "main")
        self.open_mr(head)
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        notes = {n["position"]["new_line"]: n["body"] for n in self.positioned()}
        self.assertEqual(sorted(notes), [2, 3])
        self.assertIn("\n```suggestion:-0+0\n    tokio::time::sleep(std::time::Duration::from_millis(1)).await;\n```\n",
                      notes[2])
        self.assertIn("\n```suggestion:-0+3\n    tokio::fs::write(\n        p,\n        q,\n    ).await?;\n```\n",
                      notes[3])

    def test_second_run_posts_nothing_new_and_edits_the_summary(self):
        self.open_mr()
        self.assertEqual(self.ci("ci").returncode, 1)
        note_id = self.state()["notes"][0]["id"]
        n = len(self.server.requests())
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("2 already posted", r.stderr)
        writes = [(q["method"], q["url"]) for q in self.server.requests()[n:] if q["method"] != "GET"]
        self.assertEqual(writes, [("PUT", f"/api/v4/projects/{PROJECT}/merge_requests/{IID}/notes/{note_id}")])
        self.assertEqual(len(self.positioned()), 2)
        self.assertEqual(len(self.state()["notes"]), 1)

    def test_new_commit_posts_only_new_findings(self):
        self.open_mr()
        self.assertEqual(self.ci("ci").returncode, 1)
        self.repo.git("checkout", "-q", "feature")
        self.write_feature("use chrono::Utc;\nuse chrono::NaiveDate;\nuse chrono::Local;\n")
        self.head = self.repo.commit("more")
        self.open_mr()
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        notes = self.positioned()
        self.assertEqual(len(notes), 3)
        self.assertEqual(notes[-1]["position"]["new_line"], self.line_of("chrono::Local"))
        self.assertEqual(notes[-1]["position"]["head_sha"], self.head)

    def test_250_existing_discussions_across_3_pages_are_all_read(self):
        self.open_mr()
        dry = self.ci("ci", "--dry-run")
        fps = re.findall(r"crabgate:fp=([0-9a-f]{16})", dry.stdout)
        self.assertEqual(len(set(fps)), 2, dry.stdout)
        self.assertEqual(self.server.writes(), [])
        bodies = [f"question {i}" for i in range(249)] + [f"old run\n\n<!-- crabgate:fp={fps[0]} -->"]
        self.server.control("POST", "seed", {"project_id": PROJECT, "iid": IID, "kind": "discussions", "bodies": bodies})
        n = len(self.server.requests())
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        pages = [q["url"] for q in self.server.requests()[n:] if q["method"] == "GET" and "/discussions" in q["url"]]
        self.assertEqual(len(pages), 3, pages)
        self.assertIn("250 existing comments read", r.stderr)
        notes = self.positioned()
        self.assertEqual(len(notes), 1)
        self.assertIn(fps[1], notes[0]["body"])

    def test_context_line_gets_old_and_new_line_and_off_diff_stays_out(self):
        self.open_mr()
        r = self.ci("ci", "--filter", "file")
        self.assertEqual(r.returncode, 1, r.stderr)
        by_line = {n["position"]["new_line"]: n["position"] for n in self.positioned()}
        ctx = self.line_of("chrono::Duration")
        self.assertEqual(ctx, 22)
        self.assertEqual(by_line[ctx]["old_line"], 21)  # unchanged line: both numbers
        self.assertEqual(len(by_line), 3)
        self.assertNotIn(400, [q["status"] for q in self.server.requests()])

    def test_off_diff_findings_go_to_the_summary(self):
        # A finding far from every hunk: an old import on line 2 of a file the change touches at its end.
        self.repo.git("checkout", "-q", "main")
        self.repo.write("src/far.rs", "//! far\nuse chrono::Weekday;\n" + FILLER)
        self.base = self.repo.commit("far")
        self.repo.git("checkout", "-q", "feature")
        self.repo.git("merge", "-q", "--no-edit", "main")
        self.repo.write("src/far.rs", "//! far\nuse chrono::Weekday;\n" + FILLER + "use chrono::Month;\n")
        self.head = self.repo.commit("far change")
        self.base = self.repo.git("rev-parse", "main")
        self.target_tip = self.base
        self.open_mr()
        r = self.ci("ci", "--filter", "file")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("1 off the diff", r.stderr)
        far = [n["position"]["new_line"] for n in self.positioned() if n["position"]["new_path"] == "src/far.rs"]
        self.assertEqual(far, [23])  # Month, not Weekday on line 2
        self.assertIn("outside this merge request's diff", self.state()["notes"][0]["body"])

    def test_refused_position_moves_that_finding_to_the_summary(self):
        self.open_mr()
        self.server.control("POST", "faults", [{"method": "POST", "path": "/discussions$", "status": 400, "times": 1,
                                                "body": {"message": "400 Bad request - Note {:line_code=>[\"can't be blank\"]}"}}])
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("1 refused by the server", r.stderr)
        self.assertEqual(len(self.positioned()), 1)
        self.assertIn("refused the position of 1 discussion", self.state()["notes"][0]["body"])

    def test_read_only_token_falls_back_with_one_reason(self):
        self.server.control("POST", "tokens", {self.token: {"kind": "private", "access": "read"}})
        self.open_mr()
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot post discussions", r.stderr)
        self.assertIn("chrono-ban", r.stdout)
        self.assertEqual(self.state(), {"discussions": [], "notes": []})

    def test_only_the_job_token_says_so_and_sends_nothing(self):
        self.open_mr()
        r = self.ci("ci", token=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("only CI_JOB_TOKEN is available, and the job token cannot post merge request notes", r.stderr)
        self.assertIn("GITLAB_TOKEN", r.stderr)
        self.assertEqual(self.server.requests(), [])

    def test_rate_limits_and_server_errors_are_waited_out(self):
        self.open_mr()
        self.server.control("POST", "faults", [
            {"method": "GET", "path": "/discussions$", "status": 429, "headers": {"retry-after": "20"}, "times": 2},
            {"method": "POST", "path": "/discussions$", "status": 503, "times": 1},
            {"method": "POST", "path": "/notes$", "status": 429, "times": 1,
             "headers": {"ratelimit-remaining": "0", "ratelimit-reset": "$reset"}},
        ])
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(len(self.positioned()), 2)
        self.assertEqual(len(self.state()["notes"]), 1)
        statuses = [q["status"] for q in self.server.requests()]
        self.assertEqual(statuses.count(429), 3)
        self.assertIn(503, statuses)

    def test_token_is_never_printed_even_verbose(self):
        self.open_mr()
        cq = os.path.join(self.tmp.name, "gl-code-quality.json")
        r = self.ci("-v", "ci", "--output", f"gitlab={cq}")
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(cq) as f:
            text = f.read()
        self.assertIn("chrono-ban", text)
        self.assertNotIn(self.token, text)
        self.assertEqual({q["headers"].get("private-token") for q in self.server.requests()}, {self.token})

    def test_resolve_outdated_edits_and_resolves_the_thread(self):
        self.configure("forge:\n  resolve_outdated: true\n")
        self.open_mr()
        self.assertEqual(self.ci("ci").returncode, 1)
        self.repo.git("checkout", "-q", "feature")
        self.write_feature("use chrono::Utc;\n")
        self.head = self.repo.commit("drop NaiveDate")
        self.open_mr()
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        fixed = [n for n in self.positioned() if "<!-- crabgate:fixed -->" in n["body"]]
        self.assertEqual(len(fixed), 1)
        self.assertTrue(fixed[0]["resolved"])
        self.assertIn("NaiveDate", fixed[0]["body"])

    def test_update_memory_pushes_to_the_mr_branch(self):
        remote = os.path.join(self.tmp.name, "remote.git")
        subprocess.run(["git", "init", "-q", "--bare", remote], check=True)
        self.repo.git("push", "-q", remote, "feature")
        self.open_mr()
        r = self.ci("ci", "--update-memory", extra_env={"CRABGATE_MEMORY_REMOTE": remote})
        self.assertEqual(r.returncode, 1, r.stderr)
        git = ["git", "--git-dir", remote]
        self.assertEqual(subprocess.run(git + ["rev-parse", "feature^"], capture_output=True, text=True).stdout.strip(), self.head)
        memories = subprocess.run(git + ["show", "feature:memories.md"], capture_output=True, text=True).stdout
        self.assertIn("!3", memories)
        self.assertIn("Two chrono imports", memories)

    def test_merge_request_moved_on_posts_no_inline_discussions(self):
        self.open_mr(mr_head="f" * 40)
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(self.positioned(), [])
        self.assertIn("the pipeline of the new head", self.state()["notes"][0]["body"])


if __name__ == "__main__":
    unittest.main()
