"""The GitHub Action, the workflow example, the GitLab job and the pre-commit manifest.

Each file is parsed as YAML and its shape checked; the shell in them passes
shellcheck. Then the Action's steps are executed the way a runner executes a
composite action: `${{ }}` expressions evaluated, the environment and files a
runner provides (GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY, the event
file), `actions/cache` played by a folder, on real repositories: the build
(a real cmake build, then a cache hit), the deepening of a shallow checkout,
and `crabgate ci` against tests/servers/github_server.js. The parts that need
`crabgate ci` skip, saying so, until the command exists.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, BUILD_DIR, GIT_ENV, SOURCE_DIR  # noqa: E402

try:
    import yaml
except ImportError:  # Debian's python3-yaml, when this Python is not Debian's
    sys.path.append("/usr/lib/python3/dist-packages")
    import yaml


def load(rel):
    with open(os.path.join(SOURCE_DIR, rel), encoding="utf-8") as f:
        return yaml.safe_load(f)


ACTION = load("action.yml")
INPUTS = {"config", "fail-level", "format", "sarif-file", "review", "post-comments", "update-memory", "token",
          "version"}


def grammar_env():
    """The build under test's grammar cache, so the scripts' builds fetch nothing."""
    try:
        with open(os.path.join(BUILD_DIR, "CMakeCache.txt"), encoding="utf-8") as f:
            m = re.search(r"^CRABGATE_GRAMMAR_CACHE:PATH=(.*)$", f.read(), re.M)
    except OSError:
        return {}
    return {"CRABGATE_GRAMMAR_CACHE": m.group(1)} if m else {}


def has_ci_command():
    r = subprocess.run([BIN, "help", "ci"], capture_output=True, text=True)
    return r.returncode == 0


def shellcheck(script, shell):
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
        f.write(script)
    try:
        return subprocess.run(["shellcheck", "-s", shell, "-e", "SC2086", f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)


class TestActionYaml(unittest.TestCase):
    def test_inputs_outputs(self):
        self.assertEqual(ACTION["runs"]["using"], "composite")
        self.assertEqual(set(ACTION["inputs"]), INPUTS)
        self.assertEqual(ACTION["inputs"]["token"]["default"], "${{ github.token }}")
        self.assertEqual(ACTION["inputs"]["fail-level"]["default"], "error")
        for name, inp in ACTION["inputs"].items():
            self.assertTrue(inp.get("description"), name)
            self.assertIsInstance(inp.get("default"), str, name)
        self.assertEqual(set(ACTION["outputs"]), {"findings", "errors", "sarif-file"})
        for name, out in ACTION["outputs"].items():
            self.assertEqual(out["value"], "${{ steps.run.outputs.%s }}" % name)

    def test_steps(self):
        steps = ACTION["runs"]["steps"]
        ids = [s.get("id") for s in steps]
        self.assertIn("run", ids)
        uses = [s["uses"] for s in steps if "uses" in s]
        self.assertTrue(any(u.startswith("actions/cache@") for u in uses), uses)
        text = json.dumps(steps)
        for ref in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text):
            self.assertIn(ref, ids)
        for ref in re.findall(r"inputs\.([A-Za-z0-9_-]+)", text):
            self.assertIn(ref, INPUTS)
        names = [s.get("name", "") for s in steps]
        for what in ("Install", "Build", "Fetch the history", "Run crabgate ci"):
            self.assertTrue(any(what in n for n in names), what)
        run_step = [s for s in steps if s.get("id") == "run"][0]
        self.assertIn("crabgate", run_step["run"])
        self.assertIn("sarif=", run_step["run"])

    def test_run_steps_are_bash_without_inline_expressions(self):
        # Inputs reach scripts through env:, never pasted into the script
        # text, where a crafted value could run as code.
        for s in ACTION["runs"]["steps"]:
            if "run" in s:
                self.assertEqual(s.get("shell"), "bash", s.get("name"))
                self.assertNotIn("${{", s["run"], s.get("name"))

    def test_run_steps_pass_shellcheck(self):
        if not shutil.which("shellcheck"):
            self.skipTest("shellcheck is not installed (ci/setup.sh --tests installs it)")
        for s in ACTION["runs"]["steps"]:
            if "run" in s:
                r = shellcheck("#!/bin/bash\n" + s["run"], "bash")
                self.assertEqual(r.returncode, 0, f"{s.get('name')}:\n{r.stdout}")


class TestWorkflowExample(unittest.TestCase):
    def test_workflow(self):
        wf = load("ci/github-workflow.yml")
        on = wf.get("on", wf.get(True))  # YAML 1.1 reads `on` as true
        self.assertIn("pull_request", on)
        perms = wf["permissions"]
        self.assertEqual(perms["pull-requests"], "write")
        self.assertEqual(perms["security-events"], "write")
        self.assertEqual(perms["contents"], "read")
        steps = wf["jobs"]["crabgate"]["steps"]
        checkout = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")][0]
        self.assertEqual(checkout["with"]["fetch-depth"], 0)
        ours = [s for s in steps if s.get("id") == "crabgate"][0]
        self.assertLessEqual(set(ours.get("with", {})), INPUTS)
        upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")][0]
        self.assertEqual(upload["with"]["sarif_file"], "${{ steps.crabgate.outputs.sarif-file }}")
        self.assertIn("always()", upload["if"])


class TestGitlabJob(unittest.TestCase):
    def setUp(self):
        self.doc = load("ci/gitlab-ci.yml")
        self.job = self.doc[".crabgate"]

    def test_template(self):
        self.assertEqual(self.doc["crabgate"]["extends"], ".crabgate")
        self.assertEqual(self.job["variables"]["GIT_DEPTH"], "0")
        self.assertEqual(self.job["rules"][0]["if"], '$CI_PIPELINE_SOURCE == "merge_request_event"')
        report = self.job["artifacts"]["reports"]["codequality"]
        self.assertEqual(self.job["artifacts"]["when"], "always")
        script = "\n".join(self.job["script"])
        self.assertIn("ci ", script)
        self.assertIn("--output gitlab=" + report, script)
        self.assertIn("CRABGATE_GITLAB_TOKEN", script)

    def test_scripts_pass_shellcheck(self):
        if not shutil.which("shellcheck"):
            self.skipTest("shellcheck is not installed (ci/setup.sh --tests installs it)")
        for part in ("before_script", "script"):
            for i, item in enumerate(self.job[part]):
                r = shellcheck("#!/bin/sh\n" + item, "sh")
                self.assertEqual(r.returncode, 0, f"{part}[{i}]:\n{r.stdout}")


class TestPreCommitManifest(unittest.TestCase):
    def test_hooks(self):
        hooks = {h["id"]: h for h in load(".pre-commit-hooks.yaml")}
        self.assertEqual(set(hooks), {"crabgate", "crabgate-pre-push"})
        # pre-commit names the files (all of them under `run --all-files`), after `--`.
        self.assertEqual(hooks["crabgate"]["entry"], "crabgate check --staged --")
        self.assertIs(hooks["crabgate"]["pass_filenames"], True)
        self.assertIs(hooks["crabgate"]["require_serial"], True)
        self.assertIs(hooks["crabgate-pre-push"]["pass_filenames"], False)
        for h in hooks.values():
            self.assertEqual(h["language"], "system")
        self.assertEqual(hooks["crabgate"]["stages"], ["commit"])
        self.assertEqual(hooks["crabgate-pre-push"]["stages"], ["push"])


# ---------------------------------------------------------------------------
# A runner for composite actions, as small as the action needs.

class Expr:
    """GitHub's expression language, the subset used in action.yml."""

    TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<num>\d+)"
                       r"|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*(?:\(\))?))")

    def __init__(self, ctx, status):
        self.ctx, self.status = ctx, status

    def eval(self, text):
        self.toks = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot parse expression {text!r} at {pos}")
            self.toks.append((m.lastgroup, m.group(m.lastgroup)))
            pos = m.end()
        self.i = 0
        v = self.or_()
        if self.i != len(self.toks):
            raise ValueError(f"trailing tokens in {text!r}")
        return v

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.i += 1
            r = self.and_()
            v = v or r
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.i += 1
            r = self.cmp()
            v = v and r
        return v

    def cmp(self):
        v = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.toks[self.i][1]
            self.i += 1
            r = self.unary()
            eq = str(v if v is not None else "").lower() == str(r if r is not None else "").lower()
            v = eq if op == "==" else not eq
        return v

    def unary(self):
        kind, val = self.peek()
        self.i += 1
        if (kind, val) == ("op", "!"):
            return not self.unary()
        if (kind, val) == ("op", "("):
            v = self.or_()
            self.i += 1
            return v
        if kind == "str":
            return val[1:-1].replace("''", "'")
        if kind == "num":
            return int(val)
        if val in ("always()",):
            return True
        if val == "success()":
            return self.status == "success"
        if val == "failure()":
            return self.status == "failure"
        if val in ("true", "false"):
            return val == "true"
        node = self.ctx
        for part in val.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def render(self, text):
        def sub(m):
            v = self.eval(m.group(1))
            return "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
        return re.sub(r"\$\{\{(.*?)\}\}", sub, text)


