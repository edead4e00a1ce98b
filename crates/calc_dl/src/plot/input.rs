//! The data a panel is given: checked as it comes in (an error is remembered and reported by
//! [`Plot::figure`], so a chain of calls never panics) and functions sampled into points.

use super::Plot;
use crate::error::{Error, Result};

impl Plot {
    pub(super) fn fail(&mut self, e: Error) {
        self.error.get_or_insert(e);
    }

    pub(super) fn keep<T>(&mut self, r: Result<T>) -> Option<T> {
        r.map_err(|e| self.fail(e)).ok()
    }

    pub(super) fn keep_err(mut self, r: Result<()>) -> Self {
        self.keep(r);
        self
    }

    /// Zips `xs` and `ys`, recording an error for empty, mismatched or non-finite data.
    pub(super) fn pairs(&mut self, xs: &[f64], ys: &[f64], label: &str) -> Vec<(f64, f64)> {
        let pts: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
        let what = name(label);
        let check = if xs.is_empty() || ys.is_empty() {
            Err(Error::empty(format!("data of {what}")))
        } else if xs.len() != ys.len() {
            Err(Error::shape(
                format!("xs and ys of {what}"),
                xs.len(),
                ys.len(),
            ))
        } else {
            self.finite_points(&format!("data of {what}"), &pts)
        };
        self.keep(check);
        pts
    }

    pub(super) fn finite_points(&self, what: &str, pts: &[(f64, f64)]) -> Result<()> {
        if pts.is_empty() {
            return Err(Error::empty(what));
        }
        for (i, &(x, y)) in pts.iter().enumerate() {
            if !x.is_finite() {
                return Err(Error::non_finite(format!("x[{i}] of {what}"), x));
            }
            if !y.is_finite() {
                return Err(Error::non_finite(format!("y[{i}] of {what}"), y));
            }
        }
        Ok(())
    }
}

/// A label for error messages: the series label, or "a series".
pub(super) fn name(label: &str) -> String {
    if label.is_empty() {
        "a series".to_string()
    } else {
        format!("'{label}'")
    }
}

/// `f` at `n` evenly spaced points of `[lo, hi]`; non-finite values become NaN (gaps in a line).
pub(super) fn samples(
    f: &impl Fn(f64) -> f64,
    (lo, hi): (f64, f64),
    n: usize,
) -> (Vec<f64>, Vec<f64>) {
    (0..n)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / (n - 1) as f64;
            let y = f(x);
            (x, if y.is_finite() { y } else { f64::NAN })
        })
        .unzip()
}

/// `(lo, hi)` if both ends are finite and `lo < hi`; errors name "the {what}".
pub(super) fn check_range(what: &str, (lo, hi): (f64, f64)) -> Result<(f64, f64)> {
    crate::error::check_finite(&format!("lower end of the {what}"), lo)?;
    crate::error::check_finite(&format!("upper end of the {what}"), hi)?;
    if lo >= hi {
        return Err(Error::parameter(
            format!("lower end of the {what}"),
            lo,
            format!("it must be below the upper end {hi}"),
        ));
    }
    Ok((lo, hi))
}
