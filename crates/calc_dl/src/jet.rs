//! Taylor mode: a [`Jet`] carries the first `order` Taylor coefficients of `t ↦ f(x₀ + t)`.
//!
//! Each op propagates whole truncated power series with the classic recurrences (Griewank & Walther,
//! *Evaluating Derivatives*, ch. 13), so the k-th derivative costs O(k²) instead of the O(2ᵏ) of nested duals.

use crate::ops::{sigmoid, tanh_slope, Binary, Unary};
use crate::scalar::{impl_scalar_ops, Scalar};
use std::fmt;

/// The largest order a [`Jet`] holds.
pub const MAX_ORDER: usize = 15;
const CAP: usize = MAX_ORDER + 1;

/// The k-th coefficient of the square of the series `v`.
fn square_coeff(v: &[f64], k: usize) -> f64 {
    (0..=k).map(|i| v[i] * v[k - i]).sum()
}

/// A truncated Taylor series `c[0] + c[1] t + … + c[order] t^order`; `c[k] = f⁽ᵏ⁾(x₀) / k!`.
#[derive(Clone, Copy, PartialEq)]
pub struct Jet {
    order: usize,
    c: [f64; CAP],
}

impl Jet {
    /// The variable `x₀ + t`, truncated after `t^order` (`order` is capped at [`MAX_ORDER`]).
    pub fn var(x0: f64, order: usize) -> Self {
        let mut j = Self::zero(order);
        j.c[0] = x0;
        if j.order >= 1 {
            j.c[1] = 1.0;
        }
        j
    }

    fn zero(order: usize) -> Self {
        Jet {
            order: order.min(MAX_ORDER),
            c: [0.0; CAP],
        }
    }

    /// The truncation order.
    pub fn order(&self) -> usize {
        self.order
    }

    /// The Taylor coefficients `c[0..=order]`.
    pub fn coeffs(&self) -> &[f64] {
        &self.c[..=self.order]
    }

    /// The k-th derivative `k! · c[k]`.
    pub fn derivative(&self, k: usize) -> f64 {
        if k > self.order {
            return 0.0;
        }
        (1..=k).fold(self.c[k], |acc, i| acc * i as f64)
    }

    /// `n` for the result of combining two jets: constants have order 0 in spirit but carry any order.
    fn joint_order(a: &Jet, b: &Jet) -> usize {
        a.order.max(b.order)
    }

    fn mul(a: &Jet, b: &Jet) -> Jet {
        let mut r = Jet::zero(Self::joint_order(a, b));
        for k in 0..=r.order {
            r.c[k] = (0..=k).map(|i| a.c[i] * b.c[k - i]).sum();
        }
        r
    }

    fn div(a: &Jet, b: &Jet) -> Jet {
        let mut r = Jet::zero(Self::joint_order(a, b));
        for k in 0..=r.order {
            let s: f64 = (0..k).map(|i| r.c[i] * b.c[k - i]).sum();
            r.c[k] = (a.c[k] - s) / b.c[0];
        }
        r
    }

    /// `v` with `v' = u' · w(v)`, where `w` is given coefficient by coefficient from `v` so far:
    /// the shared shape of exp, tanh and sigmoid (`w = v`, `1 - v²`, `v - v²`). `w0` is passed in, so it
    /// can be computed without the cancellation of `1 - v0²` when the function saturates.
    fn ode(u: &Jet, v0: f64, w0: f64, w_of: impl Fn(&[f64], usize) -> f64) -> Jet {
        let mut v = Jet::zero(u.order);
        let mut w = [0.0; CAP];
        v.c[0] = v0;
        w[0] = w0;
        for k in 1..=u.order {
            let s: f64 = (1..=k).map(|j| j as f64 * u.c[j] * w[k - j]).sum();
            v.c[k] = s / k as f64;
            w[k] = w_of(&v.c, k);
        }
        v
    }

    fn sin_cos(u: &Jet) -> (Jet, Jet) {
        let (mut s, mut c) = (Jet::zero(u.order), Jet::zero(u.order));
        (s.c[0], c.c[0]) = u.c[0].sin_cos();
        for k in 1..=u.order {
            let (mut ss, mut cc) = (0.0, 0.0);
            for j in 1..=k {
                ss += j as f64 * u.c[j] * c.c[k - j];
                cc += j as f64 * u.c[j] * s.c[k - j];
            }
            s.c[k] = ss / k as f64;
            c.c[k] = -cc / k as f64;
        }
        (s, c)
    }

