"""Reports end to end: one `check` writes text, SARIF, GitLab, GitHub and a summary, and each validates.

SARIF is validated against the official SARIF 2.1.0 schema (shipped in the npm package
@microsoft/sarif-multitool-linux) by ajv's draft 2020-12 build, installed into the build folder by
tests/tools/install_node_tools.sh. GitLab's Code Quality report is held to the fields GitLab requires;
GitHub workflow commands are parsed back as the runner parses them; the text report is read through a
real pseudo-terminal (colour) and a pipe (none).
"""
import errno
import fcntl
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, BUILD_DIR, SOURCE_DIR, Repo  # noqa: E402

NODE_DIR = os.path.join(BUILD_DIR, "node")
SCHEMA = os.path.join(NODE_DIR, "node_modules", "@microsoft", "sarif-multitool-linux", "sarif-2.1.0.json")

VALIDATE_JS = r"""
const Ajv = require("ajv/dist/2020");
const addFormats = require("ajv-formats");
const fs = require("fs");
const [schemaPath, ...files] = process.argv.slice(2);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
let bad = 0;
for (const f of files) {
  if (!validate(JSON.parse(fs.readFileSync(f, "utf8")))) {
    bad++;
    console.log(f + ": " + JSON.stringify(validate.errors.slice(0, 5)));
  }
}
process.exit(bad ? 1 : 0);
"""

AWKWARD_PATH = "src/odd, name:1/mod é%.rs"
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
ESC = "\x1b"


def install_node_tools():
    script = os.path.join(SOURCE_DIR, "tests", "tools", "install_node_tools.sh")
    r = subprocess.run(["bash", script, NODE_DIR], capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"install_node_tools.sh failed:\n{r.stderr}")
    if not os.path.exists(SCHEMA):
        raise AssertionError(f"{SCHEMA} missing after install_node_tools.sh")


def validate_sarif(*paths):
    """Runs ajv with the official schema; returns (ok, output)."""
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
        f.write(VALIDATE_JS)
        js = f.name
    try:
        env = dict(os.environ, NODE_PATH=os.path.join(NODE_DIR, "node_modules"))
        r = subprocess.run(["node", js, SCHEMA, *paths], capture_output=True, text=True, env=env)
        return r.returncode == 0, r.stdout + r.stderr
    finally:
        os.unlink(js)


def clean_env(**extra):
    env = dict(os.environ)
    for k in ("NO_COLOR", "CRABGATE_CONFIG", "GITHUB_STEP_SUMMARY"):
        env.pop(k, None)
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def run(args, cwd, env=None):
    return subprocess.run([BIN, *args], cwd=cwd, capture_output=True, env=env or clean_env())


