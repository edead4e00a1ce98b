//! Optimizers on the lessons' functions and on a model; the executor's stopping rules and errors.

use calc_dl::data::{lesson_line, synthetic_regression, two_moons};
use calc_dl::nn::{Activation, Init, Loss, Mlp};
use calc_dl::optim::functions::{Bowl, DoubleWell, Parabola, Rosenbrock, ShiftedBowl, TwoValleys};
use calc_dl::optim::*;
use calc_dl::prelude::*;
use calc_dl::regression::{fit_gd, least_squares, LinearRegression};

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < tol)
}

#[test]
fn lesson_gradient_descent_paths() {
    // x = 5, lr = 0.1 on x²: each step multiplies x by 0.8 (lesson 4, step 3)
    let run = Minimizer::new(20)
        .run(&mut Bowl, &mut Sgd::new(0.1), &[5.0, 0.0])
        .unwrap();
    assert_eq!(run.history.len(), 21);
    assert!((run.param(0)[20] - 5.0 * 0.8f64.powi(20)).abs() < 1e-12);
    // (w - 3)² from 0
    let run = minimize(&mut Parabola, &mut Sgd::new(0.1), &[0.0], 200).unwrap();
    assert!((run.x[0] - 3.0).abs() < 1e-8 && run.stop == Stop::GradTolerance);
    // w⁴ - 8w² + 2w + 20 from -3.5 with lr 0.01 finds the deeper valley (lesson 2)
    let run = minimize(&mut TwoValleys, &mut Sgd::new(0.01), &[-3.5], 100).unwrap();
    assert!((run.x[0] + 2.06).abs() < 0.01, "{:?}", run.x);
    // (x - 3)² + (y + 1)² from (0, 0)
    let run = minimize(&mut ShiftedBowl, &mut Sgd::new(0.1), &[0.0, 0.0], 500).unwrap();
    assert!(close(&run.x, &[3.0, -1.0], 1e-8));
}

#[test]
fn momentum_beats_plain_descent_on_double_well() {
    let m = Minimizer::new(10_000).grad_tol(1e-6);
    let plain = m
        .run(&mut DoubleWell, &mut Sgd::new(0.001), &[0.1])
        .unwrap();
    let heavy = m
        .run(&mut DoubleWell, &mut Momentum::new(0.001), &[0.1])
        .unwrap();
    let target = 1.5f64.sqrt();
    assert!((plain.x[0] - target).abs() < 1e-5 && (heavy.x[0] - target).abs() < 1e-5);
    assert!(
        heavy.steps < plain.steps,
        "{} vs {}",
        heavy.steps,
        plain.steps
    );
}

#[test]
fn every_optimizer_reaches_the_minimum() {
    let target = [3.0, -1.0];
    let cases: Vec<(Box<dyn Optimizer>, usize)> = vec![
        (Box::new(Sgd::new(0.1)), 500),
        (Box::new(Momentum::new(0.05)), 1000),
        (Box::new(Nesterov::new(0.05)), 1000),
        (Box::new(AdaGrad::new(1.0)), 5000),
        (Box::new(RmsProp::new(0.01)), 5000),
        (Box::new(Adam::new(0.1)), 5000),
        (Box::new(Newton::default()), 5),
        (Box::new(Lbfgs::default()), 50),
    ];
    for (mut opt, steps) in cases {
        let (run, outcome) = Minimizer::new(steps)
            .grad_tol(1e-6)
            .run_partial(&mut ShiftedBowl, opt.as_mut(), &[0.0, 0.0])
            .unwrap();
        outcome.unwrap();
        assert!(
            close(&run.x, &target, 1e-3),
            "{}: {:?}",
            run.optimizer,
            run.x
        );
    }
}

#[test]
fn lbfgs_and_newton_solve_rosenbrock() {
    let x0 = [-1.2, 1.0, -1.2, 1.0];
    let run = Minimizer::new(500)
        .grad_tol(1e-9)
        .run(&mut Rosenbrock, &mut Lbfgs::default(), &x0)
        .unwrap();
    assert!(close(&run.x, &[1.0; 4], 1e-6), "{:?}", run.x);
    let run = Minimizer::new(100)
        .grad_tol(1e-9)
        .run(&mut Rosenbrock, &mut Newton::default(), &[-1.2, 1.0])
        .unwrap();
    assert!(close(&run.x, &[1.0; 2], 1e-8), "{:?}", run.x);
}

