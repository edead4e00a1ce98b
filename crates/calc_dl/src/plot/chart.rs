//! [`Plot`]: one panel described as data (curves, points, fills, arrows, text), rendered on demand.

use super::svg::{self, css};
use super::{draw_err, Figure, FONT, PALETTE};
use crate::display::text_width_em;
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::fmt::Write;

/// Marker shapes for points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Star,
}

/// Where the legend goes; `Best` picks the corner that covers the fewest data points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legend {
    Best,
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
    Hidden,
}

#[derive(Debug, Clone)]
struct Style {
    color: RGBColor,
    width: f64,
    dashed: bool,
    marker: Option<Marker>,
    size: f64,
    opacity: f64,
    label: String,
}

#[derive(Debug, Clone)]
enum Kind {
    /// A polyline; NaN points break it.
    Line(Vec<(f64, f64)>),
    /// Markers only.
    Points(Vec<(f64, f64)>),
    /// The area between two curves over the same xs.
    Fill(Vec<f64>, Vec<f64>, Vec<f64>),
    Arrow((f64, f64), (f64, f64)),
    Text((f64, f64), String),
    HLine(f64),
    VLine(f64),
    /// Separate line segments drawn as one path (contour lines, residuals).
    Segments(Vec<[(f64, f64); 2]>),
    /// A point that moves along the path, leaving a trail; one caption per frame.
    Animation {
        path: Vec<(f64, f64)>,
        captions: Vec<String>,
        frame_ms: u32,
    },
}

#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    style: Style,
}

/// One panel: build it with chained calls, then [`Plot::figure`] (or let evcxr show it).
///
/// Styling calls (`color`, `width`, `dashed`, `marker`, `opacity`) change the item added last.
/// Invalid data (empty, NaN, mismatched lengths, bad ranges) is remembered and reported by
/// [`Plot::figure`], so a chain never panics.
///
/// ```
/// use calc_dl::plot::{Marker, Plot};
/// let fig = Plot::new()
///     .title("Derivative = Tangent Line Slope")
///     .function(|x| x * x, (-3.0, 3.0), "f(x) = x²")
///     .line(&[0.5, 2.5], &[-1.0, 5.0], "tangent at x=1.5").dashed()
///     .point(1.5, 2.25, "").marker(Marker::Circle)
///     .y_range(-2.0, 10.0)
///     .figure()?;
/// assert!(fig.svg().contains("tangent at x=1.5"));
/// assert!(Plot::new().line(&[1.0, f64::NAN], &[0.0, 1.0], "bad").figure().is_err());
/// # Ok::<(), calc_dl::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Plot {
    title: String,
    x_label: String,
    y_label: String,
    x_range: Option<(f64, f64)>,
    y_range: Option<(f64, f64)>,
    log_y: bool,
    size: (u32, u32),
    legend: Legend,
    note: String,
    items: Vec<Item>,
    colors_used: usize,
    error: Option<Error>,
}

impl Default for Plot {
    fn default() -> Self {
        Self::new()
    }
}

impl Plot {
    /// An empty panel, 480 x 400 pixels.
    pub fn new() -> Self {
        Plot {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            x_range: None,
            y_range: None,
            log_y: false,
            size: (480, 400),
            legend: Legend::Best,
            note: String::new(),
            items: Vec::new(),
            colors_used: 0,
            error: None,
        }
    }

    pub fn title(mut self, s: impl Into<String>) -> Self {
        self.title = s.into();
        self
    }

    pub fn x_label(mut self, s: impl Into<String>) -> Self {
        self.x_label = s.into();
        self
    }

    pub fn y_label(mut self, s: impl Into<String>) -> Self {
        self.y_label = s.into();
        self
    }

    /// Fixes the x range (otherwise it fits the data with a small margin).
    pub fn x_range(mut self, lo: f64, hi: f64) -> Self {
        let r = check_range("x range", (lo, hi));
        self.x_range = self.keep(r);
        self
    }