def run_in_pty(args, cwd, env, cols=100):
    """Runs crabgate with stdout on a pseudo-terminal of `cols` columns; returns (status, bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
    p = subprocess.Popen([BIN, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=subprocess.PIPE)
    os.close(slave)
    out = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError as e:  # EIO: the child closed the terminal
            if e.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.stderr.read()
    p.stderr.close()
    return p.wait(), bytes(out).replace(b"\r\n", b"\n")


def gh_unescape(s, is_property):
    table = {"%25": "%", "%0D": "\r", "%0A": "\n"}
    if is_property:
        table.update({"%3A": ":", "%2C": ","})
    out, i = [], 0
    while i < len(s):
        if s[i] == "%":
            code = s[i:i + 3]
            if code not in table:
                raise AssertionError(f"stray % in {s!r}")
            out.append(table[code])
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def gh_parse(line):
    """Parses `::name k=v,k=v::message` as the Actions runner does."""
    m = re.fullmatch(r"::([a-z-]+)(?: ([^:]*))?::(.*)", line)
    if not m:
        raise AssertionError(f"not a workflow command: {line!r}")
    props = {}
    for part in (m.group(2) or "").split(","):
        if part:
            key, _, value = part.partition("=")
            props[key] = gh_unescape(value, True)
    return m.group(1), props, gh_unescape(m.group(3), False)


def rules_available():
    r = subprocess.run([BIN, "rules"], capture_output=True, text=True, cwd=tempfile.gettempdir(),
                       env=clean_env())
    return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]


class TestReports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        install_node_tools()
        cls.rules = rules_available()
        # Severities for one run with all three: chrono-ban errors, allow-without-reason notes, and
        # every other rule (blocking-in-async, missing-bench, ... as they land) warnings.
        cls.warning_rules = [r for r in cls.rules if r not in ("chrono-ban", "allow-without-reason")]
        cls.repo = Repo()
        repo = cls.repo
        cfg = "rules:\n  chrono-ban:\n    severity: error\n  allow-without-reason:\n    severity: note\n"
        for rule in cls.warning_rules:
            cfg += f"  {rule}:\n    severity: warning\n"
        repo.write(".crabgate.yaml", cfg)
        repo.commit("config")
        repo.write("Cargo.toml", '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                 '[dependencies]\nchrono = "0.4"\ntokio = { version = "1", features = ["full"] }\n')
        big = ", ".join(["0u8"] * 1400)
        repo.write("src/lib.rs",
                   "use chrono::Utc;\n"
                   "\n"
                   "// crabgate:allow(chrono-ban)\n"
                   "use chrono::NaiveDate;\n"
                   "\n"
                   "// crabgate:allow(chrono-ban) the v1 wire format is defined by chrono's serde\n"
                   "use chrono::DateTime;\n"
                   "\n"
                   "pub fn compute(x: u32) -> u32 {\n    x + 1\n}\n"
                   "\n"
                   "pub async fn handler() {\n"
                   "    std::thread::sleep(std::time::Duration::from_millis(1));\n"
                   "    let _ = std::fs::read(\"x\");\n"
                   "}\n"
                   "\n"
                   "pub fn stamp() -> i64 {\n"
                   "\tlet _s = \"caf\u00e9 \\\"quoted\\\" 100% a:b,c\"; chrono::Utc::now().timestamp()\n"
                   "}\n"
                   "\n"
                   f"pub fn big() -> usize {{ let a = [{big}]; let _t = chrono::Utc::now(); a.len() }}\n")
        # A path with a comma, a colon, a space, a %, and non-ASCII; a line with bytes that are not UTF-8.
        repo.write(AWKWARD_PATH, "")
        with open(os.path.join(repo.path, AWKWARD_PATH), "wb") as f:
            f.write(b"// \xff\xfe not UTF-8\nuse chrono::Utc; // \x1b[31m\xff\n")
        repo.stage()
        cls.out = os.path.join(repo.path, "out")
        os.makedirs(cls.out)
        o = cls.out
        cls.result = run(["check", "--staged", "--format", "text",
                          "--output", f"sarif={o}/crabgate.sarif", "--output", f"gitlab={o}/gl-code-quality.json",
                          "--output", f"github={o}/annotations.txt", "--output", f"json={o}/report.json",
                          "--summary", f"{o}/summary.md"], repo.path)
        with open(os.path.join(o, "report.json"), encoding="utf-8") as f:
            cls.json = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.repo.cleanup()

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def test_run_exits_1_with_errors_and_writes_every_file(self):
        self.assertEqual(self.result.returncode, 1, self.result.stderr.decode(errors="replace"))
        for name in ("crabgate.sarif", "gl-code-quality.json", "annotations.txt", "report.json", "summary.md"):
            self.assertTrue(os.path.getsize(os.path.join(self.out, name)) > 0, name)

    def test_three_severities(self):
        severities = {f["severity"] for f in self.json["findings"]}
        self.assertIn("error", severities)
        self.assertIn("note", severities)
        if self.warning_rules:
            self.assertIn("warning", severities, f"no warning from {self.warning_rules}")
        else:
            print("note: no rule besides chrono-ban and allow-without-reason yet; warnings not exercised",
                  file=sys.stderr)

    def test_text_through_a_pipe(self):
        text = self.result.stdout.decode("utf-8")
        self.assertNotIn(ESC, text)
        # The rule's wording and exact span are chrono-ban's business; the frame is ours.
        self.assertRegex(text, r"error\[chrono-ban\]: [^\n]+\n --> src/lib\.rs:1:\d+\n  \|\n"
                               r"1 \| use chrono::Utc;\n  \| *\^+\n")
        # The awkward file: escape bytes and invalid UTF-8 shown, not sent.
        self.assertRegex(text, r" --> src/odd, name:1/mod é%\.rs:2:\d+\n")
        self.assertIn("\\u{1b}[31m\\xff", text)
        # The 5 KB line is cut around the span.
        big = [line for line in text.splitlines() if "let _t = chrono::Utc::now()" in line]
        self.assertTrue(big and all(len(line) <= 120 and "..." in line for line in big), big)
        last = text.rstrip("\n").splitlines()[-1]
        self.assertRegex(last, r"^\d+ errors?(, \d+ warnings?)?, \d+ notes?; 1 suppressed$")
        for ch in text:
            self.assertFalse(ord(ch) < 0x20 and ch != "\n", f"control character {ord(ch):#x} in text output")

    def test_sarif_validates_against_the_official_schema(self):
        ok, out = validate_sarif(os.path.join(self.out, "crabgate.sarif"))
        self.assertTrue(ok, out)
        doc = json.loads(self.read("crabgate.sarif"))
        self.assertEqual(doc["version"], "2.1.0")
        self.assertEqual(len(doc["runs"]), 1)
        run0 = doc["runs"][0]
        driver = run0["tool"]["driver"]
        self.assertEqual(driver["name"], "crabgate")
        ids = [r["id"] for r in driver["rules"]]
        for rule in driver["rules"]:
            for key in ("shortDescription", "fullDescription", "help", "defaultConfiguration"):
                self.assertIn(key, rule)
            self.assertIn("markdown", rule["help"])
        visible = [r for r in run0["results"] if "suppressions" not in r]
        self.assertEqual(len(visible), len(self.json["findings"]))
        for r in run0["results"]:
            self.assertEqual(ids[r["ruleIndex"]], r["ruleId"])
            loc = r["locations"][0]["physicalLocation"]
            uri = loc["artifactLocation"]["uri"]
            self.assertEqual(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%")
            self.assertFalse(uri.startswith("/") or re.match(r"^[a-z]+:", uri), uri)
            self.assertGreaterEqual(loc["region"]["startLine"], 1)
            self.assertIn("crabgate/v1", r["partialFingerprints"])
        self.assertIn("src/odd%2C%20name%3A1/mod%20%C3%A9%25.rs",
                      [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run0["results"]])
        suppressed = [r for r in run0["results"] if "suppressions" in r]
        self.assertEqual(len(suppressed), 1)
        self.assertEqual(suppressed[0]["suppressions"][0]["kind"], "inSource")
        self.assertEqual(suppressed[0]["suppressions"][0]["justification"],
                         "the v1 wire format is defined by chrono's serde")
        self.assertEqual({r["level"] for r in visible}, {f["severity"] for f in self.json["findings"]})
        # The async fn's sleep has a fix, checked by the schema above with the rest.
        fixes = [r["fixes"][0] for r in run0["results"] if "fixes" in r]
        inserted = [[x["insertedContent"]["text"] for x in c["replacements"]]
                    for fix in fixes for c in fix["artifactChanges"]]
        self.assertIn(["tokio::time::sleep", ".await"], inserted)
        # missing-memory-files creates its files: an insertion at the start of a file not there yet.
        created = {c["artifactLocation"]["uri"]: c["replacements"][0] for fix in fixes for c in fix["artifactChanges"]}
        self.assertEqual(created["memories.md"]["deletedRegion"], {"byteOffset": 0, "byteLength": 0})
        self.assertTrue(created["memories.md"]["insertedContent"]["text"].startswith("# Memories\n"))

    def test_the_validator_rejects_broken_sarif(self):
        """The validator must catch what code scanning rejects, or the test above proves nothing."""
        doc = json.loads(self.read("crabgate.sarif"))
        breakages = {
            "start-line-0": lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
            .__setitem__("startLine", 0),
            "no-message": lambda d: d["runs"][0]["results"][0].pop("message"),
            "bad-level": lambda d: d["runs"][0]["results"][0].__setitem__("level", "fatal"),
            "fix-without-region": lambda d: [r for r in d["runs"][0]["results"] if "fixes" in r][0]["fixes"][0]
            ["artifactChanges"][0]["replacements"][0].pop("deletedRegion"),
        }
        with tempfile.TemporaryDirectory() as tmp:
            for name, breakit in breakages.items():
                broken = json.loads(json.dumps(doc))
                breakit(broken)
                path = os.path.join(tmp, name + ".sarif")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(broken, f)
                ok, _ = validate_sarif(path)
                self.assertFalse(ok, f"the validator accepted {name}")

    def test_gitlab_code_quality_has_what_gitlab_requires(self):
        issues = json.loads(self.read("gl-code-quality.json"))
        self.assertIsInstance(issues, list)
        self.assertEqual(len(issues), len(self.json["findings"]))
        for issue in issues:
            for key in ("description", "check_name", "fingerprint", "severity", "location"):
                self.assertIn(key, issue)
                self.assertTrue(issue[key], key)
            self.assertIn(issue["severity"], GITLAB_SEVERITIES)
            self.assertIsInstance(issue["location"]["path"], str)
            self.assertFalse(issue["location"]["path"].startswith("/"))
            self.assertIsInstance(issue["location"]["lines"]["begin"], int)
            self.assertGreaterEqual(issue["location"]["lines"]["begin"], 1)
        fps = [i["fingerprint"] for i in issues]
        self.assertEqual(len(fps), len(set(fps)), "fingerprints must be unique")
        self.assertIn(AWKWARD_PATH, [i["location"]["path"] for i in issues])
        by = {"error": "critical", "warning": "minor", "note": "info"}
        want = sorted((f["path"], f["line"], f["rule"], by[f["severity"]]) for f in self.json["findings"])
        got = sorted((i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"], i["severity"])
                     for i in issues)
        self.assertEqual(got, want)

    def test_github_commands_parse_back(self):
        lines = self.read("annotations.txt").splitlines()
        commands = [gh_parse(line) for line in lines if line.startswith("::")]
        for line in lines:
            self.assertTrue(line.startswith("::") or line.startswith("crabgate: "), line)
        kind = {"error": "error", "warning": "warning", "note": "notice"}
        counts = {}
        for f in self.json["findings"]:
            counts[kind[f["severity"]]] = counts.get(kind[f["severity"]], 0) + 1
        annotated = [c for c in commands if c[1].get("file")]
        if all(n <= 10 for n in counts.values()):
            self.assertEqual(len(annotated), len(self.json["findings"]))
        else:  # the caps themselves are unit-tested (test_report.c)
            self.assertLessEqual(len(annotated), 30)
        # Most severe first.
        order = [{"error": 0, "warning": 1, "notice": 2}[c[0]] for c in annotated]
        self.assertEqual(order, sorted(order))
        findings = {(f["path"], f["line"], f["rule"]): f for f in self.json["findings"]}
        for name, props, message in annotated:
            key = (props["file"], int(props["line"]), props["title"].removeprefix("crabgate: "))
            self.assertIn(key, findings)
            f = findings[key]
            self.assertEqual(name, kind[f["severity"]])
            self.assertTrue(message.startswith(f["message"]), (message, f["message"]))
        self.assertIn(AWKWARD_PATH, [c[1]["file"] for c in annotated])
        if len(annotated) < len(self.json["findings"]):
            self.assertRegex(lines[-1], r"^::notice title=crabgate::\d+ findings? (is|are) not shown as annotations")

    def test_markdown_summary(self):
        md = self.read("summary.md")
        self.assertTrue(md.startswith("## crabgate: "))
        self.assertIn("| Rule | Errors | Warnings | Notes |", md)
        n_err = sum(1 for f in self.json["findings"] if f["severity"] == "error")
        self.assertRegex(md, rf"\| \*\*total\*\* \| {n_err} \|")
        self.assertIn("1 finding suppressed in the source", md)
        self.assertIn("src/odd, name:1/mod é%.rs:2", md)
        self.assertNotIn(ESC, md)

    def test_summary_file_is_replaced(self):
        # --summary FILE writes (replaces) the file; it never appends to a stale one.
        path = os.path.join(self.out, "again.md")
        with open(path, "w") as f:
            f.write("stale\n")
        r = run(["check", "--staged", "--format", "json", "--output", os.path.join(self.out, "report.json"), "--summary", path], self.repo.path)
        self.assertEqual(r.returncode, 1)
        with open(path, encoding="utf-8") as f:
            self.assertTrue(f.read().startswith("## crabgate: "))

    def test_colour_on_a_terminal_only(self):
        args = ["check", "--staged"]
        status, out = run_in_pty(args, self.repo.path, clean_env())
        self.assertEqual(status, 1)
        self.assertIn(b"\x1b[1;31merror[chrono-ban]", out)
        # Only colour sequences, nothing else a terminal acts on.
        for m in re.finditer(rb"\x1b", out):
            self.assertRegex(out[m.start():m.start() + 12], rb"^\x1b\[[0-9;]*m")
        status, out = run_in_pty(args, self.repo.path, clean_env(NO_COLOR="1"))
        self.assertEqual(status, 1)
        self.assertIn(b"error[chrono-ban]", out)
        self.assertNotIn(b"\x1b", out)
        status, out = run_in_pty([*args, "--color", "never"], self.repo.path, clean_env())
        self.assertNotIn(b"\x1b", out)
        status, out = run_in_pty(args, self.repo.path, clean_env(TERM="dumb"))
        self.assertNotIn(b"\x1b", out)
        # --color always wins over NO_COLOR and a pipe.
        r = run([*args, "--color", "always"], self.repo.path, clean_env(NO_COLOR="1"))
        self.assertIn(b"\x1b[1;31merror[chrono-ban]", r.stdout)

    def test_code_frames_fit_the_terminal(self):
        status, out = run_in_pty(["check", "--staged"], self.repo.path, clean_env(NO_COLOR="1"), cols=70)
        self.assertEqual(status, 1)
        frames = [line for line in out.decode("utf-8").splitlines() if re.match(r"^\d+ \| ", line)]
        self.assertTrue(frames)
        for line in frames:
            self.assertLessEqual(len(line), 70, line)

    def test_unknown_format_is_a_usage_error(self):
        r = run(["check", "--staged", "--format", "yaml"], self.repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"unknown format 'yaml'", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
