"""The JSON Schemas in docs/schema/ against what the binary accepts and writes.

crabgate.schema.json is `crabgate schema config`'s output, and the loader and the schema agree on
config.yaml, every case's config.yaml and a set of wrong files (both accept, or both refuse).
report.schema.json holds a real JSON report: findings of several rules and of the model review
(tests/servers/model_server.py), a skipped file and notes. Validation is ajv's draft 2020-12 build,
installed under the build folder by ci/setup.sh (tests/tools/install_node_tools.sh); YAML is read as
the YAML language server reads it (YAML 1.2 core: `off` and `yes` are text, not booleans).
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, BUILD_DIR, SOURCE_DIR, Repo, run  # noqa: E402
from test_review import API_KEY, ModelServer  # noqa: E402

NODE_DIR = os.path.join(BUILD_DIR, "node")
CONFIG_SCHEMA = os.path.join(SOURCE_DIR, "docs", "schema", "crabgate.schema.json")
REPORT_SCHEMA = os.path.join(SOURCE_DIR, "docs", "schema", "report.schema.json")
REGENERATE = "build/crabgate schema config > docs/schema/crabgate.schema.json"

# Validates each document of a JSON array against one schema; prints one verdict a line.
VALIDATE_JS = r"""
const Ajv = require("ajv/dist/2020");
const fs = require("fs");
const [schemaPath, docsPath] = process.argv.slice(2);
const ajv = new Ajv({ strict: true, allErrors: true });
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
for (const doc of JSON.parse(fs.readFileSync(docsPath, "utf8"))) {
  const ok = validate(doc);
  console.log(JSON.stringify({ ok, errors: ok ? [] : validate.errors.slice(0, 3) }));
}
"""


def setUpModule():
    # Only checks the tools are there: tests install nothing.
    script = os.path.join(SOURCE_DIR, "tests", "tools", "install_node_tools.sh")
    r = subprocess.run(["bash", script, NODE_DIR], capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"install_node_tools.sh failed:\n{r.stderr}")


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 core schema scalars, as the YAML language server resolves them."""


Yaml12Loader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    Yaml12Loader.add_implicit_resolver(tag, re.compile(pattern), list(first))


def _int12(loader, node):
    v = loader.construct_scalar(node)
    return int(v, 10) if re.match(r"^[-+]?[0-9]+$", v) else int(v, 0)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)


def load_yaml12(text):
    return yaml.load(text, Loader=Yaml12Loader)


def validate(schema_path, docs):
    """ajv's verdict on each document: a list of (ok, errors)."""
    with tempfile.TemporaryDirectory(prefix="crabgate-schema-") as tmp:
        js = os.path.join(tmp, "validate.js")
        data = os.path.join(tmp, "docs.json")
        with open(js, "w") as f:
            f.write(VALIDATE_JS)
        with open(data, "w") as f:
            json.dump(docs, f)
        env = dict(os.environ, NODE_PATH=os.path.join(NODE_DIR, "node_modules"))
        r = subprocess.run(["node", js, schema_path, data], capture_output=True, text=True, env=env)
    if r.returncode:
        raise AssertionError("ajv failed:\n" + r.stderr)
    out = [json.loads(line) for line in r.stdout.splitlines()]
    return [(v["ok"], v["errors"]) for v in out]


def loader_accepts(text):
    """Whether crabgate loads `text` as its configuration (outside any repository)."""
    with tempfile.TemporaryDirectory(prefix="crabgate-schema-") as tmp:
        path = os.path.join(tmp, "config.yaml")
        with open(path, "w") as f:
            f.write(text)
        r = run(["--config", path, "rules"], tmp)
    if r.returncode not in (0, 2):
        raise AssertionError(f"crabgate rules exited {r.returncode}: {r.stderr}")
    return r.returncode == 0, r.stderr


def strict(schema):
    """`schema` with every object closed: a report field the schema does not name fails."""
    s = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(s)
    return s


