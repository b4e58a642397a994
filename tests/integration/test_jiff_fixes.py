"""chrono-ban's jiff fixes name jiff's API as it is: a table test (issue 21).

jiff is not packaged by the distribution, so a fixed crate cannot be built offline as the tokio
fixes are (test_fix_compiles). Instead every fix is applied and the jiff expression it leaves is
read call by call against the signatures below, transcribed from jiff 0.2.35's sources
(crates/jiff/src/...): each path must exist, take that many arguments, and a method must be called
on a value of its type. The Cargo.toml fix must ask for the same minor series.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import RepoTest, run_json  # noqa: E402

JIFF_SERIES = "0.2"
# path -> (parameters without self, whether it takes self, return type); the source line it comes from.
JIFF = {
    "jiff::Timestamp::now": (0, False, "jiff::Timestamp"),  # timestamp.rs:390 pub fn now() -> Timestamp
    "jiff::Timestamp::as_second": (0, True, "i64"),  # timestamp.rs:931 pub fn as_second(self) -> i64
    "jiff::Timestamp::as_millisecond": (0, True, "i64"),  # timestamp.rs:960 pub fn as_millisecond(self) -> i64
    # signed_duration.rs:494 pub const fn from_secs(secs: i64) -> SignedDuration
    "jiff::SignedDuration::from_secs": (1, False, "jiff::SignedDuration"),
    # civil/date.rs:246 pub fn new(year: i16, month: i8, day: i8) -> Result<Date, Error>
    "jiff::civil::Date::new": (3, False, "Result<jiff::civil::Date>"),
}
# What std gives the values above.
STD_METHODS = {("Result<jiff::civil::Date>", "ok"): (0, "Option<jiff::civil::Date>")}

CHRONO = """pub fn f() -> i64 {
    let _a = chrono::Utc::now();
    let b = chrono::Utc::now().timestamp();
    let c = chrono::Utc::now().timestamp_millis();
    let _d = chrono::Duration::seconds(5);
    let _e = chrono::TimeDelta::seconds(60 * 5);
    let _g = chrono::NaiveDate::from_ymd_opt(2024, 1, 2);
    b + c
}
"""


def args_of(text, i):
    """The arguments of the call whose '(' is at text[i]: (count, index past ')')."""
    depth, n, start = 0, 0, i + 1
    for j in range(i, len(text)):
        ch = text[j]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                inner = text[start:j].strip()
                return (n + 1 if inner else 0), j + 1
        elif ch == "," and depth == 1:
            n += 1
    raise AssertionError(f"unbalanced call in {text!r}")


def check_expression(test, text, at):
    """Reads `jiff::path(args)(.method(args))*` from text[at:], checking each call; returns its type."""
    m = re.compile(r"jiff(::[A-Za-z_][A-Za-z0-9_]*)+").match(text, at)
    test.assertIsNotNone(m, text[at:])
    path = m.group(0)
    test.assertIn(path, JIFF, f"{path} is not in jiff {JIFF_SERIES}'s API")
    nparams, takes_self, ty = JIFF[path]
    test.assertFalse(takes_self, f"{path} called without a receiver")
    test.assertEqual(text[m.end()], "(", text)
    nargs, pos = args_of(text, m.end())
    test.assertEqual(nargs, nparams, f"{path} takes {nparams} arguments: {text}")
    while True:
        mm = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)\(").match(text, pos)
        if not mm:
            return ty
        name = mm.group(1)
        nargs, pos = args_of(text, mm.end() - 1)
        if ty.startswith("jiff::"):
            method = f"{ty}::{name}"
            test.assertIn(method, JIFF, f"{method} is not in jiff {JIFF_SERIES}'s API")
            nparams, takes_self, ty = JIFF[method]
            test.assertTrue(takes_self, f"{method} is not a method")
        else:
            test.assertIn((ty, name), STD_METHODS, f"no method {name} on {ty}")
            nparams, ty = STD_METHODS[(ty, name)]
        test.assertEqual(nargs, nparams, f"{name} takes {nparams} arguments: {text}")


def apply(text, edits):
    data = text.encode()
    for e in sorted(edits, key=lambda e: e["byte_start"], reverse=True):
        data = data[:e["byte_start"]] + e["replacement"].encode() + data[e["byte_end"]:]
    return data.decode()


class JiffFixTableTest(RepoTest):
    def setUp(self):
        super().setUp()
        manifest = '[package]\nname = "a"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'
        self.repo.write("Cargo.toml", manifest)
        self.repo.write("src/lib.rs", "pub fn f() {}\n")
        for name in ("memories.md", "lessons-learned.md", "scratchpad.md"):
            self.repo.write(name, "")
        self.repo.commit("base")
        self.repo.write("Cargo.toml", manifest + 'chrono = "0.4"\n')
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.stage()

    def test_every_jiff_fix_names_jiff_as_it_is(self):
        r, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        fixes = [f for f in doc["findings"] if f["rule"] == "chrono-ban" and f.get("fix")]
        rust = [f for f in fixes if f["path"] == "src/lib.rs"]
        # One fix per chrono line of CHRONO: none may go missing unnoticed.
        self.assertEqual(sorted(f["line"] for f in rust), [2, 3, 4, 5, 6, 7])
        for f in rust:
            self.assertEqual(f["fix"]["applicability"], "maybe-incorrect")
            line = apply(CHRONO, f["fix"]["edits"]).split("\n")[f["line"] - 1]
            self.assertNotIn("chrono", line)
            check_expression(self, line, line.index("jiff::"))
        (toml,) = [f for f in fixes if f["path"] == "Cargo.toml"]
        (edit,) = toml["fix"]["edits"]
        self.assertEqual(edit["replacement"], f'jiff = "{JIFF_SERIES}"')

    def test_the_table_reader_refuses_what_jiff_does_not_have(self):
        for wrong in ("jiff::Timestamp::now(1)", "jiff::Timestamp::now().timestamp()",
                      "jiff::civil::Date::new(2024, 1)", "jiff::SignedDuration::seconds(5)",
                      "jiff::civil::Date::new(1, 2, 3).unwrap_or_default()"):
            with self.assertRaises(AssertionError, msg=wrong):
                check_expression(self, wrong, 0)


if __name__ == "__main__":
    unittest.main()