class Runner:
    """Runs action.yml's steps like a GitHub runner runs a composite action."""

    def __init__(self, root, workspace, event_name, event, env=None, cache_dir=None):
        self.root = root
        self.temp = os.path.join(root, "runner-temp")
        self.tool_cache = os.path.join(root, "tool-cache")
        self.cache_dir = cache_dir or os.path.join(root, "actions-cache")
        for d in (self.temp, self.tool_cache, self.cache_dir):
            os.makedirs(d, exist_ok=True)
        self.workspace = workspace
        self.event_name = event_name
        self.event_path = os.path.join(self.temp, "event.json")
        with open(self.event_path, "w") as f:
            json.dump(event, f)
        self.summary = os.path.join(self.temp, "step-summary.md")
        open(self.summary, "w").close()
        self.extra_env = env or {}
        self.path_prepend = []
        self.log = []

    def base_env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "CRABGATE_", "RUNNER_", "GITLAB", "CI_"))}
        env.update(GIT_ENV)
        env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "HOME": os.path.join(self.root, "home"),
            "GITHUB_WORKSPACE": self.workspace, "GITHUB_EVENT_PATH": self.event_path,
            "GITHUB_EVENT_NAME": self.event_name, "GITHUB_REPOSITORY": "octo-org/octo-repo",
            "GITHUB_REPOSITORY_OWNER": "octo-org", "GITHUB_SERVER_URL": "http://127.0.0.1:9",
            "GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_RUN_ID": "1", "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_JOB": "crabgate", "GITHUB_ACTION": "crabgate", "GITHUB_ACTION_PATH": SOURCE_DIR,
            "GITHUB_ACTION_REPOSITORY": "crabgate/crabgate", "GITHUB_ACTION_REF": "main",
            "GITHUB_STEP_SUMMARY": self.summary, "GITHUB_ACTOR": "octocat",
            "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "RUNNER_TEMP": self.temp,
            "RUNNER_TOOL_CACHE": self.tool_cache,
        })
        os.makedirs(env["HOME"], exist_ok=True)
        env.update(self.extra_env)
        env["PATH"] = os.pathsep.join([*reversed(self.path_prepend), env["PATH"]])
        return env

    def run(self, inputs=None, only=None, token="ghs_test_token_0123456789"):
        """Runs the steps (or those named in `only`); returns (status, outputs)."""
        values = {k: v.get("default", "") for k, v in ACTION["inputs"].items()}
        values.update(inputs or {})
        ctx = {"github": {"token": token, "action_path": SOURCE_DIR, "workspace": self.workspace,
                          "event_name": self.event_name},
               "runner": {"os": "Linux", "arch": "X64", "temp": self.temp, "tool_cache": self.tool_cache},
               "steps": {}}
        # Input defaults are expressions themselves (token: ${{ github.token }}).
        ctx["inputs"] = {k: Expr(ctx, "success").render(v) for k, v in values.items()}
        status = "success"
        saves = []
        for step in ACTION["runs"]["steps"]:
            name = step.get("name", step.get("uses"))
            if only and not any(o in name for o in only):
                continue
            expr = Expr(ctx, status)
            cond = step.get("if")
            if cond is None:
                should_run = status == "success"
            else:
                c = cond.strip()
                c = c[3:-2] if c.startswith("${{") else c
                uses_status = re.search(r"\b(always|success|failure|cancelled)\(\)", c)
                should_run = bool(expr.eval(c)) and (uses_status or status == "success")
            if not should_run:
                self.log.append(f"skipped: {name}")
                continue
            self.log.append(f"run: {name}")
            outputs = {}
            if "uses" in step:
                outputs = self.uses(step, expr, saves)
            else:
                outputs, rc = self.shell(step, expr)
                if rc != 0:
                    status = "failure"
                    self.log.append(f"failed ({rc}): {name}")
            if step.get("id"):
                ctx["steps"][step["id"]] = {"outputs": outputs,
                                            "outcome": "failure" if status == "failure" else "success"}
        if status == "success":
            for key, path in saves:  # actions/cache saves in its post step, on success
                dest = os.path.join(self.cache_dir, key)
                if not os.path.exists(dest) and os.path.exists(path):
                    shutil.copytree(path, dest, symlinks=True)
        expr = Expr(ctx, status)
        outs = {k: expr.render(v["value"]) for k, v in ACTION["outputs"].items()}
        return status, outs

    def uses(self, step, expr, saves):
        uses = step["uses"]
        if uses.startswith("actions/cache@"):
            w = {k: expr.render(str(v)) for k, v in step.get("with", {}).items()}
            src = os.path.join(self.cache_dir, w["key"])
            if os.path.exists(src):
                if os.path.exists(w["path"]):
                    shutil.rmtree(w["path"])
                shutil.copytree(src, w["path"], symlinks=True)
                return {"cache-hit": "true"}
            saves.append((w["key"], w["path"]))
            return {"cache-hit": "false"}
        raise AssertionError(f"the simulated runner does not know {uses}")

    def shell(self, step, expr):
        env = self.base_env()
        for k, v in step.get("env", {}).items():
            env[k] = expr.render(str(v))
        out_file = os.path.join(self.temp, "output")
        path_file = os.path.join(self.temp, "path")
        env_file = os.path.join(self.temp, "env")
        for f in (out_file, path_file, env_file):
            open(f, "w").close()
        env.update(GITHUB_OUTPUT=out_file, GITHUB_PATH=path_file, GITHUB_ENV=env_file)
        script = os.path.join(self.temp, "step.sh")
        with open(script, "w") as f:
            f.write(step["run"])
        # GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=self.workspace,
                           env=env, capture_output=True, text=True)
        self.log.append(r.stdout + r.stderr)
        with open(path_file) as f:
            self.path_prepend += [ln.strip() for ln in f if ln.strip()]
        with open(env_file) as f:
            self.extra_env.update(parse_kv(f.read()))
        with open(out_file) as f:
            return parse_kv(f.read()), r.returncode

    def text(self):
        return "\n".join(self.log)


