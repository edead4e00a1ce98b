//! Scales and ticks: the data ranges of a panel, the pixel mapping of its plot area ([`Frame`]), and
//! the axes, ticks and grid that plotters draws.

use super::input::name;
use super::item::Kind;
use super::number::{number, TICK};
use super::{draw_err, Plot, FONT};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Tick label on a log axis at view value `v = log10(y)`: `10⁻³` at whole powers, the number otherwise.
fn log_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        let k = v.round() as i64;
        let digits: String = k
            .unsigned_abs()
            .to_string()
            .bytes()
            .map(|b| SUP[(b - b'0') as usize])
            .collect();
        format!("10{}{digits}", if k < 0 { "⁻" } else { "" })
    } else {
        format!("{:.3}", 10f64.powf(v))
    }
}

/// `lo..hi` with a 5 % margin; a single value gets a unit-wide range.
fn fit(what: &str, v: &[f64]) -> Result<(f64, f64)> {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return Err(Error::empty(format!("{what} (nothing finite to plot)")));
    }
    let span = hi - lo;
    if span <= 1e-12 * lo.abs().max(1.0) {
        let d = 0.5 * lo.abs().max(1.0);
        return Ok((lo - d, hi + d));
    }
    Ok((lo - 0.05 * span, hi + 0.05 * span))
}

/// Pixel mapping of a drawn panel (y in view space: log10 on a log axis).
pub(super) struct Frame {
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub px: (f64, f64),
    pub py: (f64, f64),
    pub log_y: bool,
}

impl Frame {
    pub fn map(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let vy = if self.log_y { y.log10() } else { y };
        (
            self.px.0 + (x - self.x.0) / (self.x.1 - self.x.0) * (self.px.1 - self.px.0),
            self.py.0 + (vy - self.y.0) / (self.y.1 - self.y.0) * (self.py.1 - self.py.0),
        )
    }

    /// Pixel rectangle (left, top, right, bottom).
    pub fn rect(&self) -> (f64, f64, f64, f64) {
        (self.px.0, self.py.1, self.px.1, self.py.0)
    }
}

impl Plot {
    /// All x and view-space y values, for fitting ranges and checking log axes.
    fn values(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for it in &self.items {
            let mut add = |x: Option<f64>, y: Option<f64>| -> Result<()> {
                if let Some(x) = x.filter(|x| x.is_finite()) {
                    xs.push(x);
                }
                if let Some(y) = y.filter(|y| y.is_finite()) {
                    if self.log_y && y <= 0.0 {
                        return Err(Error::parameter(
                            format!("a y value of {}", name(&it.style.label)),
                            y,
                            "a log-scale axis needs positive values: drop zeros or use a linear axis",
                        ));
                    }
                    ys.push(if self.log_y { y.log10() } else { y });
                }
                Ok(())
            };
            match &it.kind {
                Kind::Line(p) | Kind::Points(p) | Kind::Animation { path: p, .. } => {
                    for &(x, y) in p {
                        add(Some(x), Some(y))?;
                    }
                }
                Kind::Fill(x, lo, hi) => {
                    for i in 0..x.len() {
                        add(Some(x[i]), Some(lo[i]))?;
                        add(None, Some(hi[i]))?;
                    }
                }
                Kind::Arrow(a, b) => {
                    add(Some(a.0), Some(a.1))?;
                    add(Some(b.0), Some(b.1))?;
                }
                Kind::Text(a, _) => add(Some(a.0), Some(a.1))?,
                Kind::Segments(segs) => {
                    for &[a, b] in segs {
                        add(Some(a.0), Some(a.1))?;
                        add(Some(b.0), Some(b.1))?;
                    }
                }
                Kind::HLine(y) => add(None, Some(*y))?,
                Kind::VLine(x) => add(Some(*x), None)?,
            }
        }
        Ok((xs, ys))
    }

    fn ranges(&self) -> Result<((f64, f64), (f64, f64))> {
        let (xs, ys) = self.values()?;
        let x = match self.x_range {
            Some(r) => r,
            None => fit("the plot's x data", &xs)?,
        };
        let y = match self.y_range {
            Some((lo, hi)) if self.log_y => {
                if lo <= 0.0 {
                    return Err(Error::parameter(
                        "lower end of the y range",
                        lo,
                        "a log-scale axis needs a positive range",
                    ));
                }
                (lo.log10(), hi.log10())
            }
            Some(r) => r,
            None => fit("the plot's y data", &ys)?,
        };
        Ok((x, y))
    }

    /// Draws the axes, ticks, grid and titles with plotters on `area`; the plot area's pixel mapping.
    pub(super) fn draw_axes(&self, area: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<Frame> {
        let (x, y) = self.ranges()?;
        let mut builder = ChartBuilder::on(area);
        builder
            .margin(10)
            .margin_right(22)
            .x_label_area_size(if self.x_label.is_empty() { 28 } else { 50 })
            .y_label_area_size(if self.y_label.is_empty() { 50 } else { 66 });
        if !self.title.is_empty() {
            builder.caption(&self.title, (FONT, 18));
        }
        let mut chart = builder
            .build_cartesian_2d(x.0..x.1, y.0..y.1)
            .map_err(draw_err)?;
        let log_fmt = |v: &f64| log_label(*v);
        // plotters computes ticks by adding steps, so the tick at 0 can come out as -8.5e-22: a tick
        // within a billionth of the axis span of zero is 0.
        let tick =
            |span: f64| move |v: &f64| number(if v.abs() < 1e-9 * span { 0.0 } else { *v }, TICK);
        let (x_fmt, y_fmt) = (tick(x.1 - x.0), tick(y.1 - y.0));
        let mut mesh = chart.configure_mesh();
        // plotters writes a 14 as font-size 11.3: tick labels at least 11 px where the notebook shows them.
        mesh.label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .bold_line_style(BLACK.mix(0.1))
            .light_line_style(TRANSPARENT)
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt);
        if !self.x_label.is_empty() {
            mesh.x_desc(self.x_label.as_str());
        }
        if !self.y_label.is_empty() {
            mesh.y_desc(self.y_label.as_str());
        }
        if self.log_y {
            let decades = (y.1 - y.0).floor() as usize + 1;
            mesh.y_labels(decades.clamp(2, 10))
                .y_label_formatter(&log_fmt);
        }
        mesh.draw().map_err(draw_err)?;
        let (p0, p1) = (
            chart.backend_coord(&(x.0, y.0)),
            chart.backend_coord(&(x.1, y.1)),
        );
        Ok(Frame {
            x,
            y,
            px: (p0.0 as f64, p1.0 as f64),
            py: (p0.1 as f64, p1.1 as f64),
            log_y: self.log_y,
        })
    }
}
