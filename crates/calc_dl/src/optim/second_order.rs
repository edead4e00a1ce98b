//! Methods that use curvature: Newton's method with the exact Hessian, and L-BFGS, which learns the
//! curvature from the last few gradient differences.

use super::{check_len, check_lr, norm, Optimizer, Problem};
use crate::error::{Error, Result};
use crate::linalg;
use std::collections::VecDeque;

/// Newton's method, `x ← x - lr·H⁻¹g` with the exact Hessian (`lr = 1` is the pure method: on a quadratic
/// it lands on the minimum in one step). It heads for the nearest stationary point, which may be a
/// maximum or a saddle where the curvature is negative.
#[derive(Debug, Clone, PartialEq)]
pub struct Newton {
    pub lr: f64,
}

impl Default for Newton {
    fn default() -> Self {
        Newton { lr: 1.0 }
    }
}

impl Newton {
    /// A damped Newton method with step scale `lr`.
    pub fn new(lr: f64) -> Self {
        Newton { lr }
    }
}

impl Optimizer for Newton {
    named_with_lr!("Newton");
    fn step(
        &mut self,
        problem: &mut dyn Problem,
        x: &mut [f64],
        _loss: f64,
        grad: &[f64],
    ) -> Result<()> {
        check_lr(self.lr)?;
        check_len("Newton", x, grad)?;
        let h = problem.hessian(x)?;
        let d = linalg::solve(&h, grad, "Newton: the Hessian")?;
        x.iter_mut().zip(&d).for_each(|(x, d)| *x -= self.lr * d);
        Ok(())
    }
    fn reset(&mut self) {}
}

/// L-BFGS with a backtracking line search that halves the step until the Armijo condition
/// `f(x + t·d) ≤ f(x) + c₁·t·gᵀd` holds (`t` starts at `lr`, 1 by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Lbfgs {
    pub lr: f64,
    /// How many curvature pairs to keep (PyTorch's `history_size`, 100 there; 10 is the textbook value).
    pub memory: usize,
    /// The Armijo constant `c₁`.
    pub c1: f64,
    pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)>,
    last: Option<(Vec<f64>, Vec<f64>)>,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Lbfgs {
            lr: 1.0,
            memory: 10,
            c1: 1e-4,
            pairs: VecDeque::new(),
            last: None,
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Lbfgs {
    pub fn memory(self, memory: usize) -> Self {
        Lbfgs { memory, ..self }
    }

    /// `-H·g` by the two-loop recursion over the stored pairs `(s, y, 1/yᵀs)`.
    fn direction(&self, grad: &[f64]) -> Vec<f64> {
        let mut q = grad.to_vec();
        let mut alphas = Vec::with_capacity(self.pairs.len());
        for (s, y, rho) in self.pairs.iter().rev() {
            let a = rho * dot(s, &q);
            q.iter_mut().zip(y).for_each(|(q, y)| *q -= a * y);
            alphas.push(a);
        }
        if let Some((s, y, _)) = self.pairs.back() {
            let gamma = dot(s, y) / dot(y, y);
            q.iter_mut().for_each(|q| *q *= gamma);
        }
        for ((s, y, rho), a) in self.pairs.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(y, &q);
            q.iter_mut().zip(s).for_each(|(q, s)| *q += (a - b) * s);
        }
        q.iter_mut().for_each(|q| *q = -*q);
        q
    }
}

impl Optimizer for Lbfgs {
    named_with_lr!("L-BFGS");
    fn step(
        &mut self,
        problem: &mut dyn Problem,
        x: &mut [f64],
        loss: f64,
        grad: &[f64],
    ) -> Result<()> {
        check_lr(self.lr)?;
        check_len("L-BFGS", x, grad)?;
        if self.memory == 0 {
            return Err(Error::parameter(
                "L-BFGS memory",
                0.0,
                "keep at least one curvature pair",
            ));
        }
        if !(self.c1 > 0.0 && self.c1 < 1.0) {
            return Err(Error::parameter(
                "L-BFGS c1",
                self.c1,
                "the Armijo constant must lie in (0, 1)",
            ));
        }
        if let Some((px, pg)) = self.last.take() {
            if px.len() != x.len() {
                return Err(Error::shape(
                    "L-BFGS",
                    format!("{} parameters, as before (call reset())", px.len()),
                    x.len(),
                ));
            }
            let s: Vec<f64> = x.iter().zip(&px).map(|(a, b)| a - b).collect();
            let y: Vec<f64> = grad.iter().zip(&pg).map(|(a, b)| a - b).collect();
            let sy = dot(&s, &y);
            // Keep only pairs that say the function curves upwards along s (keeps H positive definite).
            if sy > 1e-12 * norm(&s) * norm(&y) && sy > 0.0 {
                if self.pairs.len() == self.memory {
                    self.pairs.pop_front();
                }
                self.pairs.push_back((s, y, 1.0 / sy));
            }
        }
        let mut d = self.direction(grad);
        let mut slope = dot(grad, &d);
        if slope.is_nan() || slope >= 0.0 {
            self.pairs.clear(); // not a descent direction: start over from steepest descent
            d = grad.iter().map(|g| -g).collect();
            slope = -dot(grad, grad);
        }
        let start = x.to_vec();
        let mut t = if self.pairs.is_empty() {
            // first step: no curvature known yet, so move a distance of at most lr
            self.lr * (1.0f64).min(1.0 / norm(grad).max(f64::MIN_POSITIVE))
        } else {
            self.lr
        };
        let mut trial = start.clone();
        for _ in 0..60 {
            trial
                .iter_mut()
                .zip(&start)
                .zip(&d)
                .for_each(|((p, x0), d)| *p = x0 + t * d);
            let f = problem.value(&trial)?;
            if f <= loss + self.c1 * t * slope {
                x.copy_from_slice(&trial);
                self.last = Some((start, grad.to_vec()));
                return Ok(());
            }
            t *= 0.5;
        }
        // No decrease found along d (at a minimum to machine precision): stay, and forget the curvature.
        self.pairs.clear();
        Ok(())
    }
    fn reset(&mut self) {
        self.pairs.clear();
        self.last = None;
    }
}