def parse_kv(text):
    """GITHUB_OUTPUT / GITHUB_ENV: `k=v` lines and `k<<DELIM` blocks."""
    out, lines, i = {}, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([^=<]+)<<(.+)$", line)
        if m:
            key, delim, vals = m.group(1), m.group(2), []
            i += 1
            while i < len(lines) and lines[i] != delim:
                vals.append(lines[i])
                i += 1
            out[key] = "\n".join(vals)
        elif "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
        i += 1
    return out


def git(*args, cwd, check=True):
    env = dict(os.environ, **GIT_ENV)
    r = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError(f"git {' '.join(args)}: {r.stderr}")
    return r.stdout.strip()


class Origin:
    """A bare origin with main and a pull request branch that adds a chrono use."""

    def __init__(self, root, main_commits=6):
        self.path = os.path.join(root, "origin.git")
        work = os.path.join(root, "author")
        git("init", "-q", "--bare", "-b", "main", self.path, cwd=root)
        git("init", "-q", "-b", "main", work, cwd=root)
        git("remote", "add", "origin", self.path, cwd=work)
        os.makedirs(os.path.join(work, "src"))
        for i in range(main_commits):
            with open(os.path.join(work, "src", "lib.rs"), "w") as f:
                f.write("//! ticks\n\n" + "".join(f"pub fn f{j}() {{}}\n" for j in range(i + 1)))
            git("add", "-A", cwd=work)
            git("commit", "-q", "-m", f"main {i}", cwd=work)
        self.fork_point = git("rev-parse", "HEAD~2", cwd=work)
        git("checkout", "-q", "-b", "feature", self.fork_point, cwd=work)
        with open(os.path.join(work, "src", "lib.rs"), "a") as f:
            f.write("use chrono::Utc;\n")
        git("commit", "-q", "-am", "feature: chrono", cwd=work)
        self.head = git("rev-parse", "HEAD", cwd=work)
        self.base = git("rev-parse", "main", cwd=work)
        git("push", "-q", "origin", "main", "feature", cwd=work)
        self.diff = git("diff", f"{self.fork_point}..{self.head}", cwd=work) + "\n"

    def shallow_clone(self, dest):
        git("clone", "-q", "--depth", "1", "--branch", "feature", "file://" + self.path, dest, cwd=os.path.dirname(dest))
        return dest

    def event(self, number=7):
        return {"action": "opened", "number": number,
                "pull_request": {"number": number, "base": {"sha": self.base, "ref": "main",
                                                            "repo": {"full_name": "octo-org/octo-repo"}},
                                 "head": {"sha": self.head, "ref": "feature",
                                          "repo": {"full_name": "octo-org/octo-repo"}}},
                "repository": {"full_name": "octo-org/octo-repo"}}


class ActionTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="crabgate-action-")
        self.tmp = self._tmp.name
        self.origin = Origin(self.tmp)

    def tearDown(self):
        self._tmp.cleanup()


class TestFetchHistory(ActionTest):
    def test_shallow_checkout_is_deepened_to_the_merge_base(self):
        ws = self.origin.shallow_clone(os.path.join(self.tmp, "ws"))
        self.assertEqual(git("rev-parse", "--is-shallow-repository", cwd=ws), "true")
        self.assertNotEqual(subprocess.run(["git", "merge-base", self.origin.base, self.origin.head], cwd=ws,
                                           capture_output=True).returncode, 0)
        runner = Runner(self.tmp, ws, "pull_request", self.origin.event())
        status, _ = runner.run(only=["Fetch the history"])
        self.assertEqual(status, "success", runner.text())
        self.assertEqual(git("merge-base", self.origin.base, self.origin.head, cwd=ws), self.origin.fork_point)

    def test_full_clone_needs_nothing(self):
        ws = os.path.join(self.tmp, "ws")
        git("clone", "-q", "file://" + self.origin.path, ws, cwd=self.tmp)
        runner = Runner(self.tmp, ws, "pull_request", self.origin.event())
        status, _ = runner.run(only=["Fetch the history"])
        self.assertEqual(status, "success", runner.text())
        self.assertIn("is here", runner.text())

    def test_unreachable_origin_fails_with_the_fix(self):
        ws = self.origin.shallow_clone(os.path.join(self.tmp, "ws"))
        git("remote", "set-url", "origin", os.path.join(self.tmp, "gone.git"), cwd=ws)
        runner = Runner(self.tmp, ws, "pull_request", self.origin.event())
        status, _ = runner.run(only=["Fetch the history"])
        self.assertEqual(status, "failure")
        self.assertIn("::error title=crabgate::cannot find the merge base", runner.text())
        self.assertIn("fetch-depth: 0", runner.text())

    def test_push_of_a_new_branch_has_no_base(self):
        ws = self.origin.shallow_clone(os.path.join(self.tmp, "ws"))
        runner = Runner(self.tmp, ws, "push", {"before": "0" * 40, "after": self.origin.head})
        status, _ = runner.run(only=["Fetch the history"])
        self.assertEqual(status, "success", runner.text())
        self.assertIn("no base commit", runner.text())


