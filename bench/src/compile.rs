//! The compile-time benchmark: a crate of 20 `#[derive(Resource)]` resources against
//! the same 20 resources written by hand with axum and sea-orm (CRUD routes, filters,
//! sort, pagination, validation; no OpenAPI document, which ferrest adds besides).
//!
//! Both crates live in one scratch workspace under `target/bench-compile`, with the
//! repository's `Cargo.lock` and profiles, so their dependencies are built once and
//! shared. Measured in the dev profile, where people iterate: the crate alone after
//! `cargo clean -p` (dependencies built), and after editing one resource's title
//! rule (`max = 200` <-> `201`). The expansion size comes from
//! `rustc -Zunpretty=expanded`, made available on stable with `RUSTC_BOOTSTRAP=1` in
//! a target directory of its own (the variable invalidates build scripts).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod templates;

/// Resources per crate.
const RESOURCES: usize = 20;
/// Timed builds per crate and kind; the median is reported.
const REPEATS: usize = 3;
/// The resource the incremental builds edit.
const EDITED: usize = 7;

/// The crates compared: the generated one and its hand-written twin.
const CRATES: [&str; 2] = ["generated", "hand"];

pub fn run() -> Result<String, String> {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no repository root")?
        .to_path_buf();
    let root = repository.join("target").join("bench-compile");
    let workspace = root.join("workspace");
    write_workspace(&repository, &workspace)?;
    let target = root.join("target");
    eprintln!("== compile: building the dependencies of both crates (untimed)");
    cargo(
        &workspace,
        &target,
        &["build", "-p", "generated", "-p", "hand"],
        false,
    )?;

    let mut clean = [Vec::new(), Vec::new()];
    let mut incremental = [Vec::new(), Vec::new()];
    for repeat in 0..REPEATS {
        for (i, name) in CRATES.into_iter().enumerate() {
            cargo(&workspace, &target, &["clean", "-p", name], false)?;
            let took = cargo(&workspace, &target, &["build", "-p", name], false)?;
            eprintln!("   {name}: clean build {:.1} s", took.as_secs_f64());
            clean[i].push(took);
        }
        for (i, name) in CRATES.into_iter().enumerate() {
            edit_one_resource(&workspace, name, repeat % 2 == 0)?;
            let took = cargo(&workspace, &target, &["build", "-p", name], false)?;
            eprintln!("   {name}: incremental build {:.1} s", took.as_secs_f64());
            incremental[i].push(took);
        }
    }
    // Leave the sources as generated.
    for name in CRATES {
        edit_one_resource(&workspace, name, false)?;
    }

    eprintln!("== compile: expanding both crates (RUSTC_BOOTSTRAP=1, own target directory)");
    let expand_target = root.join("expand-target");
    let mut expanded = Vec::new();
    for name in CRATES {
        expanded.push(expansion(&workspace, &expand_target, name)?);
    }
    let source: Vec<(usize, usize)> = CRATES
        .iter()
        .map(|name| source_size(&workspace.join(name).join("src")))
        .collect::<Result<_, _>>()?;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "compile time: {RESOURCES} resources, dev profile, median of {REPEATS}; dependencies prebuilt"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| crate | clean build s | incremental build s (one resource edited) | source lines / resource | expanded lines / resource | expanded KiB / resource |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
    for (i, name) in CRATES.into_iter().enumerate() {
        let (lines, _) = source[i];
        let (expanded_lines, expanded_bytes) = expanded[i];
        let _ = writeln!(
            out,
            "| {} | {:.1} | {:.1} | {} | {} | {:.1} |",
            match name {
                "generated" => "ferrest (20 x `#[derive(Resource)]`)",
                _ => "hand-written axum + sea-orm",
            },
            median(&clean[i]).as_secs_f64(),
            median(&incremental[i]).as_secs_f64(),
            lines / RESOURCES,
            expanded_lines / RESOURCES,
            expanded_bytes as f64 / 1024.0 / RESOURCES as f64,
        );
    }
    Ok(out)
}

fn median(values: &[Duration]) -> Duration {
    let mut values = values.to_vec();
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// Runs cargo in the scratch workspace; returns how long it took.
fn cargo(
    workspace: &Path,
    target: &Path,
    args: &[&str],
    bootstrap: bool,
) -> Result<Duration, String> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command
        .args(args)
        .arg("--quiet")
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target);
    if bootstrap {
        command.env("RUSTC_BOOTSTRAP", "1");
    }
    let started = Instant::now();
    let output = command.output().map_err(|e| format!("cargo: {e}"))?;
    let took = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "cargo {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(took)
}

