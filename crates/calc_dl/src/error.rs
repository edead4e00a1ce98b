//! One error type for the whole crate: every public function that can be handed bad input returns
//! [`Result`], and every message says what was wrong and what to do about it.

use thiserror::Error;

/// What went wrong, and what to do instead.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// An input was NaN or infinite.
    #[error("{what} is {value}, not a finite number: derivatives are only defined at finite points, so pass finite inputs")]
    NonFinite { what: String, value: f64 },

    /// An input slice or data set had no elements.
    #[error("{what} is empty: pass at least one value")]
    Empty { what: String },

    /// Two things that must have matching shapes do not.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    Shape {
        what: String,
        expected: String,
        found: String,
    },

    /// A finite-difference step, learning rate, tolerance or similar was out of range.
    #[error("{what} = {value} is invalid: {hint}")]
    InvalidParameter {
        what: String,
        value: f64,
        hint: String,
    },

    /// A gradient was asked of a value that does not track gradients (PyTorch's `requires_grad=False`).
    #[error("{0}")]
    NoGrad(String),

    /// An optimisation run produced a non-finite or exploding loss.
    #[error("diverged at step {step}: the loss became {loss} (it was {last_finite} the step before); try a smaller learning rate")]
    Diverged {
        step: usize,
        loss: f64,
        last_finite: f64,
    },

    /// A method needs something the problem does not provide (Newton's method without a Hessian).
    #[error("{what} is not available: {hint}")]
    Unsupported { what: String, hint: String },

    /// A linear system had no unique solution.
    #[error("{what} is singular or nearly so (no unique solution): {hint}")]
    Singular { what: String, hint: String },

    /// Reading or parsing data failed.
    #[error("could not read {what}: {reason}")]
    Data { what: String, reason: String },

    /// Drawing or writing an output (figure, table, file) failed.
    #[error("could not write {what}: {reason}")]
    Output { what: String, reason: String },

    /// An iterative estimate (an adaptive integral) did not reach its tolerance.
    #[error("{what} did not settle: {hint}")]
    NotConverged { what: String, hint: String },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn non_finite(what: impl Into<String>, value: f64) -> Self {
        Error::NonFinite {
            what: what.into(),
            value,
        }
    }

    pub(crate) fn empty(what: impl Into<String>) -> Self {
        Error::Empty { what: what.into() }
    }

    pub(crate) fn shape(
        what: impl Into<String>,
        expected: impl ToString,
        found: impl ToString,
    ) -> Self {
        Error::Shape {
            what: what.into(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    pub(crate) fn output(what: impl Into<String>, reason: impl ToString) -> Self {
        Error::Output {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn parameter(what: impl Into<String>, value: f64, hint: impl Into<String>) -> Self {
        Error::InvalidParameter {
            what: what.into(),
            value,
            hint: hint.into(),
        }
    }
}

/// Checks that a point is non-empty and finite: the common precondition of every derivative routine.
pub(crate) fn check_point(what: &str, x: &[f64]) -> Result<()> {
    if x.is_empty() {
        return Err(Error::empty(what));
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(Error::non_finite(format!("{what}[{i}]"), x[i])),
        None => Ok(()),
    }
}

/// Checks that one number is finite.
pub(crate) fn check_finite(what: &str, x: f64) -> Result<()> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(Error::non_finite(what, x))
    }
}
