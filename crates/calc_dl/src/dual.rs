//! Forward mode: numbers that carry their derivative along.
//!
//! A [`Dual`] is `a + b·ε` with `ε² = 0`: evaluating `f(x + ε)` gives `f(x) + f'(x)·ε`, exact to the last bit
//! of the floating-point rules, with no step size. A [`HyperDual`] has two such parts and their product,
//! `ε₁ε₂`, which picks up the second derivative (and one Hessian entry at a time).

use crate::ops::{Binary, Unary};
use crate::scalar::{impl_scalar_ops, Scalar};
use std::fmt;

/// `re + eps·ε` with `ε² = 0`: value and first derivative along one direction.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Dual {
    /// The value.
    pub re: f64,
    /// The derivative along the seeded direction.
    pub eps: f64,
}

impl Dual {
    /// A variable: its derivative with respect to itself is 1.
    pub fn var(x: f64) -> Self {
        Dual { re: x, eps: 1.0 }
    }
    pub fn new(re: f64, eps: f64) -> Self {
        Dual { re, eps }
    }
}

impl Scalar for Dual {
    #[inline]
    fn constant(c: f64) -> Self {
        Dual { re: c, eps: 0.0 }
    }
    #[inline]
    fn value(&self) -> f64 {
        self.re
    }
    #[inline]
    fn unary(self, op: Unary) -> Self {
        let (f, d1, _) = op.derivs(self.re);
        Dual {
            re: f,
            eps: d1 * self.eps,
        }
    }
    #[inline]
    fn binary(self, rhs: Self, op: Binary) -> Self {
        let d = op.derivs(self.re, rhs.re);
        Dual {
            re: d.value,
            eps: d.d1[0] * self.eps + d.d1[1] * rhs.eps,
        }
    }
}
impl_scalar_ops!(Dual);

impl fmt::Display for Dual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + {}ε", self.re, self.eps)
    }
}

/// `re + e1·ε₁ + e2·ε₂ + e12·ε₁ε₂` with `ε₁² = ε₂² = 0`: exact first and second derivatives.
///
/// Seeding `e1` along direction `u` and `e2` along `v` makes `e12` equal `uᵀ H v`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct HyperDual {
    pub re: f64,
    pub e1: f64,
    pub e2: f64,
    pub e12: f64,
}

impl HyperDual {
    /// A variable seeded in both directions: `f(x).e12` is `f''(x)`.
    pub fn var(x: f64) -> Self {
        HyperDual {
            re: x,
            e1: 1.0,
            e2: 1.0,
            e12: 0.0,
        }
    }
    pub fn new(re: f64, e1: f64, e2: f64, e12: f64) -> Self {
        HyperDual { re, e1, e2, e12 }
    }
}

impl Scalar for HyperDual {
    #[inline]
    fn constant(c: f64) -> Self {
        HyperDual {
            re: c,
            e1: 0.0,
            e2: 0.0,
            e12: 0.0,
        }
    }
    #[inline]
    fn value(&self) -> f64 {
        self.re
    }
    #[inline]
    fn unary(self, op: Unary) -> Self {
        let (f, d1, d2) = op.derivs(self.re);
        HyperDual {
            re: f,
            e1: d1 * self.e1,
            e2: d1 * self.e2,
            e12: d1 * self.e12 + d2 * self.e1 * self.e2,
        }
    }
    #[inline]
    fn binary(self, rhs: Self, op: Binary) -> Self {
        let (a, b) = (self, rhs);
        let d = op.derivs(a.re, b.re);
        let [fa, fb] = d.d1;
        let [faa, fab, fbb] = d.d2;
        HyperDual {
            re: d.value,
            e1: fa * a.e1 + fb * b.e1,
            e2: fa * a.e2 + fb * b.e2,
            e12: fa * a.e12
                + fb * b.e12
                + faa * a.e1 * a.e2
                + fab * (a.e1 * b.e2 + a.e2 * b.e1)
                + fbb * b.e1 * b.e2,
        }
    }
}
impl_scalar_ops!(HyperDual);

impl fmt::Display for HyperDual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} + {}ε₁ + {}ε₂ + {}ε₁ε₂",
            self.re, self.e1, self.e2, self.e12
        )
    }
}
