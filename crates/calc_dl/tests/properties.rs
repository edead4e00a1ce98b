//! Property tests: random expression trees over every operation, evaluated in every mode. Numeric,
//! forward, reverse and Taylor derivatives must agree, and Hessians must be symmetric.

use calc_dl::ops::{Binary, Unary};
use calc_dl::prelude::*;
use proptest::prelude::*;

const VARS: usize = 3;

#[derive(Debug, Clone)]
enum Expr {
    X(usize),
    Const(f64),
    Unary(Unary, Box<Expr>),
    Binary(Binary, Box<Expr>, Box<Expr>),
    Max(Box<Expr>, Box<Expr>),
    Min(Box<Expr>, Box<Expr>),
}

/// A smooth positive quantity made from `e`, so that ln, sqrt, powf and division stay in their domains.
fn positive<S: Scalar>(e: S) -> S {
    e * e + 0.5
}

fn eval<S: Scalar>(e: &Expr, x: &[S]) -> S {
    match e {
        Expr::X(i) => x[*i],
        Expr::Const(c) => S::constant(*c),
        Expr::Unary(op, a) => {
            let a = eval(a, x);
            match op {
                Unary::Ln | Unary::Sqrt | Unary::Powf(_) => positive(a).unary(*op),
                // Keep tan away from its poles and exp from overflow.
                Unary::Tan => a.tanh().tan(),
                Unary::Exp => a.tanh().exp(),
                _ => a.unary(*op),
            }
        }
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, x), eval(b, x));
            match op {
                Binary::Div => a / positive(b),
                _ => a.binary(b, *op),
            }
        }
        Expr::Max(a, b) => eval(a, x).max(eval(b, x)),
        Expr::Min(a, b) => eval(a, x).min(eval(b, x)),
    }
}

/// The smallest distance of a kink's argument from the kink, over the whole evaluation at `x`:
/// near a kink finite differences straddle two pieces and cannot be compared.
fn kink_distance(e: &Expr, x: &[f64]) -> f64 {
    match e {
        Expr::X(_) | Expr::Const(_) => f64::INFINITY,
        Expr::Unary(op, a) => {
            let here = match op {
                Unary::Relu | Unary::Abs => eval(a, x).abs(),
                _ => f64::INFINITY,
            };
            here.min(kink_distance(a, x))
        }
        Expr::Binary(_, a, b) => kink_distance(a, x).min(kink_distance(b, x)),
        Expr::Max(a, b) | Expr::Min(a, b) => (eval(a, x) - eval(b, x))
            .abs()
            .min(kink_distance(a, x))
            .min(kink_distance(b, x)),
    }
}

fn unary_op() -> impl Strategy<Value = Unary> {
    prop_oneof![
        Just(Unary::Neg),
        (1..4i32).prop_map(Unary::Powi),
        (-2..4i32).prop_map(Unary::Powi),
        (-1.5..2.5f64).prop_map(Unary::Powf),
        Just(Unary::Sqrt),
        Just(Unary::Exp),
        Just(Unary::Ln),
        Just(Unary::Sin),
        Just(Unary::Cos),
        Just(Unary::Tan),
        Just(Unary::Tanh),
        Just(Unary::Sigmoid),
        Just(Unary::Relu),
        Just(Unary::Abs),
    ]
}

fn binary_op() -> impl Strategy<Value = Binary> {
    prop_oneof![
        Just(Binary::Add),
        Just(Binary::Sub),
        Just(Binary::Mul),
        Just(Binary::Div)
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf =
        prop_oneof![3 => (0..VARS).prop_map(Expr::X), 1 => (-2.0..2.0f64).prop_map(Expr::Const)];
    leaf.prop_recursive(5, 24, 2, |inner| {
        prop_oneof![
            4 => (unary_op(), inner.clone()).prop_map(|(op, a)| Expr::Unary(op, Box::new(a))),
            4 => (binary_op(), inner.clone(), inner.clone()).prop_map(|(op, a, b)| Expr::Binary(op, Box::new(a), Box::new(b))),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::Max(Box::new(a), Box::new(b))),
            1 => (inner.clone(), inner).prop_map(|(a, b)| Expr::Min(Box::new(a), Box::new(b))),
        ]
    })
}

fn point() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-1.5..1.5f64, VARS)
}