class TestBuildAndCache(ActionTest):
    def test_build_then_cache_hit(self):
        """A real build of the action's own files, then the same key restores it."""
        ws = self.origin.shallow_clone(os.path.join(self.tmp, "ws"))
        cache = os.path.join(self.tmp, "actions-cache")
        steps = ["Install", "Choose", "Restore", "Build", "Put crabgate on PATH"]
        first = Runner(os.path.join(self.tmp, "job1"), ws, "pull_request", self.origin.event(), cache_dir=cache,
                       env=grammar_env())
        status, _ = first.run(only=steps)
        self.assertEqual(status, "success", first.text())
        self.assertIn("run: Build crabgate", first.text())
        self.assertRegex(first.text(), r"crabgate \d+\.\d+\.\d+")
        self.assertEqual(len(os.listdir(cache)), 1, "the post step saved the build")

        second = Runner(os.path.join(self.tmp, "job2"), ws, "pull_request", self.origin.event(), cache_dir=cache,
                        env=grammar_env())
        status, _ = second.run(only=steps)
        self.assertEqual(status, "success", second.text())
        self.assertIn("skipped: Build crabgate", second.text())
        r = subprocess.run(["crabgate", "version"], env=second.base_env(), capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(os.path.join(second.tool_cache, "crabgate"), second.base_env()["PATH"])


def chosen_key(runner):
    """The cache key the action's "Choose" step picks on this runner."""
    env = runner.base_env()
    out = os.path.join(runner.temp, "choose-out")
    step = [s for s in ACTION["runs"]["steps"] if s.get("id") == "which"][0]
    env.update(GITHUB_OUTPUT=out, CRABGATE_VERSION="")
    subprocess.run(["bash", "-c", step["run"]], env=env, cwd=runner.workspace, check=True)
    with open(out) as f:
        return parse_kv(f.read())["key"]


class AptShims:
    """apt-get, sudo and dpkg-query on PATH, in the test's folder: dpkg-query says
    no package is installed, so a script asks apt-get for every package it wants,
    and apt-get records its arguments instead of installing (what it would
    install is on this machine already, so the builds still work)."""

    def __init__(self, root):
        self.dir = os.path.join(root, "shims")
        self.log = os.path.join(root, "apt-get.log")
        os.makedirs(self.dir)
        scripts = {
            "apt-get": f'#!/bin/sh\necho "$*" >>"{self.log}"\n',
            # Searches (ci/runtime-packages.sh, `dpkg -S`) are answered by the real one.
            "dpkg-query": '#!/bin/sh\ncase $1 in -S | --search) exec %s "$@" ;; esac\nexit 1\n'
                          % shutil.which("dpkg-query"),
            "sudo": '#!/bin/sh\nexec "$@"\n',
        }
        for name, text in scripts.items():
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        self.path = self.dir + os.pathsep + os.environ["PATH"]

    def installed(self):
        """The packages `apt-get install` was asked for since the last call."""
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            lines = f.read().splitlines()
        os.unlink(self.log)
        return [w for ln in lines if ln.split()[:1] == ["install"] for w in ln.split()[1:] if not w.startswith("-")]


def assert_runtime_only(test, packages, what):
    test.assertTrue(packages, f"{what}: the warm run asked for no package at all (the shim saw nothing)")
    for p in packages:
        test.assertFalse(p.endswith("-dev") or p in ("npm", "nodejs", "build-essential", "cmake")
                         or p.startswith("node-"), f"{what}: the warm run installs {p}: {packages}")
    test.assertTrue(any(p.startswith("libgit2-") for p in packages), packages)


class TestColdThenWarm(ActionTest):
    """The Action's and the GitLab job's set-up, run twice with the cache kept:
    the cold run builds, the warm one installs the runtime libraries only.
    The times are printed (docs/github.md and docs/gitlab.md quote them), never asserted."""

    def test_action(self):
        shims = AptShims(self.tmp)
        ws = self.origin.shallow_clone(os.path.join(self.tmp, "ws"))
        cache = os.path.join(self.tmp, "actions-cache")
        env = {"PATH": shims.path, "ImageOS": "ubuntu24", "ImageVersion": "20261130.1", **grammar_env()}
        steps = ["Choose", "Restore", "Install", "Build", "Put crabgate on PATH"]
        times = []
        for job in ("cold", "warm"):
            runner = Runner(os.path.join(self.tmp, job), ws, "pull_request", self.origin.event(), cache_dir=cache,
                            env=env)
            start = time.monotonic()
            status, _ = runner.run(only=steps)
            times.append(time.monotonic() - start)
            self.assertEqual(status, "success", runner.text())
            installed = shims.installed()
            if job == "cold":
                self.assertIn("run: Build crabgate", runner.text())
                self.assertIn("libgit2-dev", installed)
                self.assertEqual(len(os.listdir(cache)), 1)
                key = os.listdir(cache)[0]
                self.assertIn("ubuntu24", key)
                self.assertIn("20261130.1", key)
            else:
                self.assertIn("skipped: Build crabgate", runner.text())
                assert_runtime_only(self, installed, "action")
                r = subprocess.run(["crabgate", "version", "--verbose"], env=runner.base_env(), capture_output=True,
                                   text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("libgit2 ", r.stdout)
        print(f"action set-up: cold {times[0]:.1f}s, warm {times[1]:.2f}s (apt-get not run)")

        # A new runner image is a new key: its libgit2.so may differ.
        runner = Runner(os.path.join(self.tmp, "upgraded"), ws, "pull_request", self.origin.event(), cache_dir=cache,
                        env=dict(env, ImageVersion="20261207.1"))
        self.assertNotEqual(chosen_key(runner), key)
        self.assertIn("20261207.1", chosen_key(runner))

    def test_gitlab_job(self):
        shims = AptShims(self.tmp)
        ws = os.path.join(self.tmp, "project")
        git("clone", "-q", "--branch", "feature", "file://" + self.origin.path, ws, cwd=self.tmp)
        cache = os.path.join(self.tmp, "gl-cache")
        job = GitlabJob(self.tmp, ws, {"CRABGATE_SOURCE": SOURCE_DIR, "CRABGATE_CACHE_DIR": cache,
                                       "PATH": shims.path, **grammar_env()})
        job.script = "\n".join(load("ci/gitlab-ci.yml")[".crabgate"]["before_script"])
        times = []
        for run in ("cold", "warm"):
            start = time.monotonic()
            r = job.run()
            times.append(time.monotonic() - start)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertRegex(r.stdout, r"crabgate \d+\.\d+\.\d+")
            installed = shims.installed()
            if run == "cold":
                self.assertIn("libgit2-dev", installed)
                (built,) = os.listdir(cache)
                with open(os.path.join(cache, built, "share", "crabgate", "runtime-packages")) as f:
                    self.assertIn("libgit2-", f.read())
            else:
                assert_runtime_only(self, installed, "gitlab")
        print(f"gitlab set-up: cold {times[0]:.1f}s, warm {times[1]:.2f}s (apt-get not run)")


def forge_tools():
    script = os.path.join(SOURCE_DIR, "tests", "tools", "install_forge_tools.sh")
    r = subprocess.run(["bash", script], capture_output=True, text=True,
                       env=dict(os.environ, CRABGATE_BUILD_DIR=BUILD_DIR))
    if r.returncode:
        raise AssertionError("install_forge_tools.sh failed:\n" + r.stderr)
    return r.stdout.strip().splitlines()[-1]


class GithubServer:
    SCRIPT = os.path.join(SOURCE_DIR, "tests", "servers", "github_server.js")

    def __init__(self, modules):
        self.modules = modules
        self.proc = subprocess.Popen(["node", self.SCRIPT, "--modules", modules], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            self.proc.kill()
            raise AssertionError("github_server.js did not start: " + line + self.proc.stderr.read())
        self.url = f"http://127.0.0.1:{m.group(1)}"

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def event(self, origin, number):
        r = subprocess.run(["node", self.SCRIPT, "event", "--name", "pull_request", "--action", "opened",
                            "--number", str(number), "--base", origin.base, "--head", origin.head,
                            "--repo", "octo-org/octo-repo", "--modules", self.modules],
                           capture_output=True, text=True)
        if r.returncode:
            raise AssertionError("github_server.js event: " + r.stderr)
        return json.loads(r.stdout)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stdout.close()
        self.proc.stderr.close()


class TestRunCrabgateCi(ActionTest):
    """The whole action against the test GitHub server, with the binary under test."""

    def setUp(self):
        if not has_ci_command():
            self.skipTest("`crabgate ci` does not exist yet (src/cmd/ci.c, issue 6): "
                          "the Action's run step is tested once it lands")
        if not os.path.exists(GithubServer.SCRIPT):
            self.skipTest("tests/servers/github_server.js does not exist yet (issue 6)")
        super().setUp()
        self.server = GithubServer(forge_tools())
        self.addCleanup(self.server.stop)
        self.token = "ghs_action_test_token_0123456789"
        self.server.control("POST", "/_control/tokens", {self.token: "write"})
        self.server.control("POST", "/_control/pulls", {
            "repo": "octo-org/octo-repo", "number": 7, "base_sha": self.origin.fork_point,
            "head_sha": self.origin.head, "diff": self.origin.diff})

    def runner(self):
        ws = self.origin.shallow_clone(os.path.join(self.tmp, "ws"))
        event = self.server.event(self.origin, 7)
        return Runner(self.tmp, ws, "pull_request", event,
                      env={"GITHUB_API_URL": self.server.url, "GITHUB_SERVER_URL": self.server.url})

    def seed_cache(self, runner):
        """The binary under test stands in for the action's build: a cache hit."""
        dest = os.path.join(runner.cache_dir, chosen_key(runner), "bin")
        os.makedirs(dest, exist_ok=True)
        shutil.copy(BIN, os.path.join(dest, "crabgate"))

    def test_review_sarif_outputs_and_summary(self):
        runner = self.runner()
        self.seed_cache(runner)
        status, outs = runner.run(token=self.token)
        text = runner.text()
        self.assertEqual(status, "failure", text)  # an error finding at fail level error
        self.assertIn("skipped: Build crabgate", text)
        self.assertNotIn(self.token, text)
        self.assertGreaterEqual(int(outs["findings"]), 1, text)
        self.assertGreaterEqual(int(outs["errors"]), 1, text)
        self.assertEqual(outs["sarif-file"], "crabgate.sarif")
        with open(os.path.join(runner.workspace, "crabgate.sarif")) as f:
            sarif = json.load(f)
        self.assertEqual(sarif["version"], "2.1.0")
        self.assertIn("chrono-ban", json.dumps(sarif["runs"][0]["results"]))
        with open(runner.summary) as f:
            self.assertIn("chrono", f.read())
        state = self.server.control("GET", "/_control/state?repo=octo-org/octo-repo&number=7")
        self.assertEqual(len(state["reviews"]), 1, text)
        self.assertIn("chrono", json.dumps(state["review_comments"]))
        self.assertEqual(self.server.control("GET", "/_control/violations"), [])

    def test_post_comments_false_posts_nothing(self):
        runner = self.runner()
        self.seed_cache(runner)
        status, outs = runner.run(inputs={"post-comments": "false"}, token=self.token)
        self.assertGreaterEqual(int(outs["errors"] or 0), 1, runner.text())
        state = self.server.control("GET", "/_control/state?repo=octo-org/octo-repo&number=7")
        self.assertEqual(state["reviews"], [])
        self.assertEqual(state["review_comments"], [])


class GitlabJob:
    """Runs the template's before_script and script in one shell, as a GitLab runner does."""

    def __init__(self, root, project_dir, variables):
        self.root, self.project_dir = root, project_dir
        job = load("ci/gitlab-ci.yml")[".crabgate"]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "CRABGATE_", "RUNNER_", "GITLAB", "CI_"))}
        env.update(GIT_ENV)
        env.update({"CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": project_dir,
                    "HOME": os.path.join(root, "home"), "CI_PIPELINE_SOURCE": "merge_request_event"})
        os.makedirs(env["HOME"], exist_ok=True)
        env.update(variables)
        # Job variables may name others (GitLab expands them when the job starts).
        for k, v in job["variables"].items():
            if k not in variables:
                env[k] = re.sub(r"\$(\w+)", lambda m: env.get(m.group(1), ""), str(v))
        self.env = env
        self.script = "\n".join([*job["before_script"], *job["script"]])

    def run(self):
        return subprocess.run(["sh", "-c", self.script], cwd=self.project_dir, env=self.env, capture_output=True,
                              text=True)


