//! The widget bundle: the wasm built for size and bound with `wasm-bindgen`
//! (an ES module glue), both named by content hash, and the small loader
//! `widget.js` that imports them when a citizen shows intent. Every file is
//! precompressed (brotli and gzip).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use aduan_app::api::Locale;
use aduan_app::words;

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

/// The glue without the classes it exports, their finalizers and dispose
/// hooks. The loader imports functions only; the classes are a dependency's
/// stream adapters (`wasm-streams`, pulled in by Leptos's server functions,
/// which the widget never uses). When the glue is not shaped as expected, or
/// anything else still names a class, it is kept as it is.
pub fn without_classes(glue: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut lines = glue.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("export class ") else {
            kept.push(line);
            continue;
        };
        let Some(name) = rest
            .strip_suffix(" {")
            .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        else {
            return glue.to_owned();
        };
        names.push(name);
        let mut depth = 1usize;
        for inner in lines.by_ref() {
            depth += inner.matches('{').count();
            depth = match depth.checked_sub(inner.matches('}').count()) {
                Some(d) => d,
                None => return glue.to_owned(),
            };
            if depth == 0 {
                break;
            }
        }
        if depth != 0 {
            return glue.to_owned();
        }
    }
    let mut out: Vec<&str> = Vec::new();
    let mut in_finalizer = false;
    for line in kept {
        if in_finalizer {
            in_finalizer = !line.ends_with(';');
            continue;
        }
        let dispose = names
            .iter()
            .any(|n| line.starts_with(&format!("if (Symbol.dispose) {n}.prototype")));
        if dispose {
            continue;
        }
        if names
            .iter()
            .any(|n| line.starts_with(&format!("const {n}Finalization = ")))
        {
            in_finalizer = !line.ends_with(';');
            continue;
        }
        if names.iter().any(|n| line.contains(n)) {
            return glue.to_owned();
        }
        out.push(line);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The wasm's exports the glue uses (`wasm.NAME`).
fn exports_used(glue: &str) -> Vec<String> {
    let mut names: Vec<String> = glue
        .split("wasm.")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The wasm without the exported functions the glue does not use, nor the
/// code only they reach: the stream adapters of [`without_classes`].
fn without_unused_exports(wasm: &[u8], glue: &str) -> Result<Vec<u8>> {
    let used = exports_used(glue);
    let mut module = walrus::Module::from_buffer(wasm).map_err(|e| format!("the wasm: {e}"))?;
    let unused: Vec<walrus::ExportId> = module
        .exports
        .iter()
        .filter(|e| matches!(e.item, walrus::ExportItem::Function(_)))
        .filter(|e| used.binary_search(&e.name).is_err())
        .map(|e| e.id())
        .collect();
    for id in unused {
        module.exports.delete(id);
    }
    walrus::passes::gc::run(&mut module);
    Ok(module.emit_wasm())
}

/// The glue's own functions the wasm imports (`./aduan_widget_bg.js`).
fn imports_used(wasm: &[u8]) -> Result<Vec<String>> {
    let module = walrus::Module::from_buffer(wasm).map_err(|e| format!("the wasm: {e}"))?;
    let mut names: Vec<String> = module
        .imports
        .iter()
        .filter(|i| i.module == "./aduan_widget_bg.js")
        .map(|i| i.name.clone())
        .collect();
    names.sort();
    Ok(names)
}

/// The glue without the functions it offers the wasm that the wasm no
/// longer imports (those only the removed stream adapters called). Each is
/// one member of the `import0` object, from its `NAME: function` line to
/// the line that closes it. When the glue is not shaped as expected, it is
/// kept as it is.
pub fn without_unused_imports(glue: &str, imported: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut lines = glue.lines();
    let mut inside = false;
    while let Some(line) = lines.next() {
        if !inside {
            inside = line == "const import0 = {";
            out.push(line);
            continue;
        }
        if line == "};" {
            inside = false;
            out.push(line);
            continue;
        }
        let name = line.split_once(": function").map(|(n, _)| n).filter(|n| {
            n.starts_with("__wb") && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let Some(name) = name else {
            out.push(line);
            continue;
        };
        let mut member = vec![line];
        let mut depth = line.matches('{').count() as i64 - line.matches('}').count() as i64;
        while depth > 0 {
            let Some(inner) = lines.next() else {
                return glue.to_owned();
            };
            depth += inner.matches('{').count() as i64 - inner.matches('}').count() as i64;
            member.push(inner);
        }
        if depth < 0 {
            return glue.to_owned();
        }
        if imported.binary_search_by(|i| i.as_str().cmp(name)).is_ok() {
            out.extend(member);
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// A script's words in every language, as a JavaScript object literal:
/// `{"id":{"key":"text",…},"en":{…},"ban":{…}}`.
fn script_words(section: &str) -> String {
    let all: serde_json::Map<String, serde_json::Value> = Locale::ALL
        .iter()
        .map(|&l| {
            let words: serde_json::Map<String, serde_json::Value> = words::script_words(section, l)
                .into_iter()
                .map(|(k, t)| (k.to_owned(), serde_json::Value::from(t)))
                .collect();
            (l.key().to_owned(), serde_json::Value::Object(words))
        })
        .collect();
    serde_json::Value::Object(all).to_string()
}

/// A script from `public/`, compacted, with its words put in.
fn script(name: &str, section: &str) -> Result<String> {
    let source = std::fs::read_to_string(root().join("public").join(name))
        .map_err(|e| format!("public/{name}: {e}"))?;
    if !source.contains("__ADUAN_WORDS__") {
        return Err(format!(
            "public/{name} has no __ADUAN_WORDS__ for its words"
        ));
    }
    Ok(compact_glue(&source).replace("__ADUAN_WORDS__", &script_words(section)))
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
    /// `slots.js`: the form's file choosers and rating slot, loaded with
    /// the wasm.
    pub slots: Sizes,
    /// The widget's words in the page's language, fetched with the wasm.
    pub words: Sizes,
}

/// The build machine's folders of downloaded crates, each told to rustc as
/// a prefix to leave out of the paths the wasm keeps (in its panic
/// messages): the bundle does not name the machine it was built on, is
/// the same wherever it is built, and is smaller.
fn path_remaps() -> Vec<String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let Some(sources) = home.map(|h| h.join("registry").join("src")) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&sources) else {
        return Vec::new();
    };
    let mut remaps: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.path().to_str().map(str::to_owned))
        .filter(|p| !p.contains(['"', '\\', '=']))
        .map(|p| format!("\"--remap-path-prefix={p}/=\""))
        .collect();
    remaps.sort();
    remaps
}

/// Builds the bundle into `public/dist/`.
pub fn build(bindgen: &Path) -> Result<Bundle> {
    // Added to the target's flags in .cargo/config.toml (arrays given with
    // `--config` are joined to the file's).
    let remaps = format!(
        "target.wasm32-unknown-unknown.rustflags=[{}]",
        path_remaps().join(",")
    );
    run(cargo().args([
        "rustc",
        "--config",
        &remaps,
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
    let glue =
        std::fs::read_to_string(bound.join("aduan_widget.js")).map_err(|e| format!("glue: {e}"))?;
    let glue = without_classes(&compact_glue(&glue));
    let wasm = std::fs::read(bound.join("aduan_widget_bg.wasm"))
        .map_err(|e| format!("bound wasm: {e}"))?;
    let wasm = without_unused_exports(&wasm, &glue)?;
    let glue = without_unused_imports(&glue, &imports_used(&wasm)?);
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
    // The widget's words, one file a language: the loader fetches the
    // page's with the wasm and another only when a citizen switches.
    // One hash names the three files (the loader builds a name from it and
    // the language), so a change in any one renames all three.
    let files: Vec<(Locale, String)> = Locale::ALL
        .iter()
        .map(|&locale| {
            // The widget's lines, then the file choosers' (the loader
            // splits them).
            let mut lines = words::widget_lines(locale).to_owned();
            for (_, text) in words::script_words("files", locale) {
                lines.push('\n');
                lines.push_str(text);
            }
            (locale, lines)
        })
        .collect();
    let all: Vec<u8> = files
        .iter()
        .flat_map(|(_, l)| l.bytes().chain([0]))
        .collect();
    let words_prefix = format!("words.{:016x}.", fnv64(&all));
    let mut word_sizes = Vec::new();
    for (locale, lines) in &files {
        let name = format!("{words_prefix}{}.txt", locale.key());
        word_sizes.push((name.clone(), publish(&dist, &name, lines.as_bytes())?));
    }
    // Photos and documents, loaded only when a citizen chooses a file.
    let attach = script("attach.js", "attach")?;
    let attach_name = format!("attach.{:016x}.js", fnv64(attach.as_bytes()));
    let attach_sizes = publish(&dist, &attach_name, attach.as_bytes())?;
    // A region's public record, loaded only by a page that shows it.
    let stats = script("stats.js", "stats")?;
    let stats_name = format!("stats.{:016x}.js", fnv64(stats.as_bytes()));
    let stats_sizes = publish(&dist, &stats_name, stats.as_bytes())?;
    // The reporter's rating form in the tracker, loaded when it shows.
    let rate = script("rate.js", "rate")?;
    let rate_name = format!("rate.{:016x}.js", fnv64(rate.as_bytes()));
    let rate_sizes = publish(&dist, &rate_name, rate.as_bytes())?;
    // Complaints like the one being filed, loaded once its category and
    // district are chosen.
    let similar = script("similar.js", "similar")?;
    let similar_name = format!("similar.{:016x}.js", fnv64(similar.as_bytes()));
    publish(&dist, &similar_name, similar.as_bytes())?;
    // The form's slots around the wasm, loaded with it.
    let slots = std::fs::read_to_string(root().join("public/slots.js"))
        .map_err(|e| format!("public/slots.js: {e}"))?;
    let slots = compact_glue(&slots)
        .replace("__ADUAN_ATTACH__", &format!("dist/{attach_name}"))
        .replace("__ADUAN_RATE__", &format!("dist/{rate_name}"))
        .replace("__ADUAN_SIMILAR__", &format!("dist/{similar_name}"));
    let slots_name = format!("slots.{:016x}.js", fnv64(slots.as_bytes()));
    let slots_sizes = publish(&dist, &slots_name, slots.as_bytes())?;
    // The loader is served at /widget.js; the hashed files sit under /dist/.
    let script = script("loader.js", "loader")?
        .replace("__ADUAN_GLUE__", &format!("dist/{glue_name}"))
        .replace("__ADUAN_WASM__", &format!("dist/{wasm_name}"))
        .replace("__ADUAN_SLOTS__", &format!("dist/{slots_name}"))
        .replace("__ADUAN_STATS__", &format!("dist/{stats_name}"))
        .replace("__ADUAN_WIDGET_WORDS__", &words::WIDGET_WORDS.to_string())
        .replace("__ADUAN_WORD_FILES__", &format!("dist/{words_prefix}"));
    let js_sizes = publish(&dist, "widget.js", script.as_bytes())?;
    println!("widget bundle in public/dist/:");
    for (name, size) in [
        ("widget.js", js_sizes),
        (glue_name.as_str(), glue_sizes),
        (wasm_name.as_str(), wasm_sizes),
        (attach_name.as_str(), attach_sizes),
        (stats_name.as_str(), stats_sizes),
        (rate_name.as_str(), rate_sizes),
        (slots_name.as_str(), slots_sizes),
    ]
    .into_iter()
    .chain(word_sizes.iter().map(|(n, s)| (n.as_str(), *s)))
    {
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
        slots: slots_sizes,
        words: word_sizes[0].1,
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
    fn exported_classes_leave_the_glue_with_their_finalizers() {
        let glue = "export class Sink {\nwrite(a) {\nif (a) {\nwasm.sink_write(a);\n}\n}\n}\n\
                    if (Symbol.dispose) Sink.prototype[Symbol.dispose] = Sink.prototype.free;\n\
                    export function mount(c) {\nreturn wasm.mount(c);\n}\n\
                    const SinkFinalization = (typeof FinalizationRegistry === 'undefined')\n\
                    ? { register: () => {}, unregister: () => {} }\n\
                    : new FinalizationRegistry(ptr => wasm.__wbg_sink_free(ptr, 1));\n\
                    function keep() {}\n";
        let out = super::without_classes(glue);
        assert_eq!(
            out,
            "export function mount(c) {\nreturn wasm.mount(c);\n}\nfunction keep() {}\n"
        );
        assert_eq!(
            super::exports_used(glue),
            ["__wbg_sink_free", "mount", "sink_write"]
        );
        assert_eq!(super::exports_used(&out), ["mount"]);
    }

    #[test]
    fn functions_the_wasm_no_longer_imports_leave_the_glue() {
        let glue = "function keep() {}\nconst import0 = {\n__proto__: null,\n\
                    __wbg_used_1: function(a) {\nif (a) {\nreturn 1;\n}\n},\n\
                    __wbg_unused_2: function() { return handleError(function (a) {\na.b();\n}, arguments); },\n\
                    __wbindgen_init: function() {\n},\n};\nreturn import0;\n";
        let imported = ["__wbg_used_1".to_owned(), "__wbindgen_init".to_owned()];
        assert_eq!(
            super::without_unused_imports(glue, &imported),
            "function keep() {}\nconst import0 = {\n__proto__: null,\n\
             __wbg_used_1: function(a) {\nif (a) {\nreturn 1;\n}\n},\n\
             __wbindgen_init: function() {\n},\n};\nreturn import0;\n"
        );
        // A member that never closes: the glue stays as it is.
        let open = "const import0 = {\n__wbg_x_1: function() {\n";
        assert_eq!(super::without_unused_imports(open, &[]), open);
    }

    #[test]
    fn glue_that_still_names_a_class_is_kept_whole() {
        for glue in [
            "export class Sink {\nf() {}\n}\nnew Sink();\n",
            "export class Sink {\nf() {\n}\n",
            "export class Sink extends Base {\n}\n",
        ] {
            assert_eq!(super::without_classes(glue), glue);
        }
    }

    #[test]
    fn glue_with_a_string_across_lines_is_kept_as_written() {
        for glue in ["const s = `a\n    // b\n`;\n", "const s = 'a\\\n    b';\n"] {
            assert_eq!(compact_glue(glue), glue);
        }
    }
}
