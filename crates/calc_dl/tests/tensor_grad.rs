//! Tensor gradients against finite differences (`calc_dl::numeric`) and against the scalar `Var` tape.

use calc_dl::nn::{Activation, Init, Mlp};
use calc_dl::numeric;
use calc_dl::prelude::*;
use calc_dl::tensor::{self, Tensor};

type F = fn(&[Tensor]) -> calc_dl::Result<Tensor>;
/// The shapes of a function's inputs.
type Shapes = &'static [(usize, usize)];

/// Deterministic, irregular values in (-1, 1) away from 0.
fn arr(r: usize, c: usize, seed: u64) -> Array2<f64> {
    Array2::from_shape_fn((r, c), |(i, j)| {
        let t = ((i * 7 + j * 13) as f64 + seed as f64 * 0.37).sin();
        if t.abs() < 0.1 {
            t + 0.3
        } else {
            t
        }
    })
}

/// Inputs of the given shapes, each with its own values.
fn inputs(shapes: &[(usize, usize)]) -> Vec<Array2<f64>> {
    (1..)
        .zip(shapes)
        .map(|(seed, &(r, c))| arr(r, c, seed))
        .collect()
}

/// Checks the tape's gradient of `f` at `inputs` against central differences.
fn check(name: &str, f: impl Fn(&[Tensor]) -> calc_dl::Result<Tensor>, inputs: Vec<Array2<f64>>) {
    let (value, grads) = tensor::value_and_grad(&inputs, &f).unwrap();
    let flat: Vec<f64> = inputs.iter().flat_map(|a| a.iter().copied()).collect();
    let rebuild = |p: &[f64]| -> Vec<Tensor> {
        let mut rest = p;
        inputs
            .iter()
            .map(|a| {
                let (h, t) = rest.split_at(a.len());
                rest = t;
                Tensor::constant(Array2::from_shape_vec(a.dim(), h.to_vec()).unwrap())
            })
            .collect()
    };
    let plain = |p: &[f64]| f(&rebuild(p)).unwrap().item().unwrap();
    assert!((plain(&flat) - value).abs() < 1e-12, "{name}: value");
    let num = numeric::gradient(plain, &flat).unwrap().value;
    let ana: Vec<f64> = grads.iter().flat_map(|g| g.iter().copied()).collect();
    assert_eq!(num.len(), ana.len());
    for (i, (a, n)) in ana.iter().zip(&num).enumerate() {
        assert!(
            (a - n).abs() <= 1e-6 + 1e-5 * n.abs(),
            "{name}: component {i}: tape {a}, finite difference {n}"
        );
    }
}

#[test]
fn every_op_matches_finite_differences() {
    // Each case: a name, a scalar function of the inputs, and the inputs' shapes.
    let cases: Vec<(&str, F, Shapes)> = vec![
        (
            "matmul",
            |p| Ok(p[0].matmul(&p[1])?.sum()),
            &[(3, 4), (4, 2)],
        ),
        (
            "scale add_scalar neg",
            |p| Ok(p[0].scale(3.0).add_scalar(1.0).neg().powi(2).sum()),
            &[(2, 3)],
        ),
        ("exp", |p| Ok(p[0].exp().mean()), &[(2, 3)]),
        (
            "ln",
            |p| Ok(p[0].powi(2).add_scalar(0.5).ln().sum()),
            &[(2, 3)],
        ),
        (
            "sigmoid",
            |p| Ok(p[0].scale(2.0).sigmoid().sum()),
            &[(2, 3)],
        ),
        ("tanh", |p| Ok(p[0].tanh().powi(2).sum()), &[(2, 3)]),
        ("relu", |p| Ok(p[0].relu().powi(2).sum()), &[(2, 3)]),
        ("sqrt abs", |p| Ok(p[0].abs().sqrt().sum()), &[(2, 3)]),
        (
            "transpose",
            |p| Ok(p[0].t().matmul(&p[1])?.sum()),
            &[(3, 2), (3, 4)],
        ),
        (
            "reused input",
            |p| Ok(p[0].mul(&p[0])?.add(&p[0])?.sum()),
            &[(2, 2)],
        ),
        (
            "mse",
            |p| tensor::mse(&p[0].tanh(), &p[1]),
            &[(4, 2), (4, 2)],
        ),
        (
            "bce with logits",
            |p| {
                let y = Array2::from_shape_fn((4, 1), |(i, _)| (i % 2) as f64);
                tensor::bce_with_logits(&p[0].scale(5.0), y.view())
            },
            &[(4, 1)],
        ),
        (
            "softmax cross-entropy",
            |p| tensor::softmax_cross_entropy(&p[0].scale(4.0), &[0, 2, 1, 2]),
            &[(4, 3)],
        ),
        (
            "hinge",
            |p| {
                let y = Tensor::constant(array![[1.0], [-1.0], [1.0], [-1.0]]);
                tensor::hinge(&p[0].scale(0.5), &y)
            },
            &[(4, 1)],
        ),
        (
            "linear layer + mse",
            |p| {
                let x = Tensor::constant(arr(5, 3, 9));
                let y = Tensor::constant(arr(5, 2, 4));
                tensor::mse(&x.matmul(&p[0])?.add(&p[1])?.sigmoid(), &y)
            },
            &[(3, 2), (1, 2)],
        ),
    ];
    for (name, f, shapes) in cases {
        check(name, f, inputs(shapes));
    }
}

