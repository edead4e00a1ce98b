//! Integrals, numerically: the area under a curve as a sum of samples of `f` times widths.
//!
//! Every rule samples `f` at some points and weights the values. How fast the error shrinks as the
//! intervals of width `h` get smaller is the rule's order: halving `h` divides an order-`p` error by `2^p`.
//!
//! | rule | what it adds up | error |
//! |---|---|---|
//! | [`riemann`], [`Riemann::Left`] / [`Riemann::Right`] | rectangles, height at one end | O(h) |
//! | [`riemann`], [`Riemann::Midpoint`] | rectangles, height at the centre | O(h²) |
//! | [`trapezoid`] | straight lines between the samples | O(h²) |
//! | [`simpson`] | a parabola through each pair of intervals | O(h⁴) |
//! | [`quad`] | Gauss–Kronrod on intervals bisected where the error is | about 1e-12, with an estimate |
//! | [`monte_carlo`] | the mean of `f` at random points | O(1/√n), with a standard error |
//!
//! [`quad`] is what to use for a number (it is QUADPACK's QAGS, the routine behind
//! `scipy.integrate.quad`): it reports an error estimate that is not smaller than the true error, handles
//! infinite ranges and integrable endpoint singularities like `1/√x`, and says so when the integral does
//! not settle (as `∫₀¹ 1/x`, which diverges). [`cumulative`] gives `F(x) = ∫ₐˣ f` on a grid, the
//! antiderivative whose derivative is `f` (the fundamental theorem of calculus).
//!
//! ```
//! use calc_dl::integrate;
//!
//! let exact = 2.0; // ∫₀^π sin x dx
//! let q = integrate::quad(f64::sin, 0.0, std::f64::consts::PI)?;
//! assert!((q.value - exact).abs() <= q.error && q.error < 1e-12);
//! let s = integrate::simpson(f64::sin, 0.0, std::f64::consts::PI, 16)?;
//! assert!((s - exact).abs() < 1e-4); // O(h⁴): 16 intervals give 4 digits
//! # Ok::<(), calc_dl::Error>(())
//! ```

mod adaptive;
mod gauss_kronrod;
mod monte_carlo;
mod rules;

pub use monte_carlo::{monte_carlo, Distribution, McEstimate};
pub use rules::{cumulative, riemann, riemann_rectangles, simpson, trapezoid, Rectangle, Riemann};

use crate::error::{Error, Result};
use crate::numeric::Estimate;
use adaptive::Status;

/// Adaptive Gauss–Kronrod quadrature with its tolerances: the settings of [`quad`], and the full
/// report ([`QuadResult`]) with the number of evaluations.
///
/// ```
/// use calc_dl::integrate::Quad;
///
/// let r = Quad::default().rel_tol(1e-8).integral(|x| (-x * x).exp(), 0.0, f64::INFINITY)?;
/// assert!((r.value - std::f64::consts::PI.sqrt() / 2.0).abs() <= r.error);
/// assert!(r.evaluations > 0 && r.intervals >= 1);
/// # Ok::<(), calc_dl::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad {
    /// Stop when the error estimate is below this (`0`: the relative tolerance alone decides).
    pub abs_tol: f64,
    /// Stop when the error estimate is below this times `|value|`.
    pub rel_tol: f64,
    /// How many subintervals the range may be bisected into before giving up.
    pub max_intervals: usize,
}

impl Default for Quad {
    /// Twelve digits, within 200 subintervals: tighter than scipy's defaults (1.49e-8, 50), because
    /// the rule reaches it on smooth integrands in one or a few subintervals.
    fn default() -> Self {
        Quad {
            abs_tol: 0.0,
            rel_tol: 1e-12,
            max_intervals: 200,
        }
    }
}

/// What [`Quad::integral`] found and what it cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadResult {
    pub value: f64,
    /// Estimate of `|value - ∫f|`, QUADPACK's (pessimistic by design).
    pub error: f64,
    /// How many times `f` was called.
    pub evaluations: usize,
    /// How many subintervals the range ended up in.
    pub intervals: usize,
}

impl QuadResult {
    /// The value and its error estimate, as [`quad`] returns them.
    pub fn estimate(&self) -> Estimate {
        Estimate {
            value: self.value,
            error: self.error,
        }
    }
}

