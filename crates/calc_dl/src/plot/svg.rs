//! Raw SVG for what plotters' elements do poorly: one `<path>` per curve instead of one element per
//! dash, clipping to the plot area, markers, arrows, legends and SMIL animation.
//! Everything here works in pixel coordinates.

use super::{Marker, FONT};
use crate::display::escape_html;
use plotters::style::RGBColor;
use std::fmt::Write;

/// A CSS colour `#rrggbb`.
pub(crate) fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// `M x y L x y …` for one polyline (pixel coordinates, 0.1 px precision).
pub(crate) fn path_d(out: &mut String, points: &[(f64, f64)]) {
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(out, "{}{:.1} {:.1}", if i == 0 { 'M' } else { 'L' }, x, y);
    }
}

/// Stroke attributes shared by lines, arrows and marker outlines.
pub(crate) fn stroke(color: RGBColor, width: f64, dashed: bool, opacity: f64) -> String {
    let dash = if dashed {
        format!(
            " stroke-dasharray=\"{:.1} {:.1}\"",
            4.0 * width.max(1.0),
            2.5 * width.max(1.0)
        )
    } else {
        String::new()
    };
    format!(
        "fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" stroke-opacity=\"{opacity}\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{dash}",
        css(color)
    )
}

/// A marker centred at `(x, y)` with "radius" `r`.
pub(crate) fn marker(
    out: &mut String,
    m: Marker,
    x: f64,
    y: f64,
    r: f64,
    color: RGBColor,
    extra: &str,
) {
    let fill = format!(
        "fill=\"{}\" stroke=\"white\" stroke-width=\"0.8\"{extra}",
        css(color)
    );
    match m {
        Marker::Circle => {
            let _ = write!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" {fill}/>"
            );
        }
        Marker::Square => {
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" {fill}/>",
                x - r,
                y - r,
                2.0 * r,
                2.0 * r
            );
        }
        Marker::Triangle | Marker::Star => {
            let (corners, inner) = if m == Marker::Star {
                (5, 0.42)
            } else {
                (3, 1.0)
            };
            let steps = if m == Marker::Star {
                2 * corners
            } else {
                corners
            };
            let pts: Vec<(f64, f64)> = (0..steps)
                .map(|k| {
                    let a = -std::f64::consts::FRAC_PI_2
                        + k as f64 * std::f64::consts::TAU / steps as f64;
                    let rr = if k % 2 == 1 && m == Marker::Star {
                        r * inner
                    } else {
                        r
                    };
                    (x + rr * a.cos(), y + rr * a.sin())
                })
                .collect();
            out.push_str("<path d=\"");
            path_d(out, &pts);
            let _ = write!(out, "Z\" {fill}/>");
        }
    }
}

/// An arrow from `a` to `b` with a filled head of length `head` pixels.
pub(crate) fn arrow(
    out: &mut String,
    a: (f64, f64),
    b: (f64, f64),
    color: RGBColor,
    width: f64,
    head: f64,
) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = dx.hypot(dy);
    if len < 1e-9 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let head = head.min(0.6 * len);
    let base = (b.0 - ux * head, b.1 - uy * head);
    let half = 0.45 * head;
    let _ = write!(out, "<path d=\"");
    path_d(out, &[a, base]);
    let _ = write!(out, "\" {}/>", stroke(color, width, false, 1.0));
    let _ = write!(out, "<path d=\"");
    path_d(
        out,
        &[
            b,
            (base.0 - uy * half, base.1 + ux * half),
            (base.0 + uy * half, base.1 - ux * half),
        ],
    );
    let _ = write!(out, "Z\" fill=\"{}\"/>", css(color));
}

/// Text with the crate's Korean-capable font list; `anchor` is `start`, `middle` or `end`.
pub(crate) fn text(
    out: &mut String,
    x: f64,
    y: f64,
    s: &str,
    size: f64,
    anchor: &str,
    extra: &str,
) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-family=\"{}\" font-size=\"{size}\" text-anchor=\"{anchor}\"{extra}>{}</text>",
        escape_html(FONT),
        escape_html(s)
    );
}

/// A SMIL `<animate>` that shows an element from `start` to `end` (fractions of the loop), hidden
/// otherwise; discrete so that a frame never blends into the next.
pub(crate) fn visible_between(start: f64, end: Option<f64>, dur: f64) -> String {
    let (values, times) = match (start <= 0.0, end) {
        (true, None) => return String::new(),
        (true, Some(e)) => ("visible;hidden".to_string(), format!("0;{e:.4}")),
        (false, None) => ("hidden;visible".to_string(), format!("0;{start:.4}")),
        (false, Some(e)) => (
            "hidden;visible;hidden".to_string(),
            format!("0;{start:.4};{e:.4}"),
        ),
    };
    format!(
        "<animate attributeName=\"visibility\" values=\"{values}\" keyTimes=\"{times}\" calcMode=\"discrete\" dur=\"{dur:.3}s\" repeatCount=\"indefinite\"/>"
    )
}
