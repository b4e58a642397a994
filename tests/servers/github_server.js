#!/usr/bin/env node
// A GitHub REST API server for crabgate's tests, on 127.0.0.1 only.
//
// Every request is checked against GitHub's published OpenAPI description (the
// @octokit/openapi package): the method and path must name an operation, path
// and query parameters must match their schemas (unknown query parameters are
// refused), and JSON bodies are validated with ajv against the operation's
// request schema with its $refs resolved and unknown properties refused. A
// request that breaks the description is answered as GitHub would (404/422)
// and recorded in /_control/violations, so a test can assert there were none.
//
// It keeps state like GitHub: pull requests with the diff a test gives it,
// reviews, review comments, issue comments; lists are paged (per_page <= 100)
// with real Link headers; a review comment off the pull request's diff makes
// the whole review fail with 422 "Pull request review thread line must be
// part of the diff". A read-only token gets 403 "Resource not accessible by
// integration" on writes, as fork pull requests do. Faults (403, 429 with
// Retry-After, 5xx, slow answers) are queued through /_control/faults.
//
// Usage:
//   node github_server.js [--modules DIR]          serve; prints "PORT <n>"
//   node github_server.js event --name pull_request --action opened|synchronize
//        --number N --base SHA --head SHA --repo O/R [--head-repo O/R]
//        [--head-ref BRANCH --base-ref BRANCH]
//        [--before SHA --after SHA (push)] [--modules DIR]
//                                                  prints an event payload built
//                                                  from @octokit/webhooks-examples
//                                                  and valid against
//                                                  @octokit/openapi-webhooks
//                                                  (POST /_control/event does the
//                                                  same in a running server)
// DIR is the folder holding node_modules (tests/tools/install_forge_tools.sh
// installs it); default $CRABGATE_FORGE_TOOLS.
"use strict";

const http = require("http");
const path = require("path");
const { createRequire } = require("module");

function argValue(argv, name, def) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
}

const argv = process.argv.slice(2);
const modulesDir = argValue(argv, "--modules", process.env.CRABGATE_FORGE_TOOLS);
if (!modulesDir) {
  process.stderr.write("github_server: pass --modules DIR or set CRABGATE_FORGE_TOOLS (see tests/tools/install_forge_tools.sh)\n");
  process.exit(2);
}
const req2 = createRequire(path.join(path.resolve(modulesDir), "node_modules", "noop.js"));
const Ajv = req2("ajv");
const addFormats = req2("ajv-formats");

function newAjv() {
  // OpenAPI 3.0 schemas carry `nullable`, `example`, `x-github`: not JSON
  // Schema keywords, so strict mode is off; ajv understands `nullable`.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

// ---------------------------------------------------------------------------
// $ref resolution

function pointer(doc, ref) {
  if (!ref.startsWith("#/")) throw new Error("external $ref not supported: " + ref);
  let node = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node[key];
    if (node === undefined) throw new Error("dangling $ref " + ref);
  }
  return node;
}

// Resolves every $ref of `node` (recursive schemas keep a $ref into `idPrefix`,
// which the caller registers with ajv). Objects that declare `properties`
// without `additionalProperties` get `additionalProperties: false` when
// `strict`, so a misspelt field is refused instead of silently ignored.
function deref(doc, node, strict, idPrefix, stack = []) {
  if (Array.isArray(node)) return node.map((x) => deref(doc, x, strict, idPrefix, stack));
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    if (stack.includes(node.$ref)) return { $ref: idPrefix + node.$ref };
    return deref(doc, pointer(doc, node.$ref), strict, idPrefix, stack.concat([node.$ref]));
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "example" || k === "examples" || k === "description" || k.startsWith("x-")) continue;
    out[k] = k === "properties"
      ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, deref(doc, pv, strict, idPrefix, stack)]))
      : deref(doc, v, strict, idPrefix, stack);
  }
  if (strict && out.properties && out.additionalProperties === undefined && !out.allOf && !out.anyOf && !out.oneOf)
    out.additionalProperties = false;
  return out;
}

