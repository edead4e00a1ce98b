//! The core's accuracy and speed figures (issue 2), printed as a table:
//! `cargo bench -p calc_dl --bench core`.
//!
//! - relative error of central differences (automatic step) and of Richardson extrapolation on the
//!   lessons' five functions at x = 2;
//! - reverse mode on Rosenbrock (n = 1000): gradient time against plain-f64 function time, in one run,
//!   and tape work per recorded operation.

use calc_dl::prelude::*;
use std::hint::black_box;
use std::time::Instant;

fn rosenbrock<S: Scalar>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| (w[1] - w[0] * w[0]).powi(2) * 100.0 + (w[0] - 1.0).powi(2))
        .sum()
}

/// Median seconds per call over `runs` batches, each batch long enough to time reliably.
fn median_seconds(runs: usize, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut reps = 0u32;
    while start.elapsed().as_secs_f64() < 0.02 {
        f();
        reps += 1;
    }
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / f64::from(reps)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn accuracy() {
    println!("## Finite differences at x = 2 (relative error against the exact derivative)");
    println!(
        "{:<6} {:>14} {:>14} {:>14}",
        "f", "central", "richardson(3)", "estimate(rich)"
    );
    type Case = (&'static str, fn(f64) -> f64, f64);
    let cases: [Case; 5] = [
        ("x^2", |x| x * x, 4.0),
        ("x^3", |x| x.powi(3), 12.0),
        ("sin", f64::sin, 2f64.cos()),
        ("e^x", f64::exp, 2f64.exp()),
        ("1/x", |x| 1.0 / x, -0.25),
    ];
    let (mut worst_c, mut worst_r) = (0.0f64, 0.0f64);
    for (name, f, exact) in cases {
        let c = numeric::derivative(f, 2.0).expect("finite point");
        let r = numeric::FiniteDiff::central()
            .richardson(3)
            .derivative(f, 2.0)
            .expect("finite point");
        let (ec, er) = (
            (c.value - exact).abs() / exact.abs(),
            (r.value - exact).abs() / exact.abs(),
        );
        worst_c = worst_c.max(ec);
        worst_r = worst_r.max(er);
        println!(
            "{name:<6} {ec:>14.2e} {er:>14.2e} {:>14.2e}",
            r.error / exact.abs()
        );
    }
    println!(
        "worst: central {worst_c:.2e} (goal <= 1e-9), richardson {worst_r:.2e} (goal <= 1e-12)\n"
    );
}

fn rosenbrock_speed() {
    let n = 1000;
    let x: Vec<f64> = (0..n).map(|i| -1.2 + 0.002 * i as f64).collect();
    let f_s = median_seconds(15, || {
        black_box(rosenbrock(black_box(&x)));
    });
    let grad_s = median_seconds(15, || {
        black_box(value_and_grad(rosenbrock, black_box(&x)).expect("finite point"));
    });
    let before = Var::tape_len();
    let inputs: Vec<Var> = x.iter().map(|&v| Var::new(v)).collect();
    let y = rosenbrock(&inputs);
    let recorded = Var::tape_len() - before - n;
    let node_bytes = std::mem::size_of::<f64>() * 4 + 16 + 8; // args, partials, value, op
    assert!(y.value().is_finite());
    Var::reset_tape();
    let (fx, g) = value_and_grad(rosenbrock, &x).expect("finite point");
    assert!(fx.is_finite() && g.iter().all(|v| v.is_finite()));
    println!("## Reverse mode on Rosenbrock, n = {n}");
    println!("f (plain f64)       {:>10.2} us", f_s * 1e6);
    println!("value_and_grad      {:>10.2} us", grad_s * 1e6);
    println!("ratio grad / f      {:>10.2}    (goal <= 4)", grad_s / f_s);
    println!("recorded ops        {recorded:>10}");
    println!(
        "tape work per op    {:>10.2} ns (goal <= 10)",
        (grad_s - f_s) / (recorded + n) as f64 * 1e9
    );
    println!("tape bytes per node {node_bytes:>10}");
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters nothing here.
    accuracy();
    rosenbrock_speed();
}