/// The elementwise binary ops on equal shapes and broadcasting a row, a column or a single value, on
/// either side.
#[test]
fn binary_ops_match_finite_differences_when_broadcasting() {
    type Binary = fn(&Tensor, &Tensor) -> calc_dl::Result<Tensor>;
    let ops: [(&str, Binary); 4] = [
        ("add", Tensor::add),
        ("sub", Tensor::sub),
        ("mul", Tensor::mul),
        ("div", Tensor::div),
    ];
    let shapes = [
        [(3, 4), (3, 4)],
        [(3, 4), (1, 4)],
        [(3, 4), (3, 1)],
        [(3, 4), (1, 1)],
        [(1, 1), (3, 4)],
        [(1, 4), (3, 1)],
    ];
    for (name, op) in ops {
        for pair in &shapes {
            let f = |p: &[Tensor]| Ok(op(&p[0], &p[1])?.powi(2).sum());
            check(&format!("{name} {pair:?}"), f, inputs(pair));
        }
    }
}

#[test]
fn stable_losses_survive_huge_logits() {
    let z = Tensor::new(array![[1000.0], [-1000.0]]);
    let bce = tensor::bce_with_logits(&z, array![[1.0], [0.0]].view()).unwrap();
    assert_eq!(bce.item().unwrap(), 0.0);
    let wrong = tensor::bce_with_logits(&z, array![[0.0], [1.0]].view()).unwrap();
    assert_eq!(wrong.item().unwrap(), 1000.0);
    wrong.backward().unwrap();
    assert_eq!(z.grad().unwrap(), array![[0.5], [-0.5]]);
    let ce = tensor::softmax_cross_entropy(&Tensor::new(array![[1000.0, 0.0]]), &[1]).unwrap();
    assert_eq!(ce.item().unwrap(), 1000.0);
}

/// The same MLP and loss on the tensor tape and on the scalar `Var` tape give the same gradient.
#[test]
fn mlp_gradient_matches_scalar_tape() {
    let x = arr(6, 3, 3);
    let y = arr(6, 2, 8);
    for act in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        let net = Mlp::new(&[3, 5, 4, 2], act, Init::Xavier, 7).unwrap();
        let (loss_t, grads) = net
            .value_and_grad(&Tensor::constant(x.clone()), |out| {
                tensor::mse(out, &Tensor::constant(y.clone()))
            })
            .unwrap();
        let (loss_s, grad_s) = value_and_grad(
            |p: &[Var]| {
                let mut total = Var::constant(0.0);
                for (xi, yi) in x.rows().into_iter().zip(y.rows()) {
                    let xs: Vec<Var> = xi.iter().map(|&v| Var::constant(v)).collect();
                    let out = net.forward_scalar(p, &xs).unwrap();
                    for (o, t) in out.iter().zip(yi) {
                        total += (*o - *t).powi(2);
                    }
                }
                total / y.len() as f64
            },
            &net.params(),
        )
        .unwrap();
        assert!((loss_t - loss_s).abs() < 1e-12, "{act:?}");
        for (a, b) in Mlp::flatten(&grads).iter().zip(&grad_s) {
            assert!((a - b).abs() < 1e-12, "{act:?}: {a} vs {b}");
        }
    }
}