function ajvErrors(errors) {
  return (errors || []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`);
}

// ---------------------------------------------------------------------------
// The `event` subcommand: a webhook payload for GITHUB_EVENT_PATH.

function fillRequired(whDoc, schemaRoot, payload, validate) {
  // The community examples predate some required fields of the published
  // description; add each missing one with a neutral value of its type until
  // the payload validates (bounded: the description is finite).
  for (let round = 0; round < 200 && !validate(payload); round++) {
    let changed = false;
    for (const e of validate.errors) {
      if (e.keyword !== "required") continue;
      const parts = e.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
      let target = payload;
      for (const p of parts) target = target[p];
      if (!target || typeof target !== "object" || e.params.missingProperty in target) continue;
      let sch = schemaAt(whDoc, schemaRoot, e.schemaPath);
      sch = sch && sch.properties ? sch.properties[e.params.missingProperty] : null;
      target[e.params.missingProperty] = neutral(whDoc, sch);
      changed = true;
    }
    if (!changed) break;
  }
  return validate(payload);
}

function schemaAt(doc, root, schemaPath) {
  // schemaPath looks like "#/properties/pull_request/properties/base/required".
  let node = root;
  const parts = schemaPath.replace(/^#\//, "").split("/");
  parts.pop(); // "required"
  for (const p of parts) {
    while (node && node.$ref) node = pointer(doc, node.$ref);
    node = node ? node[p.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  }
  while (node && node.$ref) node = pointer(doc, node.$ref);
  return node;
}

function neutral(doc, sch) {
  while (sch && sch.$ref) sch = pointer(doc, sch.$ref);
  if (!sch) return null;
  if (sch.nullable) return null;
  if (sch.enum) return sch.enum[0];
  const alt = sch.oneOf || sch.anyOf;
  if (alt) return neutral(doc, alt[0]);
  const t = Array.isArray(sch.type) ? sch.type[0] : sch.type;
  switch (t) {
    case "boolean": return false;
    case "integer": case "number": return 0;
    case "string": return sch.format === "date-time" ? "2024-01-01T00:00:00Z" : sch.format === "uri" ? "https://example.invalid/" : "";
    case "array": return [];
    case "object": return {};
    case "null": return null;
    default: return null;
  }
}

let webhookAjv = null;
function buildEvent(args) {
  const examples = req2("@octokit/webhooks-examples");
  const whDoc = req2("@octokit/openapi-webhooks/generated/api.github.com.json");
  const name = argValue(args, "--name", "pull_request");
  const action = argValue(args, "--action", "opened");
  const repo = argValue(args, "--repo", "octo-org/octo-repo");
  const headRepo = argValue(args, "--head-repo", repo);
  const group = examples.find((g) => g.name === (name === "pull_request_target" ? "pull_request" : name));
  if (!group) throw new Error("no examples for event " + name);
  let payload;
  let schemaName;
  if (name === "push") {
    payload = JSON.parse(JSON.stringify(group.examples[0]));
    payload.before = argValue(args, "--before");
    payload.after = argValue(args, "--after");
    payload.ref = argValue(args, "--ref", "refs/heads/main");
    payload.repository.full_name = repo;
    payload.repository.name = repo.split("/")[1];
    schemaName = "webhook-push";
  } else {
    const ex = group.examples.find((e) => e.action === action);
    if (!ex) throw new Error(`no ${name} example with action ${action}`);
    payload = JSON.parse(JSON.stringify(ex));
    const n = parseInt(argValue(args, "--number", "1"), 10);
    payload.number = n;
    payload.pull_request.number = n;
    payload.pull_request.base.sha = argValue(args, "--base");
    payload.pull_request.head.sha = argValue(args, "--head");
    payload.pull_request.head.ref = argValue(args, "--head-ref", payload.pull_request.head.ref);
    payload.pull_request.base.ref = argValue(args, "--base-ref", payload.pull_request.base.ref);
    for (const [side, full] of [["base", repo], ["head", headRepo]]) {
      const r = payload.pull_request[side].repo;
      r.full_name = full;
      r.name = full.split("/")[1];
      r.fork = side === "head" && full !== repo;
      if (r.owner) r.owner.login = full.split("/")[0];
    }
    payload.repository.full_name = repo;
    payload.repository.name = repo.split("/")[1];
    schemaName = "webhook-pull-request-" + action.replace(/_/g, "-");
  }
  // Compiled once per process: the server answers many /_control/event calls.
  if (!webhookAjv) {
    webhookAjv = newAjv();
    webhookAjv.addSchema({ $id: "wh", components: whDoc.components });
  }
  const validate = webhookAjv.getSchema("wh#/components/schemas/" + schemaName);
  if (!validate) throw new Error("no schema " + schemaName + " in @octokit/openapi-webhooks");
  if (!fillRequired(whDoc, whDoc.components.schemas[schemaName], payload, validate))
    throw new Error("event payload does not validate: " + ajvErrors(validate.errors).join("; "));
  return payload;
}

if (argv[0] === "event") {
  try {
    process.stdout.write(JSON.stringify(buildEvent(argv.slice(1)), null, 2) + "\n");
  } catch (e) {
    process.stderr.write("github_server event: " + e.message + "\n");
    process.exit(1);
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------
// The OpenAPI description: routing and validation

const spec = req2("@octokit/openapi/generated/api.github.com.json");
const specAjv = newAjv();
specAjv.addSchema({ $id: "gh", components: spec.components });
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const routes = Object.keys(spec.paths).map((tmpl) => {
  const names = [];
  const re = new RegExp("^" + tmpl.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, n) => {
    names.push(n);
    return "([^/]+)";
  }) + "$");
  const literal = tmpl.split("/").filter((s) => s && !s.startsWith("{")).length;
  return { tmpl, re, names, literal, item: spec.paths[tmpl] };
}).sort((a, b) => b.literal - a.literal);

const compiled = new Map();
function compileFor(key, schema, strict) {
  if (!compiled.has(key)) compiled.set(key, specAjv.compile(deref(spec, schema, strict, "gh")));
  return compiled.get(key);
}

function coerce(value, schema) {
  const t = schema && schema.type;
  if (t === "integer" || t === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(value)) return { bad: true };
    return { value: Number(value) };
  }
  if (t === "boolean") {
    if (value !== "true" && value !== "false") return { bad: true };
    return { value: value === "true" };
  }
  return { value };
}

// Returns { route, op, params, problems }. `problems` lists what the request
// got wrong against the description; route is null for unknown paths.
function validateRequest(method, pathname, query, headers, rawBody) {
  const m = method.toLowerCase();
  const problems = [];
  let found = null;
  let match = null;
  for (const r of routes) {
    const mm = r.re.exec(pathname);
    if (mm && r.item[m]) {
      found = r;
      match = mm;
      break;
    }
    if (mm && !found) {
      found = r;
      match = mm;
    }
  }
  if (!found) return { route: null, problems: [`${method} ${pathname}: no such path in the OpenAPI description`] };
  const op = found.item[m];
  if (!op) return { route: found, problems: [`${method} ${found.tmpl}: the description has no ${method} here`] };
  const params = {};
  found.names.forEach((n, i) => (params[n] = decodeURIComponent(match[i + 1])));
  const declared = (found.item.parameters || []).concat(op.parameters || []).map((p) => (p.$ref ? pointer(spec, p.$ref) : p));
  const queryNames = new Set();
  for (const p of declared) {
    const key = `${op.operationId}:${p.in}:${p.name}`;
    let raw;
    if (p.in === "path") raw = params[p.name];
    else if (p.in === "query") {
      queryNames.add(p.name);
      raw = query.get(p.name);
      if (raw === null) raw = undefined;
    } else continue;
    if (raw === undefined) {
      if (p.required) problems.push(`${op.operationId}: missing required ${p.in} parameter '${p.name}'`);
      continue;
    }
    const schema = p.schema ? deref(spec, p.schema, false, "gh") : {};
    const c = coerce(raw, schema);
    if (c.bad) {
      problems.push(`${op.operationId}: ${p.in} parameter '${p.name}' = '${raw}' is not a ${schema.type}`);
      continue;
    }
    const v = compileFor(key, p.schema || {}, false);
    if (!v(c.value)) problems.push(`${op.operationId}: ${p.in} parameter '${p.name}': ${ajvErrors(v.errors).join("; ")}`);
    if (p.in === "path") params[p.name] = c.value;
  }
  for (const q of query.keys())
    if (!queryNames.has(q)) problems.push(`${op.operationId}: unknown query parameter '${q}'`);
  let body;
  if (op.requestBody) {
    const rb = op.requestBody.$ref ? pointer(spec, op.requestBody.$ref) : op.requestBody;
    const json = rb.content && rb.content["application/json"];
    if (rawBody.length === 0) {
      if (rb.required) problems.push(`${op.operationId}: a JSON body is required`);
    } else if (!json) {
      problems.push(`${op.operationId}: the description has no application/json body here`);
    } else {
      const ct = headers["content-type"] || "";
      if (!/^application\/json\b/i.test(ct)) problems.push(`${op.operationId}: Content-Type '${ct}' is not application/json`);
      try {
        body = JSON.parse(rawBody.toString("utf8"));
      } catch (e) {
        problems.push(`${op.operationId}: the body is not JSON: ${e.message}`);
      }
      if (body !== undefined) {
        const v = compileFor(`${op.operationId}:body`, json.schema, true);
        if (!v(body)) problems.push(`${op.operationId}: body ${ajvErrors(v.errors).join("; ")}`);
      }
    }
  } else if (rawBody.length) {
    problems.push(`${op.operationId}: this operation takes no body`);
  }
  return { route: found, op, params, body, problems };
}

// ---------------------------------------------------------------------------
// State

const DOCS = "https://docs.github.com/rest";
let state;
function reset() {
  state = {
    nextId: 1000,
    repos: new Map(), // "o/r" -> { id, owner, name, pulls: Map(number -> pull) }
    tokens: new Map(), // token -> "write" | "read"
    faults: [],
    requests: [],
    violations: [],
    rateRemaining: 5000,
  };
}
reset();

function repoOf(owner, name, create) {
  const key = `${owner}/${name}`;
  if (!state.repos.has(key) && create) state.repos.set(key, { id: state.nextId++, owner, name, pulls: new Map() });
  return state.repos.get(key);
}

function repoById(id) {
  for (const r of state.repos.values()) if (r.id === id) return r;
  return null;
}

// Parses a unified diff (git diff output) into { path: { hunks: [...] } }
// where each hunk lists its lines with their side numbers.
function parseDiff(text) {
  const files = {};
  let cur = null;
  let hunk = null;
  let oldLn = 0;
  let newLn = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("diff --git ")) {
      cur = null;
      hunk = null;
      continue;
    }
    if (line.startsWith("+++ ")) {
      const p = line.slice(4).replace(/^b\//, "");
      cur = p === "/dev/null" ? null : (files[p] = files[p] || { hunks: [] });
      continue;
    }
    if (line.startsWith("--- ")) continue;
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (h) {
      if (!cur) continue;
      oldLn = +h[1];
      newLn = +h[3];
      hunk = { header: line, lines: [] };
      cur.hunks.push(hunk);
      continue;
    }
    if (!hunk || !cur) continue;
    if (line.startsWith("+")) hunk.lines.push({ kind: "+", text: line, right: newLn++ });
    else if (line.startsWith("-")) hunk.lines.push({ kind: "-", text: line, left: oldLn++ });
    else if (line.startsWith(" ")) {
      hunk.lines.push({ kind: " ", text: line, left: oldLn++, right: newLn++ });
    }
  }
  return files;
}

// The hunk index holding `line` on `side`, or -1.
function hunkOf(pull, pathName, side, line) {
  const f = pull.files[pathName];
  if (!f) return -1;
  const key = side === "LEFT" ? "left" : "right";
  for (let i = 0; i < f.hunks.length; i++)
    if (f.hunks[i].lines.some((l) => l[key] === line)) return i;
  return -1;
}

function diffHunkText(pull, pathName, side, line) {
  const f = pull.files[pathName];
  const i = hunkOf(pull, pathName, side, line);
  if (i < 0) return "";
  const key = side === "LEFT" ? "left" : "right";
  const out = [f.hunks[i].header];
  for (const l of f.hunks[i].lines) {
    out.push(l.text);
    if (l[key] === line) break;
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------
// Response objects, from the description's own examples

function example(name) {
  return JSON.parse(JSON.stringify(spec.components.examples[name].value));
}

function user(login, type) {
  const u = example("pull-request-review-comment").user;
  u.login = login;
  u.type = type || (login.endsWith("[bot]") ? "Bot" : "User");
  u.id = login.length * 7919;
  return u;
}

function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function makeReviewComment(base, repo, pull, review, c, login) {
  const o = example("pull-request-review-comment");
  const id = state.nextId++;
  const side = c.side || "RIGHT";
  Object.assign(o, {
    url: `${base}/repos/${repo.owner}/${repo.name}/pulls/comments/${id}`,
    id,
    node_id: "PRRC_" + id,
    pull_request_review_id: review ? review.id : null,
    diff_hunk: diffHunkText(pull, c.path, side, c.line),
    path: c.path,
    position: c.line,
    original_position: c.line,
    commit_id: c.commit_id || pull.head_sha,
    original_commit_id: c.commit_id || pull.head_sha,
    user: user(login),
    body: c.body,
    created_at: now(),
    updated_at: now(),
    html_url: `https://github.invalid/${repo.owner}/${repo.name}/pull/${pull.number}#discussion_r${id}`,
    pull_request_url: `${base}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    line: c.line,
    original_line: c.line,
    side,
  });
  delete o.in_reply_to_id;
  if (c.start_line) {
    o.start_line = c.start_line;
    o.original_start_line = c.start_line;
    o.start_side = c.start_side || side;
  } else {
    // GitHub sends nulls here, but the description's enum for start_side
    // lacks null (ajv follows the description): leave them out instead.
    delete o.start_line;
    delete o.original_start_line;
    delete o.start_side;
  }
  o._links.self.href = o.url;
  o._links.html.href = o.html_url;
  o._links.pull_request.href = o.pull_request_url;
  return o;
}

function makeIssueComment(base, repo, number, body, login) {
  const o = example("issue-comment");
  const id = state.nextId++;
  Object.assign(o, {
    id,
    node_id: "IC_" + id,
    url: `${base}/repos/${repo.owner}/${repo.name}/issues/comments/${id}`,
    html_url: `https://github.invalid/${repo.owner}/${repo.name}/pull/${number}#issuecomment-${id}`,
    issue_url: `${base}/repos/${repo.owner}/${repo.name}/issues/${number}`,
    body,
    user: user(login),
    created_at: now(),
    updated_at: now(),
  });
  return o;
}