/// One Adam step by hand, PyTorch's formula, checked digit for digit.
#[test]
fn adam_matches_pytorch_rule() {
    let mut adam = Adam::default();
    let mut x = vec![1.0, -2.0];
    adam.update(&mut x, &[0.5, -4.0]).unwrap();
    // first step: m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)
    assert!((x[0] - (1.0 - 1e-3 * 0.5 / (0.5 + 1e-8))).abs() < 1e-15);
    assert!((x[1] - (-2.0 + 1e-3 * 4.0 / (4.0 + 1e-8))).abs() < 1e-15);
    let mut sgd = Momentum::new(0.1);
    let mut y = vec![0.0];
    sgd.update(&mut y, &[1.0]).unwrap(); // v = 1
    sgd.update(&mut y, &[1.0]).unwrap(); // v = 1.9
    assert!((y[0] + 0.29).abs() < 1e-15);
}

#[test]
fn schedules_follow_pytorch() {
    let base = 0.1;
    assert_eq!(Schedule::Constant.lr(base, 7), 0.1);
    assert!(
        (Schedule::Step {
            every: 3,
            gamma: 0.1
        }
        .lr(base, 6)
            - 0.001)
            .abs()
            < 1e-15
    );
    assert!((Schedule::Exponential { gamma: 0.5 }.lr(base, 3) - 0.0125).abs() < 1e-15);
    assert!(
        (Schedule::Cosine {
            t_max: 10,
            min: 0.0
        }
        .lr(base, 5)
            - 0.05)
            .abs()
            < 1e-15
    );
    let run = Minimizer::new(10)
        .grad_tol(0.0)
        .schedule(Schedule::Exponential { gamma: 0.5 })
        .run(&mut Parabola, &mut Sgd::new(0.1), &[0.0])
        .unwrap();
    assert_eq!(run.history[2].lr, 0.025);
    assert!(Schedule::Step {
        every: 0,
        gamma: 0.5
    }
    .check()
    .is_err());
    assert!(Schedule::Exponential { gamma: 1.5 }.check().is_err());
}

#[test]
fn divergence_is_caught_with_the_last_finite_loss() {
    let (run, outcome) = Minimizer::new(1000)
        .run_partial(&mut TwoValleys, &mut Sgd::new(0.5), &[-3.5])
        .unwrap();
    match outcome {
        Err(Error::Diverged {
            step, last_finite, ..
        }) => {
            assert_eq!(step, run.history.len());
            assert_eq!(last_finite, *run.losses().last().unwrap());
        }
        other => panic!("expected divergence, got {other:?}"),
    }
    assert!(run.losses().iter().all(|l| l.is_finite()));
    let data = lesson_line(); // lr 0.2 is too large for x up to 5 (lesson 4 uses 0.01)
    let err = minimize(
        &mut LinearRegression { data: &data },
        &mut Sgd::new(0.2),
        &[0.0, 0.0],
        1000,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("try a smaller learning rate"),
        "{err}"
    );
}