/// `∫ₐᵇ f(x) dx` with an error estimate, to twelve digits ([`Quad::default`]). `a` and `b` may be
/// `±f64::INFINITY`; for `b < a` the result is minus the integral over `[b, a]`.
///
/// ```
/// use calc_dl::integrate;
///
/// let q = integrate::quad(|x| 1.0 / x.sqrt(), 0.0, 1.0)?; // singular at 0, still 2
/// assert!((q.value - 2.0).abs() <= q.error && q.error < 1e-11);
/// assert!(integrate::quad(|x| 1.0 / x, 0.0, 1.0).is_err()); // diverges: an error, not a number
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn quad(f: impl Fn(f64) -> f64, a: f64, b: f64) -> Result<Estimate> {
    Ok(Quad::default().integral(f, a, b)?.estimate())
}

impl Quad {
    /// Stops when the error is below `tol` (absolute).
    pub fn abs_tol(self, tol: f64) -> Self {
        Quad {
            abs_tol: tol,
            ..self
        }
    }
    /// Stops when the error is below `tol · |value|`.
    pub fn rel_tol(self, tol: f64) -> Self {
        Quad {
            rel_tol: tol,
            ..self
        }
    }
    /// Bisects into at most `n` subintervals.
    pub fn max_intervals(self, n: usize) -> Self {
        Quad {
            max_intervals: n,
            ..self
        }
    }

    /// `∫ₐᵇ f(x) dx`. A finite range is integrated with the 21-point Gauss–Kronrod rule; an infinite one
    /// is first mapped onto `t ∈ (0, 1]` (`x = a + (1-t)/t`, `dx = -dt/t²`, as QUADPACK's QAGI; a range
    /// infinite at both ends is folded at 0) and integrated with the 15-point rule. The result is
    /// accepted when `error <= max(abs_tol, rel_tol·|value|)`, or, when rounding is what stops the
    /// estimate improving, `error <= max(abs_tol, rel_tol·∫|f|)`; otherwise it is an error.
    pub fn integral(&self, f: impl Fn(f64) -> f64, a: f64, b: f64) -> Result<QuadResult> {
        self.check()?;
        for (what, bound) in [("a", a), ("b", b)] {
            if bound.is_nan() {
                return Err(Error::parameter(what, bound, "an integration bound must be a number: pass a finite value, or ±f64::INFINITY for an infinite range"));
            }
        }
        if a == b {
            return Ok(QuadResult {
                value: 0.0,
                error: 0.0,
                evaluations: 0,
                intervals: 0,
            });
        }
        let (lo, hi, sign) = if a < b { (a, b, 1.0) } else { (b, a, -1.0) };
        let range = match (lo.is_finite(), hi.is_finite()) {
            (true, true) => {
                if !(hi - lo).is_finite() {
                    return Err(Error::parameter("b - a", hi - lo, "the range is wider than an f64 can hold: split it, or pass ±f64::INFINITY for an infinite range"));
                }
                Range::Finite
            }
            (true, false) => Range::From(lo),
            (false, true) => Range::UpTo(hi),
            (false, false) => Range::Whole,
        };
        let what = || format!("the integral of f over [{a}, {b}]");
        let mut evaluations = 0;
        let mut g = |t: f64| -> Result<f64> {
            let x = range.x(t);
            let y = match range {
                Range::Finite => return sample(&f, x, &mut evaluations),
                Range::From(_) | Range::UpTo(_) => sample(&f, x, &mut evaluations)?,
                Range::Whole => {
                    sample(&f, x, &mut evaluations)? + sample(&f, -x, &mut evaluations)?
                }
            };
            let scaled = y / t / t;
            if !scaled.is_finite() {
                return Err(Error::NotConverged {
                    what: what(),
                    hint: format!("f(x)·dx/dt overflowed at x = {x:e} in the change of variables onto (0, 1]: f must decay faster than 1/|x| for the integral over an infinite range to exist"),
                });
            }
            Ok(scaled)
        };
        let (rule, bounds) = match range {
            Range::Finite => (&gauss_kronrod::GK21, (lo, hi)),
            _ => (&gauss_kronrod::GK15, (0.0, 1.0)),
        };
        let out = adaptive::qags(
            &mut g,
            rule,
            bounds,
            (self.abs_tol, self.rel_tol),
            self.max_intervals,
        )?;
        let tolerance = |scale: f64| self.abs_tol.max(self.rel_tol * scale);
        let rounding = matches!(out.status, Status::Roundoff | Status::NoProgress)
            && out.error <= tolerance(out.abs);
        let finite = out.value.is_finite() && out.error.is_finite();
        if finite
            && out.status != Status::Divergent
            && (out.error <= tolerance(out.value.abs()) || rounding)
        {
            return Ok(QuadResult {
                value: sign * out.value,
                error: out.error,
                evaluations,
                intervals: out.intervals,
            });
        }
        let head = format!(
            "after {} subintervals and {evaluations} evaluations of f,",
            out.intervals
        );
        let estimate = format!(
            "{head} the estimate is {:.6e} ± {:.1e}, against a tolerance of {:.1e}",
            sign * out.value,
            out.error,
            tolerance(out.value.abs())
        );
        let hint = match out.status {
            Status::Divergent => format!("{head} the sum over the subintervals is {:.6e} but extrapolating it gives {:.6e}: the two disagree, so the integral probably diverges (as ∫₀¹ 1/x does)", sign * out.sum, sign * out.value),
            Status::BadPoint(t) => format!("{estimate}; the subintervals shrank to nothing around x = {:e}: f has a non-integrable singularity or a jump there, and the integral may diverge", range.x(t)),
            Status::Roundoff | Status::NoProgress => format!("{estimate}; rounding errors in f's values stop the estimate improving: loosen the tolerance with Quad::default().rel_tol(..) or .abs_tol(..)"),
            Status::Limit | Status::Converged => format!("{estimate}; all {} subintervals were used: the integral may diverge, or f has a singularity or a kink inside the range (split the range there), or it needs more with Quad::default().max_intervals(..)", self.max_intervals),
        };
        Err(Error::NotConverged { what: what(), hint })
    }

