//! [`Scalar`]: one number trait, so a function written once runs in every mode.
//!
//! ```
//! use calc_dl::prelude::*;
//!
//! fn f<S: Scalar>(x: S) -> S {
//!     x.powi(3) - x * 3.0
//! }
//! assert_eq!(f(2.0), 2.0); // plain f64
//! assert_eq!(derivative(f, 2.0)?, 9.0); // forward mode: 3x^2 - 3
//! assert_eq!(second_derivative(f, 2.0)?, 12.0); // 6x
//! assert_eq!(grad(|x: &[Var]| f(x[0]), &[2.0])?, vec![9.0]); // reverse mode
//! # Ok::<(), calc_dl::Error>(())
//! ```

use crate::ops::{Binary, Unary};
use std::fmt::{Debug, Display};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// The trait's one-argument methods: `name(args) => Op` becomes `fn name(self, args) -> Self`, which is
/// `self.unary(Unary::Op(args))`.
macro_rules! unary_methods {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty)?) => $op:ident;)*) => {
        $(
            $(#[$doc])*
            #[inline]
            fn $name(self $(, $arg: $ty)?) -> Self {
                self.unary(Unary::$op$(($arg))?)
            }
        )*
    };
}

/// A real number that may carry derivatives: `f64`, [`Dual`](crate::Dual), [`HyperDual`](crate::HyperDual),
/// [`Jet`](crate::Jet) or the reverse-mode [`Var`](crate::Var).
///
/// An implementor says how to make a constant, how to read its value, and how to lift one
/// [`Unary`] or [`Binary`] op; every method below is written once in terms of those.
///
/// Arithmetic with `f64` works on either side for every concrete type (`2.0 * x`, `x * 2.0`). Inside a
/// function generic over `S: Scalar`, Rust can only see the `f64` on the right (`x * 2.0`), or write
/// `S::constant(2.0) * x`.
pub trait Scalar:
    Copy
    + Debug
    + Display
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + std::iter::Sum
    + 'static
{
    /// A constant: its derivatives are zero and, in reverse mode, it records nothing.
    fn constant(c: f64) -> Self;

    /// The plain value, without derivatives.
    fn value(&self) -> f64;

    /// Applies a one-argument op.
    fn unary(self, op: Unary) -> Self;

    /// Applies a two-argument op.
    fn binary(self, rhs: Self, op: Binary) -> Self;

    unary_methods! {
        powi(n: i32) => Powi;
        powf(p: f64) => Powf;
        sqrt() => Sqrt;
        exp() => Exp;
        ln() => Ln;
        sin() => Sin;
        cos() => Cos;
        tan() => Tan;
        tanh() => Tanh;
        /// `1 / (1 + e^-x)`, computed without overflow for large `|x|`.
        sigmoid() => Sigmoid;
        /// `max(x, 0)`; derivative 0 at 0, as in PyTorch.
        relu() => Relu;
        /// `|x|`; derivative 0 at 0, as in PyTorch.
        abs() => Abs;
    }
    /// The larger of two; at a tie each side gets half the gradient (PyTorch's `maximum`). NaN propagates.
    fn max(self, other: Self) -> Self {
        select(
            self,
            other,
            self.value() > other.value(),
            self.value() < other.value(),
        )
    }
    /// The smaller of two; at a tie each side gets half the gradient (PyTorch's `minimum`). NaN propagates.
    fn min(self, other: Self) -> Self {
        select(
            self,
            other,
            self.value() < other.value(),
            self.value() > other.value(),
        )
    }
}

/// `a` if `take_a`, `b` if `take_b`, else the average (a tie, or NaN).
fn select<S: Scalar>(a: S, b: S, take_a: bool, take_b: bool) -> S {
    if take_a {
        a
    } else if take_b {
        b
    } else {
        a * 0.5 + b * 0.5
    }
}

impl Scalar for f64 {
    #[inline]
    fn constant(c: f64) -> Self {
        c
    }
    #[inline]
    fn value(&self) -> f64 {
        *self
    }
    #[inline]
    fn unary(self, op: Unary) -> Self {
        op.value(self)
    }
    #[inline]
    fn binary(self, rhs: Self, op: Binary) -> Self {
        op.value(self, rhs)
    }
}

/// Implements the arithmetic operators of a [`Scalar`] type through `binary`, `unary` and `constant`,
/// with `f64` on either side.
macro_rules! impl_scalar_ops {
    ($t:ty) => {
        impl ::std::ops::Neg for $t {
            type Output = $t;
            #[inline]
            fn neg(self) -> $t {
                $crate::Scalar::unary(self, $crate::ops::Unary::Neg)
            }
        }
        $crate::scalar::impl_scalar_ops!(@bin $t, Add, add, AddAssign, add_assign, Add);
        $crate::scalar::impl_scalar_ops!(@bin $t, Sub, sub, SubAssign, sub_assign, Sub);
        $crate::scalar::impl_scalar_ops!(@bin $t, Mul, mul, MulAssign, mul_assign, Mul);
        $crate::scalar::impl_scalar_ops!(@bin $t, Div, div, DivAssign, div_assign, Div);
        impl ::std::iter::Sum for $t {
            fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                iter.fold(<$t as $crate::Scalar>::constant(0.0), |a, b| a + b)
            }
        }
    };
    (@bin $t:ty, $tr:ident, $m:ident, $tra:ident, $ma:ident, $op:ident) => {
        impl ::std::ops::$tr for $t {
            type Output = $t;
            #[inline]
            fn $m(self, rhs: $t) -> $t {
                $crate::Scalar::binary(self, rhs, $crate::ops::Binary::$op)
            }
        }
        impl ::std::ops::$tr<f64> for $t {
            type Output = $t;
            #[inline]
            fn $m(self, rhs: f64) -> $t {
                $crate::Scalar::binary(self, <$t as $crate::Scalar>::constant(rhs), $crate::ops::Binary::$op)
            }
        }
        impl ::std::ops::$tr<$t> for f64 {
            type Output = $t;
            #[inline]
            fn $m(self, rhs: $t) -> $t {
                $crate::Scalar::binary(<$t as $crate::Scalar>::constant(self), rhs, $crate::ops::Binary::$op)
            }
        }
        impl ::std::ops::$tra for $t {
            #[inline]
            fn $ma(&mut self, rhs: $t) {
                *self = ::std::ops::$tr::$m(*self, rhs);
            }
        }
        impl ::std::ops::$tra<f64> for $t {
            #[inline]
            fn $ma(&mut self, rhs: f64) {
                *self = ::std::ops::$tr::$m(*self, rhs);
            }
        }
    };
}
pub(crate) use impl_scalar_ops;