// ---------------------------------------------------------------------------
// HTTP plumbing

function send(res, status, obj, extra) {
  if (res.cgOp && status < 300) checkResponse(res.cgOp, status, obj);
  const body = obj === undefined ? "" : JSON.stringify(obj);
  const headers = Object.assign({
    "content-type": "application/json; charset=utf-8",
    "x-github-media-type": "github.v3; format=json",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": String(state.rateRemaining),
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    "x-ratelimit-used": String(5000 - state.rateRemaining),
    "x-ratelimit-resource": "core",
  }, extra || {});
  headers["content-length"] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
  return status;
}

// The server's own answers are held to the description too, so crabgate is
// tested against the shapes GitHub really sends.
function checkResponse(op, status, obj) {
  const r = op.responses && (op.responses[String(status)] || op.responses.default);
  const resp = r && (r.$ref ? pointer(spec, r.$ref) : r);
  const json = resp && resp.content && resp.content["application/json"];
  if (!json) return;
  const v = compileFor(`${op.operationId}:response:${status}`, json.schema, false);
  if (!v(obj))
    state.violations.push({ method: "(response)", url: op.operationId, problems: [`test server answer: ${ajvErrors(v.errors).slice(0, 5).join("; ")}`] });
}

function error(res, status, message, errors, doc) {
  const o = { message, documentation_url: doc || DOCS, status: String(status) };
  if (errors) o.errors = errors;
  return send(res, status, o);
}

