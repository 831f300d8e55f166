//! Bar charts drawn on the server as inline SVG (no chart library, no
//! script): a labelled bar per figure, scaled to the chart's maximum. The
//! SVG is `role="img"` with an `aria-label` that reads every figure; the
//! page puts the same figures in a table beside it.

use maud::{html, Markup};

/// One bar: its label, its value and how the value is written.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

const ROW: f64 = 28.0;
const LABEL_W: f64 = 150.0;
const BAR_W: f64 = 360.0;
const TEXT_W: f64 = 90.0;

/// A horizontal bar chart; `max` is the value of a full bar (at least the
/// largest value; 0 draws empty bars).
pub fn bars(label: &str, bars: &[Bar], max: f64) -> Markup {
    let max = bars.iter().map(|b| b.value).fold(max, f64::max);
    let height = ROW * bars.len().max(1) as f64 + 8.0;
    let width = LABEL_W + BAR_W + TEXT_W;
    let figures: Vec<String> = bars
        .iter()
        .map(|b| format!("{} {}", b.label, b.text))
        .collect();
    let aria = format!("{label}: {}", figures.join(", "));
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(aria)
            viewBox={ "0 0 " (width) " " (height) } preserveAspectRatio="xMinYMin meet" {
            @for (i, b) in bars.iter().enumerate() {
                @let y = 4.0 + ROW * i as f64;
                @let w = if max > 0.0 { (b.value / max * BAR_W).max(0.0) } else { 0.0 };
                text.chart-label x=(LABEL_W - 8.0) y=(y + ROW * 0.65) text-anchor="end" { (b.label) }
                rect.chart-track x=(LABEL_W) y=(y + 4.0) width=(BAR_W) height=(ROW - 8.0) {}
                rect.chart-bar x=(LABEL_W) y=(y + 4.0) width=(format!("{w:.1}")) height=(ROW - 8.0) {}
                text.chart-value x=(LABEL_W + w + 6.0) y=(y + ROW * 0.65) { (b.text) }
            }
            @if bars.is_empty() {
                text.chart-label x="8" y=(ROW * 0.65) { "—" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_bar_fills_the_chart_and_the_label_reads_every_figure() {
        let svg = bars(
            "on time",
            &[
                Bar {
                    label: "T01".into(),
                    value: 50.0,
                    text: "50%".into(),
                },
                Bar {
                    label: "<T02>".into(),
                    value: 100.0,
                    text: "100%".into(),
                },
            ],
            100.0,
        )
        .into_string();
        assert!(
            svg.contains("aria-label=\"on time: T01 50%, &lt;T02&gt; 100%\""),
            "{svg}"
        );
        assert!(svg.contains("width=\"180.0\""), "half a bar: {svg}");
        assert!(svg.contains("width=\"360.0\""), "a full bar: {svg}");
        assert!(!svg.contains("<T02>"), "labels are escaped");
    }
}
