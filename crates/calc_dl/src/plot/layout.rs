//! Boxes over the data: the legend and the note, each placed where it hides the fewest data pixels
//! (or in the corner asked for), the note never over the legend.

use super::axes::Frame;
use super::item::{Item, Kind};
use super::render::stroked;
use super::svg::{self, css};
use super::{Legend, Marker, Plot};
use crate::display::text_width_em;
use std::fmt::Write;

impl Plot {
    /// Pixel positions covered by data, lines densified every 8 px, for placing boxes where they hide little.
    pub(super) fn data_pixels(&self, fr: &Frame) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut polyline = |pts: &[(f64, f64)]| {
            let px: Vec<(f64, f64)> = pts
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|&p| fr.map(p))
                .collect();
            for w in px.windows(2) {
                let n = ((w[1].0 - w[0].0).hypot(w[1].1 - w[0].1) / 8.0)
                    .ceil()
                    .min(200.0) as usize;
                out.extend((0..n).map(|k| {
                    let t = k as f64 / n as f64;
                    (
                        w[0].0 + t * (w[1].0 - w[0].0),
                        w[0].1 + t * (w[1].1 - w[0].1),
                    )
                }));
            }
            out.extend(px.last());
        };
        for it in &self.items {
            match &it.kind {
                Kind::Line(p) | Kind::Animation { path: p, .. } => polyline(p),
                Kind::Points(p) => p.iter().for_each(|&q| polyline(&[q])),
                Kind::Fill(xs, lo, hi) => {
                    polyline(
                        &xs.iter()
                            .copied()
                            .zip(hi.iter().copied())
                            .collect::<Vec<_>>(),
                    );
                    polyline(
                        &xs.iter()
                            .copied()
                            .zip(lo.iter().copied())
                            .collect::<Vec<_>>(),
                    );
                }
                Kind::Segments(segs) => segs.iter().for_each(|s| polyline(s)),
                Kind::Arrow(a, b) => polyline(&[*a, *b]),
                _ => {}
            }
        }
        out
    }

    /// Top-left corner for a `w x h` box: the wanted corner, or for `Best` the place among corners and
    /// edge centres (matplotlib's order, upper right first) that covers the fewest data pixels and
    /// does not overlap `avoid`.
    fn place(
        &self,
        fr: &Frame,
        (w, h): (f64, f64),
        wanted: Legend,
        pixels: &[(f64, f64)],
        avoid: Option<(f64, f64, f64, f64)>,
    ) -> (f64, f64) {
        let (l, t, r, b) = fr.rect();
        let (xl, xc, xr) = (l + 10.0, (l + r - w) / 2.0, r - w - 10.0);
        let (yt, yc, yb) = (t + 10.0, (t + b - h) / 2.0, b - h - 10.0);
        let spots = [
            (Legend::UpperRight, (xr, yt)),
            (Legend::UpperLeft, (xl, yt)),
            (Legend::LowerLeft, (xl, yb)),
            (Legend::LowerRight, (xr, yb)),
            (Legend::Best, (xr, yc)),
            (Legend::Best, (xl, yc)),
            (Legend::Best, (xc, yb)),
            (Legend::Best, (xc, yt)),
        ];
        if wanted != Legend::Best {
            return spots
                .iter()
                .find(|s| s.0 == wanted)
                .map_or(spots[0].1, |s| s.1);
        }
        let cost = |&(x, y): &(f64, f64)| {
            let hidden = pixels
                .iter()
                .filter(|p| p.0 >= x && p.0 <= x + w && p.1 >= y && p.1 <= y + h)
                .count();
            let clash = avoid.is_some_and(|(ax, ay, aw, ah)| {
                x < ax + aw && ax < x + w && y < ay + ah && ay < y + h
            });
            hidden + if clash { 1_000_000 } else { 0 }
        };
        spots
            .iter()
            .map(|s| s.1)
            .min_by_key(cost)
            .unwrap_or(spots[0].1)
    }

    pub(super) fn legend_svg(
        &self,
        fr: &Frame,
        out: &mut String,
        pixels: &[(f64, f64)],
    ) -> Option<(f64, f64, f64, f64)> {
        let entries: Vec<&Item> = self
            .items
            .iter()
            .filter(|it| !it.style.label.is_empty())
            .collect();
        if entries.is_empty() || self.legend == Legend::Hidden {
            return None;
        }
        let font = 13.0;
        let row = 20.0;
        let text_w = entries
            .iter()
            .map(|e| text_width_em(&e.style.label))
            .fold(0.0, f64::max)
            * font;
        let (w, h) = (44.0 + text_w + 10.0, row * entries.len() as f64 + 8.0);
        let (x0, y0) = self.place(fr, (w, h), self.legend, pixels, None);
        let _ = write!(
            out,
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"4\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>"
        );
        for (i, it) in entries.iter().enumerate() {
            let cy = y0 + 4.0 + row * (i as f64 + 0.5);
            swatch(out, it, (x0 + 8.0, x0 + 36.0), cy);
            svg::text(out, x0 + 44.0, cy + 4.5, &it.style.label, font, "start", "");
        }
        Some((x0, y0, w, h))
    }

    pub(super) fn note_svg(
        &self,
        fr: &Frame,
        out: &mut String,
        pixels: &[(f64, f64)],
        avoid: Option<(f64, f64, f64, f64)>,
    ) {
        if self.note.is_empty() {
            return;
        }
        let lines: Vec<&str> = self.note.lines().collect();
        let font = 13.0;
        let w = lines.iter().map(|s| text_width_em(s)).fold(0.0, f64::max) * font + 14.0;
        let h = 18.0 * lines.len() as f64 + 8.0;
        let (x0, y0) = self.place(fr, (w, h), Legend::Best, pixels, avoid);
        let _ = write!(
            out,
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"5\" fill=\"#f5deb3\" fill-opacity=\"0.6\" stroke=\"#b8a07a\"/>"
        );
        for (i, s) in lines.iter().enumerate() {
            svg::text(
                out,
                x0 + 7.0,
                y0 + 18.0 * (i as f64 + 1.0),
                s,
                font,
                "start",
                "",
            );
        }
    }
}

/// What a legend entry shows of its item, between `sx0` and `sx1` at height `cy`: a patch of a fill,
/// an arrow, a marker of points, otherwise the line's stroke and marker.
fn swatch(out: &mut String, it: &Item, (sx0, sx1): (f64, f64), cy: f64) {
    let st = &it.style;
    let mid = (sx0 + sx1) / 2.0;
    match &it.kind {
        Kind::Fill(..) => {
            let _ = write!(
                out,
                "<rect x=\"{sx0:.1}\" y=\"{:.1}\" width=\"28\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>",
                cy - 5.0,
                css(st.color),
                st.opacity.max(0.3)
            );
        }
        Kind::Arrow(..) => svg::arrow(out, (sx0, cy), (sx1, cy), st.color, st.width, 8.0),
        Kind::Points(_) => {
            let m = st.marker.unwrap_or(Marker::Circle);
            svg::marker(out, m, mid, cy, st.size.min(7.0), st.color, "");
        }
        _ => {
            if st.width > 0.0 {
                stroked(out, st, |d| {
                    let _ = write!(d, "M{sx0:.1} {cy:.1}H{sx1:.1}");
                });
            }
            if let Some(m) = st.marker {
                svg::marker(out, m, mid, cy, st.size.min(7.0), st.color, "");
            }
        }
    }
}
