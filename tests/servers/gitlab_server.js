#!/usr/bin/env node
// A GitLab REST API (v4) server for crabgate's tests, on 127.0.0.1 only.
//
// GitLab publishes no machine-readable description of these endpoints in a
// package the tests can install, so the request shapes below are written from
// GitLab's API documentation (merge requests, discussions, notes) and every
// request is held to them as strictly as the GitHub server holds requests to
// GitHub's OpenAPI description: method and path must name an endpoint, query
// parameters must be known, JSON bodies are validated with ajv (unknown
// properties refused), and anything else is recorded in /_control/violations.
//
// Behaviour kept like GitLab's: merge requests with diff_refs and the diff a
// test gives them; discussions whose text position must sit on the diff
// (new_line alone for an added line, old_line and new_line for an unchanged
// line, old_line alone for a removed one; otherwise 400 "line_code can't be
// blank"); notes; pages of at most 100 with X-Next-Page/X-Total headers;
// CI_JOB_TOKEN (JOB-TOKEN header) cannot write notes. Faults (401/403, 429
// with Retry-After, 5xx, slow answers) are queued through /_control/faults.
//
// Usage: node gitlab_server.js [--modules DIR]    prints "PORT <n>"
"use strict";

const http = require("http");
const path = require("path");
const crypto = require("crypto");
const { createRequire } = require("module");

function argValue(argv, name, def) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
}
const modulesDir = argValue(process.argv.slice(2), "--modules", process.env.CRABGATE_FORGE_TOOLS);
if (!modulesDir) {
  process.stderr.write("gitlab_server: pass --modules DIR or set CRABGATE_FORGE_TOOLS (see tests/tools/install_forge_tools.sh)\n");
  process.exit(2);
}
const req2 = createRequire(path.join(path.resolve(modulesDir), "node_modules", "noop.js"));
const Ajv = req2("ajv");
// strictRequired off: "exactly one of body or resolved" lists required keys in oneOf branches.
const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });

// ---------------------------------------------------------------------------
// The endpoints crabgate uses, as GitLab documents them

const sha = { type: "string", pattern: "^[0-9a-f]{40}$" };
const positionSchema = {
  type: "object",
  properties: {
    position_type: { enum: ["text", "image", "file"] },
    base_sha: sha,
    start_sha: sha,
    head_sha: sha,
    old_path: { type: "string" },
    new_path: { type: "string" },
    old_line: { type: ["integer", "null"], minimum: 1 },
    new_line: { type: ["integer", "null"], minimum: 1 },
    line_range: { type: "object" },
  },
  required: ["position_type", "base_sha", "start_sha", "head_sha"],
  additionalProperties: false,
};
const paging = { page: "integer", per_page: "integer" };
const ENDPOINTS = [
  { id: "mr/get", method: "GET", path: "/projects/:id/merge_requests/:iid", query: {} },
  { id: "discussions/list", method: "GET", path: "/projects/:id/merge_requests/:iid/discussions", query: paging },
  {
    id: "discussions/create", method: "POST", path: "/projects/:id/merge_requests/:iid/discussions", query: {},
    body: {
      type: "object",
      properties: { body: { type: "string", minLength: 1 }, commit_id: sha, created_at: { type: "string" }, position: positionSchema },
      required: ["body"],
      additionalProperties: false,
    },
  },
  {
    id: "discussions/update", method: "PUT", path: "/projects/:id/merge_requests/:iid/discussions/:discussion_id", query: {},
    body: { type: "object", properties: { resolved: { type: "boolean" } }, required: ["resolved"], additionalProperties: false },
  },
  {
    id: "discussions/update-note", method: "PUT", path: "/projects/:id/merge_requests/:iid/discussions/:discussion_id/notes/:note_id", query: {},
    // GitLab: "exactly one of body or resolved must be set".
    body: {
      type: "object",
      properties: { body: { type: "string", minLength: 1 }, resolved: { type: "boolean" } },
      additionalProperties: false,
      oneOf: [{ required: ["body"] }, { required: ["resolved"] }],
    },
  },
  { id: "notes/list", method: "GET", path: "/projects/:id/merge_requests/:iid/notes", query: Object.assign({ sort: ["asc", "desc"], order_by: ["created_at", "updated_at"] }, paging) },
  {
    id: "notes/create", method: "POST", path: "/projects/:id/merge_requests/:iid/notes", query: {},
    body: { type: "object", properties: { body: { type: "string", minLength: 1 }, internal: { type: "boolean" }, merge_request_diff_head_sha: sha }, required: ["body"], additionalProperties: false },
  },
  {
    id: "notes/update", method: "PUT", path: "/projects/:id/merge_requests/:iid/notes/:note_id", query: {},
    body: { type: "object", properties: { body: { type: "string", minLength: 1 } }, required: ["body"], additionalProperties: false },
  },
];
for (const e of ENDPOINTS) {
  e.names = [];
  e.re = new RegExp("^/api/v4" + e.path.replace(/:([a-z_]+)/g, (_, n) => {
    e.names.push(n);
    return "([^/]+)";
  }) + "$");
  if (e.body) e.validate = ajv.compile(e.body);
}