function paginate(req, res, base, items, linkPath) {
  const u = new URL(req.url, base);
  const perPage = Math.min(Math.max(parseInt(u.searchParams.get("per_page") || "30", 10) || 30, 1), 100);
  const page = Math.max(parseInt(u.searchParams.get("page") || "1", 10) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p) => {
    const q = new URLSearchParams(u.searchParams);
    q.set("per_page", String(perPage));
    q.set("page", String(p));
    return `<${base}${linkPath}?${q.toString()}>`;
  };
  const rels = [];
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
  return send(res, 200, slice, rels.length ? { link: rels.join(", ") } : {});
}

function tokenOf(headers) {
  const a = headers.authorization || "";
  const m = /^(?:token|bearer)\s+(.+)$/i.exec(a);
  return m ? m[1].trim() : null;
}

function takeFault(method, pathname) {
  for (let i = 0; i < state.faults.length; i++) {
    const f = state.faults[i];
    if (f.method && f.method.toUpperCase() !== method) continue;
    if (f.path && !new RegExp(f.path).test(pathname)) continue;
    if (f.times !== undefined && f.times <= 0) continue;
    if (f.times !== undefined) f.times--;
    return f;
  }
  return null;
}

// ---------------------------------------------------------------------------
// The API

function handleApi(req, res, url, rawBody, base) {
  let pathname = url.pathname;
  // Link headers name repositories by id (as GitHub's do); map them back.
  const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(pathname);
  if (byId) {
    const r = repoById(+byId[1]);
    if (!r) return error(res, 404, "Not Found");
    pathname = `/repos/${r.owner}/${r.name}${byId[2] || ""}`;
  }
  const v = validateRequest(req.method, pathname, url.searchParams, req.headers, rawBody);
  if (v.problems.length) {
    state.violations.push({ method: req.method, url: req.url, problems: v.problems });
    if (!v.route || !v.op) return error(res, 404, "Not Found");
    return error(res, 422, "Invalid request.\n\n" + v.problems.join("\n"), v.problems);
  }
  const token = tokenOf(req.headers);
  const perm = token ? state.tokens.get(token) : undefined;
  if (!perm) return error(res, 401, "Bad credentials");
  const login = "github-actions[bot]";
  const isWrite = req.method !== "GET" && req.method !== "HEAD";
  const p = v.params;
  const repo = p.owner ? repoOf(p.owner, p.repo, false) : null;
  if (p.owner && !repo) return error(res, 404, "Not Found");
  if (isWrite && perm !== "write") return error(res, 403, "Resource not accessible by integration", undefined, `${DOCS}/pulls/reviews#create-a-review-for-a-pull-request`);
  const number = p.pull_number !== undefined ? p.pull_number : p.issue_number;
  const pull = number !== undefined ? repo.pulls.get(number) : null;
  if (number !== undefined && !pull) return error(res, 404, "Not Found");
  const opId = v.op.operationId;
  res.cgOp = v.op;
  const linkBase = `/repositories/${repo ? repo.id : 0}`;
  switch (opId) {
    case "pulls/get": {
      const o = example("pull-request");
      o.number = pull.number;
      o.state = "open";
      o.head.sha = pull.head_sha;
      o.base.sha = pull.base_sha;
      o.head.repo.full_name = pull.head_repo;
      o.base.repo.full_name = pull.base_repo;
      return send(res, 200, o);
    }
    case "pulls/list-review-comments":
      return paginate(req, res, base, pull.review_comments, `${linkBase}/pulls/${pull.number}/comments`);
    case "pulls/list-reviews":
      return paginate(req, res, base, pull.reviews, `${linkBase}/pulls/${pull.number}/reviews`);
    case "issues/list-comments":
      return paginate(req, res, base, pull.issue_comments, `${linkBase}/issues/${pull.number}/comments`);
    case "pulls/create-review":
      return createReview(res, base, repo, pull, v.body || {}, login);
    case "issues/create-comment": {
      const c = makeIssueComment(base, repo, pull.number, v.body.body, login);
      pull.issue_comments.push(c);
      return send(res, 201, c, { location: c.url });
    }
    case "issues/update-comment":
    case "issues/get-comment": {
      const c = findComment(repo, "issue_comments", p.comment_id);
      if (!c) return error(res, 404, "Not Found");
      if (opId === "issues/update-comment") {
        c.body = v.body.body;
        c.updated_at = now();
      }
      return send(res, 200, c);
    }
    case "pulls/update-review-comment":
    case "pulls/get-review-comment": {
      const c = findComment(repo, "review_comments", p.comment_id);
      if (!c) return error(res, 404, "Not Found");
      if (opId === "pulls/update-review-comment") {
        c.body = v.body.body;
        c.updated_at = now();
      }
      return send(res, 200, c);
    }
    default:
      state.violations.push({ method: req.method, url: req.url, problems: [`${opId}: valid, but this test server does not implement it`] });
      return error(res, 404, "Not Found");
  }
}

