#!/usr/bin/env python3
"""Joins the findings of a before and an after run (findings.sh) with the
verdicts below into the labelled sample, and prints precision per rule.

Usage: label.py BEFORE.tsv AFTER.tsv > sample.tsv
Each verdict was given by reading the finding in its source; the rules below
write those readings down by path pattern where one reason covers many
findings (tokio's integration tests, its fs module), else one by one.
"""
import re
import sys

# (corpus regex, path regex, line or None, rule, verdict, why) - first match wins.
V = [
    # --- wasm-unsafe-std ---
    (r"tokio", r"^(tokio/)?tests/", None, "wasm-unsafe-std", "wrong",
     "integration test: #[test] without wasm_bindgen_test, or gated on full/fs/net/rt-multi-thread, which tokio rejects on wasm"),
    (r"tokio", r"^(tokio/)?src/fs/", None, "wasm-unsafe-std", "wrong",
     "tokio::fs is behind cfg_fs!, and feature fs is rejected on wasm by compile_error!"),
    (r"tokio", r"^(tokio/)?src/net/", None, "wasm-unsafe-std", "wrong",
     "tokio::net is behind cfg_net!, and feature net is rejected on wasm"),
    (r"tokio", r"^(tokio/)?src/process/", None, "wasm-unsafe-std", "wrong",
     "tokio::process needs feature process, rejected on wasm"),
    (r"tokio", r"src/runtime/scheduler/multi_thread/", None, "wasm-unsafe-std", "wrong",
     "multi-thread scheduler needs rt-multi-thread, rejected on wasm"),
    (r"tokio", r"src/runtime/tests/", None, "wasm-unsafe-std", "wrong", "#[cfg(test)] loom/unit tests"),
    (r"tokio", r"src/sync/tests/atomic_waker.rs", None, "wasm-unsafe-std", "wrong",
     "helper called only from a test ignored on wasm (#[cfg_attr(target_family = \"wasm\", ignore)])"),
    (r"tokio", r"src/loom/std/barrier.rs", None, "wasm-unsafe-std", "wrong",
     "Barrier::wait_timeout is used only by the multi-thread taskdump code, never built on wasm"),
    (r"tokio", r"src/runtime/scheduler/current_thread/mod.rs", None, "wasm-unsafe-std", "wrong",
     "Instant::now as a fn pointer, called only with track_task_schedule_latency (tokio_unstable, 64-bit targets only)"),
    (r"tokio", r"src/runtime/metrics/batch.rs", None, "wasm-unsafe-std", "right",
     "unstable metrics batch, built for the current-thread runtime on wasm under tokio_unstable; Instant::now panics there"),
    (r"tokio", r"src/runtime/context/blocking.rs", None, "wasm-unsafe-std", "right",
     "block_on with a timeout (rt, allowed on wasm) calls Instant::now"),
    (r"tokio", r"src/runtime/park.rs", None, "wasm-unsafe-std", "right",
     "the wasm-without-atomics branch calls thread::sleep, which panics on wasm32-unknown-unknown"),
    (r"tokio", r"src/time/instant.rs", None, "wasm-unsafe-std", "right",
     "tokio::time::Instant::now (feature time, allowed on wasm) calls std Instant::now"),
    (r"flate2", r"^(examples|tests)/", None, "wasm-unsafe-std", "wrong", "cargo example or integration test, native only"),
    (r"chrono", r"src/datetime/tests.rs", None, "wasm-unsafe-std", "wrong", "#[cfg(test)] module"),
    (r"chrono", r"src/offset/(local/stub|utc).rs", None, "wasm-unsafe-std", "right",
     "compiled on wasm32 without the wasmbind feature: SystemTime::now panics"),
    (r"iana-time-zone", r"^examples/", None, "wasm-unsafe-std", "wrong", "cargo example, native only"),
    (r"iana-time-zone", r"src/tz_", None, "wasm-unsafe-std", "wrong",
     "platform file named by #[cfg_attr(target_os = …, path = …)] for another OS"),
    (r"instant", r"src/native.rs", None, "wasm-unsafe-std", "wrong", "cfg_if! else branch: wasm32 takes the wasm branch"),
    (r"reqwest", r"src/blocking/", None, "wasm-unsafe-std", "wrong",
     "reqwest::blocking is declared through if_hyper!, a cfg(not(target_arch = \"wasm32\")) alias"),
    (r"wasm-bindgen", r"^publish.rs", None, "wasm-unsafe-std", "wrong", "standalone release script outside src/"),
    (r"leptos", r"^examples/.*/src/todo.rs|^projects/session_auth_axum/", None, "wasm-unsafe-std", "wrong",
     "body of a #[server] fn: runs on the server, the client gets a fetch"),
    (r"leptos", r"^examples/errors_axum/src/landing.rs", None, "wasm-unsafe-std", "wrong",
     "body of a #[server] fn"),
    (r"leptos", r"^projects/sitemap_axum/", None, "wasm-unsafe-std", "wrong", "under #[cfg(feature = \"ssr\")]"),
    (r"leptos", r"^leptos_dom/examples/hydration-test/", None, "wasm-unsafe-std", "wrong",
     "under #[cfg(feature = \"ssr\")] in a server main"),
    (r"leptos", r"^(leptos/src/hydration|meta/src/stylesheet)", None, "wasm-unsafe-std", "wrong",
     "HydrationScripts/HashedStylesheet read cargo-leptos hash files while the server renders the shell; "
     "the client never renders the shell (pub components of the library: only the apps' SSR shells, in other "
     "crates, say so; the reads under `if hash_path.exists()` are no longer reported)"),
    (r"yew", r"trunk_post_build.rs", None, "wasm-unsafe-std", "wrong", "trunk post-build script, runs on the host"),
    (r"egui", r"crates/egui_kittest/", None, "wasm-unsafe-std", "wrong",
     "egui_kittest is a native test harness (snapshots on disk); the match was its wasm feature tables"),
    (r"egui", r"/tests?(\.rs|/)|text_cursor_state.rs", None, "wasm-unsafe-std", "wrong", "#[test] or integration test"),
    (r"egui", r"crates/egui_demo_app/src/main.rs", None, "wasm-unsafe-std", "wrong",
     "native entry point of the demo app (feature puffin, puffin_http server); the web build uses lib.rs"),
    (r"rust-libp2p", r"(/tests/|/tests\.rs|time_cache.rs|swarm/src/connection.rs)", None, "wasm-unsafe-std", "wrong",
     "#[cfg(test)] module"),
    (r"sycamore", r"examples/(hydrate|ssr-suspense)/src/main.rs", None, "wasm-unsafe-std", "wrong",
     "server branch of is_not_ssr!()/the SSR main: writes the page on the host"),
    (r"iced", r"winit/src/lib.rs", None, "wasm-unsafe-std", "right",
     "thread::spawn under feature sysinfo, which iced_winit allows on wasm"),
    (r"axum", r"axum/src/test_helpers/", None, "wasm-unsafe-std", "wrong",
     "test helper module (cfg(any(test, feature = \"__private\"))), a doc-hidden feature for axum's own tests; "
     "it needs tokio::net, which axum's wasm32 tokio table leaves out"),
    # --- unbounded-channel ---
    (r"hyper", r"src/client/dispatch.rs", None, "unbounded-channel", "wrong", "paired with want::Giver, which bounds it"),
    (r"tower", r"src/buffer/service.rs", None, "unbounded-channel", "wrong", "paired with a Semaphore of `bound` permits"),
    (r"tower", r"src/balance/pool/mod.rs", None, "unbounded-channel", "right",
     "died_tx is stored in the discoverer and sent to by every dying service"),
    (r"notify", r"src/lib.rs", None, "unbounded-channel", "right",
     "the crate's unbounded() constructor, returned to watchers that send an event per file system change"),
    (r"parking_lot_core", r"", None, "unbounded-channel", "wrong",
     "collector: sender dropped, then drained after the deadlocked threads report (sync_channel(N) could deadlock)"),
    (r"rayon-core", r"src/log.rs", None, "unbounded-channel", "right", "logger sender stored, sent to on every event"),
    (r"reqwest", r"src/blocking/client.rs", None, "unbounded-channel", "wrong",
     "request/response: each request carries a oneshot and its sender waits for the reply"),
    (r"threadpool", r"", None, "unbounded-channel", "right", "thread pool job queue, stored; execute() sends per job"),
    (r"tokio", r"tokio-util/src/task/spawn_pinned.rs", 381, "unbounded-channel", "wrong",
     "carries one message: the worker's runtime handle, received once"),
    (r"tokio", r"(tokio-util/)?src/task/spawn_pinned.rs", None, "unbounded-channel", "right",
     "worker task queue: sender stored in LocalWorkerHandle, one send per spawned task"),
    (r"tokio", r"tokio-test/src/io.rs", None, "unbounded-channel", "right", "mock Handle stores tx and sends per action"),
    (r"krustlet", r"fs_watch/mod.rs", None, "unbounded-channel", "right",
     "sender in a file-system watcher callback / a polling task loop"),
    (r"leptos", r"meta/src/lib.rs", None, "unbounded-channel", "wrong",
     "SSR collector: senders stored in ServerMetaContext, drained once after rendering ends"),
    (r"leptos", r"reactive_graph/src/traits.rs", None, "unbounded-channel", "right",
     "sender in an effect callback: one send per signal change"),
    (r"leptos", r"reactive_graph/src/transition.rs", None, "unbounded-channel", "wrong",
     "collector: drained with try_recv after the transition's action finishes"),
    (r"leptos", r"router/src/generate_route_list.rs", None, "unbounded-channel", "wrong",
     "collector: one send per static path in a loop, then drained with try_iter() in the same fn after the "
     "loop; sync_channel(N) would block the loop for good (labelled right on 2026-12-02, relabelled: the same "
     "collector shape as transition.rs)"),
    (r"lemmy", r"api_utils/src/send_activity.rs", None, "unbounded-channel", "right",
     "activity queue: sender kept in a static, one send per submitted activity"),
    (r"lemmy", r"apub/send/src/lib.rs", None, "unbounded-channel", "right",
     "stats sender stored in SendManager and handed to every instance worker, which sends per update"),
    (r"lemmy", r"apub/send/src/worker.rs", None, "unbounded-channel", "right",
     "send-result sender stored in InstanceWorker and cloned into a task per activity sent"),
    (r"sqlx", r"sqlx-postgres/src/listener.rs", None, "unbounded-channel", "right",
     "notification buffer: the sender is stored in the connection's stream, one send per NOTIFY"),
    (r"rust-analyzer", r"lib/lsp-server/src/lib.rs", None, "unbounded-channel", "wrong",
     "Connection::memory(), documented \"Use this for testing\": an in-memory pair for tests, not a queue "
     "between production tasks"),
    (r"rust-analyzer", r"ide-db/src/prime_caches.rs", None, "unbounded-channel", "right",
     "work queues fed one send per crate by the scheduling loop while worker threads consume; progress sent "
     "by every worker per crate"),
    (r"rust-analyzer", r"load-cargo/src/lib.rs|vfs-notify/src/lib.rs", None,
     "unbounded-channel", "right", "vfs loader: the sender goes to the file watcher, one send per file event"),
    (r"rust-analyzer", r"rust-analyzer/src/global_state.rs", None, "unbounded-channel", "right",
     "task pools, deferred tasks, flycheck, test runs and discovery: senders stored in GlobalState or handed "
     "to workers, one send per task, diagnostic or event"),
    (r"rust-analyzer", r"rust-analyzer/src/flycheck.rs", None, "unbounded-channel", "right",
     "actor queue stored in FlycheckHandle (one send per restart request) / handed to the cargo command "
     "reader (one send per output message)"),
    (r"rust-analyzer", r"span/src/(ast_id|map).rs|syntax/src/lib.rs", None, "unbounded-channel", "right",
     "drop thread: sender kept in a static, one send per dropped map; the thread drains and sleeps"),
    (r"rust-analyzer", r"stdx/src/thread/pool.rs", None, "unbounded-channel", "right",
     "thread pool job queue: one send per spawned job"),
    (r"reqwest", r"src/async_impl/h3_client/pool.rs", None, "unbounded-channel", "wrong",
     "carries one message: the spawned task sends the connection's close error once"),
    (r"yew", r"server_renderer.rs", None, "unbounded-channel", "right", "sender moved into the render task, sends per chunk"),
    (r"egui", r"egui_inspection/src/plugin.rs", None, "unbounded-channel", "wrong",
     "request/response: the reply callback sends once and the loop waits on rx before the next request"),
    (r"egui", r"egui_kittest/src/texture_to_image.rs", None, "unbounded-channel", "wrong",
     "carries one message: a buffer map_async callback sends once, received once"),
    (r"rust-libp2p", r"misc/keygen/src/main.rs", None, "unbounded-channel", "right",
     "sender cloned into worker threads that send in a loop"),
]


