//! The heavy-tool tests' helpers: a loud skip when a tool was not installed, and a page
//! rendered by headless Chromium (a screenshot that must not be blank, the DOM it built).

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Whether the heavy tool the environment variable `var` vouches for is installed
/// (`var=1`, as `.ci/run` sets after installing it). Otherwise prints a loud SKIPPED line
/// naming `what` on the stderr handle (not with `eprintln!`, which the test harness would
/// capture), so that every run shows the skip.
pub fn tool_gate(var: &str, what: &str) -> bool {
    if std::env::var(var).as_deref() == Ok("1") {
        return true;
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n==================== SKIPPED ({what}: set {var}=1 after installing it, as .ci/run does) ===================="
    );
    false
}

/// Renders `html` (written to `dir/<name>.html`) in headless Chromium: the screenshot must
/// have more than 20 colours and more than 1 in 200 pixels that are not white, and the DOM
/// Chromium built must hold `data-finding-id="<id>"` for every id and a parsed SVG.
/// `Err` says what was wrong.
pub fn render_in_chromium(
    dir: &Path,
    name: &str,
    html: &str,
    ids: &[String],
) -> Result<(), String> {
    let page = dir.join(format!("{name}.html"));
    std::fs::write(&page, html).map_err(|e| format!("{}: {e}", page.display()))?;
    let url = format!("file://{}", page.display());
    let profile = dir.join(format!("{name}-profile"));
    let chromium = |extra: &str| -> Result<Vec<u8>, String> {
        let out = Command::new("timeout")
            .args([
                "90",
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1280,1400",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(extra)
            .arg(&url)
            .output()
            .map_err(|e| format!("cannot run chromium: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "chromium failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(out.stdout)
    };
    let shot = dir.join(format!("{name}.png"));
    chromium(&format!("--screenshot={}", shot.display()))?;
    let file = std::fs::File::open(&shot).map_err(|e| format!("{}: {e}", shot.display()))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .map_err(|e| format!("{name}: screenshot: {e}"))?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("{name}: screenshot: {e}"))?;
    let bytes = buf.get(..info.buffer_size()).unwrap_or_default();
    let px = info.color_type.samples();
    let mut colours = HashSet::new();
    let mut not_white = 0usize;
    for p in bytes.chunks(px) {
        colours.insert(p.iter().take(3).copied().collect::<Vec<u8>>());
        if p.iter().take(3).any(|&c| c < 200) {
            not_white += 1;
        }
    }
    let total = bytes.len() / px.max(1);
    if colours.len() <= 20 {
        return Err(format!("{name}: screenshot has {} colours", colours.len()));
    }
    if not_white * 200 <= total {
        return Err(format!(
            "{name}: screenshot nearly blank ({not_white}/{total})"
        ));
    }
    let dom = String::from_utf8_lossy(&chromium("--dump-dom")?).into_owned();
    if let Some(id) = ids
        .iter()
        .find(|id| !dom.contains(&format!("data-finding-id=\"{id}\"")))
    {
        return Err(format!("{name}: {id} not in the rendered DOM"));
    }
    if !dom.contains("</svg>") {
        return Err(format!("{name}: no SVG in the rendered DOM"));
    }
    Ok(())
}
