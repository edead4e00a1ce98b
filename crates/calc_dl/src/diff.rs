//! The public contract: one function, differentiated exactly in the mode that suits the question.
//!
//! | question | function | mode |
//! |---|---|---|
//! | slope of `f: ℝ → ℝ` | [`derivative`] | forward ([`Dual`]) |
//! | curvature of `f: ℝ → ℝ` | [`second_derivative`] | forward ([`HyperDual`]) |
//! | gradient of `f: ℝⁿ → ℝ` | [`grad`], [`value_and_grad`] | reverse ([`Var`]) |
//! | Jacobian of `f: ℝⁿ → ℝᵐ` | [`jacobian`] | forward, one pass per input |
//! | Hessian of `f: ℝⁿ → ℝ` | [`hessian`] | forward ([`HyperDual`]), one pass per entry |
//! | Taylor polynomial | [`taylor`] | Taylor ([`Jet`]) |
//! | is my gradient right? | [`check_grad`] | reverse against central differences |

use crate::dual::{Dual, HyperDual};
use crate::error::{check_finite, check_point, Error, Result};
use crate::jet::{Jet, MAX_ORDER};
use crate::numeric;
use crate::reverse::{value_and_grad_scoped, Var};
use crate::scalar::Scalar;
use ndarray::Array2;
use std::fmt;

/// `f'(x)`, exact, by forward mode.
///
/// ```
/// use calc_dl::prelude::*;
/// assert_eq!(derivative(|w| (w - 3.0).powi(2), 4.0)?, 2.0);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn derivative(f: impl Fn(Dual) -> Dual, x: f64) -> Result<f64> {
    check_finite("x", x)?;
    Ok(f(Dual::var(x)).eps)
}

/// `f''(x)`, exact, by second-order forward mode.
pub fn second_derivative(f: impl Fn(HyperDual) -> HyperDual, x: f64) -> Result<f64> {
    check_finite("x", x)?;
    Ok(f(HyperDual::var(x)).e12)
}

/// `∇f(x)` by reverse mode: one forward pass that records, one backward sweep.
///
/// ```
/// use calc_dl::prelude::*;
/// let f = |v: &[Var]| v[0].powi(2) + v[0] * v[1] * 3.0 + v[1].powi(2);
/// assert_eq!(grad(f, &[1.0, 2.0])?, vec![8.0, 7.0]);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn grad(f: impl FnOnce(&[Var]) -> Var, x: &[f64]) -> Result<Vec<f64>> {
    Ok(value_and_grad(f, x)?.1)
}

/// `(f(x), ∇f(x))` by reverse mode. What `f` records is dropped from the tape afterwards.
pub fn value_and_grad(f: impl FnOnce(&[Var]) -> Var, x: &[f64]) -> Result<(f64, Vec<f64>)> {
    check_point("x", x)?;
    value_and_grad_scoped(f, x)
}

/// The m × n Jacobian of `f: ℝⁿ → ℝᵐ`, exact, one forward pass per input.
///
/// ```
/// use calc_dl::prelude::*;
/// // polar to Cartesian: (r cos θ, r sin θ)
/// let j = jacobian(|v| vec![v[0] * v[1].cos(), v[0] * v[1].sin()], &[2.0, 0.0])?;
/// assert_eq!(j, ndarray::array![[1.0, 0.0], [0.0, 2.0]]);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn jacobian(f: impl Fn(&[Dual]) -> Vec<Dual>, x: &[f64]) -> Result<Array2<f64>> {
    check_point("x", x)?;
    let n = x.len();
    let mut seeded: Vec<Dual> = x.iter().map(|&v| Dual::constant(v)).collect();
    let mut jac: Option<Array2<f64>> = None;
    for j in 0..n {
        seeded[j].eps = 1.0;
        let y = f(&seeded);
        seeded[j].eps = 0.0;
        let jac = jac.get_or_insert_with(|| Array2::zeros((y.len(), n)));
        if y.is_empty() {
            return Err(Error::empty("the output of f"));
        }
        if y.len() != jac.nrows() {
            return Err(Error::shape(
                "jacobian: output of f",
                format!("{} values at every point", jac.nrows()),
                format!("{} values when perturbing input {j}", y.len()),
            ));
        }
        for (i, yi) in y.iter().enumerate() {
            jac[[i, j]] = yi.eps;
        }
    }
    Ok(jac.expect("x is not empty"))
}

/// The n × n Hessian of `f: ℝⁿ → ℝ`, exact (no finite differences), symmetric by construction.
///
/// ```
/// use calc_dl::prelude::*;
/// let saddle = hessian(|v| v[0].powi(2) - v[1].powi(2), &[0.0, 0.0])?;
/// assert_eq!(saddle, ndarray::array![[2.0, 0.0], [0.0, -2.0]]);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn hessian(f: impl Fn(&[HyperDual]) -> HyperDual, x: &[f64]) -> Result<Array2<f64>> {
    check_point("x", x)?;
    let n = x.len();
    let mut seeded: Vec<HyperDual> = x.iter().map(|&v| HyperDual::constant(v)).collect();
    let mut h = Array2::zeros((n, n));
    for i in 0..n {
        for j in i..n {
            seeded[i].e1 = 1.0;
            seeded[j].e2 = 1.0;
            let hij = f(&seeded).e12;
            seeded[i].e1 = 0.0;
            seeded[j].e2 = 0.0;
            h[[i, j]] = hij;
            h[[j, i]] = hij;
        }
    }
    Ok(h)
}

