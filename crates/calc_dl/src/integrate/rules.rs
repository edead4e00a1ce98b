//! The composite rules on `n` equal intervals, the Riemann sums they grow out of, and the cumulative
//! integral.

use super::{sample, Quad};
use crate::error::{Error, Result};

/// Where a Riemann sum takes each rectangle's height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Riemann {
    /// At the interval's end nearer `a`: below an increasing `f`, error O(h).
    Left,
    /// At the end nearer `b`: above an increasing `f`, error O(h).
    Right,
    /// At the centre: the first-order errors of the two halves cancel, error O(h²).
    Midpoint,
}

/// One rectangle of a Riemann sum, for drawing: from `left` to `right` (in the order from `a` to `b`),
/// `height` tall (negative below the axis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rectangle {
    pub left: f64,
    pub right: f64,
    pub height: f64,
}

/// The bounds must be finite and `n >= min`; returns the interval width `h = (b - a)/n`.
fn check(a: f64, b: f64, n: usize, min: usize, hint: &str) -> Result<f64> {
    for (what, bound) in [("a", a), ("b", b)] {
        if !bound.is_finite() {
            return Err(Error::parameter(what, bound, "the composite rules sample f at equally spaced points, so the bounds must be finite numbers (integrate::quad handles infinite ranges)"));
        }
    }
    if n < min {
        return Err(Error::parameter("n", n as f64, hint));
    }
    let h = (b - a) / n as f64;
    if !(b - a).is_finite() {
        return Err(Error::parameter(
            "b - a",
            b - a,
            "the range is wider than an f64 can hold: split it",
        ));
    }
    Ok(h)
}

/// The `n + 1` grid points `a, a + h, …, b` (the last exactly `b`).
fn node(a: f64, b: f64, h: f64, n: usize, i: usize) -> f64 {
    if i == n {
        b
    } else {
        a + i as f64 * h
    }
}

const AT_LEAST_ONE: &str = "a composite rule needs at least 1 interval: pass n >= 1";

/// The composite trapezoid rule on `n` equal intervals: a straight line between neighbouring samples,
/// `h·(f₀/2 + f₁ + … + fₙ₋₁ + fₙ/2)`. Exact for straight lines; error O(h²), about `-(b-a)h²f''/12`.
pub fn trapezoid(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> Result<f64> {
    let h = check(a, b, n, 1, AT_LEAST_ONE)?;
    let mut count = 0;
    let mut sum = 0.5 * (sample(&f, a, &mut count)? + sample(&f, b, &mut count)?);
    for i in 1..n {
        sum += sample(&f, node(a, b, h, n, i), &mut count)?;
    }
    Ok(sum * h)
}

/// Composite Simpson's rule on `n` equal intervals (`n` even): a parabola through each pair,
/// `h/3·(f₀ + 4f₁ + 2f₂ + 4f₃ + … + 4fₙ₋₁ + fₙ)`. Exact for cubics (the parabola's error is odd about
/// the pair's centre and cancels); error O(h⁴), about `-(b-a)h⁴f⁗/180`.
///
/// ```
/// use calc_dl::integrate;
///
/// let cubic = |x: f64| x * x * x - 2.0 * x;
/// let exact = 4.0 - 4.0; // x⁴/4 - x² from 0 to 2
/// assert!((integrate::simpson(cubic, 0.0, 2.0, 2)? - exact).abs() < 1e-15);
/// let (coarse, fine) = (
///     integrate::simpson(f64::exp, 0.0, 1.0, 8)? - (std::f64::consts::E - 1.0),
///     integrate::simpson(f64::exp, 0.0, 1.0, 16)? - (std::f64::consts::E - 1.0),
/// );
/// assert!((coarse / fine - 16.0).abs() < 0.1); // halving h divides the error by 2⁴
/// assert!(integrate::simpson(f64::exp, 0.0, 1.0, 3).is_err()); // n must be even
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> Result<f64> {
    if n % 2 == 1 {
        let hint = format!("Simpson's rule fits a parabola to each pair of intervals, so n must be even: pass n = {}", n + 1);
        return Err(Error::parameter("n", n as f64, hint));
    }
    let h = check(
        a,
        b,
        n,
        2,
        "Simpson's rule needs at least one pair of intervals: pass an even n >= 2",
    )?;
    let mut count = 0;
    let mut sum = sample(&f, a, &mut count)? + sample(&f, b, &mut count)?;
    for i in 1..n {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * sample(&f, node(a, b, h, n, i), &mut count)?;
    }
    Ok(sum * h / 3.0)
}

/// The `n` rectangles of a Riemann sum on equal intervals, heights taken where `rule` says.
pub fn riemann_rectangles(
    f: impl Fn(f64) -> f64,
    a: f64,
    b: f64,
    n: usize,
    rule: Riemann,
) -> Result<Vec<Rectangle>> {
    let h = check(a, b, n, 1, AT_LEAST_ONE)?;
    let mut count = 0;
    (0..n)
        .map(|i| {
            let (left, right) = (node(a, b, h, n, i), node(a, b, h, n, i + 1));
            let x = match rule {
                Riemann::Left => left,
                Riemann::Right => right,
                Riemann::Midpoint => a + (i as f64 + 0.5) * h,
            };
            Ok(Rectangle {
                left,
                right,
                height: sample(&f, x, &mut count)?,
            })
        })
        .collect()
}

/// The Riemann sum `h·Σ f(xᵢ*)` on `n` equal intervals, `xᵢ*` where `rule` says: the definition of the
/// integral, before any cleverness. For `b < a` the widths are negative, so the sum changes sign.
pub fn riemann(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize, rule: Riemann) -> Result<f64> {
    let h = check(a, b, n, 1, AT_LEAST_ONE)?;
    let heights: f64 = riemann_rectangles(f, a, b, n, rule)?
        .iter()
        .map(|r| r.height)
        .sum();
    Ok(heights * h)
}

/// The antiderivative `F(x) = ∫ₐˣ f` on the grid `a = x₀ < x₁ < … < xₙ = b`: returns the `n + 1`
/// points and `F` there, with `F(a) = 0`. Each interval's integral is [`quad`](super::quad)'s (to
/// twelve digits), so `F` is exact to rounding, unlike scipy's `cumulative_trapezoid`, and its
/// derivative is `f`.
pub fn cumulative(
    f: impl Fn(f64) -> f64,
    a: f64,
    b: f64,
    n: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let h = check(a, b, n, 1, AT_LEAST_ONE)?;
    let xs: Vec<f64> = (0..=n).map(|i| node(a, b, h, n, i)).collect();
    let mut values = Vec::with_capacity(n + 1);
    let mut total = 0.0;
    values.push(total);
    let quad = Quad::default();
    for w in xs.windows(2) {
        total += quad.integral(&f, w[0], w[1])?.value;
        values.push(total);
    }
    Ok((xs, values))
}
