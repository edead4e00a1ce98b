//! The notebooks' example functions, and Rosenbrock's valley, written once as [`Objective`]s.

use super::Objective;
use crate::error::Result;
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// `L(w) = (w - 3)²`, minimum at `w = 3`: the first loss of notebook 05.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parabola;
impl Objective for Parabola {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        (x[0] - 3.0).powi(2)
    }
}

/// `L(w) = w⁴ - 8w² + 2w + 20`: two valleys, the deeper near `w ≈ -2.06`, a shallower one near
/// `w ≈ 1.94`; where gradient descent ends depends on where it starts (notebook 05).
#[derive(Debug, Clone, Copy, Default)]
pub struct TwoValleys;
impl Objective for TwoValleys {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let w = x[0];
        w.powi(4) - w.powi(2) * 8.0 + w * 2.0 + 20.0
    }
}

/// `f(x, y) = x² + y²`, a round bowl (notebooks 06 and 10).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bowl;
impl Objective for Bowl {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        x[0].powi(2) + x[1].powi(2)
    }
}

/// `f(x, y) = (x - 3)² + (y + 1)²`, minimum at `(3, -1)` (notebook 06, exercise 2).
#[derive(Debug, Clone, Copy, Default)]
pub struct ShiftedBowl;
impl Objective for ShiftedBowl {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2)
    }
}

/// `f(x) = x⁴ - 3x²`, minima at `±√(3/2)` and a maximum at 0 (notebook 10, with momentum).
#[derive(Debug, Clone, Copy, Default)]
pub struct DoubleWell;
impl Objective for DoubleWell {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        x[0].powi(4) - x[0].powi(2) * 3.0
    }
}

/// Rosenbrock's function in any dimension, `Σᵢ 100(xᵢ₊₁ - xᵢ²)² + (1 - xᵢ)²`: minimum 0 at `(1, …, 1)`
/// at the end of a long curved valley, the classic test for optimizers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rosenbrock;
impl Objective for Rosenbrock {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let mut total = S::constant(0.0);
        for w in x.windows(2) {
            let a = w[1] - w[0] * w[0];
            let b = S::constant(1.0) - w[0];
            total += a * a * 100.0 + b * b;
        }
        total
    }
}

impl Rosenbrock {
    /// The same function on a `1 × n` row on the tensor tape: a dozen array ops instead of one node
    /// per arithmetic operation, as PyTorch computes it.
    ///
    /// ```
    /// use calc_dl::optim::{functions::Rosenbrock, Objective};
    /// use calc_dl::tensor::{self, Tensor};
    /// let x = ndarray::array![[-1.2, 1.0, -1.2]];
    /// let (f, g) = tensor::value_and_grad(&[x.clone()], |p| Rosenbrock::tensor(&p[0]))?;
    /// let (f_var, g_var) = calc_dl::value_and_grad(|v| Rosenbrock.eval(v), x.as_slice().unwrap())?;
    /// assert!((f - f_var).abs() < 1e-12);
    /// assert!(g[0].iter().zip(&g_var).all(|(a, b)| (a - b).abs() < 1e-9));
    /// # Ok::<(), calc_dl::Error>(())
    /// ```
    pub fn tensor(x: &Tensor) -> Result<Tensor> {
        let n = x.shape().1;
        let (head, tail) = (x.cols(0..n.saturating_sub(1))?, x.cols(1.min(n)..n)?);
        let a = tail.sub(&head.powi(2))?;
        let b = head.neg().add_scalar(1.0);
        Ok(a.powi(2).scale(100.0).add(&b.powi(2))?.sum())
    }
}
