//! Benchmarks of the issue's three workloads, one JSON line each, median seconds per iteration:
//!
//! ```text
//! cargo run --release --bin calc-dl-bench -- [mlp-step|rosenbrock|linreg-epoch]...
//! ```
//!
//! - `mlp-step`: MLP 2-16-16-1 with relu, 100 two-moons points, hinge loss `mean(relu(1 - y·score))`, one
//!   forward + backward + SGD update; on the scalar `Var` tape (micrograd's way) and on the tensor tape.
//! - `rosenbrock`: n = 1000, the function on `f64`; its gradient on the tensor tape (`grad_s`, the
//!   same kind of computation as PyTorch eager) and on the scalar `Var` tape (`var_grad_s`).
//! - `linreg-epoch`: N = 100,000 samples, 8 features, one full-batch MSE gradient and SGD update.
//!
//! Tape memory is measured with a counting allocator: the peak bytes allocated during one step divided by
//! the nodes the step recorded.

use calc_dl::data::{synthetic_regression, two_moons};
use calc_dl::nn::{Activation, Init, Mlp};
use calc_dl::optim::functions::Rosenbrock;
use calc_dl::optim::{Objective, Problem, Sgd};
use calc_dl::regression::LinearRegression;
use calc_dl::tensor::{self, Tensor};
use calc_dl::{value_and_grad, Scalar, Var};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

