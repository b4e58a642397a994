"""`--format rustc-json`: what rust-analyzer and cargo tooling read, checked by a parser of cargo's format.

The parser below is written against cargo's documented `--message-format=json` output (the
`compiler-message` reason of "JSON messages" in the Cargo book's external-tools chapter) and rustc's
diagnostic JSON (the rustc book's "JSON Output"): every field they document must be there with its
type, lines and columns count from 1 (columns in characters, ends exclusive), byte offsets from 0 into
the file as committed. It rejects what those readers would reject, so a finding that parses here
lands in an editor where it should.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import RepoTest, run  # noqa: E402

LEVELS = {"error", "warning", "note", "help", "failure-note", "error: internal compiler error"}
APPLICABILITY = {None, "MachineApplicable", "HasPlaceholders", "MaybeIncorrect", "Unspecified"}


class FormatError(AssertionError):
    pass


def need(obj, key, types, where):
    if not isinstance(obj, dict) or key not in obj:
        raise FormatError(f"{where}: no field {key!r}")
    v = obj[key]
    types = types if isinstance(types, tuple) else (types,)
    # JSON true/false are not numbers here, whatever Python thinks of bool.
    if isinstance(v, bool) and bool not in types:
        raise FormatError(f"{where}.{key}: {v!r} is not {types}")
    if not isinstance(v, types):
        raise FormatError(f"{where}.{key}: {v!r} is not {types}")
    return v


def parse_span(s, where):
    span = {}
    span["file_name"] = need(s, "file_name", str, where)
    for k in ("byte_start", "byte_end", "line_start", "line_end", "column_start", "column_end"):
        span[k] = need(s, k, int, where)
        if span[k] < 0:
            raise FormatError(f"{where}.{k}: negative")
    for k in ("line_start", "line_end", "column_start", "column_end"):
        if span[k] < 1:
            raise FormatError(f"{where}.{k}: lines and columns count from 1")
    if span["byte_end"] < span["byte_start"] or span["line_end"] < span["line_start"]:
        raise FormatError(f"{where}: ends before it starts")
    span["is_primary"] = need(s, "is_primary", bool, where)
    span["text"] = []
    for i, t in enumerate(need(s, "text", list, where)):
        w = f"{where}.text[{i}]"
        span["text"].append((need(t, "text", str, w), need(t, "highlight_start", int, w), need(t, "highlight_end", int, w)))
    span["label"] = need(s, "label", (str, type(None)), where)
    span["suggested_replacement"] = need(s, "suggested_replacement", (str, type(None)), where)
    span["suggestion_applicability"] = need(s, "suggestion_applicability", (str, type(None)), where)
    if span["suggestion_applicability"] not in APPLICABILITY:
        raise FormatError(f"{where}.suggestion_applicability: {span['suggestion_applicability']!r}")
    need(s, "expansion", (dict, type(None)), where)
    return span


def parse_diagnostic(d, where, is_child=False):
    diag = {"message": need(d, "message", str, where), "level": need(d, "level", str, where)}
    if diag["level"] not in LEVELS:
        raise FormatError(f"{where}.level: {diag['level']!r}")
    code = need(d, "code", (dict, type(None)), where)
    if code is not None:
        diag["code"] = need(code, "code", str, where + ".code")
        need(code, "explanation", (str, type(None)), where + ".code")
    diag["spans"] = [parse_span(s, f"{where}.spans[{i}]") for i, s in enumerate(need(d, "spans", list, where))]
    diag["children"] = [parse_diagnostic(c, f"{where}.children[{i}]", True)
                        for i, c in enumerate(need(d, "children", list, where))]
    diag["rendered"] = need(d, "rendered", (str, type(None)), where)
    if not is_child:
        if need(d, "$message_type", str, where) != "diagnostic":
            raise FormatError(f"{where}.$message_type: not diagnostic")
    return diag


def parse_cargo_messages(stdout):
    """cargo's JSON lines: one object a line, `reason` first; compiler-message carries the package and target."""
    out = []
    for n, line in enumerate(stdout.splitlines(), 1):
        where = f"line {n}"
        doc = json.loads(line)
        if need(doc, "reason", str, where) != "compiler-message":
            raise FormatError(f"{where}: reason {doc['reason']!r}")
        need(doc, "package_id", str, where)
        if not os.path.isabs(need(doc, "manifest_path", str, where)):
            raise FormatError(f"{where}.manifest_path: not absolute")
        t = need(doc, "target", dict, where)
        for k in ("kind", "crate_types"):
            if not all(isinstance(x, str) for x in need(t, k, list, where + ".target")):
                raise FormatError(f"{where}.target.{k}: not strings")
        need(t, "name", str, where + ".target")
        if not os.path.isabs(need(t, "src_path", str, where + ".target")):
            raise FormatError(f"{where}.target.src_path: not absolute")
        need(t, "edition", str, where + ".target")
        for k in ("doc", "doctest", "test"):
            need(t, k, bool, where + ".target")
        out.append((doc, parse_diagnostic(need(doc, "message", dict, where), where + ".message")))
    return out


