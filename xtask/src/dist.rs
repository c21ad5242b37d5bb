//! The widget bundle: the wasm built for size and bound with `wasm-bindgen`
//! (an ES module glue), both named by content hash, and the small loader
//! `widget.js` that imports them when a citizen shows intent. Every file is
//! precompressed (brotli and gzip).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, root, run};

/// FNV-1a, 64 bits: enough to name a file by its content.
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).map_err(|e| e.to_string())?;
    enc.finish().map_err(|e| e.to_string())
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Sizes of one file: raw, gzip and brotli.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// Writes `name` and its `.gz` and `.br` siblings into `dir`.
fn publish(dir: &Path, name: &str, bytes: &[u8]) -> Result<Sizes> {
    let gz = gzip(bytes)?;
    let br = brotli(bytes)?;
    write(&dir.join(name), bytes)?;
    write(&dir.join(format!("{name}.gz")), &gz)?;
    write(&dir.join(format!("{name}.br")), &br)?;
    Ok(Sizes {
        raw: bytes.len(),
        gzip: gz.len(),
        brotli: br.len(),
    })
}

/// The glue `wasm-bindgen` writes, without its comments, blank lines and
/// indentation (about a sixth of its compressed size). Only whole-line
/// comments go and lines are only trimmed, which cannot change what the
/// script does unless a string spans lines: when any kept line could be part
/// of one (an odd number of backticks, or a trailing backslash), the glue is
/// kept exactly as written.
pub fn compact_glue(js: &str) -> String {
    let mut kept = Vec::new();
    let mut in_comment = false;
    for line in js.lines() {
        let line = line.trim();
        if in_comment {
            in_comment = !line.ends_with("*/");
            continue;
        }
        if line.starts_with("/*") {
            in_comment = !(line.len() >= 4 && line.ends_with("*/"));
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        if line.matches('`').count() % 2 == 1 || line.ends_with('\\') {
            return js.to_owned();
        }
        kept.push(line);
    }
    let mut out = kept.join("\n");
    out.push('\n');
    out
}

/// What was built, by size.
#[derive(Debug, Clone, Copy)]
pub struct Bundle {
    /// `widget.js`: all that loads before a citizen touches anything.
    pub loader: Sizes,
    pub glue: Sizes,
    pub wasm: Sizes,
    /// `attach.js`: photos and documents, loaded when a file is chosen.
    pub attach: Sizes,
}

/// Builds the bundle into `public/dist/`.
pub fn build(bindgen: &Path) -> Result<Bundle> {
    run(cargo().args([
        "rustc",
        "-p",
        "aduan-widget",
        "--lib",
        "--crate-type",
        "cdylib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let target = root().join("target");
    let wasm_in = target.join("wasm32-unknown-unknown/wasm-release/aduan_widget.wasm");
    let bound = target.join("widget-bindgen");
    run(Command::new(bindgen)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
        ])
        .arg(&bound)
        .arg(&wasm_in))?;
    let wasm = std::fs::read(bound.join("aduan_widget_bg.wasm"))
        .map_err(|e| format!("bound wasm: {e}"))?;
    let glue =
        std::fs::read_to_string(bound.join("aduan_widget.js")).map_err(|e| format!("glue: {e}"))?;
    let glue = compact_glue(&glue);
    let loader = std::fs::read_to_string(root().join("public/loader.js"))
        .map_err(|e| format!("public/loader.js: {e}"))?;

    let dist: PathBuf = root().join("public/dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist)
            .map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;
    let wasm_name = format!("aduan_widget_bg.{:016x}.wasm", fnv64(&wasm));
    let wasm_sizes = publish(&dist, &wasm_name, &wasm)?;
    let glue_name = format!("aduan_widget.{:016x}.js", fnv64(glue.as_bytes()));
    let glue_sizes = publish(&dist, &glue_name, glue.as_bytes())?;
    // The loader is served at /widget.js; the hashed files sit under /dist/.
    // Photos and documents, loaded only when a citizen chooses a file.
    let attach = std::fs::read_to_string(root().join("public/attach.js"))
        .map_err(|e| format!("public/attach.js: {e}"))?;
    let attach = compact_glue(&attach);
    let attach_name = format!("attach.{:016x}.js", fnv64(attach.as_bytes()));
    let attach_sizes = publish(&dist, &attach_name, attach.as_bytes())?;
    // A region's public record, loaded only by a page that shows it.
    let stats = std::fs::read_to_string(root().join("public/stats.js"))
        .map_err(|e| format!("public/stats.js: {e}"))?;
    let stats = compact_glue(&stats);
    let stats_name = format!("stats.{:016x}.js", fnv64(stats.as_bytes()));
    let stats_sizes = publish(&dist, &stats_name, stats.as_bytes())?;
    // The reporter's rating form in the tracker, loaded when it shows.
    let rate = std::fs::read_to_string(root().join("public/rate.js"))
        .map_err(|e| format!("public/rate.js: {e}"))?;
    let rate = compact_glue(&rate);
    let rate_name = format!("rate.{:016x}.js", fnv64(rate.as_bytes()));
    let rate_sizes = publish(&dist, &rate_name, rate.as_bytes())?;
    // The loader loses its comments and indentation as the glue does.
    let loader = compact_glue(&loader);
    let script = loader
        .replace("__ADUAN_GLUE__", &format!("dist/{glue_name}"))
        .replace("__ADUAN_WASM__", &format!("dist/{wasm_name}"))
        .replace("__ADUAN_ATTACH__", &format!("dist/{attach_name}"))
        .replace("__ADUAN_STATS__", &format!("dist/{stats_name}"))
        .replace("__ADUAN_RATE__", &format!("dist/{rate_name}"));
    let js_sizes = publish(&dist, "widget.js", script.as_bytes())?;
    println!("widget bundle in public/dist/:");
    for (name, size) in [
        ("widget.js", js_sizes),
        (glue_name.as_str(), glue_sizes),
        (wasm_name.as_str(), wasm_sizes),
        (attach_name.as_str(), attach_sizes),
        (stats_name.as_str(), stats_sizes),
        (rate_name.as_str(), rate_sizes),
    ] {
        println!(
            "  {name}: {} B raw, {} B gzip, {} B brotli",
            size.raw, size.gzip, size.brotli
        );
    }
    Ok(Bundle {
        loader: js_sizes,
        glue: glue_sizes,
        wasm: wasm_sizes,
        attach: attach_sizes,
    })
}

#[cfg(test)]
mod tests {
    use super::compact_glue;

    #[test]
    fn glue_loses_comments_and_indentation_only() {
        let glue = "/**\n * Docs with `code`.\n */\nexport function a(x) {\n    // why\n    /* inline */\n    return `${x}`; // kept: not a whole line\n}\n\n";
        assert_eq!(
            compact_glue(glue),
            "export function a(x) {\nreturn `${x}`; // kept: not a whole line\n}\n"
        );
    }

    #[test]
    fn glue_with_a_string_across_lines_is_kept_as_written() {
        for glue in ["const s = `a\n    // b\n`;\n", "const s = 'a\\\n    b';\n"] {
            assert_eq!(compact_glue(glue), glue);
        }
    }
}
