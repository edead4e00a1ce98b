//! The lessons' example functions, and Rosenbrock's valley, written once as [`Objective`]s.

use super::Objective;
use crate::scalar::Scalar;

/// `L(w) = (w - 3)²`, minimum at `w = 3`: the first loss of lesson 2.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parabola;
impl Objective for Parabola {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        (x[0] - 3.0).powi(2)
    }
}

/// `L(w) = w⁴ - 8w² + 2w + 20`: two valleys, the deeper near `w ≈ -2.06`, a shallower one near
/// `w ≈ 1.94`; where gradient descent ends depends on where it starts (lesson 2).
#[derive(Debug, Clone, Copy, Default)]
pub struct TwoValleys;
impl Objective for TwoValleys {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        let w = x[0];
        w.powi(4) - w.powi(2) * 8.0 + w * 2.0 + 20.0
    }
}

/// `f(x, y) = x² + y²`, a round bowl (lesson 4).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bowl;
impl Objective for Bowl {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        x[0].powi(2) + x[1].powi(2)
    }
}

/// `f(x, y) = (x - 3)² + (y + 1)²`, minimum at `(3, -1)` (lesson 4, exercise 2).
#[derive(Debug, Clone, Copy, Default)]
pub struct ShiftedBowl;
impl Objective for ShiftedBowl {
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2)
    }
}

/// `f(x) = x⁴ - 3x²`, minima at `±√(3/2)` and a maximum at 0 (lesson 4, exercise 3, with momentum).
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
