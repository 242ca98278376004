//! Purpose: progress bars and spinners for long CLI work (`bench --history`, `report`),
//! drawn on stderr only when it is a terminal: nothing when piped or redirected.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether to draw: stderr is a terminal.
fn visible() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// A spinner with a message, ticking on its own; hidden when stderr is not a terminal.
pub fn spinner(message: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner().with_message(message.to_string());
    spinner.set_draw_target(ProgressDrawTarget::stderr());
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// A bar counting to `total`; hidden when stderr is not a terminal.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}