function validateRequest(method, pathname, query, headers, rawBody) {
  const problems = [];
  let ep = null;
  let m = null;
  let pathOnly = null;
  for (const e of ENDPOINTS) {
    const mm = e.re.exec(pathname);
    if (!mm) continue;
    pathOnly = e;
    if (e.method === method) {
      ep = e;
      m = mm;
      break;
    }
  }
  if (!ep) return { problems: [`${method} ${pathname}: ${pathOnly ? "wrong method for" : "no such endpoint in"} the GitLab API as this server knows it`] };
  const params = {};
  ep.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
  for (const n of ["iid", "note_id"]) {
    if (params[n] === undefined) continue;
    if (!/^\d+$/.test(params[n])) problems.push(`${ep.id}: :${n} '${params[n]}' is not an integer`);
    params[n] = +params[n];
  }
  for (const [k, v] of query.entries()) {
    const t = ep.query[k];
    if (!t) problems.push(`${ep.id}: unknown query parameter '${k}'`);
    else if (t === "integer" && !/^\d+$/.test(v)) problems.push(`${ep.id}: query parameter '${k}' = '${v}' is not an integer`);
    else if (Array.isArray(t) && !t.includes(v)) problems.push(`${ep.id}: query parameter '${k}' must be one of ${t.join(", ")}`);
  }
  let body;
  if (ep.body) {
    const ct = headers["content-type"] || "";
    // Form-encoded positions are silently dropped by GitLab into plain
    // notes: crabgate must send JSON, so anything else is a violation.
    if (!/^application\/json\b/i.test(ct)) problems.push(`${ep.id}: Content-Type '${ct}' is not application/json`);
    try {
      body = JSON.parse(rawBody.toString("utf8") || "null");
    } catch (e) {
      problems.push(`${ep.id}: the body is not JSON: ${e.message}`);
    }
    if (body !== undefined && !ep.validate(body))
      problems.push(`${ep.id}: body ${(ep.validate.errors || []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`).join("; ")}`);
  } else if (rawBody.length) {
    problems.push(`${ep.id}: this endpoint takes no body`);
  }
  return { ep, params, body, problems };
}

// ---------------------------------------------------------------------------
// State

let state;
function reset() {
  state = { nextId: 5000, projects: new Map(), tokens: new Map(), faults: [], requests: [], violations: [] };
}
reset();

function now() {
  return new Date().toISOString();
}

function author(username) {
  return { id: username.length * 31, username, name: username, state: "active", avatar_url: null, web_url: `https://gitlab.invalid/${username}` };
}

// { path: { old_path, is_new, lines: [{kind, old, new}] } } from a unified diff.
function parseDiff(text) {
  const files = {};
  let cur = null;
  let oldPath = null;
  let oldLn = 0;
  let newLn = 0;
  let inHunk = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("diff --git ")) {
      cur = null;
      inHunk = false;
      continue;
    }
    if (!inHunk && line.startsWith("--- ")) {
      oldPath = line.slice(4).replace(/^a\//, "");
      continue;
    }
    if (!inHunk && line.startsWith("+++ ")) {
      const p = line.slice(4).replace(/^b\//, "");
      cur = p === "/dev/null" ? null : (files[p] = { old_path: oldPath === "/dev/null" ? p : oldPath, is_new: oldPath === "/dev/null", lines: [] });
      continue;
    }
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (h) {
      inHunk = !!cur;
      oldLn = +h[1];
      newLn = +h[3];
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith("+")) cur.lines.push({ kind: "+", new: newLn++ });
    else if (line.startsWith("-")) cur.lines.push({ kind: "-", old: oldLn++ });
    else if (line.startsWith(" ")) cur.lines.push({ kind: " ", old: oldLn++, new: newLn++ });
    else if (!line.startsWith("\\")) inHunk = false;
  }
  return files;
}