# Files the loader and the schema both refuse, and what each shows.
REFUSED = {
    "a wrong severity": "rules:\n  chrono-ban:\n    severity: fatal\n",
    "a wrong fail level": "fail_level: fatal\n",
    "an unknown top-level key": "fail_levle: error\n",
    "an unknown key in a rule": "rules:\n  chrono-ban:\n    colour: red\n",
    "an unknown rule": "rules:\n  chrono-bans:\n    enabled: true\n",
    "a wrong colour": "output:\n  color: sometimes\n",
    "text for a number": "jobs: many\n",
    "yes for a boolean": "rules:\n  no-mocks:\n    enabled: yes\n",
    "an unknown key in a list item": "rules:\n  chrono-ban:\n    crates:\n      - name: chrono\n        instead: x\n",
    "a value for a list in a list item":
        "rules:\n  chrono-ban:\n    enabling_features:\n      - crate: sqlx\n        features: chrono\n",
    "a value for a list": "exclude: target/**\n",
    "a list for a mapping": "review: []\n",
    "a list in a list of globs": "rules:\n  chrono-ban:\n    skip: [[a]]\n",
    "a mapping for a list item": "rules:\n  no-mocks:\n    crates:\n      - name: mockall\n",
    "a wrong memory mode": "memory:\n  mode: push\n",
    "a wrong test severity": "rules:\n  blocking-in-async:\n    test_severity: never\n",
}
ACCEPTED = {
    "off as a severity": "rules:\n  wasm-unsafe-std:\n    enabled: true\n    severity: off\n",
    "off as a memory mode": "memory:\n  mode: off\n",
    "a list item with some keys": "rules:\n  chrono-ban:\n    crates:\n      - name: time\n",
    "a list in a list item":
        "rules:\n  chrono-ban:\n    enabling_features:\n      - crate: sqlx\n        features: [chrono, x]\n",
    "numbers": "jobs: 2\nhttp:\n  retry_wait_scale: 0.5\nreview:\n  temperature: 1\n",
    "an opt-in rule turned on": "rules:\n  wasm-unsafe-std:\n    enabled: true\n    skip: [\"benches/**\"]\n",
}


class ConfigSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(CONFIG_SCHEMA) as f:
            cls.shipped = f.read()
        cls.schema = json.loads(cls.shipped)

    def test_shipped_schema_is_the_generators_output(self):
        r = subprocess.run([BIN, "schema", "config"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout == self.shipped,
                        "docs/schema/crabgate.schema.json differs from `crabgate schema config`; "
                        f"regenerate it: {REGENERATE}")

    def test_rules_come_from_the_registry(self):
        r = subprocess.run([BIN, "rules", "--format", "json"], capture_output=True, text=True,
                           cwd=tempfile.gettempdir())
        self.assertEqual(r.returncode, 0, r.stderr)
        registry = {x["id"]: x for x in json.loads(r.stdout)["rules"]}
        blocks = self.schema["properties"]["rules"]["properties"]
        self.assertEqual(set(blocks), set(registry))
        for rid, rule in registry.items():
            props = blocks[rid]["properties"]
            self.assertEqual(props["enabled"]["default"], rule["enabled_by_default"], rid)
            self.assertEqual(props["severity"]["default"], rule["default_severity"], rid)
            self.assertEqual(props["severity"]["enum"], ["error", "warning", "note", "off"], rid)
            self.assertIs(blocks[rid]["additionalProperties"], False, rid)
            self.assertIn(rule["summary"], blocks[rid]["description"])

    def test_every_key_is_typed_and_described(self):
        def walk(node, path):
            self.assertIn("type", node, path)
            if node["type"] == "object":
                self.assertIs(node["additionalProperties"], False, path)
                for k, v in node["properties"].items():
                    self.assertIn("description", v, f"{path}.{k}")
                    walk(v, f"{path}.{k}")
            elif node["type"] == "array":
                item = node["items"]
                if item.get("type") == "object":
                    for k, v in item["properties"].items():
                        walk(v, f"{path}[].{k}")
                else:
                    walk(item, path + "[]")
        walk(self.schema, "")
        props = self.schema["properties"]
        self.assertEqual(props["filter"]["enum"], ["added", "diff_context", "file", "all"])
        self.assertEqual(props["output"]["properties"]["color"]["enum"], ["auto", "always", "never"])
        self.assertEqual(props["jobs"]["type"], "integer")
        self.assertEqual(props["http"]["properties"]["retry_wait_scale"]["type"], "number")

    def test_config_yaml_and_every_case_config_agree_with_the_loader(self):
        files = [os.path.join(SOURCE_DIR, "config.yaml")]
        files += sorted(glob.glob(os.path.join(SOURCE_DIR, "tests", "cases", "*", "config.yaml")))
        self.assertGreater(len(files), 10)
        texts = []
        for path in files:
            with open(path) as f:
                texts.append(f.read())
        verdicts = validate(CONFIG_SCHEMA, [load_yaml12(t) or {} for t in texts])
        for path, text, (ok, errors) in zip(files, texts, verdicts):
            loaded, stderr = loader_accepts(text)
            self.assertTrue(ok, f"{path}: the schema refuses it: {errors}")
            self.assertTrue(loaded, f"{path}: the loader refuses it: {stderr}")

    def test_wrong_files_are_refused_by_both_and_right_ones_taken_by_both(self):
        cases = list(REFUSED.items()) + list(ACCEPTED.items())
        verdicts = validate(CONFIG_SCHEMA, [load_yaml12(t) for _, t in cases])
        for (what, text), (ok, errors) in zip(cases, verdicts):
            want = what in ACCEPTED
            loaded, stderr = loader_accepts(text)
            self.assertEqual(loaded, want, f"{what}: loader: {stderr}")
            self.assertEqual(ok, want, f"{what}: schema: {errors}")
        self.assertIn("expected one of error, warning, note, off, found 'fatal'",
                      loader_accepts(REFUSED["a wrong severity"])[1])

    def test_init_points_editors_at_the_schema(self):
        with tempfile.TemporaryDirectory(prefix="crabgate-schema-") as tmp:
            r = run(["init"], tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(tmp, ".crabgate.yaml")) as f:
                first = f.readline().rstrip("\n")
        m = re.fullmatch(r"# yaml-language-server: \$schema=(https://\S+)", first)
        self.assertIsNotNone(m, first)
        url = m.group(1)
        self.assertTrue(url.endswith("/docs/schema/crabgate.schema.json"), url)
        # A tagged release names its own tag; any other build main.
        version = subprocess.run([BIN, "version"], capture_output=True, text=True).stdout
        ref = "main" if "(commit" in version else "v" + version.split()[1]
        self.assertIn("/" + ref + "/docs/schema/", url)


class ReportSchemaTest(unittest.TestCase):
    def test_a_real_report_validates(self):
        server = ModelServer()
        repo = Repo()
        try:
            server.scenario(default={"mode": "normal"})
            repo.write("README.md", "# x\n")
            repo.commit("first")
            repo.write(".git/info/exclude", ".crabgate.yaml\n")
            repo.write(".crabgate.yaml",
                       "max_file_bytes: 2000\nhttp:\n  retry_wait_scale: 0.01\n"
                       f"review:\n  provider: openai\n  base_url: \"{server.base}/v1\"\n"
                       "  api_key_env: CG_TEST_KEY\n  max_retries: 0\n")
            repo.write("Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\n\n'
                       '[dependencies]\nchrono = "0.4"\ntokio = "1"\n')
            repo.write("src/lib.rs",
                       "pub async fn handler() {\n"
                       "    std::thread::sleep(std::time::Duration::from_millis(5));\n"
                       "}\n"
                       "// crabgate:allow(chrono-ban) reason: the test wants one suppressed finding\n"
                       "pub fn now() -> chrono::DateTime<chrono::Utc> { chrono::Utc::now() }\n")
            repo.write("src/table.rs", "pub const T: &[u8] = &[\n" + "    0,\n" * 600 + "];\n")
            repo.stage()
            r = run(["check", "--review", "--format", "json"], repo.path,
                    env={"CG_TEST_KEY": API_KEY, "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": "",
                         "CRABGATE_REVIEW_BASE_URL": "", "NO_PROXY": "*", "no_proxy": "*"})
            self.assertIn(r.returncode, (0, 1), r.stderr)
            doc = json.loads(r.stdout)
        finally:
            repo.cleanup()
            server.stop()

        rules = {f["rule"] for f in doc["findings"] if f["origin"] == "rules"}
        self.assertLessEqual({"blocking-in-async", "chrono-ban", "missing-bench"}, rules, rules)
        self.assertTrue(any(f["origin"] == "review" for f in doc["findings"]), doc["findings"])
        self.assertEqual([s["path"] for s in doc["skipped"]], ["src/table.rs"])
        self.assertTrue(doc["notes"], doc)
        self.assertIn("review", doc)

        with open(REPORT_SCHEMA) as f:
            schema = json.load(f)
        with tempfile.TemporaryDirectory(prefix="crabgate-schema-") as tmp:
            closed = os.path.join(tmp, "report.strict.json")
            with open(closed, "w") as f:
                json.dump(strict(schema), f)
            # As shipped (open to added fields), and closed: every field the report writes is named.
            for path in (REPORT_SCHEMA, closed):
                [(ok, errors)] = validate(path, [doc])
                self.assertTrue(ok, f"{path}: {errors}")

            # A fix (being added to findings) is allowed; a wrong severity or a missing field is not.
            finding = dict(doc["findings"][0])
            with_fix = dict(doc, findings=[dict(finding, fix={"applicability": "machine-applicable", "edits": [
                {"path": "src/lib.rs", "line": 2, "column": 5, "end_line": 2, "end_column": 10, "byte_start": 30,
                 "byte_end": 35, "replacement": "tokio"}]})])
            bad_severity = dict(doc, findings=[dict(finding, severity="fatal")])
            no_notes = {k: v for k, v in doc.items() if k != "notes"}
            verdicts = validate(REPORT_SCHEMA, [with_fix, bad_severity, no_notes])
            self.assertEqual([ok for ok, _ in verdicts], [True, False, False], verdicts)


if __name__ == "__main__":
    unittest.main(verbosity=2)
