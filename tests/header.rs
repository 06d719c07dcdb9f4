//! The committed C header `include/wtas.h` must be exactly what `cbindgen`
//! generates from `src/ffi/` with `cbindgen.toml`, its comments turned from
//! rustdoc into plain C prose by [`c_comments`], and its version macros
//! must be the package version. Regenerate it with
//! `WTAS_BLESS_HEADER=1 cargo test --features ffi --test header`.
//!
//! The freshness check needs the `cbindgen` binary, the version named in
//! the header's "Generated with cbindgen:X.Y.Z" line: on `PATH`, or named
//! by the `CBINDGEN` environment variable. Without it (or with another
//! version, whose output differs in more than the version line) the check
//! is skipped with a message saying how to install it, so that
//! `cargo test --all-features` passes on a machine without it;
//! `WTAS_REQUIRE_CBINDGEN=1` turns the skip into a failure (`tests/c/run.sh`
//! installs the pinned cbindgen and sets it).

use std::path::Path;
use std::process::Command;

/// The cbindgen version the committed header was generated with.
fn pinned_version(header: &str) -> Option<&str> {
    let line = header
        .lines()
        .find(|l| l.contains("Generated with cbindgen:"))?;
    let rest = line.split("cbindgen:").nth(1)?;
    Some(rest.trim_end_matches("*/").trim())
}

/// The doc comments as C prose: no markdown code spans (backticks), and
/// the rustdoc heading `# Safety` as the line `Requires:`, since what it
/// lists is what the caller must guarantee.
fn c_comments(generated: &str) -> String {
    generated
        .lines()
        .map(|line| {
            let code = line.trim_start();
            if !(code.starts_with("* ") || code == "*") {
                return line.to_owned();
            }
            let indent = &line[..line.len() - code.len()];
            match code {
                "* # Safety" => format!("{indent}* Requires:"),
                _ => format!("{indent}{}", code.replace('`', "")),
            }
        })
        .map(|line| line + "\n")
        .collect()
}

#[test]
fn c_comments_leave_code_alone() {
    let generated =
        "/**\n * `*x` is\n * # Safety\n * `x` readable.\n */\nint f(int *x); /* `kept` */\n";
    assert_eq!(
        c_comments(generated),
        "/**\n * *x is\n * Requires:\n * x readable.\n */\nint f(int *x); /* `kept` */\n"
    );
}

#[test]
fn committed_header_matches_cbindgen() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed_path = root.join("include/wtas.h");
    let committed = std::fs::read_to_string(&committed_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", committed_path.display()));
    let pinned = pinned_version(&committed).unwrap_or("(unknown)");
    let cbindgen = std::env::var_os("CBINDGEN").unwrap_or_else(|| "cbindgen".into());
    let found = Command::new(&cbindgen)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if found.as_deref() != Some(&format!("cbindgen {pinned}")) {
        let message = format!(
            "header freshness check skipped: it needs cbindgen {pinned} (found: {}).\n\
             Install it with\n    cargo install cbindgen --locked --version {pinned}\n\
             (tests/c/run.sh does this), or point $CBINDGEN at the binary.",
            found.as_deref().unwrap_or("none"),
        );
        assert!(
            std::env::var_os("WTAS_REQUIRE_CBINDGEN").is_none_or(|v| v != "1"),
            "{message}"
        );
        eprintln!("{message}");
        return;
    }
    let fresh_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wtas.h");
    let status = Command::new(&cbindgen)
        .current_dir(root)
        .arg("--config")
        .arg(root.join("cbindgen.toml"))
        .arg("--output")
        .arg(&fresh_path)
        .arg("--quiet")
        .arg(root)
        .status();
    let status =
        status.unwrap_or_else(|e| panic!("cannot run `{}`: {e}", cbindgen.to_string_lossy()));
    assert!(status.success(), "cbindgen failed: {status}");
    let fresh = std::fs::read_to_string(&fresh_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", fresh_path.display()));
    let fresh = c_comments(&fresh);
    if std::env::var_os("WTAS_BLESS_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&committed_path, &fresh)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", committed_path.display()));
        eprintln!("wrote {}", committed_path.display());
        return;
    }
    if fresh != committed {
        let first = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| fresh.lines().count().min(committed.lines().count()));
        panic!(
            "include/wtas.h is stale (first difference at line {}).\n\
             Regenerate it with\n    \
             WTAS_BLESS_HEADER=1 cargo test --features ffi --test header\n\
             using cbindgen {pinned} (found: {}).\n\
             fresh:     {:?}\ncommitted: {:?}",
            first + 1,
            pinned_version(&fresh).unwrap_or("(unknown)"),
            fresh.lines().nth(first).unwrap_or("<end of file>"),
            committed.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}

/// The header's version macros are the package's version.
#[test]
fn version_macros_match_the_package() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(root.join("include/wtas.h")).expect("include/wtas.h");
    let define = |name: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
            .unwrap_or_else(|| panic!("no #define {name} in include/wtas.h"))
            .trim()
            .to_owned()
    };
    let want = [
        (
            "WTAS_VERSION_MAJOR",
            env!("CARGO_PKG_VERSION_MAJOR").to_owned(),
        ),
        (
            "WTAS_VERSION_MINOR",
            env!("CARGO_PKG_VERSION_MINOR").to_owned(),
        ),
        (
            "WTAS_VERSION_PATCH",
            env!("CARGO_PKG_VERSION_PATCH").to_owned(),
        ),
        (
            "WTAS_VERSION_STRING",
            format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        ),
    ];
    for (name, value) in want {
        assert_eq!(
            define(name),
            value,
            "{name} in include/wtas.h (set it in cbindgen.toml, then regenerate the header)"
        );
    }
}