class RustcJsonTest(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("Cargo.toml", '[workspace]\nmembers = ["crates/app"]\n')
        self.repo.write("memories.md", "# m\n")
        self.repo.write("lessons-learned.md", "# l\n")
        self.repo.write("scratchpad.md", "# s\n")
        self.repo.write("crates/app/Cargo.toml",
                        '[package]\nname = "my-app"\nversion = "0.3.0"\nedition = "2021"\n\n[dependencies]\n')
        self.repo.write("crates/app/src/lib.rs", "// placeholder\n")
        self.repo.commit("base")
        # Non-ASCII before the spans and CRLF line ends: character columns and byte offsets part ways.
        self.repo.write("crates/app/Cargo.toml",
                        '[package]\nname = "my-app"\nversion = "0.3.0"\nedition = "2021"\n\n'
                        '[dependencies]\nchrono = "0.4"\n')
        self.repo.write("crates/app/src/lib.rs",
                        "/// caf\u00e9 \u65e5\u672c\r\n"
                        "async fn load() {\r\n"
                        "    let _ = \"\u00e9\"; std::thread::sleep(std::time::Duration::from_secs(1));\r\n"
                        "}\r\n")
        self.repo.write("crates/app/src/bin/tool.rs",
                        "async fn main() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n")
        self.repo.stage()

    def check(self, *args):
        r = run(["check", "--staged", "--format", "rustc-json", *args], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        return parse_cargo_messages(r.stdout)

    def test_parses_and_points_at_the_bytes(self):
        msgs = self.check()
        root = os.path.realpath(self.repo.path)
        by_file = {}
        for doc, diag in msgs:
            self.assertEqual(len(diag["spans"]), 1)
            span = diag["spans"][0]
            self.assertTrue(span["is_primary"])
            by_file.setdefault(span["file_name"], []).append((doc, diag))
            # The span's bytes, read back from the file as committed, are the text it highlights.
            with open(os.path.join(self.repo.path, span["file_name"]), "rb") as f:
                data = f.read()
            lines = data.split(b"\n")
            start = sum(len(x) + 1 for x in lines[:span["line_start"] - 1])
            line = lines[span["line_start"] - 1].rstrip(b"\r").decode()
            self.assertEqual(start + len(line[:span["column_start"] - 1].encode()), span["byte_start"])
            end = sum(len(x) + 1 for x in lines[:span["line_end"] - 1])
            last = lines[span["line_end"] - 1].rstrip(b"\r").decode()
            self.assertEqual(end + len(last[:span["column_end"] - 1].encode()), span["byte_end"])
            self.assertEqual(span["text"][0][0], line)
            self.assertEqual(span["text"][0][1], span["column_start"])
            self.assertTrue(os.path.realpath(doc["manifest_path"]).startswith(root))
            self.assertIn(diag["code"], diag["rendered"])

        sleeps = [d for d in by_file["crates/app/src/lib.rs"] if d[1]["code"] == "blocking-in-async"]
        self.assertEqual(len(sleeps), 1)
        doc, diag = sleeps[0]
        span = diag["spans"][0]
        self.assertEqual((span["line_start"], span["column_start"]), (3, 18))
        data = open(os.path.join(self.repo.path, "crates/app/src/lib.rs"), "rb").read()
        self.assertTrue(data[span["byte_start"]:span["byte_end"]].startswith(b"std::thread::sleep("))
        self.assertEqual(diag["level"], "error")
        self.assertEqual([c["level"] for c in diag["children"]], ["help"])
        self.assertEqual(doc["package_id"], f"path+file://{self.repo.path}/crates/app#my-app@0.3.0")
        self.assertEqual(doc["manifest_path"], f"{self.repo.path}/crates/app/Cargo.toml")
        self.assertEqual(doc["target"]["kind"], ["lib"])
        self.assertEqual(doc["target"]["name"], "my_app")
        self.assertEqual(doc["target"]["edition"], "2021")

        (doc, diag), = by_file["crates/app/src/bin/tool.rs"]
        self.assertEqual((doc["target"]["kind"], doc["target"]["name"]), (["bin"], "tool"))
        self.assertEqual(doc["target"]["src_path"], f"{self.repo.path}/crates/app/src/bin/tool.rs")

        chrono = [d for d in by_file["crates/app/Cargo.toml"] if d[1]["code"] == "chrono-ban"]
        self.assertEqual(len(chrono), 1)
        span = chrono[0][1]["spans"][0]
        self.assertEqual(data_of(self.repo.path, "crates/app/Cargo.toml")[span["byte_start"]:span["byte_end"]],
                         b'chrono = "0.4"')

    def test_file_names_from_where_it_runs(self):
        # rust-analyzer runs the check in the workspace's folder and joins file_name to it.
        r = run(["check", "--staged", "--format", "rustc-json"], os.path.join(self.repo.path, "crates", "app"))
        names = {d["spans"][0]["file_name"] for _, d in parse_cargo_messages(r.stdout)}
        self.assertIn("src/lib.rs", names)
        self.assertIn("Cargo.toml", names)
        r = run(["check", "--staged", "--format", "rustc-json"], os.path.join(self.repo.path, "crates", "app", "src"))
        names = {d["spans"][0]["file_name"] for _, d in parse_cargo_messages(r.stdout)}
        self.assertIn("lib.rs", names)
        self.assertIn(os.path.join(self.repo.path, "crates/app/Cargo.toml"), names)

    def test_ci_writes_it_too(self):
        base = self.repo.git("rev-parse", "HEAD")
        self.repo.commit("change")
        r = run(["ci", "--no-post", "--base", base, "--format", "rustc-json"], self.repo.path,
                env={"GITHUB_ACTIONS": "", "GITLAB_CI": ""})
        self.assertEqual(r.returncode, 1, r.stderr)
        codes = sorted(d["code"] for _, d in parse_cargo_messages(r.stdout))
        self.assertIn("chrono-ban", codes)
        self.assertIn("blocking-in-async", codes)

    def test_fixes_are_suggestions(self):
        # rustc's shape: a help child whose spans (one an edit) carry the replacement and how sure it is.
        self.repo.write("crates/app/Cargo.toml",
                        '[package]\nname = "my-app"\nversion = "0.3.0"\nedition = "2021"\n\n[dependencies]\n'
                        'chrono = "0.4"\ntokio = { version = "1", features = ["time", "rt"] }\n')
        self.repo.stage()
        by_code = {}
        for _, diag in self.check():
            by_code.setdefault((diag["code"], diag["spans"][0]["file_name"]), []).append(diag)

        def suggestions(diag):
            spans = [s for c in diag["children"] if c["level"] == "help" for s in c["spans"]]
            self.assertTrue(spans, diag)
            for s in spans:
                self.assertTrue(s["is_primary"])
                self.assertIsNotNone(s["suggested_replacement"])
            return spans

        def applied(rel, spans):
            data = data_of(self.repo.path, rel)
            for s in sorted(spans, key=lambda s: s["byte_start"], reverse=True):
                data = data[:s["byte_start"]] + s["suggested_replacement"].encode() + data[s["byte_end"]:]
            return data

        (diag,) = [d for d in by_code[("blocking-in-async", "crates/app/src/lib.rs")]]
        spans = suggestions(diag)
        self.assertEqual({s["suggestion_applicability"] for s in spans}, {"MachineApplicable"})
        # The spans' bytes are the file's, past the non-ASCII and CRLF lines: applied, they give the fix.
        self.assertIn(b"tokio::time::sleep(std::time::Duration::from_secs(1)).await;",
                      applied("crates/app/src/lib.rs", spans))
        for s in spans:
            line = data_of(self.repo.path, "crates/app/src/lib.rs").split(b"\n")[s["line_start"] - 1]
            self.assertEqual(s["text"][0][0], line.rstrip(b"\r").decode())

        (diag,) = by_code[("chrono-ban", "crates/app/Cargo.toml")]
        spans = suggestions(diag)
        self.assertEqual({s["suggestion_applicability"] for s in spans}, {"MaybeIncorrect"})
        fixed = applied("crates/app/Cargo.toml", spans)
        self.assertNotIn(b"chrono", fixed)
        self.assertIn(b"jiff = ", fixed)

        # The finding's own span suggests nothing: rustc keeps suggestions in the children.
        for diags in by_code.values():
            for d in diags:
                self.assertEqual([s["suggested_replacement"] for s in d["spans"]], [None])

    def test_a_fix_that_creates_files_suggests_no_span(self):
        # missing-memory-files' fix creates files: no span may point into a file that is not there.
        for name in ("memories.md", "lessons-learned.md", "scratchpad.md"):
            self.repo.git("rm", "-q", name)
        r = run(["check", "--all", "--format", "rustc-json"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        diags = [d for _, d in parse_cargo_messages(r.stdout) if d["code"] == "missing-memory-files"]
        self.assertTrue(diags)
        for d in diags:
            help_children = [c for c in d["children"] if c["level"] == "help"]
            self.assertTrue(help_children, d)
            self.assertEqual([s for c in help_children for s in c["spans"]], [], d)

    def test_no_findings_is_no_line(self):
        self.repo.git("reset", "-q", "--hard")
        r = run(["check", "--staged", "--format", "rustc-json"], self.repo.path)
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)


def data_of(root, rel):
    with open(os.path.join(root, rel), "rb") as f:
        return f.read()


if __name__ == "__main__":
    unittest.main()
