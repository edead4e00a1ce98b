//! What a panel holds: a list of items, each a kind of thing to draw with its style.

use plotters::style::RGBColor;

/// Marker shapes for points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Star,
}

/// Where the legend goes; `Best` picks the corner or edge centre that covers the fewest data points.
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
pub(super) struct Style {
    pub color: RGBColor,
    pub width: f64,
    pub dashed: bool,
    pub marker: Option<Marker>,
    pub size: f64,
    pub opacity: f64,
    pub label: String,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
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
pub(super) struct Item {
    pub kind: Kind,
    pub style: Style,
}
