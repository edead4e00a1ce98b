//! The figures of the notebooks, one function each. They take plain closures and slices (a descent
//! history is just the list of visited points), so they work with any optimiser.
//!
//! - `curves.rs`: a function and what its derivatives say (tangents, extrema, Taylor polynomials), a
//!   fitted line, gradient norms per layer;
//! - `descent.rs`: gradient descent drawn on the loss curve, per learning rate, on contour lines, and
//!   animated.

mod curves;
mod descent;

pub use curves::{
    function_and_derivative, gradient_norms, regression_line, tangent_lines, taylor_approximations,
};
#[cfg(feature = "raster")]
pub use descent::descent_gif;
pub use descent::{contour_descent, descent_animation, descent_on_curve, learning_rates};

use super::number::{number, LABEL};
use super::PALETTE;
use crate::error::{Error, Result};
use plotters::style::RGBColor;

const GRAY: RGBColor = RGBColor(128, 128, 128);
const GREEN: RGBColor = PALETTE[2];
const RED: RGBColor = PALETTE[3];
const BLUE: RGBColor = PALETTE[0];

/// A measured value written into a label, a note or a caption.
fn num(v: f64) -> String {
    number(v, LABEL)
}

/// Finite min and max, or an error naming `what`.
fn min_max(what: &str, v: &[f64]) -> Result<(f64, f64)> {
    let lo = v
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = v
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() {
        Ok((lo, hi))
    } else {
        Err(Error::non_finite(
            format!("every value of {what}"),
            f64::NAN,
        ))
    }
}

/// The range of a descent history with room around it (at least 1 on each side).
fn around(path: &[f64]) -> (f64, f64) {
    let (lo, hi) = path
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let pad = (0.25 * (hi - lo)).max(1.0);
    (lo - pad, hi + pad)
}
