//! The widget's stylesheet, adopted by its shadow root (a constructed
//! stylesheet, which a strict `style-src` allows). Sizes are px because rem
//! would follow the host page's root font size.
//!
//! Custom properties a webmaster may set on the host element:
//! `--aduan-accent`, `--aduan-on-accent` (chosen for contrast by the loader),
//! `--aduan-bg`, `--aduan-fg`, `--aduan-muted`, `--aduan-error`, `--aduan-radius`.
//! The loader sizes inline mounts with `--aduan-host-height` and
//! `--aduan-host-overflow` (`all: initial` leaves custom properties alone).

pub const STYLE: &str = r#"
:host{all:initial !important;display:block !important;height:var(--aduan-host-height,auto) !important;overflow:var(--aduan-host-overflow,visible) !important}
.aduan{--a:var(--aduan-accent,#0b5cad);--on-a:var(--aduan-on-accent,#fff);--bg:var(--aduan-bg,#fff);--fg:var(--aduan-fg,#1b1f24);
 --muted:var(--aduan-muted,#57606a);--err:var(--aduan-error,#a40e26);--r:var(--aduan-radius,6px);
 font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);padding:16px;box-sizing:border-box;text-align:left}
@media (prefers-color-scheme:dark){:host(:not([data-theme=light])) .aduan{--bg:var(--aduan-bg,#161b22);--fg:var(--aduan-fg,#e6edf3);--muted:var(--aduan-muted,#9198a1);--err:var(--aduan-error,#ff8182)}}
:host([data-theme=dark]) .aduan{--bg:var(--aduan-bg,#161b22);--fg:var(--aduan-fg,#e6edf3);--muted:var(--aduan-muted,#9198a1);--err:var(--aduan-error,#ff8182)}
.aduan *{box-sizing:border-box}
.aduan h2{font-size:20px;line-height:1.3;margin:0 0 8px}
.aduan h3{font-size:17px;margin:16px 0 8px}
.aduan p{margin:0 0 8px}
.top{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-bottom:12px}
.tabs{display:flex;gap:4px;flex:1}
.tab,.lang,.link{font:inherit;font-size:15px;min-height:44px;padding:8px 12px;border:1px solid var(--muted);border-radius:var(--r);background:transparent;color:var(--fg);cursor:pointer}
.tab[aria-pressed=true]{background:var(--a);color:var(--on-a);border-color:var(--a)}
.field{margin:0 0 14px;border:0;padding:0;min-width:0}
.fields{margin:0;border:0;padding:0;min-width:0}
.field label,.field legend{display:block;font-weight:600;font-size:15px;margin-bottom:4px}
.choice{display:flex !important;gap:8px;align-items:flex-start;font-weight:400 !important;min-height:44px;padding:4px 0}
.choice input{width:22px;height:22px;margin:2px 0 0;flex:none}
.help,.count{display:block;color:var(--muted);font-size:14px;font-weight:400}
.count{text-align:right}
.aduan input[type=text],.aduan input[type=email],.aduan input[type=tel],.aduan input[type=date],.aduan select,.aduan textarea{
 font:inherit;font-size:16px;width:100%;min-height:44px;padding:8px;border:1px solid var(--muted);border-radius:var(--r);background:var(--bg);color:var(--fg)}
.aduan textarea{resize:vertical;min-height:120px}
.aduan #description{min-height:168px}
.aduan [aria-invalid=true]{border:2px solid var(--err)}
.err{color:var(--err);font-size:14px;font-weight:600;margin:4px 0 0}
.primary{font:inherit;font-weight:600;min-height:48px;width:100%;padding:10px 16px;border:0;border-radius:var(--r);background:var(--a);color:var(--on-a);cursor:pointer}
.primary[disabled]{opacity:.6;cursor:progress}
.erase{font:inherit;font-size:14px;min-height:44px;width:100%;margin-top:16px;padding:8px 12px;border:1px solid var(--muted);border-radius:var(--r);background:none;color:inherit;cursor:pointer}
.aduan :focus-visible{outline:3px solid var(--a);outline-offset:2px}
.notice{padding:10px 12px;border-radius:var(--r);border:1px solid var(--muted);margin:8px 0}
.notice.bad{border-color:var(--err);color:var(--err)}
.code{font:700 26px/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:1px;user-select:all;word-break:break-all;margin:8px 0}
.history{padding-left:20px;margin:0}
.history li{margin-bottom:10px}
.history .msg{white-space:pre-wrap;margin:2px 0 0}
.muted{color:var(--muted);font-size:14px}
@media (prefers-reduced-motion:no-preference){.primary,.tab{transition:background-color .15s}}
"#;
