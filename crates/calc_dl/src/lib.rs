//! # calc_dl: calculus for deep learning, runnable
//!
//! Write a function once, generic over [`Scalar`], and differentiate it three ways:
//!
//! - [`numeric`]: finite differences with an automatic step, Richardson extrapolation and an error estimate;
//! - forward mode: [`Dual`] and [`HyperDual`] numbers ([`derivative`], [`second_derivative`], [`jacobian`],
//!   [`hessian`]) and Taylor mode with [`Jet`] ([`taylor`]);
//! - reverse mode: [`Var`] on a tape, as `loss.backward()` in PyTorch ([`grad`], [`value_and_grad`],
//!   [`check_grad`]).
//!
//! ```
//! use calc_dl::prelude::*;
//!
//! fn loss<S: Scalar>(w: S) -> S {
//!     (w - 3.0).powi(2)
//! }
//! let numeric = numeric::derivative(loss, 4.0)?.value;
//! let forward = derivative(loss, 4.0)?;
//! let reverse = grad(|w: &[Var]| loss(w[0]), &[4.0])?[0];
//! assert!((numeric - 2.0).abs() < 1e-9);
//! assert_eq!((forward, reverse), (2.0, 2.0));
//! # Ok::<(), calc_dl::Error>(())
//! ```

pub mod data;
pub mod diff;
pub mod display;
pub mod dual;
pub mod error;
pub mod graph;
pub mod integrate;
pub mod jet;
pub mod linalg;
mod liveness;
pub mod nn;
pub mod numeric;
pub mod ops;
pub mod optim;
pub mod plot;
pub mod regression;
pub mod reverse;
pub mod scalar;
pub mod table;
pub mod tensor;

// The core, at the crate root: `calc_dl::grad`, `calc_dl::Var`, `calc_dl::Error`. The crate's docs
// link these paths and every doc example returns `calc_dl::Error`; the prelude re-exports these
// names (not the modules' paths), so each item is exported once and gathered there with the rest.
pub use diff::{
    check_grad, check_grad_with, derivative, grad, hessian, jacobian, second_derivative, taylor,
    value_and_grad, GradCheck, Taylor,
};
pub use dual::{Dual, HyperDual};
pub use error::{Error, Result};
pub use graph::{Graph, GraphNode};
pub use jet::Jet;
pub use reverse::Var;
pub use scalar::Scalar;

/// Re-exported so that notebook cells can name every type they hold with one `:dep calc_dl`.
pub use ndarray;
/// Re-exported so that cells drawing with plotters directly need no `:dep` of their own.
pub use plotters;
/// Re-exported (feature `tables`) so that a cell holding a `DataFrame` can name its type.
#[cfg(feature = "tables")]
pub use polars;

/// Everything a notebook or a program needs: `use calc_dl::prelude::*;`.
pub mod prelude {
    pub use crate::integrate;
    pub use crate::linalg::{classify, symmetric_eigenvalues, Curvature};
    pub use crate::nn::{Activation, Init, Linear, Loss, Mlp};
    pub use crate::numeric;
    pub use crate::optim::{
        self, AdaGrad, Adam, Lbfgs, Minimizer, Momentum, Nesterov, Newton, Objective, Optimizer,
        Problem, RmsProp, Schedule, Sgd,
    };
    pub use crate::plot::{self, Figure, Plot};
    pub use crate::table::Table;
    pub use crate::tensor::{self, Tensor};
    // The core, by its crate-root names.
    pub use crate::{
        check_grad, check_grad_with, derivative, grad, hessian, jacobian, second_derivative,
        taylor, value_and_grad, Dual, Error, GradCheck, Graph, HyperDual, Jet, Result, Scalar,
        Taylor, Var,
    };
    pub use ndarray::{array, Array1, Array2};
}
