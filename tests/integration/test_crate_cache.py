"""The crate model's disk cache (src/crate/cache.c), seen from the command
line: a second run reads every unchanged file's summary back instead of
parsing it, a damaged or foreign cache is ignored and rebuilt, concurrent
runs leave a valid cache, and `cache clear`, `--no-cache` and
`cache.enabled` do what they say. Everything is asserted through the counts
`-v` prints and the findings, never through timings."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, Repo, RepoTest, run  # noqa: E402

COUNTS = re.compile(r"crate model: (\d+) summaries read from the cache, (\d+) computed, (\d+) files read")

FILES = {
    "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n\n'
                  '[dev-dependencies]\ncriterion = "0.5"\n\n[[bench]]\nname = "load"\nharness = false\n',
    "src/lib.rs": "pub mod api;\npub mod store;\nmod util;\n",
    "src/store.rs": "use crate::util;\n\n"
                    "pub fn load() -> String {\n    util::read_cfg()\n}\n\n"
                    "pub fn save(s: &str) {\n    let _ = s.len();\n}\n",
    "src/util.rs": "pub fn read_cfg() -> String {\n    std::fs::read_to_string(\"cfg\").unwrap()\n}\n",
    "src/api.rs": "use crate::store;\n\n"
                  "pub async fn serve() {\n    local();\n}\n\n"
                  "fn local() {}\n",
    "benches/load.rs": "use criterion::{criterion_group, criterion_main, Criterion};\n"
                       "fn b(c: &mut Criterion) { c.bench_function(\"load\", |x| x.iter(|| svc::store::load())); }\n"
                       "criterion_group!(g, b);\ncriterion_main!(g);\n",
}

# The staged edit: serve now calls store::load, which blocks through util::read_cfg.
SERVE = ("use crate::store;\n\n"
         "pub async fn serve() {{\n    local();\n    let _c = store::load();{extra}\n}}\n\n"
         "fn local() {{}}\n")


def counts(stderr):
    m = COUNTS.search(stderr)
    if not m:
        raise AssertionError(f"no crate model counts in:\n{stderr}")
    return {"cached": int(m.group(1)), "computed": int(m.group(2)), "read": int(m.group(3))}


class TestCrateCache(RepoTest):
    def setUp(self):
        super().setUp()
        for path, text in FILES.items():
            self.repo.write(path, text)
        self.repo.commit("base")
        self.stage_serve("")
        self.cache_dir = os.path.join(self.repo.path, ".git", "crabgate", "cache")

    def stage_serve(self, extra):
        self.repo.write("src/api.rs", SERVE.format(extra=extra))
        self.repo.stage("src/api.rs")

    def check(self, *args, cwd=None, env=None):
        r = run(["-v", "check", "--staged", "--format", "json", "--fail-level", "never", *args],
                cwd or self.repo.path, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout, counts(r.stderr)

    def entries(self):
        return sorted(os.listdir(self.cache_dir)) if os.path.isdir(self.cache_dir) else []

    def test_second_run_reads_unchanged_summaries_from_the_cache(self):
        out1, cold = self.check()
        self.assertIn("store::load", out1)  # the chain the cache must keep finding
        self.assertIn("read_cfg", out1)
        self.assertEqual(cold["cached"], 0)
        self.assertGreaterEqual(cold["computed"], 3)  # api.rs, store.rs, util.rs
        out2, warm = self.check()
        self.assertEqual(out2, out1)
        self.assertEqual(warm, {"cached": cold["computed"], "computed": 0, "read": warm["read"]})
        # The bench file's words, the module items, the summaries and the manifest came from the
        # cache: no file is read.
        self.assertLess(warm["read"], cold["read"])
        self.assertEqual(warm["read"], 0)
        # A new edit of api.rs: only its summary is computed again.
        self.stage_serve("\n    let _n = 1;")
        out3, edit = self.check()
        self.assertEqual(edit["computed"], 1)
        self.assertEqual(edit["cached"], cold["computed"] - 1)
        self.assertEqual(out3.count("read_cfg"), out1.count("read_cfg"))

    def test_no_cache_and_config_turn_it_off(self):
        out1, a = self.check("--no-cache")
        self.assertEqual(a["cached"], 0)
        self.assertEqual(self.entries(), [])
        out2, b = self.check("--no-cache")
        self.assertEqual(b["cached"], 0)
        self.assertEqual(b["computed"], a["computed"])
        self.assertEqual(out1, out2)
        self.repo.write(".crabgate.yaml", "cache:\n  enabled: false\n")
        _, c = self.check()
        self.assertEqual((c["cached"], self.entries()), (0, []))
        self.repo.write(".crabgate.yaml", "cache:\n  max_bytes: -1\n")
        r = run(["check", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("cache.max_bytes", r.stderr)

    def test_cache_clear(self):
        _, cold = self.check()
        self.assertNotEqual(self.entries(), [])
        r = run(["cache", "clear"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.cache_dir))
        _, again = self.check()
        self.assertEqual((again["cached"], again["computed"]), (0, cold["computed"]))
        self.assertEqual(run(["cache", "clear"], self.repo.path).returncode, 0)
        self.assertEqual(run(["cache", "clear"], self.repo.path).returncode, 0)  # nothing to clear
        self.assertEqual(run(["cache"], self.repo.path).returncode, 2)
        self.assertEqual(run(["cache", "drop"], self.repo.path).returncode, 2)
        r = run(["cache", "--help"], self.repo.path)
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: crabgate cache clear", r.stdout)

    def damage_and_rerun(self, damage):
        out1, cold = self.check()
        for name in self.entries():
            path = os.path.join(self.cache_dir, name)
            with open(path, "rb") as f:
                data = bytearray(f.read())
            with open(path, "wb") as f:
                f.write(damage(data))
        out2, hurt = self.check()
        self.assertEqual(out2, out1)
        self.assertEqual((hurt["cached"], hurt["computed"], hurt["read"]), (0, cold["computed"], cold["read"]))
        # Rebuilt: the next run reads everything back, the manifest too.
        out3, healed = self.check()
        self.assertEqual(out3, out1)
        self.assertEqual((healed["cached"], healed["computed"], healed["read"]), (cold["computed"], 0, 0))

    def manifest_entries(self):
        blob = self.repo.git("rev-parse", ":Cargo.toml").strip()
        return [n for n in self.entries() if n.startswith(blob + "-")]

    def test_damaged_manifest_entry_is_parsed_again(self):
        out1, _ = self.check()
        self.assertEqual(len(self.manifest_entries()), 1)
        for damage in (lambda d: d[: len(d) // 2], lambda d: d[:-1] + bytes([d[-1] ^ 0xFF]),
                       lambda d: d[:8] + bytes([(d[8] + 1) % 256]) + d[9:]):
            path = os.path.join(self.cache_dir, self.manifest_entries()[0])
            with open(path, "rb") as f:
                data = f.read()
            with open(path, "wb") as f:
                f.write(damage(data))
            out2, hurt = self.check()
            self.assertEqual(out2, out1)
            self.assertEqual((hurt["computed"], hurt["read"]), (0, 1))  # the manifest alone
            out3, healed = self.check()
            self.assertEqual(out3, out1)
            self.assertEqual(healed["read"], 0)

    def test_edited_manifest_is_parsed_again(self):
        out1, _ = self.check()
        self.assertIn("missing-bench", out1)
        # Without [[bench]] harness = false, the criterion bench runs on the default harness.
        self.repo.write("Cargo.toml", FILES["Cargo.toml"].replace("harness = false\n", ""))
        self.repo.stage("Cargo.toml")
        out2, edit = self.check()
        self.assertNotEqual(out2, out1)
        self.assertEqual(len(self.manifest_entries()), 1)
        out3, again = self.check()
        self.assertEqual((out3, again["read"]), (out2, 0))

    def test_corrupt_cache_is_ignored_and_rebuilt(self):
        def flip_last(d):
            d[-1] ^= 0xFF
            return bytes(d)
        self.damage_and_rerun(flip_last)

    def test_truncated_cache_is_ignored_and_rebuilt(self):
        self.damage_and_rerun(lambda d: bytes(d[: len(d) // 2]))

    def test_garbage_cache_is_ignored_and_rebuilt(self):
        # Fixed bytes (tests are deterministic): a byte pattern with no magic, format or length in it.
        self.damage_and_rerun(lambda d: bytes((i * 151 + 7) % 256 for i in range(len(d))))

    def test_foreign_version_is_ignored_and_rebuilt(self):
        def other_format(d):
            d[8] = (d[8] + 1) % 256  # the format version follows the 8-byte magic
            return bytes(d)
        self.damage_and_rerun(other_format)

    def test_concurrent_runs_leave_a_valid_cache(self):
        env = dict(os.environ, NO_COLOR="1")
        env.pop("CRABGATE_CONFIG", None)
        args = [BIN, "-v", "check", "--staged", "--format", "json", "--fail-level", "never"]
        for _ in range(3):
            run(["cache", "clear"], self.repo.path)
            procs = [subprocess.Popen(args, cwd=self.repo.path, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(4)]
            outs = [p.communicate() for p in procs]
            self.assertEqual([p.returncode for p in procs], [0] * 4, [e for _, e in outs])
            self.assertEqual(len({o for o, _ in outs}), 1)
            self.assertFalse([n for n in self.entries() if ".crabgate-" in n])  # no temporary file left
            out, after = self.check()
            self.assertEqual(out, outs[0][0])
            self.assertEqual(after["computed"], 0)

    def test_worktree_and_git_dir_share_the_common_cache(self):
        _, cold = self.check()
        with tempfile.TemporaryDirectory(prefix="crabgate-it-wt-") as tmp:
            wt = os.path.join(tmp, "wt")
            self.repo.git("worktree", "add", "-q", "-b", "side", wt)
            Repo(wt).write("src/api.rs", SERVE.format(extra=""))
            Repo(wt).stage("src/api.rs")
            _, in_wt = self.check(cwd=wt)
            self.assertEqual((in_wt["cached"], in_wt["computed"]), (cold["computed"], 0))
            self.assertFalse(os.path.exists(os.path.join(self.repo.path, ".git", "worktrees", "wt", "crabgate")))
        # The repository named by GIT_DIR from another folder: the same cache.
        with tempfile.TemporaryDirectory(prefix="crabgate-it-elsewhere-") as elsewhere:
            _, by_env = self.check(cwd=elsewhere, env={"GIT_DIR": os.path.join(self.repo.path, ".git")})
        self.assertEqual((by_env["cached"], by_env["computed"]), (cold["computed"], 0))


# A workspace where one member's benches use the changed crate and another's do not.
WORKSPACE = {
    "Cargo.toml": '[workspace]\nmembers = ["core", "loadbench", "other"]\n',
    "core/Cargo.toml": '[package]\nname = "core_x"\nversion = "0.1.0"\nedition = "2021"\n',
    "core/src/lib.rs": "pub fn load() -> u8 { 1 }\n",
    "loadbench/Cargo.toml": '[package]\nname = "loadbench"\nversion = "0.1.0"\nedition = "2021"\n\n'
                            '[dependencies]\ncore_x = { path = "../core" }\n\n'
                            '[dev-dependencies]\ncriterion = "0.5"\n\n[[bench]]\nname = "b"\nharness = false\n',
    "loadbench/src/lib.rs": "",
    "loadbench/benches/b.rs": "use criterion::{criterion_group, criterion_main, Criterion};\n"
                              "fn b(c: &mut Criterion) { c.bench_function(\"l\", |x| x.iter(|| core_x::load())); }\n"
                              "criterion_group!(g, b);\ncriterion_main!(g);\n",
    "other/Cargo.toml": '[package]\nname = "other"\nversion = "0.1.0"\nedition = "2021"\n\n'
                        '[dev-dependencies]\ncriterion = "0.5"\n',
    "other/src/lib.rs": "",
    "other/benches/o.rs": "fn main() { let _ = core_x_load_is_not_this(); }\n",
}


class TestWorkspaceManifests(RepoTest):
    """Which members add bench files to a changed crate is decided from their cached manifests
    when the cache is on, from their text when it is off: the findings are the same."""

    def setUp(self):
        super().setUp()
        for path, text in WORKSPACE.items():
            self.repo.write(path, text)
        self.repo.commit("base")
        self.repo.write("core/src/lib.rs", "pub fn load() -> u8 { 1 }\n\npub fn save(x: u8) -> u8 { x }\n")
        self.repo.stage("core/src/lib.rs")

    def check(self, *args):
        r = run(["-v", "check", "--staged", "--format", "json", "--fail-level", "never", *args], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout, counts(r.stderr)

    def test_cached_manifests_decide_as_the_text_filter(self):
        off, _ = self.check("--no-cache")
        self.assertIn("missing-bench", off)
        cold, _ = self.check()
        warm, w = self.check()
        self.assertEqual((cold, warm), (off, off))
        self.assertEqual(w["read"], 0)  # no manifest, no bench file read
        # A member that starts depending on the crate is seen at once: its manifest is a new blob.
        self.repo.write("other/Cargo.toml", WORKSPACE["other/Cargo.toml"] + '\n[dependencies]\ncore_x = { path = "../core" }\n')
        self.repo.stage("other/Cargo.toml")
        off2, _ = self.check("--no-cache")
        on2, _ = self.check()
        self.assertEqual(on2, off2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
