//! Optimizers: one [`Optimizer`] trait, one executor ([`Minimizer`]) that runs any of them and records
//! the history, and problems given once and differentiated in whatever mode a method needs.
//!
//! As in argmin, a method only computes the next point; the loop, the stopping rules, the learning-rate
//! schedule, divergence checks and the record are the executor's, written once.
//!
//! | method | type | needs |
//! |---|---|---|
//! | gradient descent | [`Sgd`] | gradient |
//! | heavy ball / Nesterov | [`Momentum`], [`Nesterov`] | gradient |
//! | adaptive | [`AdaGrad`], [`RmsProp`], [`Adam`] (PyTorch's rules and defaults) | gradient |
//! | quasi-Newton | [`Lbfgs`] with a backtracking Armijo line search | gradient, values |
//! | Newton | [`Newton`] | exact Hessian |
//!
//! A problem written once, generic over [`Scalar`], gives values (`f64`), gradients ([`Var`]) and Hessians
//! ([`HyperDual`](crate::HyperDual)):
//!
//! ```
//! use calc_dl::prelude::*;
//! use calc_dl::optim::{Adam, Minimizer, Newton, Objective};
//!
//! struct Lesson; // L(x, y) = (x - 3)² + (y + 1)²
//! impl Objective for Lesson {
//!     fn eval<S: Scalar>(&self, v: &[S]) -> S {
//!         (v[0] - 3.0).powi(2) + (v[1] + 1.0).powi(2)
//!     }
//! }
//! let newton = Minimizer::new(10).run(&mut Lesson, &mut Newton::default(), &[0.0, 0.0])?;
//! assert_eq!(newton.x, vec![3.0, -1.0]); // one step: the model is exactly quadratic
//! assert_eq!(newton.steps, 1);
//! let adam = Minimizer::new(5000).grad_tol(1e-6).run(&mut Lesson, &mut Adam::new(0.1), &[0.0, 0.0])?;
//! assert!((adam.x[0] - 3.0).abs() < 1e-5 && (adam.x[1] + 1.0).abs() < 1e-5);
//! # Ok::<(), calc_dl::Error>(())
//! ```

/// The name and the `lr` field accessors every optimizer shares.
macro_rules! named_with_lr {
    ($name:expr) => {
        fn name(&self) -> &'static str {
            $name
        }
        fn learning_rate(&self) -> f64 {
            self.lr
        }
        fn set_learning_rate(&mut self, lr: f64) {
            self.lr = lr;
        }
    };
}

mod first_order;
pub mod functions;
mod minimize;
mod problem;
mod schedule;
mod second_order;

pub use first_order::{AdaGrad, Adam, HeavyBall, Momentum, Nesterov, RmsProp, Sgd};
pub use minimize::{minimize, Minimizer, Record, Run, Stop};
pub use problem::{FnProblem, Objective, Problem, VarProblem};
pub use schedule::Schedule;
pub use second_order::{Lbfgs, Newton};

use crate::error::{Error, Result};
#[allow(unused_imports)] // named in the docs above
use crate::{reverse::Var, scalar::Scalar};

/// A method that moves parameters downhill, one step at a time.
pub trait Optimizer {
    /// A short name for tables and legends.
    fn name(&self) -> &'static str;

    /// The current learning rate (the step scale; for Newton and L-BFGS, the initial step length).
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate; the executor calls this before every step when a [`Schedule`] is set.
    fn set_learning_rate(&mut self, lr: f64);

    /// Moves `x` one step, given the loss and gradient there. Methods that need more (a Hessian, values
    /// along a line) ask `problem`.
    fn step(
        &mut self,
        problem: &mut dyn Problem,
        x: &mut [f64],
        loss: f64,
        grad: &[f64],
    ) -> Result<()>;

    /// Forgets the state built up by earlier steps (velocities, moments, curvature pairs).
    fn reset(&mut self);
}

/// A learning rate must be finite and > 0.
pub(crate) fn check_lr(lr: f64) -> Result<()> {
    if lr.is_finite() && lr > 0.0 {
        Ok(())
    } else {
        Err(Error::parameter(
            "learning rate",
            lr,
            "a learning rate must be finite and > 0 (try 0.1, 0.01 or 0.001)",
        ))
    }
}

/// A hyper-parameter such as a momentum or a decay rate must lie in `[0, 1)`.
pub(crate) fn check_unit(what: &str, v: f64) -> Result<()> {
    if (0.0..1.0).contains(&v) {
        Ok(())
    } else {
        Err(Error::parameter(what, v, "it must lie in [0, 1)"))
    }
}

/// A small constant such as Adam's epsilon must be finite and >= 0.
pub(crate) fn check_eps(what: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::parameter(what, v, "it must be finite and >= 0"))
    }
}

/// The gradient must match the parameters.
pub(crate) fn check_len(what: &str, x: &[f64], grad: &[f64]) -> Result<()> {
    if x.len() == grad.len() {
        Ok(())
    } else {
        Err(Error::shape(
            what,
            format!("a gradient of {} values, one per parameter", x.len()),
            format!("{} values", grad.len()),
        ))
    }
}

/// Sizes a state buffer on first use; afterwards the parameter count must not change.
pub(crate) fn state_for<'a>(
    state: &'a mut Vec<f64>,
    n: usize,
    what: &str,
) -> Result<&'a mut [f64]> {
    if state.is_empty() {
        state.resize(n, 0.0);
    }
    if state.len() != n {
        return Err(Error::shape(
            what,
            format!(
                "{} parameters, as in earlier steps (call reset() for a new problem)",
                state.len()
            ),
            format!("{n} parameters"),
        ));
    }
    Ok(state)
}

/// The Euclidean norm.
pub(crate) fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}