    fn ln(u: &Jet) -> Jet {
        let mut v = Jet::zero(u.order);
        v.c[0] = u.c[0].ln();
        for k in 1..=u.order {
            let s: f64 = (1..k).map(|j| j as f64 * v.c[j] * u.c[k - j]).sum();
            v.c[k] = (u.c[k] - s / k as f64) / u.c[0];
        }
        v
    }

    fn powf(u: &Jet, p: f64) -> Jet {
        if p.fract() == 0.0 && p.abs() <= f64::from(i32::MAX) {
            // Exact at any base, 0 included, where the recurrence below would divide by zero.
            return Jet::powi(u, p as i32);
        }
        let mut v = Jet::zero(u.order);
        v.c[0] = u.c[0].powf(p);
        for k in 1..=u.order {
            let s: f64 = (1..=k)
                .map(|j| ((p + 1.0) * j as f64 - k as f64) * u.c[j] * v.c[k - j])
                .sum();
            v.c[k] = s / (k as f64 * u.c[0]);
        }
        v
    }

    fn powi(u: &Jet, n: i32) -> Jet {
        let mut result = Jet::constant_of_order(1.0, u.order);
        let mut base = *u;
        let mut e = n.unsigned_abs();
        while e > 0 {
            if e & 1 == 1 {
                result = Jet::mul(&result, &base);
            }
            base = Jet::mul(&base, &base);
            e >>= 1;
        }
        if n < 0 {
            Jet::div(&Jet::constant_of_order(1.0, u.order), &result)
        } else {
            result
        }
    }

    fn constant_of_order(c: f64, order: usize) -> Jet {
        let mut j = Jet::zero(order);
        j.c[0] = c;
        j
    }

    fn scale(u: &Jet, k: f64) -> Jet {
        let mut v = *u;
        v.c.iter_mut().for_each(|x| *x *= k);
        v
    }
}

impl Scalar for Jet {
    fn constant(c: f64) -> Self {
        // Order 0 widens to the other operand's order in every binary op.
        Jet::constant_of_order(c, 0)
    }

    fn value(&self) -> f64 {
        self.c[0]
    }

    fn unary(self, op: Unary) -> Self {
        let u = &self;
        match op {
            Unary::Neg => Jet::scale(u, -1.0),
            Unary::Powi(n) => Jet::powi(u, n),
            Unary::Powf(p) => Jet::powf(u, p),
            Unary::Sqrt => Jet::powf(u, 0.5),
            Unary::Exp => {
                let e = u.c[0].exp();
                Jet::ode(u, e, e, |v, k| v[k])
            }
            Unary::Ln => Jet::ln(u),
            Unary::Sin => Jet::sin_cos(u).0,
            Unary::Cos => Jet::sin_cos(u).1,
            Unary::Tan => {
                let (s, c) = Jet::sin_cos(u);
                Jet::div(&s, &c)
            }
            // For k ≥ 1 the coefficients of 1 - v² and v - v² are -Σ vᵢv_{k-i} (+ v_k).
            Unary::Tanh => Jet::ode(u, u.c[0].tanh(), tanh_slope(u.c[0]), |v, k| {
                -square_coeff(v, k)
            }),
            Unary::Sigmoid => {
                let (s, r) = (sigmoid(u.c[0]), sigmoid(-u.c[0]));
                Jet::ode(u, s, s * r, |v, k| v[k] - square_coeff(v, k))
            }
            // Piecewise linear: the slope at the base point scales the whole series.
            Unary::Relu | Unary::Abs => {
                let (value, slope, _) = op.derivs(u.c[0]);
                let mut v = Jet::scale(u, slope);
                v.c[0] = value;
                v
            }
        }
    }

    fn binary(self, rhs: Self, op: Binary) -> Self {
        match op {
            Binary::Add | Binary::Sub => {
                let mut r = Jet::zero(Jet::joint_order(&self, &rhs));
                for k in 0..=r.order {
                    r.c[k] = op.value(self.c[k], rhs.c[k]);
                }
                r
            }
            Binary::Mul => Jet::mul(&self, &rhs),
            Binary::Div => Jet::div(&self, &rhs),
        }
    }
}
impl_scalar_ops!(Jet);

impl PartialOrd for Jet {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.c[0].partial_cmp(&other.c[0])
    }
}

impl fmt::Debug for Jet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jet")
            .field("coeffs", &self.coeffs())
            .finish()
    }
}

impl fmt::Display for Jet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, c) in self.coeffs().iter().enumerate() {
            match k {
                0 => write!(f, "{c}")?,
                1 => write!(f, " + {c}·t")?,
                _ => write!(f, " + {c}·t^{k}")?,
            }
        }
        Ok(())
    }
}