    /// Fixes the y range; whatever falls outside is clipped, like `plt.ylim`.
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        let r = check_range("y range", (lo, hi));
        self.y_range = self.keep(r);
        self
    }

    /// Logarithmic y axis (every y value must then be positive).
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    /// Panel size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        if width < 100 || height < 80 {
            self.fail(Error::parameter(
                "plot size",
                width.min(height) as f64,
                "a panel needs at least 100 x 80 pixels",
            ));
        } else {
            self.size = (width, height);
        }
        self
    }

    pub fn legend(mut self, place: Legend) -> Self {
        self.legend = place;
        self
    }

    /// A boxed note in the upper-left corner (like matplotlib's `ax.text(0.05, 0.95, ...)`); `\n` breaks lines.
    pub fn note(mut self, s: impl Into<String>) -> Self {
        self.note = s.into();
        self
    }

    /// A line through `(xs[i], ys[i])`; an empty `label` leaves it out of the legend.
    pub fn line(mut self, xs: &[f64], ys: &[f64], label: &str) -> Self {
        let pts = self.pairs(xs, ys, label);
        self.push(Kind::Line(pts), label, 2.0)
    }

    /// Points without a line.
    pub fn scatter(mut self, xs: &[f64], ys: &[f64], label: &str) -> Self {
        let pts = self.pairs(xs, ys, label);
        self.push(Kind::Points(pts), label, 0.0)
            .marker(Marker::Circle)
    }

    /// A line through `(x, y)` pairs, e.g. a descent path.
    pub fn path(self, points: &[(f64, f64)], label: &str) -> Self {
        let (xs, ys): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
        self.line(&xs, &ys, label)
    }

    /// One marker (a star by default), e.g. a start point or a minimum.
    pub fn point(self, x: f64, y: f64, label: &str) -> Self {
        self.scatter(&[x], &[y], label)
            .marker(Marker::Star)
            .marker_size(9.0)
    }

    /// `f` sampled at 300 points of `[lo, hi]`; points where `f` is not finite break the curve.
    pub fn function(mut self, f: impl Fn(f64) -> f64, (lo, hi): (f64, f64), label: &str) -> Self {
        if let Err(e) = check_range(&format!("range of {}", name(label)), (lo, hi)) {
            self.fail(e);
            return self;
        }
        let (xs, ys) = samples(&f, (lo, hi), 300);
        let pts: Vec<(f64, f64)> = xs.into_iter().zip(ys).collect();
        if pts.iter().all(|p| p.1.is_nan()) {
            self.fail(Error::non_finite(
                format!("{} on [{lo}, {hi}]", name(label)),
                f64::NAN,
            ));
        }
        self.push(Kind::Line(pts), label, 2.0)
    }

    /// Shades between `lower` and `upper` over `xs` (`plt.fill_between`); 25 % opaque by default.
    pub fn fill_between(mut self, xs: &[f64], lower: &[f64], upper: &[f64], label: &str) -> Self {
        let a = self.pairs(xs, lower, label);
        let b = self.pairs(xs, upper, label);
        let (xs, lo) = a.into_iter().unzip();
        let hi = b.into_iter().map(|p| p.1).collect();
        self.push(Kind::Fill(xs, lo, hi), label, 0.0).opacity(0.25)
    }

    /// An arrow from `from` to `to` in data coordinates.
    pub fn arrow(self, from: (f64, f64), to: (f64, f64)) -> Self {
        let ok = self.finite_points("arrow", &[from, to]);
        self.push(Kind::Arrow(from, to), "", 1.5)
            .color(RGBColor(60, 60, 60))
            .keep_err(ok)
    }

    /// Text whose left end is at `(x, y)`.
    pub fn text(self, x: f64, y: f64, s: impl Into<String>) -> Self {
        let ok = self.finite_points("text position", &[(x, y)]);
        self.push(Kind::Text((x, y), s.into()), "", 0.0)
            .color(BLACK)
            .keep_err(ok)
    }

    /// matplotlib's `annotate`: `text` at `text_at` with an arrow pointing at `xy`.
    pub fn annotate(self, text: impl Into<String>, xy: (f64, f64), text_at: (f64, f64)) -> Self {
        self.arrow(text_at, xy).text(text_at.0, text_at.1, text)
    }

    /// A thin horizontal line across the panel (`plt.axhline`).
    pub fn hline(self, y: f64) -> Self {
        let ok = self.finite_points("hline", &[(0.0, y)]);
        self.push(Kind::HLine(y), "", 1.0)
            .color(RGBColor(128, 128, 128))
            .keep_err(ok)
    }

    /// A thin vertical line across the panel (`plt.axvline`).
    pub fn vline(self, x: f64) -> Self {
        let ok = self.finite_points("vline", &[(x, 0.0)]);
        self.push(Kind::VLine(x), "", 1.0)
            .color(RGBColor(128, 128, 128))
            .keep_err(ok)
    }

    /// A point that walks along `path`, one step every `frame_ms`, leaving a trail; each frame shows its
    /// caption in the upper-right corner. Animated with SMIL inside the SVG, so it plays inline in
    /// JupyterLab and in browsers (a static renderer shows the first frame).
    pub fn animate(mut self, path: &[(f64, f64)], captions: Vec<String>, frame_ms: u32) -> Self {
        if let Err(e) = self.finite_points("animation path", path) {
            self.fail(e);
        } else if !captions.is_empty() && captions.len() != path.len() {
            self.fail(Error::shape(
                "animation captions",
                path.len(),
                captions.len(),
            ));
        } else if frame_ms == 0 {
            self.fail(Error::parameter(
                "frame_ms",
                0.0,
                "pass a frame time of at least 1 ms",
            ));
        }
        let kind = Kind::Animation {
            path: path.to_vec(),
            captions,
            frame_ms,
        };
        self.push(kind, "", 1.5).color(PALETTE[3])
    }

    /// Separate line segments in one colour (contour lines, residuals); non-finite ends are an error.
    pub fn segments(mut self, segments: &[[(f64, f64); 2]], label: &str) -> Self {
        let flat: Vec<(f64, f64)> = segments.iter().flatten().copied().collect();
        if !flat.is_empty() {
            let check = self.finite_points(&format!("segments of {}", name(label)), &flat);
            self.keep(check);
        }
        self.push(Kind::Segments(segments.to_vec()), label, 1.2)
    }

    /// Changes the style of the last item (none yet: nothing to change).
    fn restyle(mut self, change: impl FnOnce(&mut Style)) -> Self {
        if let Some(it) = self.items.last_mut() {
            change(&mut it.style);
        }
        self
    }

    /// Legend label of the last item (`""` leaves it out).
    pub fn label(self, s: &str) -> Self {
        self.restyle(|st| st.label = s.to_string())
    }

    /// Colour of the last item.
    pub fn color(self, c: RGBColor) -> Self {
        self.restyle(|st| st.color = c)
    }

    /// Line width of the last item, in pixels.
    pub fn width(self, w: f64) -> Self {
        self.restyle(|st| st.width = w.max(0.0))
    }

    /// Dashes the last line.
    pub fn dashed(self) -> Self {
        self.restyle(|st| st.dashed = true)
    }

    /// Puts markers on the points of the last item (`'o-'` in matplotlib).
    pub fn marker(self, m: Marker) -> Self {
        self.restyle(|st| st.marker = Some(m))
    }

    /// Marker radius of the last item, in pixels.
    pub fn marker_size(self, r: f64) -> Self {
        self.restyle(|st| st.size = r.max(0.0))
    }

    /// Opacity (0..1) of the last item.
    pub fn opacity(self, a: f64) -> Self {
        self.restyle(|st| st.opacity = a.clamp(0.0, 1.0))
    }

    /// Renders this panel alone.
    pub fn figure(&self) -> Result<Figure> {
        Figure::grid("", std::slice::from_ref(self), 1)
    }

    /// Shows the panel inline; an invalid plot shows its error message instead.
    pub fn evcxr_display(&self) {
        match self.figure() {
            Ok(f) => f.evcxr_display(),
            Err(e) => println!("plot error: {e}"),
        }
    }

    pub(crate) fn panel_size(&self) -> (u32, u32) {
        self.size
    }

    // ----- building blocks -----

    fn fail(&mut self, e: Error) {
        self.error.get_or_insert(e);
    }

    fn keep<T>(&mut self, r: Result<T>) -> Option<T> {
        r.map_err(|e| self.fail(e)).ok()
    }

    fn keep_err(mut self, r: Result<()>) -> Self {
        self.keep(r);
        self
    }

    fn push(mut self, kind: Kind, label: &str, width: f64) -> Self {
        let color = PALETTE[self.colors_used % PALETTE.len()];
        self.colors_used += 1;
        let style = Style {
            color,
            width,
            dashed: false,
            marker: None,
            size: 4.0,
            opacity: 1.0,
            label: label.to_string(),
        };
        self.items.push(Item { kind, style });
        self
    }

    /// Zips `xs` and `ys`, recording an error for empty, mismatched or non-finite data.
    fn pairs(&mut self, xs: &[f64], ys: &[f64], label: &str) -> Vec<(f64, f64)> {
        let pts: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
        let what = name(label);
        let check = if xs.is_empty() || ys.is_empty() {
            Err(Error::empty(format!("data of {what}")))
        } else if xs.len() != ys.len() {
            Err(Error::shape(
                format!("xs and ys of {what}"),
                xs.len(),
                ys.len(),
            ))
        } else {
            self.finite_points(&format!("data of {what}"), &pts)
        };
        self.keep(check);
        pts
    }

    fn finite_points(&self, what: &str, pts: &[(f64, f64)]) -> Result<()> {
        if pts.is_empty() {
            return Err(Error::empty(what));
        }
        for (i, &(x, y)) in pts.iter().enumerate() {
            if !x.is_finite() {
                return Err(Error::non_finite(format!("x[{i}] of {what}"), x));
            }
            if !y.is_finite() {
                return Err(Error::non_finite(format!("y[{i}] of {what}"), y));
            }
        }
        Ok(())
    }
}

