//! What an optimizer minimises: a [`Problem`] answers for values, gradients and, when it can, Hessians.

use crate::diff;
use crate::dual::HyperDual;
use crate::error::{Error, Result};
use crate::reverse::Var;
use crate::scalar::Scalar;
use ndarray::Array2;

/// A function to minimise, as the optimizers see it.
pub trait Problem {
    /// `f(x)`.
    fn value(&mut self, x: &[f64]) -> Result<f64>;

    /// `(f(x), ∇f(x))`.
    fn value_and_grad(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>)>;

    /// `∇²f(x)`, for [`Newton`](super::Newton); problems without one say so.
    fn hessian(&mut self, _x: &[f64]) -> Result<Array2<f64>> {
        Err(Error::Unsupported {
            what: "the Hessian of this problem".into(),
            hint: "write it as an Objective (generic over Scalar) or give FnProblem::with_hessian"
                .into(),
        })
    }
}

/// A function written once, generic over [`Scalar`]: its value runs on `f64`, its gradient on the
/// reverse-mode [`Var`] tape, its Hessian on [`HyperDual`] numbers, all exact.
pub trait Objective {
    fn eval<S: Scalar>(&self, x: &[S]) -> S;
}

impl<O: Objective> Problem for O {
    fn value(&mut self, x: &[f64]) -> Result<f64> {
        Ok(self.eval(x))
    }
    fn value_and_grad(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>)> {
        diff::value_and_grad(|v: &[Var]| self.eval(v), x)
    }
    fn hessian(&mut self, x: &[f64]) -> Result<Array2<f64>> {
        diff::hessian(|v: &[HyperDual]| self.eval(v), x)
    }
}

/// A Hessian function held by an [`FnProblem`].
type HessianFn = Box<dyn FnMut(&[f64]) -> Array2<f64>>;

/// A problem from closures: a value function and a gradient function (and a Hessian, if you have one).
///
/// ```
/// use calc_dl::optim::{FnProblem, Minimizer, Sgd};
/// // notebook 05's L(w) = (w - 3)², dL/dw = 2(w - 3)
/// let mut p = FnProblem::new(|w: &[f64]| (w[0] - 3.0).powi(2), |w: &[f64]| vec![2.0 * (w[0] - 3.0)]);
/// let run = Minimizer::new(100).run(&mut p, &mut Sgd::new(0.1), &[0.0])?;
/// assert!((run.x[0] - 3.0).abs() < 1e-8);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub struct FnProblem<F, G> {
    f: F,
    g: G,
    h: Option<HessianFn>,
}

impl<F, G> FnProblem<F, G>
where
    F: FnMut(&[f64]) -> f64,
    G: FnMut(&[f64]) -> Vec<f64>,
{
    pub fn new(f: F, grad: G) -> Self {
        FnProblem {
            f,
            g: grad,
            h: None,
        }
    }

    /// Adds a Hessian function, for [`Newton`](super::Newton).
    pub fn with_hessian(mut self, h: impl FnMut(&[f64]) -> Array2<f64> + 'static) -> Self {
        self.h = Some(Box::new(h));
        self
    }
}

impl<F, G> Problem for FnProblem<F, G>
where
    F: FnMut(&[f64]) -> f64,
    G: FnMut(&[f64]) -> Vec<f64>,
{
    fn value(&mut self, x: &[f64]) -> Result<f64> {
        Ok((self.f)(x))
    }
    fn value_and_grad(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>)> {
        let g = (self.g)(x);
        super::check_len("FnProblem: the gradient function's result", x, &g)?;
        Ok(((self.f)(x), g))
    }
    fn hessian(&mut self, x: &[f64]) -> Result<Array2<f64>> {
        let n = x.len();
        match &mut self.h {
            Some(h) => {
                let m = h(x);
                if m.dim() != (n, n) {
                    return Err(Error::shape(
                        "FnProblem: the Hessian function's result",
                        format!("{n} × {n}"),
                        format!("{} × {}", m.nrows(), m.ncols()),
                    ));
                }
                Ok(m)
            }
            None => Err(Error::Unsupported {
                what: "the Hessian of this FnProblem".into(),
                hint: "add one with FnProblem::with_hessian, or write the function as an Objective"
                    .into(),
            }),
        }
    }
}

/// A problem from one closure on [`Var`]s: the gradient comes from the reverse-mode tape.
///
/// ```
/// use calc_dl::prelude::*;
/// use calc_dl::optim::{Minimizer, Momentum, VarProblem};
/// let mut p = VarProblem(|v: &[Var]| v[0].powi(4) - v[0].powi(2) * 3.0); // x⁴ - 3x²
/// let run = Minimizer::new(500).grad_tol(1e-9).run(&mut p, &mut Momentum::new(0.01), &[0.5])?;
/// assert!((run.x[0] - 1.5f64.sqrt()).abs() < 1e-6); // the minimum at √(3/2)
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub struct VarProblem<F>(pub F);

impl<F: Fn(&[Var]) -> Var> Problem for VarProblem<F> {
    fn value(&mut self, x: &[f64]) -> Result<f64> {
        let c: Vec<Var> = x.iter().map(|&v| Var::constant(v)).collect();
        Ok((self.0)(&c).value())
    }
    fn value_and_grad(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>)> {
        diff::value_and_grad(&self.0, x)
    }
}
