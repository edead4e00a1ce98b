//! Plots that show inline in JupyterLab (evcxr) and save as SVG.
//!
//! - [`Plot`]: one panel, built like matplotlib's `plt.plot(...)` calls: `Plot::new().line(..).scatter(..)`.
//! - [`Figure`]: the rendered SVG; [`Figure::grid`] puts several panels in one figure, because all rich
//!   output of one notebook cell is one result and a second figure in the same cell replaces the first.
//! - Helpers for the figures of the notebooks, each returning `Result<Figure>`: [`tangent_lines`],
//!   [`function_and_derivative`], [`descent_on_curve`], [`learning_rates`], [`contour_descent`],
//!   [`taylor_approximations`], [`gradient_norms`], [`regression_line`] and the animated [`descent_animation`].
//!
//! plotters draws the frame (axes, ticks, grid, titles); curves, markers, arrows and legends are written
//! as compact SVG on top, clipped to the plot area. Text uses a font list with Korean-capable fonts, so
//! titles like `"경사 하강법"` show in any browser that has one of them.
//!
//! ```
//! use calc_dl::plot::Plot;
//! let xs: Vec<f64> = (0..50).map(|i| i as f64 / 10.0).collect();
//! let ys: Vec<f64> = xs.iter().map(|x| x * x).collect();
//! let fig = Plot::new().title("손실 L(w) = w²").x_label("w").line(&xs, &ys, "L(w)").figure()?;
//! assert!(fig.svg().starts_with("<svg") && fig.svg().contains("손실"));
//! # Ok::<(), calc_dl::Error>(())
//! ```

mod animation;
mod axes;
mod builder;
mod contour;
mod figure;
mod figures;
mod input;
mod interactive;
mod item;
mod layout;
mod number;
#[cfg(feature = "raster")]
mod raster;
mod render;
mod svg;

pub use builder::Plot;
pub use figure::Figure;
#[cfg(feature = "raster")]
pub use figures::descent_gif;
pub use figures::{
    contour_descent, descent_animation, descent_on_curve, function_and_derivative, gradient_norms,
    learning_rates, regression_line, tangent_lines, taylor_approximations,
};
pub use interactive::Slider;
pub use item::{Legend, Marker};
#[cfg(feature = "raster")]
pub use raster::Gif;

use figure::draw_err;
pub(crate) use figure::svg_words;
#[cfg(feature = "raster")]
use figure::write_file;
use plotters::style::RGBColor;

/// Font list for every text: Latin and Hangul fonts common on Linux, macOS and Windows, then a generic.
pub const FONT: &str = "'Noto Sans KR', 'Noto Sans CJK KR', NanumGothic, 'Malgun Gothic', 'Apple SD Gothic Neo', 'DejaVu Sans', Arial, sans-serif";

/// matplotlib's default colour cycle ("tab10"), so the figures look like matplotlib's.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

#[cfg(test)]
mod tests;
