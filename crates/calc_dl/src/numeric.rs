//! Finite differences on plain `f64` functions: the independent reference every exact derivative is
//! checked against, and what a learner meets first as "the limit of the average rate of change".
//!
//! The step is chosen from the scale of `x` and machine epsilon so that truncation error (which shrinks
//! with the step) and rounding error (which grows as the step shrinks) balance; Richardson extrapolation
//! cancels the leading truncation terms to go further. Every value comes with an error estimate.
//!
//! ```
//! use calc_dl::numeric;
//!
//! let d = numeric::derivative(|x| x.powi(3), 2.0)?; // central difference, automatic step
//! assert!((d.value - 12.0).abs() < 1e-8 && d.error < 1e-6);
//! let r = numeric::FiniteDiff::central().richardson(3).derivative(f64::exp, 2.0)?;
//! assert!((r.value - 2f64.exp()).abs() / 2f64.exp() < 1e-12);
//! # Ok::<(), calc_dl::Error>(())
//! ```

use crate::error::{check_finite, check_point, Error, Result};
use ndarray::Array2;
use std::cell::Cell;

/// `x` with coordinate `i` replaced by `t`.
fn with_coordinate(x: &[f64], i: usize, t: f64) -> Vec<f64> {
    let mut p = x.to_vec();
    p[i] = t;
    p
}

/// Which points around `x` a difference uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `(f(x+h) - f(x)) / h`, error O(h).
    Forward,
    /// `(f(x) - f(x-h)) / h`, error O(h).
    Backward,
    /// `(f(x+h) - f(x-h)) / 2h`, error O(h²).
    Central,
}

impl Method {
    /// The power of `h` in the leading truncation term, and of the terms after it.
    fn error_orders(self) -> (i32, i32) {
        match self {
            Method::Forward | Method::Backward => (1, 1),
            Method::Central => (2, 2),
        }
    }
}

/// A value with an estimate of its absolute error.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate<T = f64> {
    pub value: T,
    pub error: T,
}

/// A finite-difference scheme: method, step and extrapolation levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiniteDiff {
    pub method: Method,
    /// `None` chooses the step from `x` and machine epsilon.
    pub step: Option<f64>,
    /// How many Richardson extrapolation levels to apply (0: the plain difference).
    pub levels: usize,
}

impl Default for FiniteDiff {
    fn default() -> Self {
        FiniteDiff::central()
    }
}

impl FiniteDiff {
    pub fn central() -> Self {
        FiniteDiff {
            method: Method::Central,
            step: None,
            levels: 0,
        }
    }
    pub fn forward() -> Self {
        FiniteDiff {
            method: Method::Forward,
            ..Self::central()
        }
    }
    pub fn backward() -> Self {
        FiniteDiff {
            method: Method::Backward,
            ..Self::central()
        }
    }
    /// Uses this step instead of the automatic one (it must be finite and > 0).
    pub fn step(self, h: f64) -> Self {
        FiniteDiff {
            step: Some(h),
            ..self
        }
    }
    /// Applies `levels` of Richardson extrapolation, halving the step each time.
    pub fn richardson(self, levels: usize) -> Self {
        FiniteDiff { levels, ..self }
    }

    /// The step for a derivative of order `deriv` at `x`: `eps^(1/(p + deriv)) · max(|x|, 1)` where `p`
    /// is the order of accuracy after extrapolation. Made exactly representable as `(x + h) - x`.
    fn step_at(&self, x: f64, deriv: i32) -> Result<f64> {
        let h = match self.step {
            Some(h) if h.is_finite() && h > 0.0 => h,
            Some(h) => {
                return Err(Error::parameter(
                    "step",
                    h,
                    "a finite-difference step must be finite and > 0",
                ))
            }
            None => {
                let (first, next) = self.method.error_orders();
                let accuracy = first + next * self.levels as i32;
                f64::EPSILON.powf(1.0 / f64::from(accuracy + deriv)) * x.abs().max(1.0)
            }
        };
        let exact = (x + h) - x;
        Ok(if exact > 0.0 { exact } else { h })
    }

    /// The first derivative of `f` at `x`.
    pub fn derivative(&self, f: impl Fn(f64) -> f64, x: f64) -> Result<Estimate> {
        check_finite("x", x)?;
        let h = self.step_at(x, 1)?;
        let fx = f(x);
        let diff = |h: f64| match self.method {
            Method::Forward => (f(x + h) - fx) / h,
            Method::Backward => (fx - f(x - h)) / h,
            Method::Central => (f(x + h) - f(x - h)) / (2.0 * h),
        };
        Ok(self.extrapolate(diff, h, fx, 1))
    }

    /// The second derivative of `f` at `x` (always a central stencil).
    pub fn second_derivative(&self, f: impl Fn(f64) -> f64, x: f64) -> Result<Estimate> {
        check_finite("x", x)?;
        let central = FiniteDiff {
            method: Method::Central,
            ..*self
        };
        let h = central.step_at(x, 2)?;
        let fx = f(x);
        let diff = |h: f64| (f(x + h) - 2.0 * fx + f(x - h)) / (h * h);
        Ok(central.extrapolate(diff, h, fx, 2))
    }

