//! The elementary operations and their derivatives, written once.
//!
//! Every number type in the crate ([`f64`], [`Dual`](crate::Dual), [`HyperDual`](crate::HyperDual),
//! [`Var`](crate::Var)) differentiates by asking an op for its value and first two derivatives at a point
//! and lifting them; only [`Jet`](crate::Jet), which needs every order, has rules of its own.

use std::fmt;

/// A function of one argument.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unary {
    Neg,
    Powi(i32),
    Powf(f64),
    Sqrt,
    Exp,
    Ln,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sigmoid,
    /// `max(x, 0)`; the derivative at 0 is 0, as in PyTorch.
    Relu,
    /// `|x|`; the derivative at 0 is 0 (PyTorch's `sign(0) = 0`).
    Abs,
}

/// A function of two arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
}

/// The numerically stable logistic function.
#[inline]
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `tanh'(x) = sech²(x)`, accurate where tanh saturates (where `1 - tanh²` would cancel to noise or 0).
#[inline]
pub(crate) fn tanh_slope(x: f64) -> f64 {
    let c = x.cosh();
    1.0 / (c * c)
}

/// `k * x^m`, but 0 when `k` is 0 (so that `0 * x^-1` at `x = 0` is not NaN).
#[inline]
fn scaled_pow(k: f64, x: f64, m: f64) -> f64 {
    if k == 0.0 {
        0.0
    } else {
        k * x.powf(m)
    }
}

impl Unary {
    /// The value alone: what plain `f64` arithmetic needs.
    #[inline]
    pub fn value(self, x: f64) -> f64 {
        match self {
            Unary::Neg => -x,
            Unary::Powi(n) => x.powi(n),
            Unary::Powf(p) => x.powf(p),
            Unary::Sqrt => x.sqrt(),
            Unary::Exp => x.exp(),
            Unary::Ln => x.ln(),
            Unary::Sin => x.sin(),
            Unary::Cos => x.cos(),
            Unary::Tan => x.tan(),
            Unary::Tanh => x.tanh(),
            Unary::Sigmoid => sigmoid(x),
            Unary::Relu => {
                if x > 0.0 || x.is_nan() {
                    x
                } else {
                    0.0
                }
            }
            Unary::Abs => x.abs(),
        }
    }

    /// `(f(x), f'(x), f''(x))`.
    #[inline]
    pub fn derivs(self, x: f64) -> (f64, f64, f64) {
        match self {
            Unary::Neg => (-x, -1.0, 0.0),
            Unary::Powi(n) => {
                let n_ = f64::from(n);
                let d1 = if n == 0 { 0.0 } else { n_ * x.powi(n - 1) };
                let d2 = if n == 0 || n == 1 {
                    0.0
                } else {
                    n_ * (n_ - 1.0) * x.powi(n - 2)
                };
                (x.powi(n), d1, d2)
            }
            Unary::Powf(p) => (
                x.powf(p),
                scaled_pow(p, x, p - 1.0),
                scaled_pow(p * (p - 1.0), x, p - 2.0),
            ),
            Unary::Sqrt => {
                let s = x.sqrt();
                (s, 0.5 / s, -0.25 / (s * x))
            }
            Unary::Exp => {
                let e = x.exp();
                (e, e, e)
            }
            Unary::Ln => (x.ln(), 1.0 / x, -1.0 / (x * x)),
            Unary::Sin => {
                let (s, c) = x.sin_cos();
                (s, c, -s)
            }
            Unary::Cos => {
                let (s, c) = x.sin_cos();
                (c, -s, -c)
            }
            Unary::Tan => {
                let t = x.tan();
                let d = 1.0 + t * t;
                (t, d, 2.0 * t * d)
            }
            Unary::Tanh => {
                let t = x.tanh();
                let d = tanh_slope(x);
                (t, d, -2.0 * t * d)
            }
            Unary::Sigmoid => {
                let (s, r) = (sigmoid(x), sigmoid(-x));
                let d = s * r;
                (s, d, d * (r - s))
            }
            Unary::Relu => {
                if x > 0.0 {
                    (x, 1.0, 0.0)
                } else if x.is_nan() {
                    (x, x, x)
                } else {
                    (0.0, 0.0, 0.0)
                }
            }
            Unary::Abs => {
                let sign = if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0 * x // 0, or NaN for NaN
                };
                (x.abs(), sign, 0.0)
            }
        }
    }
}

/// The value of a binary op with its first and second partial derivatives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryDerivs {
    pub value: f64,
    /// `(df/da, df/db)`
    pub d1: [f64; 2],
    /// `(d2f/da2, d2f/dadb, d2f/db2)`
    pub d2: [f64; 3],
}

impl Binary {
    /// The value alone.
    #[inline]
    pub fn value(self, a: f64, b: f64) -> f64 {
        match self {
            Binary::Add => a + b,
            Binary::Sub => a - b,
            Binary::Mul => a * b,
            Binary::Div => a / b,
        }
    }

    /// The value with first and second partials.
    #[inline]
    pub fn derivs(self, a: f64, b: f64) -> BinaryDerivs {
        let (value, d1, d2) = match self {
            Binary::Add => (a + b, [1.0, 1.0], [0.0; 3]),
            Binary::Sub => (a - b, [1.0, -1.0], [0.0; 3]),
            Binary::Mul => (a * b, [b, a], [0.0, 1.0, 0.0]),
            Binary::Div => {
                let r = 1.0 / b;
                let q = a / b;
                (q, [r, -q * r], [0.0, -r * r, 2.0 * q * r * r])
            }
        };
        BinaryDerivs { value, d1, d2 }
    }
}

impl fmt::Display for Unary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unary::Neg => write!(f, "neg"),
            Unary::Powi(n) => write!(f, "^{n}"),
            Unary::Powf(p) => write!(f, "^{p}"),
            Unary::Sqrt => write!(f, "sqrt"),
            Unary::Exp => write!(f, "exp"),
            Unary::Ln => write!(f, "ln"),
            Unary::Sin => write!(f, "sin"),
            Unary::Cos => write!(f, "cos"),
            Unary::Tan => write!(f, "tan"),
            Unary::Tanh => write!(f, "tanh"),
            Unary::Sigmoid => write!(f, "sigmoid"),
            Unary::Relu => write!(f, "relu"),
            Unary::Abs => write!(f, "abs"),
        }
    }
}

impl fmt::Display for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Binary::Add => "+",
            Binary::Sub => "-",
            Binary::Mul => "*",
            Binary::Div => "/",
        })
    }
}