/// Lines and bytes of `rustc -Zunpretty=expanded` for one crate.
fn expansion(workspace: &Path, target: &Path, name: &str) -> Result<(usize, usize), String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "rustc",
            "--quiet",
            "--profile",
            "check",
            "-p",
            name,
            "--",
            "-Zunpretty=expanded",
        ])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .map_err(|e| format!("cargo rustc: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "expanding {name} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    Ok((lines, text.len()))
}

/// Non-blank lines and bytes of the resource files of a crate.
fn source_size(src: &Path) -> Result<(usize, usize), String> {
    let mut lines = 0;
    let mut bytes = 0;
    for i in 1..=RESOURCES {
        let text =
            std::fs::read_to_string(src.join(resource_file(i))).map_err(|e| e.to_string())?;
        lines += text.lines().filter(|l| !l.trim().is_empty()).count();
        bytes += text.len();
    }
    Ok((lines, bytes))
}

fn resource_file(i: usize) -> String {
    format!("r{i:02}.rs")
}

/// Writes the scratch workspace: the repository's root manifest (its dependency
/// versions, profiles and lints) with new members, a snapshot of `core/` and `macros/`
/// (so edits made to them meanwhile cannot trigger rebuilds between timed builds), and
/// the two crates. Files whose content is unchanged are left alone, so their
/// modification times, and cargo's fingerprints, stay.
fn write_workspace(repository: &Path, workspace: &Path) -> Result<(), String> {
    let manifest =
        std::fs::read_to_string(repository.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let members = "members = [\"core\", \"macros\", \"generated\", \"hand\"]";
    let manifest: Vec<String> = manifest
        .lines()
        .filter(|l| !l.starts_with("default-members"))
        .map(|l| {
            if l.starts_with("members") {
                members.to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    write_if_changed(&workspace.join("Cargo.toml"), &(manifest.join("\n") + "\n"))?;
    let lock = workspace.join("Cargo.lock");
    if !lock.exists() {
        std::fs::create_dir_all(workspace).map_err(|e| e.to_string())?;
        std::fs::copy(repository.join("Cargo.lock"), &lock).map_err(|e| e.to_string())?;
    }
    for part in [
        "core/Cargo.toml",
        "core/src",
        "macros/Cargo.toml",
        "macros/src",
        "docs/guide.md",
        "examples/bookstore/src/lib.rs",
    ] {
        snapshot(&repository.join(part), &workspace.join(part))?;
    }
    let package = |name: &str, deps: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{deps}"
        )
    };
    let generated = workspace.join("generated");
    write_if_changed(
        &generated.join("Cargo.toml"),
        &package("generated", "ferrest.workspace = true\n"),
    )?;
    write_if_changed(
        &generated.join("src/lib.rs"),
        &templates::generated_lib(RESOURCES),
    )?;
    let hand = workspace.join("hand");
    write_if_changed(
        &hand.join("Cargo.toml"),
        &package(
            "hand",
            "axum.workspace = true\nsea-orm.workspace = true\nserde.workspace = true\nserde_json.workspace = true\nchrono.workspace = true\nform_urlencoded.workspace = true\n",
        ),
    )?;
    write_if_changed(&hand.join("src/lib.rs"), &templates::hand_lib(RESOURCES))?;
    for i in 1..=RESOURCES {
        let file = resource_file(i);
        write_if_changed(
            &generated.join("src").join(&file),
            &templates::generated_resource(i, 200),
        )?;
        write_if_changed(
            &hand.join("src").join(&file),
            &templates::hand_resource(i, 200),
        )?;
    }
    Ok(())
}

/// Copies a file or a directory tree, rewriting only what differs.
fn snapshot(from: &Path, to: &Path) -> Result<(), String> {
    if from.is_dir() {
        for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            snapshot(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        let text = std::fs::read_to_string(from).map_err(|e| format!("{}: {e}", from.display()))?;
        write_if_changed(to, &text)
    }
}

/// Rewrites resource [`EDITED`] of `name` with the title's maximum at 201 (`edited`)
/// or back at 200.
fn edit_one_resource(workspace: &Path, name: &str, edited: bool) -> Result<(), String> {
    let max = if edited { 201 } else { 200 };
    let text = match name {
        "generated" => templates::generated_resource(EDITED, max),
        _ => templates::hand_resource(EDITED, max),
    };
    let path: PathBuf = workspace.join(name).join("src").join(resource_file(EDITED));
    write_if_changed(&path, &text)
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