    /// The gradient of `f: ℝⁿ → ℝ` at `x`, one partial derivative per coordinate.
    pub fn gradient(&self, f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Result<Estimate<Vec<f64>>> {
        check_point("x", x)?;
        let mut value = Vec::with_capacity(x.len());
        let mut error = Vec::with_capacity(x.len());
        for i in 0..x.len() {
            let e = self.derivative(|t| f(&with_coordinate(x, i, t)), x[i])?;
            value.push(e.value);
            error.push(e.error);
        }
        Ok(Estimate { value, error })
    }

    /// The Jacobian of `f: ℝⁿ → ℝᵐ` at `x`, an m × n matrix.
    pub fn jacobian(
        &self,
        f: impl Fn(&[f64]) -> Vec<f64>,
        x: &[f64],
    ) -> Result<Estimate<Array2<f64>>> {
        check_point("x", x)?;
        let m = f(x).len();
        if m == 0 {
            return Err(Error::empty("the output of f"));
        }
        let n = x.len();
        let (mut value, mut error) = (Array2::zeros((m, n)), Array2::zeros((m, n)));
        for j in 0..n {
            for i in 0..m {
                let shape_error = Cell::new(None);
                let e = self.derivative(
                    |t| {
                        let y = f(&with_coordinate(x, j, t));
                        if y.len() != m {
                            shape_error.set(Some(y.len()));
                            return f64::NAN;
                        }
                        y[i]
                    },
                    x[j],
                )?;
                if let Some(found) = shape_error.get() {
                    return Err(Error::shape(
                        "jacobian: output of f",
                        format!("{m} values"),
                        format!("{found} values"),
                    ));
                }
                value[[i, j]] = e.value;
                error[[i, j]] = e.error;
            }
        }
        Ok(Estimate { value, error })
    }

    /// The Hessian of `f: ℝⁿ → ℝ` at `x` from second differences (symmetric by construction).
    pub fn hessian(&self, f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Result<Estimate<Array2<f64>>> {
        check_point("x", x)?;
        let n = x.len();
        let central = FiniteDiff {
            method: Method::Central,
            ..*self
        };
        let steps = x
            .iter()
            .map(|&xi| central.step_at(xi, 2))
            .collect::<Result<Vec<_>>>()?;
        let fx = f(x);
        let (mut value, mut error) = (Array2::zeros((n, n)), Array2::zeros((n, n)));
        for i in 0..n {
            for j in i..n {
                let h = (steps[i] * steps[j]).sqrt();
                let mixed = |hs: f64| {
                    let s = hs / h;
                    let at = |si: f64, sj: f64| {
                        let mut p = x.to_vec();
                        p[i] += si * s * steps[i];
                        p[j] += sj * s * steps[j];
                        f(&p)
                    };
                    let hh = s * s * steps[i] * steps[j];
                    if i == j {
                        (at(0.5, 0.5) - 2.0 * fx + at(-0.5, -0.5)) / hh
                    } else {
                        (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0)) / (4.0 * hh)
                    }
                };
                let e = central.extrapolate(mixed, h, fx, 2);
                value[[i, j]] = e.value;
                value[[j, i]] = e.value;
                error[[i, j]] = e.error;
                error[[j, i]] = e.error;
            }
        }
        Ok(Estimate { value, error })
    }

    /// Richardson's table over the steps `h, h/2, h/4, …`; without levels, the plain difference with a
    /// truncation estimate from the step `2h` and a rounding estimate `eps·|f|/h^deriv`.
    fn extrapolate(&self, diff: impl Fn(f64) -> f64, h: f64, fx: f64, deriv: i32) -> Estimate {
        let (first, next) = self.method.error_orders();
        // Rounding: each f value is off by about eps·|f|, divided by the smallest step^deriv and amplified
        // by the extrapolation weights (Σ|w| = Π (r+1)/(r-1) over the levels' factors r).
        let smallest = h / 2f64.powi(self.levels as i32);
        let amplification: f64 = (0..self.levels)
            .map(|level| {
                let r = 2f64.powi(first + next * level as i32);
                (r + 1.0) / (r - 1.0)
            })
            .product();
        // The values near x are about |f(x)| + |f'|·h, so the estimate stays meaningful where f(x) = 0.
        let rounding = |d: f64| {
            2.0 * f64::EPSILON * (fx.abs() / smallest.powi(deriv) + d.abs()) * amplification
        };
        if self.levels == 0 {
            let (d1, d2) = (diff(h), diff(2.0 * h));
            let truncation = (d1 - d2).abs() / (2f64.powi(first) - 1.0);
            return Estimate {
                value: d1,
                error: truncation + rounding(d1),
            };
        }
        let mut row: Vec<f64> = (0..=self.levels)
            .map(|k| diff(h / 2f64.powi(k as i32)))
            .collect();
        let mut last_change = f64::INFINITY;
        for level in 0..self.levels {
            let factor = 2f64.powi(first + next * level as i32);
            let next_row: Vec<f64> = row
                .windows(2)
                .map(|w| (factor * w[1] - w[0]) / (factor - 1.0))
                .collect();
            last_change = (next_row[next_row.len() - 1] - row[row.len() - 1]).abs();
            row = next_row;
        }
        let value = row[row.len() - 1];
        Estimate {
            value,
            error: last_change + rounding(value),
        }
    }
}

/// Central difference with the automatic step.
pub fn derivative(f: impl Fn(f64) -> f64, x: f64) -> Result<Estimate> {
    FiniteDiff::central().derivative(f, x)
}

/// Central second difference with the automatic step.
pub fn second_derivative(f: impl Fn(f64) -> f64, x: f64) -> Result<Estimate> {
    FiniteDiff::central().second_derivative(f, x)
}

/// Central-difference gradient.
pub fn gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Result<Estimate<Vec<f64>>> {
    FiniteDiff::central().gradient(f, x)
}

/// Central-difference Jacobian.
pub fn jacobian(f: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Result<Estimate<Array2<f64>>> {
    FiniteDiff::central().jacobian(f, x)
}

/// Central-difference Hessian.
pub fn hessian(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Result<Estimate<Array2<f64>>> {
    FiniteDiff::central().hessian(f, x)
}