/// A label for error messages: the series label, or "a series".
fn name(label: &str) -> String {
    if label.is_empty() {
        "a series".to_string()
    } else {
        format!("'{label}'")
    }
}

/// `f` at `n` evenly spaced points of `[lo, hi]`; non-finite values become NaN (gaps in a line).
pub(super) fn samples(
    f: &impl Fn(f64) -> f64,
    (lo, hi): (f64, f64),
    n: usize,
) -> (Vec<f64>, Vec<f64>) {
    (0..n)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / (n - 1) as f64;
            let y = f(x);
            (x, if y.is_finite() { y } else { f64::NAN })
        })
        .unzip()
}

/// `(lo, hi)` if both ends are finite and `lo < hi`; errors name "the {what}".
pub(super) fn check_range(what: &str, (lo, hi): (f64, f64)) -> Result<(f64, f64)> {
    crate::error::check_finite(&format!("lower end of the {what}"), lo)?;
    crate::error::check_finite(&format!("upper end of the {what}"), hi)?;
    if lo >= hi {
        return Err(Error::parameter(
            format!("lower end of the {what}"),
            lo,
            format!("it must be below the upper end {hi}"),
        ));
    }
    Ok((lo, hi))
}

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

/// Tick label on a linear axis: `2`, `0.5`, `-1.25` (no float noise, no trailing zeros), `1e-7`.
fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e6).contains(&a) {
        return format!("{v:e}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
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
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    px: (f64, f64),
    py: (f64, f64),
    log_y: bool,
}

impl Frame {
    fn map(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let vy = if self.log_y { y.log10() } else { y };
        (
            self.px.0 + (x - self.x.0) / (self.x.1 - self.x.0) * (self.px.1 - self.px.0),
            self.py.0 + (vy - self.y.0) / (self.y.1 - self.y.0) * (self.py.1 - self.py.0),
        )
    }

    /// Pixel rectangle (left, top, right, bottom).
    fn rect(&self) -> (f64, f64, f64, f64) {
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
        let lin_fmt = |v: &f64| tick_label(*v);
        let mut mesh = chart.configure_mesh();
        mesh.label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .bold_line_style(BLACK.mix(0.1))
            .light_line_style(TRANSPARENT)
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&lin_fmt)
            .y_label_formatter(&lin_fmt);
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
        let frame = Frame {
            x,
            y,
            px: (p0.0 as f64, p1.0 as f64),
            py: (p0.1 as f64, p1.1 as f64),
            log_y: self.log_y,
        };
        self.draw_overlay(&frame, index, overlay);
        Ok(())
    }

    fn draw_overlay(&self, fr: &Frame, index: usize, out: &mut String) {
        let (mut clipped, mut on_top) = (String::new(), String::new());
        for it in &self.items {
            let st = &it.style;
            match &it.kind {
                Kind::Line(pts) => {
                    for run in pts.split(|p| !p.0.is_finite() || !p.1.is_finite()) {
                        let px: Vec<(f64, f64)> = run.iter().map(|&p| fr.map(p)).collect();
                        if px.len() > 1 && st.width > 0.0 {
                            clipped.push_str("<path d=\"");
                            svg::path_d(&mut clipped, &px);
                            let _ = write!(
                                clipped,
                                "\" {}/>",
                                svg::stroke(st.color, st.width, st.dashed, st.opacity)
                            );
                        }
                        if let Some(m) = st.marker {
                            for &(x, y) in &px {
                                svg::marker(&mut clipped, m, x, y, st.size, st.color, "");
                            }
                        }
                    }
                }
                Kind::Points(pts) => {
                    let op = format!(" fill-opacity=\"{}\"", st.opacity);
                    for &p in pts {
                        let (x, y) = fr.map(p);
                        svg::marker(
                            &mut clipped,
                            st.marker.unwrap_or(Marker::Circle),
                            x,
                            y,
                            st.size,
                            st.color,
                            &op,
                        );
                    }
                }
                Kind::Fill(xs, lo, hi) => {
                    let mut px: Vec<(f64, f64)> =
                        xs.iter().zip(hi).map(|(&x, &y)| fr.map((x, y))).collect();
                    px.extend(xs.iter().zip(lo).rev().map(|(&x, &y)| fr.map((x, y))));
                    clipped.push_str("<path d=\"");
                    svg::path_d(&mut clipped, &px);
                    let _ = write!(
                        clipped,
                        "Z\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\"/>",
                        css(st.color),
                        st.opacity
                    );
                }
                Kind::Segments(segs) if !segs.is_empty() => {
                    clipped.push_str("<path d=\"");
                    for &[a, b] in segs {
                        svg::path_d(&mut clipped, &[fr.map(a), fr.map(b)]);
                    }
                    let _ = write!(
                        clipped,
                        "\" {}/>",
                        svg::stroke(st.color, st.width, st.dashed, st.opacity)
                    );
                }
                Kind::Segments(_) => {}
                Kind::Arrow(a, b) => svg::arrow(
                    &mut clipped,
                    fr.map(*a),
                    fr.map(*b),
                    st.color,
                    st.width,
                    9.0,
                ),
                Kind::Text(a, s) => {
                    let (x, y) = fr.map(*a);
                    let fill = format!(" fill=\"{}\"", css(st.color));
                    svg::text(&mut on_top, x + 2.0, y - 4.0, s, 13.0, "start", &fill);
                }
                Kind::HLine(yv) => {
                    let (l, t, r, b) = fr.rect();
                    let y = fr.map((fr.x.0, *yv)).1;
                    if y >= t && y <= b {
                        let _ = write!(
                            clipped,
                            "<path d=\"M{l:.1} {y:.1}H{r:.1}\" {}/>",
                            svg::stroke(st.color, st.width, st.dashed, st.opacity)
                        );
                    }
                }
                Kind::VLine(xv) => {
                    let (l, t, r, b) = fr.rect();
                    let x = fr.map((*xv, 1.0)).0;
                    if x >= l && x <= r {
                        let _ = write!(
                            clipped,
                            "<path d=\"M{x:.1} {t:.1}V{b:.1}\" {}/>",
                            svg::stroke(st.color, st.width, st.dashed, st.opacity)
                        );
                    }
                }
                Kind::Animation {
                    path,
                    captions,
                    frame_ms,
                } => {
                    animation(&mut clipped, &mut on_top, fr, path, captions, *frame_ms, st);
                }
            }
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

    /// Pixel positions covered by data, lines densified every 8 px, for placing boxes where they hide little.
    fn data_pixels(&self, fr: &Frame) -> Vec<(f64, f64)> {
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

    fn legend_svg(
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
            let st = &it.style;
            let cy = y0 + 4.0 + row * (i as f64 + 0.5);
            let (sx0, sx1) = (x0 + 8.0, x0 + 36.0);
            match &it.kind {
                Kind::Fill(..) => {
                    let _ = write!(out, "<rect x=\"{sx0:.1}\" y=\"{:.1}\" width=\"28\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>", cy - 5.0, css(st.color), st.opacity.max(0.3));
                }
                Kind::Arrow(..) => svg::arrow(out, (sx0, cy), (sx1, cy), st.color, st.width, 8.0),
                Kind::Points(_) => svg::marker(
                    out,
                    st.marker.unwrap_or(Marker::Circle),
                    (sx0 + sx1) / 2.0,
                    cy,
                    st.size.min(7.0),
                    st.color,
                    "",
                ),
                _ => {
                    if st.width > 0.0 {
                        let _ = write!(
                            out,
                            "<path d=\"M{sx0:.1} {cy:.1}H{sx1:.1}\" {}/>",
                            svg::stroke(st.color, st.width, st.dashed, st.opacity)
                        );
                    }
                    if let Some(m) = st.marker {
                        svg::marker(
                            out,
                            m,
                            (sx0 + sx1) / 2.0,
                            cy,
                            st.size.min(7.0),
                            st.color,
                            "",
                        );
                    }
                }
            }
            svg::text(out, x0 + 44.0, cy + 4.5, &st.label, font, "start", "");
        }
        Some((x0, y0, w, h))
    }

    fn note_svg(
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

/// SMIL animation: the trail grows one segment per frame, the current point jumps along, and each
/// frame's caption shows in the upper-right corner. The loop holds the last frame for 1.5 s.
fn animation(
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