// GitLab computes a line_code from the position; when the position names no
// line of the diff (wrong pairing of old_line/new_line) it cannot, and the
// note is refused with "line_code can't be blank".
function lineCode(mr, pos) {
  const f = mr.files[pos.new_path];
  if (!f) return null;
  if (pos.old_path !== f.old_path && pos.old_path !== pos.new_path) return null;
  const hasOld = pos.old_line !== undefined && pos.old_line !== null;
  const hasNew = pos.new_line !== undefined && pos.new_line !== null;
  const hit = f.lines.find((l) => {
    if (l.kind === "+") return hasNew && !hasOld && l.new === pos.new_line;
    if (l.kind === "-") return hasOld && !hasNew && l.old === pos.old_line;
    return hasOld && hasNew && l.old === pos.old_line && l.new === pos.new_line;
  });
  if (!hit) return null;
  const digest = crypto.createHash("sha1").update(pos.new_path).digest("hex");
  return `${digest}_${hit.old || 0}_${hit.new || 0}`;
}

// ---------------------------------------------------------------------------
// HTTP plumbing

function send(res, status, obj, extra) {
  const body = obj === undefined ? "" : JSON.stringify(obj);
  const headers = Object.assign({ "content-type": "application/json", "ratelimit-limit": "2000", "ratelimit-remaining": "1999" }, extra || {});
  headers["content-length"] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
  return status;
}

function paginate(req, res, base, items) {
  const u = new URL(req.url, base);
  const perPage = Math.min(Math.max(parseInt(u.searchParams.get("per_page") || "20", 10) || 20, 1), 100);
  const page = Math.max(parseInt(u.searchParams.get("page") || "1", 10) || 1, 1);
  const total = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p) => {
    const q = new URLSearchParams(u.searchParams);
    q.set("page", String(p));
    q.set("per_page", String(perPage));
    return `<${base}${u.pathname}?${q.toString()}>`;
  };
  const rels = [`${link(1)}; rel="first"`, `${link(total)}; rel="last"`];
  if (page < total) rels.unshift(`${link(page + 1)}; rel="next"`);
  if (page > 1) rels.unshift(`${link(page - 1)}; rel="prev"`);
  return send(res, 200, items.slice((page - 1) * perPage, page * perPage), {
    "x-page": String(page),
    "x-per-page": String(perPage),
    "x-next-page": page < total ? String(page + 1) : "",
    "x-prev-page": page > 1 ? String(page - 1) : "",
    "x-total": String(items.length),
    "x-total-pages": String(total),
    link: rels.join(", "),
  });
}

function takeFault(method, pathname, needStatus) {
  for (const f of state.faults) {
    if (needStatus ? !f.status : f.status || !f.delay_ms) continue;
    if (f.method && f.method.toUpperCase() !== method) continue;
    if (f.path && !new RegExp(f.path).test(pathname)) continue;
    if (f.times !== undefined && f.times <= 0) continue;
    if (f.times !== undefined) f.times--;
    return f;
  }
  return null;
}

function credentials(headers) {
  if (headers["private-token"]) return { token: headers["private-token"], kind: "private" };
  if (headers["job-token"]) return { token: headers["job-token"], kind: "job" };
  const m = /^bearer\s+(.+)$/i.exec(headers.authorization || "");
  return m ? { token: m[1].trim(), kind: "bearer" } : null;
}

// ---------------------------------------------------------------------------
// The API

function projectOf(id) {
  for (const p of state.projects.values()) if (String(p.id) === id || p.path_with_namespace === id) return p;
  return null;
}

function makeNote(mr, body, username, position) {
  const id = state.nextId++;
  const note = {
    id,
    type: position ? "DiffNote" : null,
    body,
    attachment: null,
    author: author(username),
    created_at: now(),
    updated_at: now(),
    system: false,
    noteable_id: mr.id,
    noteable_type: "MergeRequest",
    noteable_iid: mr.iid,
    project_id: mr.project_id,
    commit_id: null,
    resolvable: !!position,
    confidential: false,
    internal: false,
  };
  if (position) {
    note.position = Object.assign({ old_line: null, new_line: null }, position, { line_range: null });
    note.resolved = false;
    note.resolved_by = null;
  }
  return note;
}

