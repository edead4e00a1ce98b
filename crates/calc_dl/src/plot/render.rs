//! Drawing a panel: plotters draws the axes (`axes.rs`), then each item is written as SVG on top,
//! one small function per kind of item. Data is clipped to the plot area; text, the legend and the
//! note are not.

use super::animation::animation;
use super::axes::Frame;
use super::item::{Item, Kind, Style};
use super::svg::{self, css};
use super::{Marker, Plot};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::fmt::Write;

impl Plot {
    /// Draws the frame with plotters and appends the panel's SVG overlay.
    pub(crate) fn render(
        &self,
        area: &DrawingArea<SVGBackend<'_>, Shift>,
        index: usize,
        overlay: &mut String,
    ) -> Result<()> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.items.is_empty() {
            return Err(Error::empty("the plot (add a line, points or a function)"));
        }
        let frame = self.draw_axes(area)?;
        self.draw_overlay(&frame, index, overlay);
        Ok(())
    }

    fn draw_overlay(&self, fr: &Frame, index: usize, out: &mut String) {
        let (mut clipped, mut on_top) = (String::new(), String::new());
        for it in &self.items {
            item(&mut clipped, &mut on_top, fr, it);
        }
        let pixels = self.data_pixels(fr);
        let legend = self.legend_svg(fr, &mut on_top, &pixels);
        self.note_svg(fr, &mut on_top, &pixels, legend);

        // A content hash keeps clip ids apart when several figures share one notebook page,
        // and stays the same when the same figure is drawn again.
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        clipped.hash(&mut h);
        index.hash(&mut h);
        let id = format!("cdl{:x}", h.finish());
        let (l, t, r, b) = fr.rect();
        let _ = write!(
            out,
            "<defs><clipPath id=\"{id}\"><rect x=\"{l:.1}\" y=\"{t:.1}\" width=\"{:.1}\" height=\"{:.1}\"/></clipPath></defs><g clip-path=\"url(#{id})\">{clipped}</g>{on_top}",
            r - l,
            b - t
        );
    }
}

/// One item: data into `clipped`, text into `on_top`.
fn item(clipped: &mut String, on_top: &mut String, fr: &Frame, it: &Item) {
    let st = &it.style;
    match &it.kind {
        Kind::Line(pts) => line(clipped, fr, pts, st),
        Kind::Points(pts) => points(clipped, fr, pts, st),
        Kind::Fill(xs, lo, hi) => fill(clipped, fr, (xs, lo, hi), st),
        Kind::Segments(segs) => segments(clipped, fr, segs, st),
        Kind::Arrow(a, b) => svg::arrow(clipped, fr.map(*a), fr.map(*b), st.color, st.width, 9.0),
        Kind::Text(at, s) => text(on_top, fr, *at, s, st),
        Kind::HLine(y) => hline(clipped, fr, *y, st),
        Kind::VLine(x) => vline(clipped, fr, *x, st),
        Kind::Animation {
            path,
            captions,
            frame_ms,
        } => animation(clipped, on_top, fr, path, captions, *frame_ms, st),
    }
}

/// `<path d="…" stroke…/>` in the item's stroke; `d` writes the path data.
pub(super) fn stroked(out: &mut String, st: &Style, d: impl FnOnce(&mut String)) {
    out.push_str("<path d=\"");
    d(out);
    let _ = write!(
        out,
        "\" {}/>",
        svg::stroke(st.color, st.width, st.dashed, st.opacity)
    );
}

/// A polyline broken at non-finite points, with the item's markers on its points.
fn line(out: &mut String, fr: &Frame, pts: &[(f64, f64)], st: &Style) {
    for run in pts.split(|p| !p.0.is_finite() || !p.1.is_finite()) {
        let px: Vec<(f64, f64)> = run.iter().map(|&p| fr.map(p)).collect();
        if px.len() > 1 && st.width > 0.0 {
            stroked(out, st, |d| svg::path_d(d, &px));
        }
        if let Some(m) = st.marker {
            for &(x, y) in &px {
                svg::marker(out, m, x, y, st.size, st.color, "");
            }
        }
    }
}

fn points(out: &mut String, fr: &Frame, pts: &[(f64, f64)], st: &Style) {
    let op = format!(" fill-opacity=\"{}\"", st.opacity);
    for &p in pts {
        let (x, y) = fr.map(p);
        let m = st.marker.unwrap_or(Marker::Circle);
        svg::marker(out, m, x, y, st.size, st.color, &op);
    }
}

/// The area between `lo` and `hi` over `xs`: along `hi`, back along `lo`.
fn fill(out: &mut String, fr: &Frame, (xs, lo, hi): (&[f64], &[f64], &[f64]), st: &Style) {
    let mut px: Vec<(f64, f64)> = xs.iter().zip(hi).map(|(&x, &y)| fr.map((x, y))).collect();
    px.extend(xs.iter().zip(lo).rev().map(|(&x, &y)| fr.map((x, y))));
    out.push_str("<path d=\"");
    svg::path_d(out, &px);
    let _ = write!(
        out,
        "Z\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\"/>",
        css(st.color),
        st.opacity
    );
}

fn segments(out: &mut String, fr: &Frame, segs: &[[(f64, f64); 2]], st: &Style) {
    if segs.is_empty() {
        return;
    }
    stroked(out, st, |d| {
        for &[a, b] in segs {
            svg::path_d(d, &[fr.map(a), fr.map(b)]);
        }
    });
}

/// Text whose left end is at `at`, a little above and right of the point.
fn text(out: &mut String, fr: &Frame, at: (f64, f64), s: &str, st: &Style) {
    let (x, y) = fr.map(at);
    let fill = format!(" fill=\"{}\"", css(st.color));
    svg::text(out, x + 2.0, y - 4.0, s, 13.0, "start", &fill);
}

/// A horizontal line across the plot area, if `y` is inside it.
fn hline(out: &mut String, fr: &Frame, y: f64, st: &Style) {
    let (l, t, r, b) = fr.rect();
    let y = fr.map((fr.x.0, y)).1;
    if y >= t && y <= b {
        stroked(out, st, |d| {
            let _ = write!(d, "M{l:.1} {y:.1}H{r:.1}");
        });
    }
}

/// A vertical line across the plot area, if `x` is inside it.
fn vline(out: &mut String, fr: &Frame, x: f64, st: &Style) {
    let (l, t, r, b) = fr.rect();
    let x = fr.map((x, 1.0)).0;
    if x >= l && x <= r {
        stroked(out, st, |d| {
            let _ = write!(d, "M{x:.1} {t:.1}V{b:.1}");
        });
    }
}