#[test]
fn backward_accumulates_and_stale_tensors_are_reported() {
    let w = Tensor::new(array![[2.0]]);
    let loss = w.powi(2).sum();
    loss.backward().unwrap();
    loss.backward().unwrap();
    assert_eq!(w.grad().unwrap(), array![[8.0]]);
    w.zero_grad();
    assert_eq!(w.grad().unwrap(), array![[0.0]]);
    assert!(matches!(
        Tensor::constant(array![[1.0]]).backward(),
        Err(Error::NoGrad(_))
    ));
    let not_scalar = w.add(&Tensor::constant(array![[1.0, 2.0]])).unwrap();
    assert!(matches!(not_scalar.backward(), Err(Error::Shape { .. })));
    Tensor::reset_tape();
    assert!(matches!(w.grad(), Err(Error::NoGrad(_))));
    assert_eq!(Tensor::tape_len(), 0);
}

#[test]
fn shape_mismatches_are_errors() {
    let a = Tensor::new(Array2::zeros((3, 4)));
    let b = Tensor::new(Array2::zeros((3, 2)));
    let err = a.matmul(&b).unwrap_err();
    assert!(err.to_string().contains("matmul"), "{err}");
    assert!(matches!(a.add(&b), Err(Error::Shape { .. })));
    assert!(matches!(
        a.mul(&Tensor::constant(Array2::zeros((2, 4)))),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(tensor::mse(&a, &b), Err(Error::Shape { .. })));
    assert!(matches!(
        tensor::softmax_cross_entropy(&a, &[0, 1]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        tensor::softmax_cross_entropy(&a, &[0, 1, 4]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        tensor::bce_with_logits(&b, Array2::from_elem((3, 2), 2.0).view()),
        Err(Error::InvalidParameter { .. })
    ));
    let empty = Tensor::new(Array2::zeros((0, 2)));
    assert!(matches!(
        tensor::mse(&empty, &empty),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(a.item(), Err(Error::Shape { .. })));
    assert!(matches!(a.slice(0..4, 0..1), Err(Error::Shape { .. })));
    let (from, to) = (3, 2);
    assert!(matches!(a.cols(from..to), Err(Error::Shape { .. })));
    let r = tensor::value_and_grad(&[Array2::zeros((2, 2))], |p| Ok(p[0].clone()));
    assert!(matches!(r, Err(Error::Shape { .. })));
}

#[test]
fn value_and_grad_leaves_the_tape_as_it_was() {
    Tensor::reset_tape();
    let outer = Tensor::new(array![[1.0]]);
    let before = Tensor::tape_len();
    for _ in 0..3 {
        tensor::value_and_grad(&[array![[3.0]]], |p| Ok(p[0].powi(2).sum())).unwrap();
    }
    assert_eq!(Tensor::tape_len(), before);
    outer.powi(3).sum().backward().unwrap();
    assert_eq!(outer.grad().unwrap(), array![[3.0]]);
    // an outer tensor used inside is a constant there: no gradient leaks to it
    let (_, g) = tensor::value_and_grad(&[array![[2.0]]], |p| Ok(p[0].mul(&outer)?.sum())).unwrap();
    assert_eq!(g[0], array![[1.0]]);
    assert_eq!(outer.grad().unwrap(), array![[3.0]]);
}

#[test]
fn deep_chain_needs_no_recursion() {
    let (_, g) = tensor::value_and_grad(&[array![[0.5]]], |p| {
        let mut h = p[0].clone();
        for _ in 0..200_000 {
            h = h.scale(1.0);
        }
        Ok(h.sum())
    })
    .unwrap();
    assert_eq!(g[0], array![[1.0]]);
}

/// Moves a value to another thread. Only for the test below, where the first thread waits (`join`)
/// while the second uses it, so the tape is never touched from two threads at once.
struct Handoff<T>(T);
// SAFETY: see above; the receiving thread has the value to itself until it is joined.
unsafe impl<T> Send for Handoff<T> {}

#[test]
fn tensors_follow_their_own_tape_and_a_mix_is_reported() {
    // In a notebook every cell has its own copy of the crate, so its own thread-local tape for new
    // parameters; another thread's tape stands in for a later cell's.
    let w = Tensor::new(array![[2.0]]);
    let sent = Handoff(w.clone());
    let Handoff((w_grad, v_grad, tape_there, mixed)) = std::thread::spawn(move || {
        let sent = sent; // the whole wrapper moves (a closure would otherwise capture only its field)
        let w = &sent.0;
        // Ops follow w to its tape: a loss from a parameter made "in an earlier cell" back-propagates.
        let loss = Tensor::constant(array![[3.0]]).mul(w).unwrap().sum();
        loss.backward().unwrap();
        let w_grad = w.grad().unwrap();
        // A new parameter made beside w shares its tape.
        let v = Tensor::new_like(w, array![[5.0]]);
        w.mul(&v).unwrap().sum().backward().unwrap();
        let v_grad = v.grad().unwrap();
        let tape_there = Tensor::tape_len(); // this thread's own tape: untouched so far
                                             // A parameter that goes through w's tape and comes back: d/dp p·(w·p) = 2wp, but w's tape
                                             // took p as a constant, so only wp would be found. An error, not a wrong gradient.
        let round_trip =
            tensor::value_and_grad(&[array![[3.0]]], |p| Ok(p[0].mul(&w.mul(&p[0])?)?.sum()));
        assert!(matches!(round_trip, Err(Error::NoGrad(_))));
        // Met later, w is a constant to f, as f sees it: fine.
        let (_, g) = tensor::value_and_grad(&[array![[3.0]]], |p| Ok(p[0].mul(w)?.sum())).unwrap();
        assert_eq!(g[0], array![[2.0]]);
        // A parameter from this thread's own tape meeting w: reported, not silently a constant.
        let fresh = Tensor::new(array![[1.0]]);
        let mixed = w.mul(&fresh).unwrap().sum().backward();
        Handoff((w_grad, v_grad, tape_there, mixed))
    })
    .join()
    .unwrap();
    assert_eq!(w_grad, array![[3.0]]);
    assert_eq!(v_grad, array![[2.0]]);
    assert_eq!(tape_there, 0);
    let message = mixed.unwrap_err().to_string();
    assert!(
        message.contains("two different tapes") && message.contains("new_like"),
        "{message}"
    );
    // The failed backward added nothing (3 + 5 from the two good ones), and the tape stays usable.
    assert_eq!(w.grad().unwrap(), array![[8.0]]);
    w.zero_grad();
    w.powi(2).sum().backward().unwrap();
    assert_eq!(w.grad().unwrap(), array![[4.0]]);
    Tensor::reset_tape();
}

#[test]
fn a_tensor_kept_from_a_finished_gradient_does_not_alias_a_newer_node() {
    // The kept parameter's id is reused by the next scoped gradient's nodes: it must stay the constant
    // [[3]] it was, not become whatever node is recorded there now.
    let mut kept = None;
    tensor::value_and_grad(&[array![[3.0]]], |p| {
        kept = Some(p[0].clone());
        Ok(p[0].scale(2.0).sum())
    })
    .unwrap();
    let kept = kept.unwrap();
    let (value, g) =
        tensor::value_and_grad(&[array![[5.0]]], |p| Ok(kept.mul(&p[0])?.sum())).unwrap();
    assert_eq!((value, &g[0]), (15.0, &array![[3.0]]));
    let (value, g) = tensor::value_and_grad(&[array![[2.0]]], |p| {
        let cube = p[0].mul(&p[0])?.mul(&p[0])?;
        Ok(cube.scale(1.0).add(&kept.scale(1.0))?.sum())
    })
    .unwrap();
    assert_eq!((value, &g[0]), (11.0, &array![[12.0]]));
    assert!(!kept.requires_grad());
    assert!(matches!(kept.grad(), Err(Error::NoGrad(_))));
    // A new parameter made beside the kept one goes on this thread's tape, and the kept one is a constant.
    let w = Tensor::new_like(&kept, array![[1.0]]);
    let y = w.mul(&kept).unwrap().add(&w).unwrap().sum();
    y.backward().unwrap();
    assert_eq!((y.item().unwrap(), w.grad().unwrap()), (4.0, array![[4.0]]));
    Tensor::reset_tape();
}