function handleApi(req, res, url, rawBody, base) {
  const v = validateRequest(req.method, url.pathname, url.searchParams, req.headers, rawBody);
  if (v.problems.length) {
    state.violations.push({ method: req.method, url: req.url, problems: v.problems });
    if (!v.ep) return send(res, 404, { error: "404 Not Found" });
    return send(res, 400, { error: v.problems.join("; ") });
  }
  const cred = credentials(req.headers);
  const known = cred && state.tokens.get(cred.token);
  if (!known || known.kind !== cred.kind) return send(res, 401, { message: "401 Unauthorized" });
  const username = known.username || "crabgate-bot";
  const project = projectOf(v.params.id);
  if (!project) return send(res, 404, { message: "404 Project Not Found" });
  const mr = project.mrs.get(v.params.iid);
  if (!mr) return send(res, 404, { message: "404 Not found" });
  const isWrite = req.method !== "GET";
  // The job token reads merge requests but cannot write notes.
  if (isWrite && (cred.kind === "job" || known.access !== "write")) return send(res, 403, { message: "403 Forbidden" });
  const id = v.ep.id;
  switch (id) {
    case "mr/get":
      return send(res, 200, mrObject(project, mr, base));
    case "discussions/list":
      return paginate(req, res, base, mr.discussions);
    case "notes/list": {
      const notes = mr.discussions.flatMap((d) => d.notes).concat(mr.notes);
      notes.sort((a, b) => a.id - b.id);
      if (url.searchParams.get("sort") !== "asc") notes.reverse(); // GitLab's default is desc
      return paginate(req, res, base, notes);
    }
    case "discussions/create": {
      let position = null;
      if (v.body.position) {
        const pos = v.body.position;
        if (pos.position_type !== "text") return send(res, 400, { message: "400 Bad request - only text positions are supported here" });
        const refs = mr.diff_refs;
        if (pos.base_sha !== refs.base_sha || pos.start_sha !== refs.start_sha || pos.head_sha !== refs.head_sha || !lineCode(mr, pos))
          return send(res, 400, { message: "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}" });
        position = Object.assign({}, pos, { old_path: pos.old_path || pos.new_path, new_path: pos.new_path || pos.old_path });
      }
      const note = makeNote(mr, v.body.body, username, position);
      const d = { id: crypto.randomBytes(20).toString("hex"), individual_note: !position, notes: [note] };
      mr.discussions.push(d);
      return send(res, 201, d);
    }
    case "discussions/update":
    case "discussions/update-note": {
      const d = mr.discussions.find((x) => x.id === v.params.discussion_id);
      if (!d) return send(res, 404, { message: "404 Not found" });
      if (id === "discussions/update-note") {
        const n = d.notes.find((x) => x.id === v.params.note_id);
        if (!n) return send(res, 404, { message: "404 Note Not Found" });
        if (v.body.body !== undefined) {
          n.body = v.body.body;
          n.updated_at = now();
        }
        if (v.body.resolved !== undefined) n.resolved = v.body.resolved;
        return send(res, 200, n);
      }
      for (const n of d.notes) if (n.resolvable) n.resolved = v.body.resolved;
      return send(res, 200, d);
    }
    case "notes/create": {
      const note = makeNote(mr, v.body.body, username, null);
      mr.notes.push(note);
      return send(res, 201, note);
    }
    case "notes/update": {
      const n = mr.notes.concat(mr.discussions.flatMap((d) => d.notes)).find((x) => x.id === v.params.note_id);
      if (!n) return send(res, 404, { message: "404 Note Not Found" });
      n.body = v.body.body;
      n.updated_at = now();
      return send(res, 200, n);
    }
    default:
      return send(res, 404, { error: "404 Not Found" });
  }
}