function findComment(repo, list, id) {
  for (const pull of repo.pulls.values()) {
    const c = pull[list].find((x) => x.id === id);
    if (c) return c;
  }
  return null;
}

function createReview(res, base, repo, pull, body, login) {
  const doc = `${DOCS}/pulls/reviews#create-a-review-for-a-pull-request`;
  const event = body.event;
  if ((event === "REQUEST_CHANGES" || event === "COMMENT") && !body.body && !(body.comments || []).length)
    return error(res, 422, "Unprocessable Entity", [`Review body is required when event is ${event}`], doc);
  if (body.commit_id && !pull.commits.includes(body.commit_id))
    return error(res, 422, "Unprocessable Entity", ["commit_id is not part of the pull request"], doc);
  const comments = body.comments || [];
  for (const c of comments) {
    if (!pull.files[c.path]) return error(res, 422, "Unprocessable Entity", ["Path could not be resolved"], doc);
    if (c.line === undefined && c.position === undefined)
      return error(res, 422, "Unprocessable Entity", ["Pull request review thread line must be part of the diff"], doc);
    const side = c.side || "RIGHT";
    if (side !== "RIGHT" && side !== "LEFT")
      return error(res, 422, "Unprocessable Entity", [`Pull request review thread side '${side}' is not one of LEFT, RIGHT`], doc);
    const h = c.line !== undefined ? hunkOf(pull, c.path, side, c.line) : 0;
    if (h < 0)
      return error(res, 422, "Unprocessable Entity", ["Pull request review thread line must be part of the diff"], doc);
    if (c.start_line !== undefined) {
      const sh = hunkOf(pull, c.path, c.start_side || side, c.start_line);
      if (sh < 0)
        return error(res, 422, "Unprocessable Entity", ["Pull request review thread start line must be part of the diff"], doc);
      if (!(c.start_line < c.line) || sh !== h)
        return error(res, 422, "Unprocessable Entity", ["Pull request review thread start_line must precede line in the same hunk"], doc);
    }
  }
  const review = example("pull-request-review");
  const id = state.nextId++;
  Object.assign(review, {
    id,
    node_id: "PRR_" + id,
    user: user(login),
    body: body.body || "",
    state: event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : event === "APPROVE" ? "APPROVED" : event ? "COMMENTED" : "PENDING",
    html_url: `https://github.invalid/${repo.owner}/${repo.name}/pull/${pull.number}#pullrequestreview-${id}`,
    pull_request_url: `${base}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    submitted_at: now(),
    commit_id: body.commit_id || pull.head_sha,
  });
  review._links.html.href = review.html_url;
  review._links.pull_request.href = review.pull_request_url;
  pull.reviews.push(review);
  for (const c of comments)
    pull.review_comments.push(makeReviewComment(base, repo, pull, review, Object.assign({ commit_id: review.commit_id }, c), login));
  return send(res, 200, review);
}

// ---------------------------------------------------------------------------
// Control endpoints for the tests (no auth; loopback only)

function handleControl(req, res, url, rawBody, base) {
  let body = {};
  if (rawBody.length) body = JSON.parse(rawBody.toString("utf8"));
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case "POST /_control/reset":
      reset();
      return send(res, 200, { ok: true });
    case "POST /_control/tokens":
      for (const [t, perm] of Object.entries(body)) state.tokens.set(t, perm);
      return send(res, 200, { ok: true });
    case "POST /_control/pulls": {
      const [owner, name] = body.repo.split("/");
      const repo = repoOf(owner, name, true);
      const old = repo.pulls.get(body.number);
      const pull = old || { number: body.number, reviews: [], review_comments: [], issue_comments: [], commits: [] };
      pull.base_sha = body.base_sha;
      pull.head_sha = body.head_sha;
      pull.base_repo = body.repo;
      pull.head_repo = body.head_repo || body.repo;
      pull.files = parseDiff(body.diff || "");
      if (!pull.commits.includes(body.head_sha)) pull.commits.push(body.head_sha);
      repo.pulls.set(body.number, pull);
      return send(res, 200, { ok: true, files: Object.fromEntries(Object.entries(pull.files).map(([k, f]) => [k, f.hunks.map((h) => h.lines.filter((l) => l.right !== undefined).map((l) => l.right))])) });
    }
    case "POST /_control/seed": {
      // {repo, number, kind: review_comments|issue_comments, bodies: [...], path, line, login}
      const [owner, name] = body.repo.split("/");
      const repo = repoOf(owner, name, false);
      const pull = repo.pulls.get(body.number);
      for (const text of body.bodies) {
        if (body.kind === "issue_comments") pull.issue_comments.push(makeIssueComment(base, repo, pull.number, text, body.login || "octocat"));
        else pull.review_comments.push(makeReviewComment(base, repo, pull, null, { path: body.path, line: body.line, body: text }, body.login || "octocat"));
      }
      return send(res, 200, { ok: true });
    }
    case "POST /_control/event":
      // {name, action, number, base, head, repo, head_repo, before, after}: as the `event` subcommand.
      return send(res, 200, buildEvent(Object.entries(body).flatMap(([k, v]) => ["--" + k.replace(/_/g, "-"), String(v)])));
    case "POST /_control/faults":
      // [{method, path (regex), status, headers, body, times, delay_ms, rate_remaining}]
      for (const f of [].concat(body)) state.faults.push(f);
      return send(res, 200, { ok: true });
    case "GET /_control/state": {
      const [owner, name] = url.searchParams.get("repo").split("/");
      const repo = repoOf(owner, name, false);
      const pull = repo && repo.pulls.get(+url.searchParams.get("number"));
      if (!pull) return send(res, 404, { message: "no such pull request" });
      return send(res, 200, { reviews: pull.reviews, review_comments: pull.review_comments, issue_comments: pull.issue_comments });
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
        handleControl(req, res, url, rawBody, base);
      } catch (e) {
        send(res, 500, { message: "control: " + e.message });
      }
      return;
    }
    const record = { method: req.method, url: req.url, headers: req.headers, body: rawBody.toString("utf8"), status: 0 };
    state.requests.push(record);
    const respond = () => {
      const fault = takeFault(req.method, url.pathname);
      if (fault && fault.status) {
        if (fault.rate_remaining !== undefined) state.rateRemaining = fault.rate_remaining;
        const extra = Object.assign({}, fault.headers || {});
        for (const k of Object.keys(extra)) if (extra[k] === "$reset") extra[k] = String(Math.floor(Date.now() / 1000) + 1);
        record.status = send(res, fault.status, fault.body || { message: `injected ${fault.status}`, documentation_url: DOCS }, extra);
        state.rateRemaining = 5000;
        return;
      }
      try {
        record.status = handleApi(req, res, url, rawBody, base);
      } catch (e) {
        state.violations.push({ method: req.method, url: req.url, problems: ["server error: " + e.stack] });
        record.status = send(res, 500, { message: "test server error: " + e.message });
      }
    };
    const delayed = state.faults.find((f) => !f.status && f.delay_ms && (!f.method || f.method.toUpperCase() === req.method) && (!f.path || new RegExp(f.path).test(url.pathname)) && (f.times === undefined || f.times > 0));
    if (delayed) {
      if (delayed.times !== undefined) delayed.times--;
      setTimeout(respond, delayed.delay_ms);
    } else {
      respond();
    }
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
