//! Purpose: the dashboard's charts as inline SVG drawn by the server — horizontal bars (the
//! funnel, drop-off, reps) and stacked weekly columns — so no JavaScript is needed. Every
//! label goes through maud, which escapes it.

use maud::{Markup, html};

/// One bar's segment: a value and its CSS class (which sets the colour).
pub struct Part {
    /// How much.
    pub value: i64,
    /// `c0`, `c1`, … (see the page's style).
    pub class: &'static str,
}

/// A labelled bar made of stacked parts.
pub struct Bar {
    /// Shown left of the bar.
    pub label: String,
    /// Its segments, left to right.
    pub parts: Vec<Part>,
    /// Shown right of the bar (default: the total).
    pub note: Option<String>,
}

const WIDTH: f64 = 600.0;
const LABEL: f64 = 150.0;
const ROW: f64 = 26.0;
/// Room right of the longest bar for its note ("277 answered, 12 stopped").
const NOTE: f64 = 190.0;

fn width_of(value: i64, max: i64) -> f64 {
    if max <= 0 {
        0.0
    } else {
        (value as f64 / max as f64) * (WIDTH - LABEL - NOTE)
    }
}

/// Horizontal stacked bars, scaled to the largest total; `title` names the chart for
/// screen readers and tests.
pub fn bars(title: &str, bars: &[Bar]) -> Markup {
    let max = bars
        .iter()
        .map(|bar| bar.parts.iter().map(|part| part.value).sum::<i64>())
        .max()
        .unwrap_or(0);
    let height = ROW * bars.len() as f64 + 8.0;
    html! {
        svg class="chart" role="img" aria-label=(title) viewBox=(format!("0 0 {WIDTH} {height}"))
            preserveAspectRatio="xMinYMin meet" {
            title { (title) }
            @for (index, bar) in bars.iter().enumerate() {
                @let y = 4.0 + ROW * index as f64;
                @let total: i64 = bar.parts.iter().map(|part| part.value).sum();
                text x="0" y=(y + 16.0) class="label" { (bar.label) }
                @let mut x = LABEL;
                @for part in &bar.parts {
                    @let w = width_of(part.value, max);
                    rect x=(format!("{x:.1}")) y=(y) width=(format!("{w:.1}")) height=(ROW - 8.0) class=(part.class) {}
                    ({ x += w; "" })
                }
                text x=(format!("{:.1}", x + 6.0)) y=(y + 16.0) class="value" {
                    (bar.note.clone().unwrap_or_else(|| total.to_string()))
                }
            }
        }
    }
}

/// Stacked columns, one per slice (a week), scaled to the tallest; `legend` names the parts.
pub fn columns(
    title: &str,
    slices: &[(String, Vec<Part>)],
    legend: &[(&str, &'static str)],
) -> Markup {
    let max = slices
        .iter()
        .map(|(_, parts)| parts.iter().map(|part| part.value).sum::<i64>())
        .max()
        .unwrap_or(0);
    let plot = 160.0;
    let count = slices.len().max(1) as f64;
    let step = (WIDTH - 40.0) / count;
    html! {
        svg class="chart" role="img" aria-label=(title) viewBox=(format!("0 0 {WIDTH} 220"))
            preserveAspectRatio="xMinYMin meet" {
            title { (title) }
            text x="0" y="12" class="value" { (max) }
            @for (index, (key, parts)) in slices.iter().enumerate() {
                @let x = 40.0 + step * index as f64;
                @let mut top = 20.0 + plot;
                @for part in parts {
                    @let h = if max > 0 { part.value as f64 / max as f64 * plot } else { 0.0 };
                    ({ top -= h; "" })
                    rect x=(format!("{x:.1}")) y=(format!("{top:.1}")) width=(format!("{:.1}", (step * 0.8).max(1.0)))
                        height=(format!("{h:.1}")) class=(part.class) {
                        title { (key) ": " (part.value) }
                    }
                }
                @if index % ((slices.len() / 6).max(1)) == 0 {
                    text x=(format!("{x:.1}")) y="200" class="tick" { (key) }
                }
            }
            @for (index, (name, class)) in legend.iter().enumerate() {
                @let x = 40.0 + 110.0 * index as f64;
                rect x=(x) y="206" width="10" height="10" class=(*class) {}
                text x=(x + 14.0) y="215" class="tick" { (name) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let chart = bars(
            "funnel",
            &[
                Bar {
                    label: "<b>started</b>".into(),
                    parts: vec![Part {
                        value: 10,
                        class: "c0",
                    }],
                    note: None,
                },
                Bar {
                    label: "SQL".into(),
                    parts: vec![Part {
                        value: 5,
                        class: "c1",
                    }],
                    note: Some("5 (50%)".into()),
                },
            ],
        )
        .into_string();
        assert!(chart.contains("&lt;b&gt;started&lt;/b&gt;"), "{chart}");
        assert!(chart.contains(r#"width="260.0""#), "{chart}");
        assert!(chart.contains(r#"width="130.0""#), "{chart}");
        assert!(chart.contains("5 (50%)"));
    }
}