/// The system allocator, counting live and peak bytes.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method hands its arguments on unchanged to the system allocator, which upholds
// `GlobalAlloc`'s contract; the counters beside it touch no memory the allocator manages.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        // SAFETY: the caller's `layout` is passed on as the caller promised it to us.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` came from `System` (every allocation here does) with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
            PEAK.fetch_max(live, Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        // SAFETY: as for `dealloc`, and `new_size` is passed on as the caller promised it to us.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak bytes allocated above the current level while `f` runs on a new thread, whose tapes (they are
/// thread-local) start empty, so the tape's growth is counted.
fn peak_bytes<R: Send>(f: impl FnOnce() -> R + Send) -> (R, usize) {
    std::thread::scope(|s| {
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let r = s.spawn(f).join().expect("measured run");
        (r, PEAK.load(Relaxed) - base)
    })
}

/// Median seconds per call of `f`: calls are batched so that each sample takes about 20 ms, after a
/// warm-up, and the median of `samples` batches is taken.
fn median_secs(samples: usize, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed().as_secs_f64() < 0.2 || calls < 3 {
        f();
        calls += 1;
    }
    let per_call = start.elapsed().as_secs_f64() / calls as f64;
    let batch = ((0.02 / per_call).ceil() as u64).max(1);
    let mut times: Vec<f64> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_secs_f64() / batch as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn mlp_step() -> calc_dl::Result<String> {
    let moons = two_moons(100, 0.1, 0)?;
    let net = Mlp::new(&[2, 16, 16, 1], Activation::Relu, Init::PyTorch, 0)?;
    let lr = 0.05;

    // Scalar tape, micrograd's way: one Var per weight, one node per multiply, add and relu.
    let points: Vec<([f64; 2], f64)> = moons
        .x
        .rows()
        .into_iter()
        .zip(&moons.y)
        .map(|(r, &y)| ([r[0], r[1]], y))
        .collect();
    let mut scalar_net = net.clone();
    let mut params = scalar_net.params();
    let mut sgd = Sgd::new(lr);
    let mut scalar_nodes = 0;
    let mut scalar_step = |params: &mut Vec<f64>, nodes: &mut usize| -> calc_dl::Result<f64> {
        let (loss, grad) = value_and_grad(
            |p: &[Var]| {
                let start = Var::tape_len();
                let mut total = Var::constant(0.0);
                for (x, y) in &points {
                    let x = [Var::constant(x[0]), Var::constant(x[1])];
                    let score = scalar_net.forward_scalar(p, &x).expect("shapes fixed")[0];
                    total += (1.0 - score * *y).relu();
                }
                let loss = total / points.len() as f64;
                *nodes = Var::tape_len() - start + p.len();
                loss
            },
            params,
        )?;
        sgd.update(params, &grad)?;
        Ok(loss)
    };
    let (first, scalar_peak) = peak_bytes(|| scalar_step(&mut params, &mut scalar_nodes));
    first?;
    let scalar_s = median_secs(11, || {
        black_box(scalar_step(&mut params, &mut scalar_nodes).expect("step"));
    });
    scalar_net.set_params(&params)?;

    // Tensor tape: one node per matrix op.
    let mut tensor_net = net.clone();
    let (xa, ya) = (
        moons.x.clone().into_shared(),
        moons.y_column().into_shared(),
    );
    let mut flat = tensor_net.params();
    let mut sgd = Sgd::new(lr);
    let mut tensor_nodes = 0;
    let mut tensor_step =
        |net: &mut Mlp, flat: &mut Vec<f64>, nodes: &mut usize| -> calc_dl::Result<f64> {
            let (x, y) = (Tensor::constant(xa.clone()), Tensor::constant(ya.clone()));
            let (loss, grads) = net.value_and_grad(&x, |out| {
                let l = tensor::hinge(out, &y);
                *nodes = Tensor::tape_len();
                l
            })?;
            sgd.update(flat, &Mlp::flatten(&grads))?;
            net.set_params(flat)?;
            Ok(loss)
        };
    let (first, tensor_peak) =
        peak_bytes(|| tensor_step(&mut tensor_net, &mut flat, &mut tensor_nodes));
    first?;
    let tensor_s = median_secs(11, || {
        black_box(tensor_step(&mut tensor_net, &mut flat, &mut tensor_nodes).expect("step"));
    });
    Ok(format!(
        "{{\"workload\":\"mlp-step\",\"scalar_s\":{scalar_s:.4e},\"tensor_s\":{tensor_s:.4e},\
         \"scalar_nodes\":{scalar_nodes},\"scalar_peak_bytes_per_node\":{:.1},\
         \"tensor_nodes\":{tensor_nodes},\"tensor_peak_bytes_per_node\":{:.1}}}",
        scalar_peak as f64 / scalar_nodes as f64,
        tensor_peak as f64 / tensor_nodes as f64,
    ))
}

fn rosenbrock() -> calc_dl::Result<String> {
    let n = 1000;
    let x: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let f_s = median_secs(21, || {
        black_box(Rosenbrock.eval(black_box(&x[..])));
    });
    let mut nodes = 0;
    let mut grad = || {
        value_and_grad(
            |v: &[Var]| {
                let start = Var::tape_len();
                let y = Rosenbrock.eval(v);
                nodes = Var::tape_len() - start + v.len();
                y
            },
            &x,
        )
        .expect("finite point")
    };
    let ((_, g), peak) = peak_bytes(&mut grad);
    assert!((g[0] - (-215.6)).abs() < 1e-9, "gradient check: {}", g[0]);
    let var_grad_s = median_secs(21, || {
        black_box(grad());
    });
    // The gradient on the tensor tape: array ops on a 1 × n row, as PyTorch eager computes it.
    let row = ndarray::Array2::from_shape_vec((1, n), x.clone()).expect("n values");
    let tensor_grad = || {
        tensor::value_and_grad(std::slice::from_ref(&row), |p| Rosenbrock::tensor(&p[0]))
            .expect("shapes")
    };
    let (_, gt) = tensor_grad();
    assert!(
        gt[0].iter().zip(&g).all(|(a, b)| (a - b).abs() < 1e-9),
        "tensor and Var gradients differ"
    );
    let grad_s = median_secs(21, || {
        black_box(tensor_grad());
    });
    Ok(format!(
        "{{\"workload\":\"rosenbrock\",\"f_s\":{f_s:.4e},\"grad_s\":{grad_s:.4e},\
         \"var_grad_s\":{var_grad_s:.4e},\"var_grad_over_f\":{:.2},\"var_nodes\":{nodes},\
         \"var_ns_per_node\":{:.2},\"var_tape_ns_per_node\":{:.2},\"var_peak_bytes_per_node\":{:.1}}}",
        var_grad_s / f_s,
        var_grad_s * 1e9 / nodes as f64,
        (var_grad_s - f_s) * 1e9 / nodes as f64,
        peak as f64 / nodes as f64,
    ))
}

fn linreg_epoch() -> calc_dl::Result<String> {
    let data = synthetic_regression(
        100_000,
        &[1.0, -2.0, 0.5, 3.0, -1.0, 0.25, 2.0, -0.75],
        0.5,
        0.1,
        0,
    )?;
    let mut params = vec![0.0; 9];
    let mut sgd = Sgd::new(0.01);
    let mut problem = LinearRegression { data: &data };
    let epoch_s = median_secs(21, || {
        let (loss, g) = problem.value_and_grad(&params).expect("shapes fixed");
        sgd.update(&mut params, &g).expect("lr fixed");
        black_box(loss);
    });
    // The same epoch on the tensor tape, for comparison.
    let x = Tensor::constant(data.x.clone());
    let y = Tensor::constant(data.y_column());
    let mut arrays = vec![
        ndarray::Array2::zeros((8, 1)),
        ndarray::Array2::zeros((1, 1)),
    ];
    let tensor_epoch_s = median_secs(21, || {
        let (loss, g) =
            tensor::value_and_grad(&arrays, |p| tensor::mse(&x.matmul(&p[0])?.add(&p[1])?, &y))
                .expect("shapes fixed");
        for (a, g) in arrays.iter_mut().zip(&g) {
            a.scaled_add(-0.01, g);
        }
        black_box(loss);
    });
    Ok(format!(
        "{{\"workload\":\"linreg-epoch\",\"epoch_s\":{epoch_s:.4e},\"tensor_epoch_s\":{tensor_epoch_s:.4e}}}"
    ))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = ["mlp-step", "rosenbrock", "linreg-epoch"];
    let chosen: Vec<&str> = if args.is_empty() {
        all.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for w in chosen {
        let line = match w {
            "mlp-step" => mlp_step(),
            "rosenbrock" => rosenbrock(),
            "linreg-epoch" => linreg_epoch(),
            other => {
                eprintln!("unknown workload {other:?}; choose from {}", all.join(", "));
                std::process::exit(2);
            }
        };
        match line {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("{w}: {e}");
                std::process::exit(1);
            }
        }
    }
}
