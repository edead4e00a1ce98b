//! [`Plot`]: one panel described as data (curves, points, fills, arrows, text), rendered on demand.
//! This file is the builder a notebook calls; the data it is given is checked in `input.rs`, the
//! panel is drawn by `axes.rs` (ranges, ticks), `render.rs` (one function per kind of item),
//! `layout.rs` (legend, note) and `animation.rs`.

use super::input::{check_range, name, samples};
use super::item::{Item, Kind, Style};
use super::{Figure, Legend, Marker, PALETTE};
use crate::error::{Error, Result};
use plotters::style::{RGBColor, BLACK};

/// Grey of the reference lines ([`Plot::hline`], [`Plot::vline`]).
const REFERENCE: RGBColor = RGBColor(128, 128, 128);

/// One panel: build it with chained calls, then [`Plot::figure`] (or let evcxr show it).
///
/// Styling calls (`color`, `width`, `dashed`, `marker`, `opacity`) change the item added last.
/// Data series (lines, points, functions, fills, segments) take the colours of [`PALETTE`] in
/// turn; reference lines, arrows and text are grey or black and leave the cycle where it was.
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
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    pub(super) x_range: Option<(f64, f64)>,
    pub(super) y_range: Option<(f64, f64)>,
    pub(super) log_y: bool,
    pub(super) size: (u32, u32),
    pub(super) legend: Legend,
    pub(super) note: String,
    pub(super) items: Vec<Item>,
    pub(super) colors_used: usize,
    pub(super) error: Option<Error>,
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

    /// A boxed note, such as `"final loss = 0.0115"`; `\n` breaks lines. It is placed like a legend at
    /// [`Legend::Best`]: in the corner or at the edge centre of the plot area that hides the fewest data
    /// points (upper right first, as matplotlib), never over the legend.
    pub fn note(mut self, s: impl Into<String>) -> Self {
        self.note = s.into();
        self
    }

    /// A line through `(xs[i], ys[i])`; an empty `label` leaves it out of the legend.
    pub fn line(mut self, xs: &[f64], ys: &[f64], label: &str) -> Self {
        let pts = self.pairs(xs, ys, label);
        self.series(Kind::Line(pts), label, 2.0)
    }

    /// Points without a line.
    pub fn scatter(mut self, xs: &[f64], ys: &[f64], label: &str) -> Self {
        let pts = self.pairs(xs, ys, label);
        self.series(Kind::Points(pts), label, 0.0)
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
        self.series(Kind::Line(pts), label, 2.0)
    }

    /// Shades between `lower` and `upper` over `xs` (`plt.fill_between`); 25 % opaque by default.
    pub fn fill_between(mut self, xs: &[f64], lower: &[f64], upper: &[f64], label: &str) -> Self {
        let a = self.pairs(xs, lower, label);
        let b = self.pairs(xs, upper, label);
        let (xs, lo) = a.into_iter().unzip();
        let hi = b.into_iter().map(|p| p.1).collect();
        self.series(Kind::Fill(xs, lo, hi), label, 0.0)
            .opacity(0.25)
    }

    /// An arrow from `from` to `to` in data coordinates.
    pub fn arrow(self, from: (f64, f64), to: (f64, f64)) -> Self {
        let ok = self.finite_points("arrow", &[from, to]);
        self.push(Kind::Arrow(from, to), 1.5, RGBColor(60, 60, 60))
            .keep_err(ok)
    }

    /// Text whose left end is at `(x, y)`.
    pub fn text(self, x: f64, y: f64, s: impl Into<String>) -> Self {
        let ok = self.finite_points("text position", &[(x, y)]);
        self.push(Kind::Text((x, y), s.into()), 0.0, BLACK)
            .keep_err(ok)
    }

    /// matplotlib's `annotate`: `text` at `text_at` with an arrow pointing at `xy`.
    pub fn annotate(self, text: impl Into<String>, xy: (f64, f64), text_at: (f64, f64)) -> Self {
        self.arrow(text_at, xy).text(text_at.0, text_at.1, text)
    }

    /// A thin horizontal line across the panel (`plt.axhline`).
    pub fn hline(self, y: f64) -> Self {
        let ok = self.finite_points("hline", &[(0.0, y)]);
        self.push(Kind::HLine(y), 1.0, REFERENCE).keep_err(ok)
    }

    /// A thin vertical line across the panel (`plt.axvline`).
    pub fn vline(self, x: f64) -> Self {
        let ok = self.finite_points("vline", &[(x, 0.0)]);
        self.push(Kind::VLine(x), 1.0, REFERENCE).keep_err(ok)
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
        self.push(kind, 1.5, PALETTE[3])
    }

    /// Separate line segments in one colour (contour lines, residuals); non-finite ends are an error.
    pub fn segments(mut self, segments: &[[(f64, f64); 2]], label: &str) -> Self {
        let flat: Vec<(f64, f64)> = segments.iter().flatten().copied().collect();
        if !flat.is_empty() {
            let check = self.finite_points(&format!("segments of {}", name(label)), &flat);
            self.keep(check);
        }
        self.series(Kind::Segments(segments.to_vec()), label, 1.2)
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

    /// A data series (line, points, function, fill, segments): it takes the next palette colour.
    fn series(mut self, kind: Kind, label: &str, width: f64) -> Self {
        let color = PALETTE[self.colors_used % PALETTE.len()];
        self.colors_used += 1;
        self = self.push(kind, width, color);
        self.label(label)
    }

    /// An item in a colour of its own (reference lines, arrows, text, the animated point): the
    /// palette cycle does not move, so the series after it keep their colours.
    fn push(mut self, kind: Kind, width: f64, color: RGBColor) -> Self {
        let style = Style {
            color,
            width,
            dashed: false,
            marker: None,
            size: 4.0,
            opacity: 1.0,
            label: String::new(),
        };
        self.items.push(Item { kind, style });
        self
    }
}
