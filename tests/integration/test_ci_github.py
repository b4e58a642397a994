"""`crabgate ci` on GitHub Actions, against the GitHub test server (tests/servers/github_server.js).

Every test runs the real binary in a real repository with the environment GitHub
Actions gives a step, and asserts what reached the server: the reviews, inline
comments and summary comment, and that no request broke GitHub's OpenAPI
description (the server validates each one).
"""
import json
import os
import re
import secrets
import subprocess
import tempfile
import unittest

from cglib import BIN, FAST_RETRIES, Repo
from forge_servers import Server, github_event, only_rule

REPO = "octo-org/crabby"
FILLER = "".join(f"pub fn f{i}() -> u32 {{ {i} }}\n" for i in range(1, 21))


def clean_env():
    # No CI variables of the machine running the tests, and no model keys: nothing leaves 127.0.0.1.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "CRABGATE_", "OPENAI_", "ANTHROPIC_"))}
    env["NO_COLOR"] = "1"
    return env


class GitHubCI(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("github_server.js")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.server.control("POST", "reset")
        self.token = "ghs_" + secrets.token_hex(18)
        self.server.control("POST", "tokens", {self.token: "write"})
        self.tmp = tempfile.TemporaryDirectory(prefix="crabgate-ci-gh-")
        self.repo = Repo()
        self.number = 7
        # main: a crate whose lib.rs already has a chrono import far from the change.
        self.repo.write("Cargo.toml", '[package]\nname = "crabby"\nversion = "0.1.0"\nedition = "2021"\n')
        self.repo.write("src/lib.rs", "use chrono::Duration;\n" + FILLER)
        self.base = self.repo.commit("base")
        self.repo.git("checkout", "-q", "-b", "feature")
        self.repo.write("src/lib.rs", "use chrono::Duration;\n" + FILLER + "use chrono::Utc;\nuse chrono::NaiveDate;\n")
        self.head = self.repo.commit("feature: two chrono imports")
        # main moves on meanwhile, with a chrono import of its own the PR must not be blamed for.
        self.repo.git("checkout", "-q", "main")
        self.repo.write("src/other.rs", "use chrono::Local;\n")
        self.main_tip = self.repo.commit("main moves on")
        self.configure()

    def tearDown(self):
        # The token never appears in anything the server saw, except the Authorization header.
        for r in self.server.requests():
            for k, v in r["headers"].items():
                if k != "authorization":
                    self.assertNotIn(self.token, v, f"token in header {k}")
            self.assertNotIn(self.token, r["url"])
            self.assertNotIn(self.token, r["body"])
        self.assertEqual(self.server.violations(), [], "requests that break GitHub's OpenAPI description")
        self.repo.cleanup()
        self.tmp.cleanup()

    # -- helpers --------------------------------------------------------------

    def configure(self, extra=""):
        """Writes .crabgate.yaml (not committed): chrono-ban alone, short retry waits, plus `extra`."""
        self.repo.write(".crabgate.yaml", only_rule("chrono-ban", FAST_RETRIES + extra))

    def open_pr(self, head=None, head_repo=REPO, event="pull_request", action="opened"):
        """Registers the PR (with its diff) on the server and writes the event file."""
        head = head or self.head
        diff = self.repo.git("diff", f"{self.base}...{head}")
        self.server.control("POST", "pulls", {"repo": REPO, "number": self.number, "base_sha": self.base,
                                               "head_sha": head, "head_repo": head_repo, "diff": diff + "\n"})
        payload = github_event(self.server, name=event, action=action, number=self.number, base=self.base,
                               head=head, repo=REPO, head_repo=head_repo, head_ref="feature", base_ref="main")
        path = os.path.join(self.tmp.name, f"event-{head[:8]}.json")
        with open(path, "w") as f:
            json.dump(payload, f)
        self.event_path = path
        self.event_name = event
        # A pull_request checkout: HEAD is the merge of the PR into main, not the PR's head.
        self.repo.git("checkout", "-q", "--detach", self.main_tip)
        self.repo.git("merge", "-q", "--no-edit", head)

    def ci(self, *args, token=True, extra_env=None):
        self.summary_path = os.path.join(self.tmp.name, "step_summary.md")
        env = clean_env()
        env.update({
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": self.event_name, "GITHUB_EVENT_PATH": self.event_path,
            "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": self.server.url, "GITHUB_SERVER_URL": "https://github.invalid",
            "GITHUB_STEP_SUMMARY": self.summary_path, "GITHUB_SHA": "0" * 40,
        })
        if token:
            env["GITHUB_TOKEN"] = self.token
        env.update(extra_env or {})
        r = subprocess.run([BIN, *args], cwd=self.repo.path, capture_output=True, text=True, env=env)
        for stream in (r.stdout, r.stderr):
            self.assertNotIn(self.token, stream)
        if os.path.exists(self.summary_path):
            with open(self.summary_path) as f:
                self.assertNotIn(self.token, f.read())
        return r

    def state(self):
        return self.server.control("GET", f"state?repo={REPO}&number={self.number}")

    def crabgate_comments(self):
        return [c for c in self.state()["review_comments"] if "<!-- crabgate:fp=" in c["body"]]

    def lines_of(self, text):
        return [i + 1 for i, l in enumerate(self.repo.git("show", f"{self.head}:src/lib.rs").splitlines()) if text in l]

    # -- tests ----------------------------------------------------------------

    def test_first_run_posts_one_review_and_one_summary(self):
        self.open_pr()
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("GitHub Actions, pull_request #7", r.stderr)
        st = self.state()
        self.assertEqual(len(st["reviews"]), 1)
        review = st["reviews"][0]
        self.assertEqual(review["state"], "COMMENTED")
        self.assertEqual(review["commit_id"], self.head)
        comments = st["review_comments"]
        self.assertEqual(sorted(c["line"] for c in comments), self.lines_of("use chrono::Utc") + self.lines_of("NaiveDate"))
        for c in comments:
            self.assertEqual((c["path"], c["side"]), ("src/lib.rs", "RIGHT"))
            self.assertIn("chrono-ban", c["body"])
            self.assertRegex(c["body"], r"<!-- crabgate:fp=[0-9a-f]{16} -->$")
        self.assertEqual(len(st["issue_comments"]), 1)
        self.assertTrue(st["issue_comments"][0]["body"].startswith("<!-- crabgate:summary -->"))
        # The merge commit at HEAD is not what was checked: main's own import is not the PR's.
        self.assertNotIn("other.rs", r.stdout)
        self.assertNotIn("other.rs", json.dumps(st))
        with open(self.summary_path) as f:
            self.assertIn("crabgate", f.read())

    def test_a_fixable_finding_carries_a_suggestion(self):
        """A fix on exactly the commented lines is a suggestion block; a range comment gets start_line."""
        self.repo.write(".crabgate.yaml", only_rule("blocking-in-async"))
        self.repo.git("checkout", "-q", "feature")
        self.repo.write("Cargo.toml", '[package]\nname = "crabby"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                      '[dependencies]\ntokio = { version = "1", features = ["full"] }\n')
        self.repo.write("src/io.rs", "pub async fn load(p: &str, q: &str) -> std::io::Result<()> {\n"
                                     "    std::thread::sleep(std::time::Duration::from_millis(1));\n"
                                     "    std::fs::write(\n        p,\n        q,\n    )?;\n"
                                     "    std::fs::File::open(p)?.sync_all()?;\n"
                                     "    Ok(())\n}\n")
        self.repo.git("add", "Cargo.toml", "src/io.rs")
        self.repo.git("commit", "-q", "-m", "feature: blocking calls")
        head = self.repo.git("rev-parse", "HEAD")
        self.repo.git("checkout", "-q", "main")
        self.open_pr(head)
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        comments = {c["line"]: c for c in self.crabgate_comments()}
        self.assertEqual(sorted(comments), [2, 6, 7])
        self.assertIn("\n```suggestion\n    tokio::time::sleep(std::time::Duration::from_millis(1)).await;\n```\n",
                      comments[2]["body"])
        self.assertNotIn("start_line", comments[2])
        self.assertEqual(comments[6]["start_line"], 3)
        self.assertIn("\n```suggestion\n    tokio::fs::write(\n        p,\n        q,\n    ).await?;\n```\n",
                      comments[6]["body"])
        self.assertNotIn("```suggestion", comments[7]["body"])  # a File used as std's has no fix

    def test_second_run_on_same_head_posts_nothing_new_and_edits_summary(self):
        self.open_pr()
        self.assertEqual(self.ci("ci").returncode, 1)
        before = self.state()
        summary_id = before["issue_comments"][0]["id"]
        n_requests = len(self.server.requests())
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("2 already posted", r.stderr)
        after = self.state()
        self.assertEqual(len(after["reviews"]), 1)
        self.assertEqual(len(after["review_comments"]), 2)
        self.assertEqual([c["id"] for c in after["issue_comments"]], [summary_id])
        second = self.server.requests()[n_requests:]
        writes = [(w["method"], w["url"]) for w in second if w["method"] != "GET"]
        self.assertEqual(writes, [("PATCH", f"/repos/{REPO}/issues/comments/{summary_id}")])

    def test_new_commit_posts_only_new_findings(self):
        self.open_pr()
        self.assertEqual(self.ci("ci").returncode, 1)
        self.repo.git("checkout", "-q", "feature")
        self.repo.write("src/lib.rs", "use chrono::Duration;\n" + FILLER +
                        "use chrono::Utc;\nuse chrono::NaiveDate;\nuse chrono::Local;\n")
        self.head = self.repo.commit("one more")
        self.open_pr(action="synchronize")
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        st = self.state()
        self.assertEqual(len(st["reviews"]), 2)
        new = [c for c in st["review_comments"] if c["pull_request_review_id"] == st["reviews"][1]["id"]]
        self.assertEqual(len(new), 1)
        self.assertIn("Local", new[0]["body"] + self.repo.git("show", f"{self.head}:src/lib.rs").splitlines()[new[0]["line"] - 1])
        self.assertEqual(new[0]["commit_id"], self.head)
        self.assertEqual(len(st["issue_comments"]), 1)

    def test_250_existing_comments_across_3_pages_are_all_read(self):
        self.open_pr()
        # Find the fingerprints crabgate would post, without posting.
        dry = self.ci("ci", "--dry-run")
        fps = re.findall(r"crabgate:fp=([0-9a-f]{16})", dry.stdout)
        self.assertEqual(len(set(fps)), 2, dry.stdout)
        self.assertEqual(self.server.writes(), [])
        # 249 comments by people, then one of crabgate's last, on page 3.
        bodies = [f"looks fine {i}" for i in range(249)] + [f"earlier run\n\n<!-- crabgate:fp={fps[0]} -->"]
        self.server.control("POST", "seed", {"repo": REPO, "number": self.number, "kind": "review_comments",
                                             "bodies": bodies, "path": "src/lib.rs", "line": self.lines_of("Utc")[0]})
        n_before = len(self.server.requests())
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        pages = [q["url"] for q in self.server.requests()[n_before:] if q["method"] == "GET" and "/pulls/7/comments" in q["url"]]
        self.assertEqual(len(pages), 3, pages)
        self.assertIn("250 existing comments read", r.stderr)
        st = self.state()
        new = [c for c in st["review_comments"] if c["pull_request_review_id"]]
        self.assertEqual(len(new), 1)
        self.assertIn(f"crabgate:fp={fps[1]}", new[0]["body"])

    def test_off_diff_finding_never_reaches_the_review(self):
        self.open_pr()
        # --filter file also reports the old import on line 1, outside the PR's hunks.
        r = self.ci("ci", "--filter", "file")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("1 off the diff", r.stderr)
        st = self.state()
        self.assertEqual(len(st["reviews"]), 1)
        self.assertNotIn(1, [c["line"] for c in st["review_comments"]])
        self.assertEqual(len(st["review_comments"]), 2)
        self.assertNotIn(422, [q["status"] for q in self.server.requests()])
        self.assertIn("outside this pull request's diff", st["issue_comments"][0]["body"])

    def test_a_422_moves_the_comments_to_the_summary(self):
        self.open_pr()
        body = {"message": "Unprocessable Entity", "status": "422",
                "errors": ["Pull request review thread line must be part of the diff"],
                "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"}
        self.server.control("POST", "faults", [{"method": "POST", "path": "/reviews$", "status": 422, "body": body, "times": 1}])
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("422", r.stderr)
        st = self.state()
        self.assertEqual(len(st["reviews"]), 1)
        self.assertEqual(st["review_comments"], [])
        self.assertIn("refused", st["issue_comments"][0]["body"])
        self.assertIn("NaiveDate", st["issue_comments"][0]["body"])

    def test_read_only_token_falls_back_to_annotations(self):
        self.server.control("POST", "tokens", {self.token: "read"})
        self.open_pr()
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^::error file=src/lib.rs,line=\d+")
        self.assertIn("cannot write", r.stderr)
        st = self.state()
        self.assertEqual((st["reviews"], st["issue_comments"]), ([], []))
        self.assertEqual([q["status"] for q in self.server.writes()], [403])
        with open(self.summary_path) as f:
            text = f.read()
        self.assertIn("chrono", text)
        self.assertIn("cannot write", text)

    def test_fallback_does_not_print_annotations_twice(self):
        self.server.control("POST", "tokens", {self.token: "read"})
        self.open_pr()
        r = self.ci("ci", "--format", "github")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(len(re.findall(r"(?m)^::error file=src/lib.rs", r.stdout)), 2)

    def test_fork_pull_request_falls_back_without_trying_to_write(self):
        self.open_pr(head_repo="someone/crabby")
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("fork someone/crabby", r.stderr)
        self.assertRegex(r.stdout, r"(?m)^::error file=src/lib.rs")
        self.assertEqual(self.server.writes(), [])

    def test_pull_request_target_from_a_fork_posts_with_the_base_checked_out(self):
        # pull_request_target: the base branch is checked out, the PR's commits are only objects.
        self.open_pr(head_repo="someone/crabby", event="pull_request_target")
        self.repo.git("checkout", "-q", "main")
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        st = self.state()
        self.assertEqual(len(st["reviews"]), 1)
        self.assertEqual(len(st["review_comments"]), 2)

    def test_rate_limits_and_server_errors_are_waited_out(self):
        self.open_pr()
        self.server.control("POST", "faults", [
            {"method": "GET", "path": "/pulls/7/comments$", "status": 429, "headers": {"retry-after": "30"}, "times": 2},
            {"method": "POST", "path": "/reviews$", "status": 403, "times": 1,
             "body": {"message": "You have exceeded a secondary rate limit.", "documentation_url": "https://docs.github.com"},
             "headers": {"retry-after": "60"}},
            {"method": "POST", "path": "/issues/7/comments$", "status": 502, "times": 1},
            {"method": "PATCH", "path": "/issues/comments/", "status": 403, "times": 1,
             "body": {"message": "API rate limit exceeded.", "documentation_url": "https://docs.github.com"},
             "headers": {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "$reset"}},
        ])
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        st = self.state()
        self.assertEqual(len(st["reviews"]), 1)
        self.assertEqual(len(st["review_comments"]), 2)
        self.assertEqual(len(st["issue_comments"]), 1)
        statuses = [q["status"] for q in self.server.requests()]
        self.assertEqual(statuses.count(429), 2)
        self.assertIn(502, statuses)

    def test_token_is_never_printed_even_verbose(self):
        self.open_pr()
        self.server.control("POST", "faults", [{"method": "GET", "path": "/comments$", "status": 500, "times": 1}])
        r = self.ci("-v", "ci", "--output", f"json={os.path.join(self.tmp.name, 'out.json')}")
        self.assertEqual(r.returncode, 1, r.stderr)
        for name in os.listdir(self.tmp.name):
            with open(os.path.join(self.tmp.name, name), errors="replace") as f:
                self.assertNotIn(self.token, f.read(), name)
        auth = {q["headers"].get("authorization") for q in self.server.requests()}
        self.assertEqual(auth, {f"Bearer {self.token}"})

    def test_dry_run_prints_and_writes_nothing(self):
        self.open_pr()
        r = self.ci("ci", "--dry-run")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"would POST {self.server.url}/repos/{REPO}/pulls/7/reviews", r.stdout)
        self.assertIn('"event":\t"COMMENT"', r.stdout)
        self.assertIn(f"would POST {self.server.url}/repos/{REPO}/issues/7/comments", r.stdout)
        self.assertEqual(self.server.writes(), [])

    def test_request_changes_when_configured_and_errors_exist(self):
        self.configure("forge:\n  review_event: REQUEST_CHANGES\n  max_inline_comments: 1\n")
        self.open_pr()
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        st = self.state()
        self.assertEqual(st["reviews"][0]["state"], "CHANGES_REQUESTED")
        self.assertEqual(len(st["review_comments"]), 1)
        self.assertIn("past the limit", st["issue_comments"][0]["body"])

    def test_resolve_outdated_marks_fixed_comments(self):
        self.configure("forge:\n  resolve_outdated: true\n")
        self.open_pr()
        self.assertEqual(self.ci("ci").returncode, 1)
        self.repo.git("checkout", "-q", "feature")
        self.repo.write("src/lib.rs", "use chrono::Duration;\n" + FILLER + "use chrono::Utc;\n")
        self.head = self.repo.commit("drop NaiveDate")
        self.open_pr(action="synchronize")
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        fixed = [c for c in self.state()["review_comments"] if "<!-- crabgate:fixed -->" in c["body"]]
        self.assertEqual(len(fixed), 1)
        self.assertIn("NaiveDate", fixed[0]["body"])
        self.assertIn("1 marked fixed", r.stderr)

    def test_update_memory_pushes_a_memory_commit_to_the_pr_branch(self):
        remote = os.path.join(self.tmp.name, "remote.git")
        subprocess.run(["git", "init", "-q", "--bare", remote], check=True)
        self.repo.git("push", "-q", remote, "feature")
        self.open_pr()
        env = {"CRABGATE_MEMORY_REMOTE": remote}
        r = self.ci("ci", "--update-memory", extra_env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        git = ["git", "--git-dir", remote]
        tip = subprocess.run(git + ["rev-parse", "feature"], capture_output=True, text=True).stdout.strip()
        self.assertNotEqual(tip, self.head)
        parent = subprocess.run(git + ["rev-parse", "feature^"], capture_output=True, text=True).stdout.strip()
        self.assertEqual(parent, self.head)  # on the PR's head, never on the merge commit HEAD is
        memories = subprocess.run(git + ["show", "feature:memories.md"], capture_output=True, text=True).stdout
        self.assertIn("#7", memories)
        # The review was posted for the PR's head, before the memory commit.
        self.assertEqual(self.state()["reviews"][0]["commit_id"], self.head)
        # A dry run writes nothing, memory included.
        r = self.ci("ci", "--update-memory", "--dry-run", extra_env=env)
        self.assertIn("memory files are not updated", r.stderr)
        after = subprocess.run(git + ["rev-parse", "feature"], capture_output=True, text=True).stdout.strip()
        self.assertEqual(after, tip)

    def test_update_memory_to_an_unreachable_remote_says_why_once(self):
        self.open_pr()
        missing = os.path.join(self.tmp.name, "no-such-remote.git")
        r = self.ci("ci", "--update-memory", extra_env={"CRABGATE_MEMORY_REMOTE": missing})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotRegex(r.stderr, r"(?m)memory: skipped: *$")
        failed = [l for l in r.stderr.splitlines() if "memory" in l and "failed" in l]
        self.assertEqual(len(failed), 1, r.stderr)
        self.assertIn("no-such-remote.git", failed[0])

    def test_update_memory_on_a_fork_pushes_nothing(self):
        remote = os.path.join(self.tmp.name, "remote.git")
        subprocess.run(["git", "init", "-q", "--bare", remote], check=True)
        self.repo.git("push", "-q", remote, "feature")
        self.open_pr(head_repo="someone/crabby", event="pull_request_target")
        r = self.ci("ci", "--update-memory", extra_env={"CRABGATE_MEMORY_REMOTE": remote})
        self.assertEqual(r.returncode, 1, r.stderr)
        tip = subprocess.run(["git", "--git-dir", remote, "rev-parse", "feature"], capture_output=True, text=True).stdout.strip()
        self.assertEqual(tip, self.head)
        self.assertIn("memories.md", r.stderr)  # the would-be change is shown instead

    def test_no_post_reports_and_annotates_only(self):
        self.open_pr()
        r = self.ci("ci", "--no-post")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^::error file=src/lib.rs")
        self.assertEqual(self.server.requests(), [])

    def test_shallow_clone_without_the_base_exits_2_naming_fetch_depth(self):
        self.open_pr()
        clone = os.path.join(self.tmp.name, "shallow")
        subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature", "file://" + self.repo.path, clone],
                       check=True, capture_output=True)
        self.repo.path, saved = clone, self.repo.path
        try:
            r = self.ci("ci")
        finally:
            self.repo.path = saved
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("fetch-depth: 0", r.stderr)
        self.assertEqual(self.server.requests(), [])

    def test_push_event_checks_before_after_and_annotates(self):
        self.repo.git("checkout", "-q", "feature")
        payload = github_event(self.server, name="push", before=self.base, after=self.head, repo=REPO)
        self.event_path = os.path.join(self.tmp.name, "push.json")
        with open(self.event_path, "w") as f:
            json.dump(payload, f)
        self.event_name = "push"
        r = self.ci("ci")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("push event", r.stderr)
        self.assertEqual(len(re.findall(r"(?m)^::error file=src/lib.rs", r.stdout)), 2)
        self.assertEqual(self.server.requests(), [])

    def test_outside_ci_behaves_like_check_with_crabgate_base(self):
        env = clean_env()
        env["CRABGATE_BASE"] = self.base
        self.repo.git("checkout", "-q", "feature")
        r = subprocess.run([BIN, "ci"], cwd=self.repo.path, capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("no CI detected", r.stderr)
        self.assertIn("chrono-ban", r.stdout)
        env.pop("CRABGATE_BASE")
        r = subprocess.run([BIN, "ci"], cwd=self.repo.path, capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("CRABGATE_BASE", r.stderr)


if __name__ == "__main__":
    unittest.main()