    fn check(&self) -> Result<()> {
        for (what, tol) in [("abs_tol", self.abs_tol), ("rel_tol", self.rel_tol)] {
            if !(tol.is_finite() && tol >= 0.0) {
                return Err(Error::parameter(
                    what,
                    tol,
                    "a tolerance must be finite and >= 0",
                ));
            }
        }
        if self.abs_tol == 0.0 && self.rel_tol < 50.0 * f64::EPSILON {
            return Err(Error::parameter("rel_tol", self.rel_tol, "with abs_tol = 0 the relative tolerance must be at least 50·eps ≈ 1.1e-14, as rounding alone is larger: raise it, or set abs_tol > 0"));
        }
        if self.max_intervals == 0 {
            return Err(Error::parameter(
                "max_intervals",
                0.0,
                "the range needs at least 1 subinterval",
            ));
        }
        Ok(())
    }
}

/// Where the rule's variable `t` lands on the integration range.
#[derive(Debug, Clone, Copy)]
enum Range {
    /// `x = t` on `[a, b]`.
    Finite,
    /// `[a, ∞)`: `x = a + (1-t)/t`, `t ∈ (0, 1]`.
    From(f64),
    /// `(-∞, b]`: `x = b - (1-t)/t`.
    UpTo(f64),
    /// `(-∞, ∞)`: `f(x) + f(-x)` with `x = (1-t)/t`.
    Whole,
}

impl Range {
    fn x(self, t: f64) -> f64 {
        match self {
            Range::Finite => t,
            Range::From(a) => a + (1.0 - t) / t,
            Range::UpTo(b) => b - (1.0 - t) / t,
            Range::Whole => (1.0 - t) / t,
        }
    }
}

/// `f(x)`, counted, and an error that names `x` if it is not a finite number.
pub(crate) fn sample(f: &impl Fn(f64) -> f64, x: f64, count: &mut usize) -> Result<f64> {
    *count += 1;
    let y = f(x);
    if y.is_finite() {
        Ok(y)
    } else {
        Err(Error::parameter(
            format!("f({x})"),
            y,
            "the integrand must return a finite number at every point a rule samples: an integrable singularity is fine at an endpoint (no rule here evaluates f there), so split the range at an interior one",
        ))
    }
}