/// `|a - b|` small relative to the larger of the two and 1; two NaNs agree (a derivative that does not
/// exist, such as `0 · ∞` through `1/relu(x)`, must be NaN in every mode).
fn agree(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

fn well_behaved(e: &Expr, x: &[f64]) -> bool {
    let y = eval(e, x);
    y.is_finite() && y.abs() < 1e6 && kink_distance(e, x) > 1e-3
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Reverse mode equals forward mode to rounding, and central differences within their error.
    #[test]
    fn numeric_forward_and_reverse_agree(e in expr(), x in point()) {
        prop_assume!(well_behaved(&e, &x));
        let (value, reverse) = value_and_grad(|v| eval(&e, v), &x).unwrap();
        prop_assert!(agree(value, eval(&e, &x), 1e-15));
        let forward = jacobian(|v| vec![eval(&e, v)], &x).unwrap();
        let numeric = numeric::gradient(|v| eval(&e, v), &x).unwrap();
        // Through an infinite intermediate (say 1/relu(x) for x < 0) a derivative is undefined, and the
        // modes may report it as NaN or 0: compare only where both are finite.
        prop_assume!(reverse.iter().chain(forward.iter()).all(|d| d.is_finite()));
        for i in 0..VARS {
            prop_assert!(agree(reverse[i], forward[[0, i]], 1e-12), "d/dx{i}: reverse {} forward {}", reverse[i], forward[[0, i]]);
            let n = numeric.value[i];
            prop_assume!(reverse[i].is_finite());
            // The exact slope lies within the difference's own error estimate (with a safety factor).
            let err = numeric.error[i];
            prop_assume!(err < 1e-3 * n.abs().max(1.0)); // a difference that resolves the slope at all
            prop_assert!((reverse[i] - n).abs() <= 10.0 * err + 1e-9 * n.abs().max(1.0), "d/dx{i}: reverse {} numeric {} ± {}", reverse[i], n, err);
        }
    }

    /// Hyper-dual Hessians are symmetric (computed both ways round), match the numeric Jacobian of the
    /// exact gradient, and Taylor mode agrees with forward mode on the first two derivatives.
    #[test]
    fn hessians_are_symmetric_and_taylor_agrees(e in expr(), x in point()) {
        prop_assume!(well_behaved(&e, &x));
        let h = hessian(|v| eval(&e, v), &x).unwrap();
        prop_assume!(h.iter().all(|d| d.is_finite()));
        for i in 0..VARS {
            for j in 0..i {
                // The (j, i) entry computed with the seeds swapped.
                let mut seeded: Vec<HyperDual> = x.iter().map(|&v| HyperDual::constant(v)).collect();
                seeded[i].e1 = 1.0;
                seeded[j].e2 = 1.0;
                let swapped = eval(&e, &seeded).e12;
                prop_assert!(agree(h[[j, i]], swapped, 1e-12), "H[{j},{i}] = {} but swapped {}", h[[j, i]], swapped);
            }
        }
        let numeric = numeric::jacobian(|v| grad(|w| eval(&e, w), v).unwrap(), &x).unwrap();
        // Differencing the gradient g with a step h ≈ eps^(1/3) turns g's own rounding (about eps·|g|)
        // into an error of eps^(2/3)·|g| that no estimate made from the differences can see.
        let g = grad(|w| eval(&e, w), &x).unwrap();
        let floor = 10.0 * f64::EPSILON.powf(2.0 / 3.0) * g.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for ((a, b), err) in h.iter().zip(numeric.value.iter()).zip(numeric.error.iter()) {
            prop_assume!(*err < 1e-3 * b.abs().max(1.0));
            prop_assert!((a - b).abs() <= 10.0 * err + floor, "hessian {a} numeric {b} ± {err} (floor {floor:e}) for {e:?} at {x:?}");
        }
        // One variable at a time: Taylor coefficients against dual and hyper-dual numbers.
        let along = |t: Jet| {
            let v: Vec<Jet> = x.iter().enumerate().map(|(k, &c)| if k == 0 { t } else { Jet::constant(c) }).collect();
            eval(&e, &v)
        };
        let t = taylor(along, x[0], 4).unwrap().derivatives();
        let d1 = derivative(|s| {
            let v: Vec<Dual> = x.iter().enumerate().map(|(k, &c)| if k == 0 { s } else { Dual::constant(c) }).collect();
            eval(&e, &v)
        }, x[0]).unwrap();
        prop_assert!(agree(t[1], d1, 1e-12), "taylor {} dual {}", t[1], d1);
        prop_assert!(agree(t[2], h[[0, 0]], 1e-10), "taylor {} hyperdual {}", t[2], h[[0, 0]]);
    }
}