#[test]
fn bad_settings_are_typed_errors() {
    for lr in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        let err = minimize(&mut Parabola, &mut Sgd::new(lr), &[0.0], 10).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{lr}: {err}");
        assert!(Adam::new(lr).update(&mut [0.0], &[1.0]).is_err());
    }
    assert!(matches!(
        minimize(&mut Parabola, &mut Sgd::new(0.1), &[], 10),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        minimize(&mut Parabola, &mut Sgd::new(0.1), &[f64::NAN], 10),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Sgd::new(0.1).update(&mut [0.0, 1.0], &[1.0]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        Momentum::new(0.1).momentum(1.0).update(&mut [0.0], &[1.0]),
        Err(Error::InvalidParameter { .. })
    ));
    let mut adam = Adam::default();
    adam.update(&mut [0.0, 0.0], &[1.0, 1.0]).unwrap();
    assert!(matches!(
        adam.update(&mut [0.0], &[1.0]),
        Err(Error::Shape { .. })
    ));
    let mut no_hessian = VarProblem(|v: &[Var]| v[0].powi(2));
    assert!(matches!(
        minimize(&mut no_hessian, &mut Newton::default(), &[1.0], 5),
        Err(Error::Unsupported { .. })
    ));
    let mut flat = FnProblem::new(|_: &[f64]| 1.0, |_: &[f64]| vec![1.0, 0.0])
        .with_hessian(|_| Array2::zeros((2, 2)));
    assert!(matches!(
        minimize(&mut flat, &mut Newton::default(), &[1.0, 1.0], 5),
        Err(Error::Singular { .. })
    ));
    let mut wrong_len = FnProblem::new(|_: &[f64]| 1.0, |_: &[f64]| vec![1.0]);
    assert!(matches!(
        minimize(&mut wrong_len, &mut Sgd::new(0.1), &[1.0, 1.0], 5),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn least_squares_and_gradient_descent_agree() {
    let data = synthetic_regression(200, &[1.5, -2.0, 0.5], 3.0, 0.1, 42).unwrap();
    let exact = least_squares(&data).unwrap();
    assert!(close(
        exact.weights.as_slice().unwrap(),
        &[1.5, -2.0, 0.5],
        0.05
    ));
    let (gd, _) = fit_gd(
        &data,
        &mut Sgd::new(0.1),
        &Minimizer::new(10_000).grad_tol(1e-10),
    )
    .unwrap();
    assert!(close(&gd.to_params(), &exact.to_params(), 1e-8));
    let (newton, run) = fit_gd(
        &data,
        &mut Newton::default(),
        &Minimizer::new(5).grad_tol(1e-10),
    )
    .unwrap();
    assert!(close(&newton.to_params(), &exact.to_params(), 1e-10) && run.steps == 1);
    // the same seed gives the same data
    assert_eq!(
        data,
        synthetic_regression(200, &[1.5, -2.0, 0.5], 3.0, 0.1, 42).unwrap()
    );
}

#[test]
fn models_train_with_any_optimizer() {
    let moons = two_moons(100, 0.1, 0).unwrap();
    let y = moons.y_column();
    let mut net = Mlp::new(&[2, 16, 16, 1], Activation::Relu, Init::HeNormal, 1).unwrap();
    let run = net
        .fit(
            moons.x.clone(),
            y.clone(),
            Loss::Hinge,
            &mut Adam::new(0.01),
            &Minimizer::new(500).record_params(false),
        )
        .unwrap();
    assert!(
        run.loss < 0.1 * run.losses()[0],
        "{} -> {}",
        run.losses()[0],
        run.loss
    );
    let pred = net.predict(moons.x.view()).unwrap();
    let correct = pred
        .iter()
        .zip(&moons.y)
        .filter(|(p, y)| p.signum() == **y)
        .count();
    assert!(correct >= 95, "{correct}/100");
    // L-BFGS on the same model with a logistic loss
    let mut net = Mlp::new(&[2, 8, 1], Activation::Tanh, Init::Xavier, 2).unwrap();
    let y01 = y.mapv(|v| (v + 1.0) / 2.0);
    let run = net
        .fit(
            moons.x.clone(),
            y01,
            Loss::BceWithLogits,
            &mut Lbfgs::default(),
            &Minimizer::new(200),
        )
        .unwrap();
    assert!(run.loss < 0.1, "{}", run.loss);
    // NaN in data and mismatched rows are errors
    let mut bad = moons.x.clone();
    bad[[3, 1]] = f64::NAN;
    assert!(matches!(
        net.fit(
            bad,
            y.clone(),
            Loss::Mse,
            &mut Sgd::new(0.1),
            &Minimizer::new(1)
        ),
        Err(Error::NonFinite { .. })
    ));
    let short = y.slice(ndarray::s![..50, ..]).to_owned();
    assert!(matches!(
        net.fit(
            moons.x.clone(),
            short,
            Loss::Mse,
            &mut Sgd::new(0.1),
            &Minimizer::new(1)
        ),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn vanishing_gradient_in_a_hundred_layers() {
    let x = calc_dl::tensor::Tensor::constant(
        synthetic_regression(32, &[0.0; 64], 0.0, 0.0, 3).unwrap().x,
    );
    let norms = |act, init| {
        let net = Mlp::new(&[64; 101], act, init, 5).unwrap();
        let (_, g) = net
            .value_and_grad(&x, |out| Ok(out.powi(2).mean()))
            .unwrap();
        Mlp::layer_grad_norms(&g)
    };
    let sig = norms(Activation::Sigmoid, Init::PyTorch);
    let relu_default = norms(Activation::Relu, Init::PyTorch);
    let relu_he = norms(Activation::Relu, Init::HeNormal);
    assert_eq!(sig.len(), 100);
    assert!(
        sig[0] / sig[99] < 1e-20,
        "sigmoid ratio {}",
        sig[0] / sig[99]
    );
    assert!(relu_default[0] / relu_default[99] < 1e-6 || relu_default[0] < 1e-12);
    let ratio = relu_he[0] / relu_he[99];
    assert!(ratio > 1e-2 && ratio < 1e2, "relu+He ratio {ratio}");
}

/// The fused linear-regression gradient (unrolled for 8 features, generic for 5) against the tensor tape.
#[test]
fn linear_regression_gradient_matches_tensor_tape() {
    for k in [8, 5] {
        let data = synthetic_regression(103, &vec![0.5; k], 1.0, 0.3, 11).unwrap();
        let p: Vec<f64> = (0..=k).map(|i| i as f64 * 0.1 - 0.3).collect();
        let (loss, g) = LinearRegression { data: &data }.value_and_grad(&p).unwrap();
        let x = Tensor::constant(data.x.clone());
        let y = Tensor::constant(data.y_column());
        let w = Array2::from_shape_vec((k, 1), p[..k].to_vec()).unwrap();
        let b = Array2::from_elem((1, 1), p[k]);
        let (tl, tg) = calc_dl::tensor::value_and_grad(&[w, b], |q| {
            calc_dl::tensor::mse(&x.matmul(&q[0])?.add(&q[1])?, &y)
        })
        .unwrap();
        assert!((loss - tl).abs() < 1e-12 * tl.max(1.0));
        let tg: Vec<f64> = tg.iter().flat_map(|a| a.iter().copied()).collect();
        assert!(close(&g, &tg, 1e-12), "{k}: {g:?} vs {tg:?}");
    }
}

/// Five steps of each first-order method on `½(x₀² + 10x₁² + 0.1x₂²)` from `(1, -2, 0.5)`, against the
/// parameters `torch.optim` (2.x, float64) reaches with the same settings.
#[test]
fn first_order_methods_match_torch_optim() {
    let torch: Vec<(Box<dyn Optimizer>, [f64; 3])> = vec![
        (
            Box::new(Sgd::new(0.05)),
            [0.7737809375, -0.0625, 0.48762437656093754],
        ),
        (
            Box::new(Momentum::new(0.05)),
            [0.41715593749999996, 1.0435999999999996, 0.4675257239359375],
        ),
        (
            Box::new(Nesterov::new(0.05)),
            [
                0.31594230506562493,
                0.022274375000000023,
                0.4587751083912047,
            ],
        ),
        (
            Box::new(AdaGrad::new(0.1)),
            [0.6977148620648239, -1.6867615981289752, 0.2226917846208072],
        ),
        (
            Box::new(RmsProp::default()),
            [0.696465799281033, -1.685481578522089, 0.22157133990447936],
        ),
        (
            Box::new(Adam::new(0.1)),
            [0.507963661927221, -1.502955780256633, 0.0278145494131503],
        ),
    ];
    for (mut opt, expected) in torch {
        let mut x = vec![1.0, -2.0, 0.5];
        let mut p = FnProblem::new(
            |_: &[f64]| 0.0,
            |x: &[f64]| vec![x[0], 10.0 * x[1], 0.1 * x[2]],
        );
        for _ in 0..5 {
            let g = vec![x[0], 10.0 * x[1], 0.1 * x[2]];
            opt.step(&mut p, &mut x, 0.0, &g).unwrap();
        }
        assert!(
            close(&x, &expected, 1e-14),
            "{}: {x:?} vs torch {expected:?}",
            opt.name()
        );
    }
}

/// After `reset`, a method runs as a new one with the same settings: the state (velocity, moments,
/// step count, curvature pairs) is gone, the hyper-parameters stay.
#[test]
fn reset_forgets_the_state_and_keeps_the_settings() {
    fn check(name: &str, new: impl Optimizer + Clone) {
        let path = |opt: &mut dyn Optimizer| {
            let run = Minimizer::new(5).grad_tol(0.0);
            run.run(&mut ShiftedBowl, opt, &[0.0, 0.0]).unwrap().history
        };
        let mut used = new.clone();
        let first = path(&mut used);
        if name != "sgd" {
            // Without a reset, the state of the first run changes the second.
            assert_ne!(
                path(&mut used.clone()),
                first,
                "{name}: no state carried over"
            );
        }
        used.reset();
        assert_eq!(path(&mut used), first, "{name}");
        assert_eq!(used.learning_rate(), new.learning_rate(), "{name}");
    }
    check("sgd", Sgd::new(0.1));
    check("momentum", Momentum::new(0.05).momentum(0.5));
    check("nesterov", Nesterov::new(0.05).momentum(0.5));
    check("adagrad", AdaGrad::new(0.5).eps(1e-6));
    check("rmsprop", RmsProp::new(0.05).alpha(0.9));
    check("adam", Adam::new(0.1).betas(0.8, 0.99).eps(1e-6));
    check("lbfgs", Lbfgs::default().memory(3));
}