/// A Taylor polynomial `Σ c_k (x - x0)^k` built from exact derivatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Taylor {
    pub x0: f64,
    /// `c_k = f⁽ᵏ⁾(x0) / k!`
    pub coeffs: Vec<f64>,
}

impl Taylor {
    /// The polynomial's value at `x` (so at `x0 + h`, pass `x0 + h`).
    pub fn at(&self, x: f64) -> f64 {
        let h = x - self.x0;
        self.coeffs.iter().rev().fold(0.0, |acc, c| acc * h + c)
    }

    /// The order (highest power).
    pub fn order(&self) -> usize {
        self.coeffs.len() - 1
    }

    /// `f⁽ᵏ⁾(x0)` for k = 0..=order.
    pub fn derivatives(&self) -> Vec<f64> {
        let mut factorial = 1.0;
        self.coeffs
            .iter()
            .enumerate()
            .map(|(k, c)| {
                factorial *= k.max(1) as f64;
                c * factorial
            })
            .collect()
    }
}

impl fmt::Display for Taylor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = if self.x0 == 0.0 {
            "x".to_string()
        } else {
            format!("(x - {})", self.x0)
        };
        let mut first = true;
        for (k, &c) in self.coeffs.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            let sign = if c < 0.0 { "-" } else { "+" };
            if first {
                write!(f, "{}", if c < 0.0 { "-" } else { "" })?;
            } else {
                write!(f, " {sign} ")?;
            }
            first = false;
            let m = c.abs();
            match k {
                0 => write!(f, "{m}")?,
                1 => write!(f, "{m}·{x}")?,
                _ => write!(f, "{m}·{x}^{k}")?,
            }
        }
        if first {
            write!(f, "0")?;
        }
        Ok(())
    }
}

/// The Taylor polynomial of `f` at `x0` up to `order` (at most [`MAX_ORDER`]).
///
/// ```
/// use calc_dl::prelude::*;
/// let t = taylor(|x| x.sin(), 0.0, 3)?;
/// assert_eq!(t.coeffs, vec![0.0, 1.0, 0.0, -1.0 / 6.0]); // x - x³/6
/// assert!((t.at(0.1) - 0.1f64.sin()).abs() < 1e-5);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn taylor(f: impl Fn(Jet) -> Jet, x0: f64, order: usize) -> Result<Taylor> {
    check_finite("x0", x0)?;
    if order > MAX_ORDER {
        return Err(Error::parameter(
            "order",
            order as f64,
            format!("the Taylor order must be at most {MAX_ORDER}"),
        ));
    }
    let y = f(Jet::var(x0, order));
    let mut coeffs = y.coeffs().to_vec();
    coeffs.resize(order + 1, 0.0); // f may ignore its input and return a constant of order 0
    Ok(Taylor { x0, coeffs })
}

/// The result of [`check_grad`]: the reverse-mode gradient against central differences.
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheck {
    pub analytic: Vec<f64>,
    pub numeric: Vec<f64>,
    pub max_abs_error: f64,
    pub max_rel_error: f64,
    pub atol: f64,
    pub rtol: f64,
    /// Every component satisfies `|analytic - numeric| ≤ atol + rtol · |numeric|`.
    pub passed: bool,
}

impl fmt::Display for GradCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>4} {:>22} {:>22} {:>10}",
            "i", "reverse mode", "central difference", "abs err"
        )?;
        for (i, (a, n)) in self.analytic.iter().zip(&self.numeric).enumerate() {
            writeln!(f, "{i:>4} {a:>22.15e} {n:>22.15e} {:>10.2e}", (a - n).abs())?;
        }
        write!(
            f,
            "max abs error {:.2e}, max rel error {:.2e}: {} (atol {:e}, rtol {:e})",
            self.max_abs_error,
            self.max_rel_error,
            if self.passed { "PASSED" } else { "FAILED" },
            self.atol,
            self.rtol
        )
    }
}

/// Checks the reverse-mode gradient of `f` at `x` against central differences, component by component,
/// with PyTorch gradcheck's default tolerances (`atol = 1e-5`, `rtol = 1e-3`).
///
/// `f` is evaluated for the differences with constant [`Var`]s, which record nothing.
pub fn check_grad(f: impl Fn(&[Var]) -> Var, x: &[f64]) -> Result<GradCheck> {
    check_grad_with(f, x, 1e-5, 1e-3)
}

/// [`check_grad`] with chosen tolerances.
pub fn check_grad_with(
    f: impl Fn(&[Var]) -> Var,
    x: &[f64],
    atol: f64,
    rtol: f64,
) -> Result<GradCheck> {
    for (name, tol) in [("atol", atol), ("rtol", rtol)] {
        if !(tol >= 0.0 && tol.is_finite()) {
            return Err(Error::parameter(
                name,
                tol,
                "a tolerance must be finite and >= 0",
            ));
        }
    }
    let analytic = grad(&f, x)?;
    let plain = |p: &[f64]| f(&p.iter().map(|&v| Var::constant(v)).collect::<Vec<_>>()).value();
    let numeric = numeric::gradient(plain, x)?.value;
    let mut report = GradCheck {
        analytic,
        numeric,
        max_abs_error: 0.0,
        max_rel_error: 0.0,
        atol,
        rtol,
        passed: true,
    };
    for (a, n) in report.analytic.iter().zip(&report.numeric) {
        let abs = (a - n).abs();
        report.max_abs_error = report.max_abs_error.max(abs);
        report.max_rel_error = report
            .max_rel_error
            .max(abs / n.abs().max(f64::MIN_POSITIVE));
        report.passed &= abs <= atol + rtol * n.abs();
    }
    Ok(report)
}
