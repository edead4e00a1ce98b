//! The animated item of a panel ([`Plot::animate`](super::Plot::animate)), in SMIL inside the SVG,
//! so it plays inline in JupyterLab and in browsers; a static renderer shows the first frame.

use super::axes::Frame;
use super::item::Style;
use super::svg::{self, css};
use crate::display::text_width_em;
use std::fmt::Write;

/// SMIL animation: the trail grows one segment per frame, the current point jumps along, and each
/// frame's caption shows in the upper-right corner. The loop holds the last frame for 1.5 s.
pub(super) fn animation(
    clipped: &mut String,
    on_top: &mut String,
    fr: &Frame,
    path: &[(f64, f64)],
    captions: &[String],
    frame_ms: u32,
    st: &Style,
) {
    let n = path.len();
    let step = frame_ms as f64 / 1000.0;
    let dur = n as f64 * step + 1.5;
    let t = |i: usize| i as f64 * step / dur;
    let px: Vec<(f64, f64)> = path.iter().map(|&p| fr.map(p)).collect();
    for i in 1..n {
        let _ = write!(
            clipped,
            "<path d=\"M{:.1} {:.1}L{:.1} {:.1}\" {} visibility=\"hidden\">{}</path>",
            px[i - 1].0,
            px[i - 1].1,
            px[i].0,
            px[i].1,
            svg::stroke(st.color, st.width, false, 0.8),
            svg::visible_between(t(i), None, dur)
        );
    }
    let times: Vec<String> = (0..n).map(|i| format!("{:.4}", t(i))).collect();
    let xs: Vec<String> = px.iter().map(|p| format!("{:.1}", p.0)).collect();
    let ys: Vec<String> = px.iter().map(|p| format!("{:.1}", p.1)).collect();
    let anim = |attr: &str, values: &[String]| {
        format!(
            "<animate attributeName=\"{attr}\" values=\"{}\" keyTimes=\"{}\" calcMode=\"discrete\" dur=\"{dur:.3}s\" repeatCount=\"indefinite\"/>",
            values.join(";"),
            times.join(";")
        )
    };
    let _ = write!(
        clipped,
        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"7\" fill=\"{}\" stroke=\"white\" stroke-width=\"1.5\">{}{}</circle>",
        px[0].0,
        px[0].1,
        css(st.color),
        anim("cx", &xs),
        anim("cy", &ys)
    );
    let (_, top, right, _) = fr.rect();
    for (i, c) in captions.iter().enumerate() {
        let end = if i + 1 < n { Some(t(i + 1)) } else { None };
        let vis = if i == 0 { "" } else { " visibility=\"hidden\"" };
        let w = text_width_em(c) * 14.0 + 14.0;
        let _ = write!(
            on_top,
            "<g{vis}>{}<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"24\" rx=\"4\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#cccccc\"/>",
            svg::visible_between(t(i), end, dur),
            right - 10.0 - w,
            top + 8.0
        );
        svg::text(on_top, right - 17.0, top + 25.0, c, 14.0, "end", "");
        on_top.push_str("</g>");
    }
}
