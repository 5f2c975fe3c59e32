//! Writes every text-layer fixture as `DIR/NAME.pdf` with its expected lines in `DIR/NAME.expected.txt`
//! (pages separated by a form feed; the first line says the expected error, if any).
//!
//! Usage: `cargo run --example write_fixtures -- DIR`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write_fixtures DIR");
        return ExitCode::from(2);
    };
    if let Err(e) = run(&dir) {
        eprintln!("write_fixtures: {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn run(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for f in yujuesuan::fixture::text_layer_fixtures() {
        std::fs::write(dir.join(format!("{}.pdf", f.name)), &f.bytes)?;
        let mut expected = String::new();
        if let Some(err) = f.error {
            expected.push_str(&format!("ERROR {err:?}\n"));
        }
        let pages: Vec<String> = f
            .pages
            .iter()
            .map(|p| p.iter().map(|l| format!("{l}\n")).collect())
            .collect();
        expected.push_str(&pages.join("\u{c}"));
        std::fs::write(dir.join(format!("{}.expected.txt", f.name)), expected)?;
    }
    Ok(())
}
