"""The GitHub and GitLab test servers (tests/servers/), started on 127.0.0.1 for the ci tests."""
import json
import os
import subprocess
import urllib.error
import urllib.request

from cglib import BIN, BUILD_DIR, SOURCE_DIR

SERVERS = os.path.join(SOURCE_DIR, "tests", "servers")


def forge_tools():
    """Installs the pinned npm packages once (idempotent) and returns their folder."""
    script = os.path.join(SOURCE_DIR, "tests", "tools", "install_forge_tools.sh")
    r = subprocess.run(["bash", script, os.path.join(BUILD_DIR, "node")], capture_output=True, text=True,
                       env=dict(os.environ, CRABGATE_BUILD_DIR=BUILD_DIR))
    if r.returncode:
        raise RuntimeError(f"install_forge_tools.sh failed:\n{r.stderr}")
    return r.stdout.strip().splitlines()[-1]


class Server:
    """One Node test server; `call` talks to its API, `control` to its /_control/ endpoints."""

    def __init__(self, script):
        self.tools = forge_tools()
        self.script = os.path.join(SERVERS, script)
        self.proc = subprocess.Popen(["node", self.script, "--modules", self.tools], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"{script} did not start: {line!r} {self.proc.stderr.read()}")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_control/" + path, method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def requests(self):
        return self.control("GET", "requests")

    def violations(self):
        return self.control("GET", "violations")

    def writes(self):
        return [r for r in self.requests() if r["method"] not in ("GET", "HEAD")]


def github_event(server, **kw):
    """A webhook payload from @octokit/webhooks-examples, valid against @octokit/openapi-webhooks."""
    return server.control("POST", "event", kw)


def only_rule(rule, extra=""):
    """A .crabgate.yaml with every rule but `rule` off, so counts in a test do not move as rules are added."""
    names = [l.split()[0] for l in subprocess.run([BIN, "rules"], capture_output=True, text=True, check=True).stdout.splitlines() if l.strip()]
    text = "rules:\n" + "".join(f"  {n}:\n    enabled: false\n" for n in names if n != rule)
    return text + extra