def verdict(corpus, path, line, rule):
    for c, p, l, r, v, why in V:
        if r == rule and re.search(c, corpus) and re.search(p, path) and (l is None or l == line):
            return v, why
    return "unlabelled", ""


def read(path):
    out = {}
    for row in open(path):
        f = row.rstrip("\n").split("\t")
        if len(f) >= 4:
            out[(f[0], f[1], int(f[2]), f[3])] = True
    return out


before, after = {}, {}
for p in sys.argv[1].split(","):
    before.update(read(p))
for p in sys.argv[2].split(","):
    after.update(read(p))
print("corpus\tpath\tline\trule\tverdict\twhy\tbefore\tafter")
stats = {}
for key in sorted(set(before) | set(after)):
    v, why = verdict(*key)
    print("\t".join([key[0], key[1], str(key[2]), key[3], v, why, str(int(key in before)), str(int(key in after))]))
    for side, present in (("before", key in before), ("after", key in after)):
        if present:
            s = stats.setdefault((key[3], side), {"right": 0, "wrong": 0, "unlabelled": 0})
            s[v] += 1
    if v == "right" and key in before and key not in after:
        print("LOST", key, file=sys.stderr)
for (rule, side), s in sorted(stats.items()):
    n = s["right"] + s["wrong"]
    print(f"{rule}\t{side}\t{n} findings\t{s['right']} right\t{s['wrong']} wrong\t{s['unlabelled']} unlabelled\t"
          f"{100.0 * s['right'] / n if n else 0:.0f}%", file=sys.stderr)
