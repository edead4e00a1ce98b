//! The core's accuracy and speed figures (issue 2), printed as a table:
//! `cargo bench -p calc_dl --bench core`.
//!
//! - relative error of central differences (automatic step) and of Richardson extrapolation on the
//!   lessons' five functions at x = 2;
//! - reverse mode on Rosenbrock (n = 1000): gradient time against plain-f64 function time, in one run,
//!   and tape work per recorded operation;
//! - the floor under that ratio: the same gradient on the least a run-time tape can do (one 24-byte
//!   record per operation, one reverse sweep, written out by hand), so the goal can be judged.

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

/// The least work any run-time (operator-overloading) tape does for Rosenbrock: one record of two
/// parent slots and two local partials per operation, then one reverse sweep. Written out by hand:
/// no generic scalar, no thread-local, no branches (slot 0 is a sink for absent parents), buffers
/// reused between calls. Not an API, a floor: the library's tape cannot beat it.
struct FloorTape {
    rec: Vec<(u32, u32, f64, f64)>,
    adj: Vec<f64>,
}

impl FloorTape {
    fn push(&mut self, a: u32, b: u32, da: f64, db: f64) -> u32 {
        self.rec.push((a, b, da, db));
        (self.rec.len() - 1) as u32
    }

    fn rosenbrock_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        const SINK: u32 = 0;
        self.rec.clear();
        self.push(SINK, SINK, 0.0, 0.0);
        for _ in x {
            self.push(SINK, SINK, 0.0, 0.0); // inputs: slots 1..=n
        }
        let (mut acc, mut total) = (SINK, 0.0);
        for (i, w) in x.windows(2).enumerate() {
            let (a, b) = (i as u32 + 1, i as u32 + 2);
            let (xa, xb) = (w[0], w[1]);
            let sq = self.push(a, a, xa, xa); // xa * xa
            let d = xb - xa * xa;
            let dn = self.push(b, sq, 1.0, -1.0); // xb - sq
            let d2 = self.push(dn, SINK, 2.0 * d, 0.0); // d^2
            let t1 = self.push(d2, SINK, 100.0, 0.0); // 100 d^2
            let e = xa - 1.0;
            let en = self.push(a, SINK, 1.0, 0.0); // xa - 1
            let e2 = self.push(en, SINK, 2.0 * e, 0.0); // e^2
            let term = self.push(t1, e2, 1.0, 1.0);
            acc = self.push(acc, term, 1.0, 1.0); // running sum
            total += 100.0 * d * d + e * e;
        }
        self.adj.clear();
        self.adj.resize(self.rec.len(), 0.0);
        self.adj[acc as usize] = 1.0;
        for k in (1..self.rec.len()).rev() {
            let (a, b, da, db) = self.rec[k];
            let g = self.adj[k];
            self.adj[a as usize] += da * g;
            self.adj[b as usize] += db * g;
        }
        grad.copy_from_slice(&self.adj[1..=x.len()]);
        total
    }
}

fn tape_floor() {
    let n = 1000;
    let x: Vec<f64> = (0..n).map(|i| -1.2 + 0.002 * i as f64).collect();
    let mut tape = FloorTape {
        rec: Vec::new(),
        adj: Vec::new(),
    };
    let mut g = vec![0.0; n];
    // The floor's gradient is the library's gradient: the floor computes the same thing.
    let (fx, exact) = value_and_grad(rosenbrock, &x).expect("finite point");
    let f_floor = tape.rosenbrock_grad(&x, &mut g);
    assert!((f_floor - fx).abs() <= 1e-12 * fx.abs());
    assert!(g
        .iter()
        .zip(&exact)
        .all(|(a, b)| (a - b).abs() <= 1e-12 * b.abs().max(1.0)));
    let f_s = median_seconds(15, || {
        black_box(rosenbrock(black_box(&x)));
    });
    let floor_s = median_seconds(15, || {
        black_box(tape.rosenbrock_grad(black_box(&x), &mut g));
    });
    let grad_s = median_seconds(15, || {
        black_box(value_and_grad(rosenbrock, black_box(&x)).expect("finite point"));
    });
    let ops = tape.rec.len() - 1;
    println!("\n## The floor of a run-time tape, same run (Rosenbrock, n = {n})");
    println!("f (plain f64)       {:>10.2} us", f_s * 1e6);
    println!(
        "hand-written tape   {:>10.2} us  = {:>6.1} x f, {:.2} ns per record ({ops} records)",
        floor_s * 1e6,
        floor_s / f_s,
        (floor_s - f_s) / ops as f64 * 1e9
    );
    println!(
        "calc_dl Var tape    {:>10.2} us  = {:>6.1} x f, {:>5.1} x the floor",
        grad_s * 1e6,
        grad_s / f_s,
        grad_s / floor_s
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters nothing here.
    accuracy();
    rosenbrock_speed();
    tape_floor();
}