function mrObject(project, mr, base) {
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: project.id,
    title: "A change",
    state: "opened",
    source_branch: "feature",
    target_branch: "main",
    source_project_id: mr.source_project_id,
    target_project_id: project.id,
    sha: mr.diff_refs.head_sha,
    diff_refs: mr.diff_refs,
    web_url: `https://gitlab.invalid/${project.path_with_namespace}/-/merge_requests/${mr.iid}`,
    author: author("developer"),
    references: { short: `!${mr.iid}`, full: `${project.path_with_namespace}!${mr.iid}` },
  };
}

// ---------------------------------------------------------------------------
// Control endpoints for the tests (no auth; loopback only)

function handleControl(req, res, url, rawBody) {
  const body = rawBody.length ? JSON.parse(rawBody.toString("utf8")) : {};
  switch (`${req.method} ${url.pathname}`) {
    case "POST /_control/reset":
      reset();
      return send(res, 200, { ok: true });
    case "POST /_control/tokens":
      // {token: {kind: private|bearer|job, access: read|write, username}}
      for (const [t, info] of Object.entries(body)) state.tokens.set(t, info);
      return send(res, 200, { ok: true });
    case "POST /_control/mrs": {
      // {project_id, path, iid, base_sha, start_sha, head_sha, diff, source_project_id}
      const key = String(body.project_id);
      if (!state.projects.has(key)) state.projects.set(key, { id: body.project_id, path_with_namespace: body.path || `group/project${body.project_id}`, mrs: new Map() });
      const project = state.projects.get(key);
      const mr = project.mrs.get(body.iid) || { id: state.nextId++, iid: body.iid, project_id: project.id, discussions: [], notes: [] };
      mr.source_project_id = body.source_project_id || project.id;
      mr.diff_refs = { base_sha: body.base_sha, start_sha: body.start_sha || body.base_sha, head_sha: body.head_sha };
      mr.files = parseDiff(body.diff || "");
      project.mrs.set(body.iid, mr);
      return send(res, 200, { ok: true, files: Object.keys(mr.files) });
    }
    case "POST /_control/seed": {
      // {project_id, iid, bodies: [...], kind: discussions|notes, username}
      const mr = state.projects.get(String(body.project_id)).mrs.get(body.iid);
      for (const text of body.bodies) {
        const note = makeNote(mr, text, body.username || "reviewer", null);
        if (body.kind === "notes") mr.notes.push(note);
        else mr.discussions.push({ id: crypto.randomBytes(20).toString("hex"), individual_note: true, notes: [note] });
      }
      return send(res, 200, { ok: true });
    }
    case "POST /_control/faults":
      for (const f of [].concat(body)) state.faults.push(f);
      return send(res, 200, { ok: true });
    case "GET /_control/state": {
      const mr = state.projects.get(url.searchParams.get("project_id")).mrs.get(+url.searchParams.get("iid"));
      return send(res, 200, { discussions: mr.discussions, notes: mr.notes });
    }
    case "GET /_control/requests":
      return send(res, 200, state.requests);
    case "GET /_control/violations":
      return send(res, 200, state.violations);
    default:
      return send(res, 404, { message: "no such control endpoint" });
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const rawBody = Buffer.concat(chunks);
    const base = `http://${req.headers.host || "127.0.0.1"}`;
    const url = new URL(req.url, base);
    if (url.pathname.startsWith("/_control/")) {
      try {
        handleControl(req, res, url, rawBody);
      } catch (e) {
        send(res, 500, { message: "control: " + e.message });
      }
      return;
    }
    const record = { method: req.method, url: req.url, headers: req.headers, body: rawBody.toString("utf8"), status: 0 };
    state.requests.push(record);
    const respond = () => {
      const fault = takeFault(req.method, url.pathname, true);
      if (fault) {
        const extra = Object.assign({}, fault.headers || {});
        for (const k of Object.keys(extra)) if (extra[k] === "$reset") extra[k] = String(Math.floor(Date.now() / 1000) + 1);
        record.status = send(res, fault.status, fault.body || { message: `${fault.status} injected` }, extra);
        return;
      }
      try {
        record.status = handleApi(req, res, url, rawBody, base);
      } catch (e) {
        state.violations.push({ method: req.method, url: req.url, problems: ["server error: " + e.stack] });
        record.status = send(res, 500, { message: "500 test server error: " + e.message });
      }
    };
    const slow = takeFault(req.method, url.pathname, false);
    if (slow) setTimeout(respond, slow.delay_ms);
    else respond();
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