class TestGitlabJobRuns(ActionTest):
    def clone(self):
        ws = os.path.join(self.tmp, "project")
        git("clone", "-q", "--branch", "feature", "file://" + self.origin.path, ws, cwd=self.tmp)
        return ws

    def variables(self, **extra):
        v = {"CRABGATE_SOURCE": SOURCE_DIR, "CRABGATE_CACHE_DIR": os.path.join(self.tmp, "gl-cache"), **grammar_env()}
        v.update(extra)
        return v

    def test_build_from_source_then_cached(self):
        ws = self.clone()
        variables = self.variables()
        job = GitlabJob(self.tmp, ws, variables)
        # Without `crabgate ci` yet, only the build half is run.
        job.script = "\n".join(load("ci/gitlab-ci.yml")[".crabgate"]["before_script"])
        r = job.run()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"crabgate \d+\.\d+\.\d+")
        built = os.listdir(variables["CRABGATE_CACHE_DIR"])
        self.assertEqual(len(built), 1)
        stamp = os.stat(os.path.join(variables["CRABGATE_CACHE_DIR"], built[0], "bin", "crabgate")).st_mtime_ns
        r = job.run()  # the cache folder GitLab restores: no second build
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(os.stat(os.path.join(variables["CRABGATE_CACHE_DIR"], built[0], "bin",
                                              "crabgate")).st_mtime_ns, stamp)

    def test_merge_request_pipeline(self):
        if not has_ci_command():
            self.skipTest("`crabgate ci` does not exist yet (src/cmd/ci.c, issue 6): "
                          "the GitLab job's script is run once it lands")
        script = os.path.join(SOURCE_DIR, "tests", "servers", "gitlab_server.js")
        if not os.path.exists(script):
            self.skipTest("tests/servers/gitlab_server.js does not exist yet (issue 6)")
        modules = forge_tools()
        proc = subprocess.Popen(["node", script, "--modules", modules], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (proc.terminate(), proc.wait(), proc.stdout.close(), proc.stderr.close()))
        port = re.match(r"PORT (\d+)", proc.stdout.readline()).group(1)
        url = f"http://127.0.0.1:{port}"

        def control(method, path, body=None):
            req = urllib.request.Request(url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")

        token = "glpat-action-test-0123456789"
        control("POST", "/_control/tokens", {token: {"kind": "private", "access": "write", "username": "bot"}})
        control("POST", "/_control/mrs", {"project_id": 42, "path": "group/project", "iid": 3,
                                          "base_sha": self.origin.fork_point, "head_sha": self.origin.head,
                                          "diff": self.origin.diff})
        ws = self.clone()
        mr = {"CI_API_V4_URL": url + "/api/v4", "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "3",
              "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.origin.fork_point, "CI_COMMIT_SHA": self.origin.head,
              "CI_SERVER_URL": url}
        # A cache hit with the binary under test: the build half is tested above.
        job = GitlabJob(self.tmp, ws, self.variables(**mr))
        r = subprocess.run(["sh", "-c", "grep -E '^(ID|VERSION_ID)=' /etc/os-release | cut -d= -f2 | tr -d '\"' | "
                            "paste -sd-; cd \"$CRABGATE_SOURCE\" && find CMakeLists.txt config.yaml cmake hooks src "
                            "-type f | sort | xargs sha256sum | sha256sum | cut -c1-16"], env=job.env,
                           capture_output=True, text=True, check=True)
        os_id, sum_ = r.stdout.split()
        dest = os.path.join(job.env["CRABGATE_CACHE_DIR"], f"{os_id}-src-{sum_}", "bin")
        os.makedirs(dest)
        shutil.copy(BIN, os.path.join(dest, "crabgate"))

        r = job.run()  # no token: the Code Quality report only
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("Code Quality report only", r.stdout)
        with open(os.path.join(ws, "gl-code-quality-report.json")) as f:
            report = json.load(f)
        self.assertIn("chrono-ban", json.dumps(report))
        self.assertEqual(control("GET", "/_control/state?project_id=42&iid=3")["discussions"], [])

        job.env["CRABGATE_GITLAB_TOKEN"] = token
        r = job.run()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertNotIn(token, r.stdout + r.stderr)
        state = control("GET", "/_control/state?project_id=42&iid=3")
        self.assertIn("chrono", json.dumps(state["discussions"]))
        self.assertEqual(control("GET", "/_control/violations"), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
