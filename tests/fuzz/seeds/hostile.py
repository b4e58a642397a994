#!/usr/bin/env python3
"""Writes the hostile shapes of issue 16 into the fuzz corpora (ci/fuzz.sh runs it).

They are generated, not committed: 2 MB of repeated tokens say less than this list.
Each crashed libtree-sitter 0.20 (crash_*) or made the parser run for minutes
(hang_*); the harnesses must get through every one under ASan + UBSan.
"""
import os
import sys

HEAD = ("use chrono::Utc;\nuse std::sync::mpsc;\n"
        "pub async fn f() { std::thread::sleep(d); let (a, b) = mpsc::channel(); }\npub fn x() {}\n")
RUST = {
    "crash_move": "move||" * 33000,
    "crash_bars": "| " * 150000,
    "crash_closures": "|x| " * 70000,
    "crash_unbalanced": "{ ) " * 50000,
    "hang_hex": "0x " * 32768,
    "hang_byte": "b' " * 33000,
    "hang_exponent": "1e " * 33000,
    "hang_raw": 'r#" ' * 33000,
    "hang_lifetimes": "'a " * 70000,
    "hang_quotes": '" ' * 70000,
    "hang_hex_semicolons": "fn g() {" + "0x; " * 16000 + "}",
}
TOML = {
    "hang_quotes": '[package]\nname = "x"\n' + "\"' " * 70000,
    "hang_many_deps": "[package]\nname = \"x\"\n[dependencies]\n" + "".join(f'd{i} = "1"\n' for i in range(15000)),
    "escaped_keys": '[dependencies]\n"ch\\u0072ono" = "1"\nt = { package = "\\u0063hrono" }\n',
}


def main(corpus):
    for harness, shapes, head in (("fuzz_rules_rust", RUST, HEAD), ("fuzz_rules_manifest", TOML, "")):
        os.makedirs(os.path.join(corpus, harness), exist_ok=True)
        for name, body in shapes.items():
            with open(os.path.join(corpus, harness, "hostile-" + name), "w") as f:
                f.write(head + body + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
