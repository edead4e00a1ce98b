//! The tape's structure: deep graphs, scoping, drawing.

use calc_dl::prelude::*;

#[test]
fn a_chain_of_a_million_nodes_back_propagates() {
    let x = Var::new(0.5);
    let mut y = x;
    for _ in 0..1_000_000 {
        y = y * 1.0 + 0.0; // two nodes per step, derivative 1
    }
    y.backward().unwrap();
    assert_eq!(x.grad().unwrap(), 1.0);
    let g = grad(
        |v| {
            let mut y = v[0];
            for _ in 0..1_000_000 {
                y = (y * 0.5).sin() * 2.0;
            }
            y
        },
        &[1e-3],
    )
    .unwrap();
    assert!(g[0].is_finite() && g[0] > 0.0);
    // The graph of a deep chain can be walked without recursion too.
    assert!(y.graph().nodes.len() > 2_000_000);
    Var::reset_tape();
}

#[test]
fn grad_leaves_the_tape_as_it_found_it() {
    let before = Var::tape_len();
    let g = grad(|v| v[0].powi(3) * v[1], &[2.0, 5.0]).unwrap();
    assert_eq!(g, vec![60.0, 8.0]);
    assert_eq!(Var::tape_len(), before);
    // A function that ignores its input has a zero gradient.
    assert_eq!(grad(|_| Var::constant(3.0), &[1.0]).unwrap(), vec![0.0]);
}

#[test]
fn grad_inside_a_user_computation_does_not_disturb_it() {
    let w = Var::new(3.0);
    let y = w * w;
    let inner = grad(|v| v[0].exp(), &[0.0]).unwrap();
    assert_eq!(inner, vec![1.0]);
    y.backward().unwrap();
    assert_eq!(w.grad().unwrap(), 6.0);
}

#[test]
fn the_graph_of_a_logistic_neuron_shows_values_and_gradients() {
    let x = Var::new(2.0).named("x");
    let w = Var::new(-0.5).named("w");
    let b = Var::new(0.25).named("b");
    let z = (w * x + b).named("z");
    let a = z.sigmoid().named("a");
    let loss = (a - 1.0).powi(2).named("loss");
    loss.backward().unwrap();
    let g = loss.graph();
    assert_eq!(g.nodes.len(), 8); // x, w, b, w*x, z, a, a-1, loss
    let names: Vec<_> = g.nodes.iter().filter_map(|n| n.name.clone()).collect();
    assert_eq!(names, ["x", "w", "b", "z", "a", "loss"]);
    let dot = g.to_dot();
    assert!(
        dot.starts_with("digraph")
            && dot.contains("rankdir=LR")
            && dot.matches("->").count() == g.edges.len()
    );
    let svg = g.to_svg();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(">loss = ^2<") && svg.contains("grad"));
    // dL/dw by hand: 2(a-1) · a(1-a) · x
    let av = 1.0 / (1.0 + (-(-0.5 * 2.0 + 0.25f64)).exp());
    let expected = 2.0 * (av - 1.0) * av * (1.0 - av) * 2.0;
    assert!((w.grad().unwrap() - expected).abs() < 1e-15);
    let wnode = g
        .nodes
        .iter()
        .find(|n| n.name.as_deref() == Some("w"))
        .unwrap();
    assert_eq!(wnode.grad, Some(w.grad().unwrap()));
}

#[test]
fn new_like_puts_an_input_on_an_earlier_values_tape() {
    // Two tapes, as two notebook cells with their own copy of the crate would have: a thread stands in.
    let w = Var::new(2.0);
    let other = std::thread::spawn(|| {
        let v = Var::new(3.0);
        (v * 2.0).value()
    })
    .join()
    .unwrap();
    assert_eq!(other, 6.0);
    // A new input made beside `w` shares its tape.
    let x = Var::new_like(&w, 5.0);
    let y = w * x;
    y.backward().unwrap();
    assert_eq!((w.grad().unwrap(), x.grad().unwrap()), (5.0, 2.0));
    Var::reset_tape();
}

/// Moves a value to another thread. Only for the test below, where the first thread waits (`join`)
/// while the second uses it, so the tape is never touched from two threads at once.
struct Handoff<T>(T);
// SAFETY: see above; the receiving thread has the value to itself until it is joined.
unsafe impl<T> Send for Handoff<T> {}

#[test]
fn a_value_from_another_tape_back_propagates_and_a_lost_gradient_is_reported() {
    // In a notebook every cell has its own copy of the crate, so its own thread-local tape for new
    // inputs; another thread's tape stands in for a later cell's.
    let w = Var::new(4.0);
    let sent = Handoff(w);
    let Handoff((w_grad, mixed, left, right)) = std::thread::spawn(move || {
        let sent = sent; // the whole wrapper moves (a closure would otherwise capture only its field)
        let w = sent.0;
        // Arithmetic follows w to its tape: a loss made "in a later cell" back-propagates to it.
        (w - 3.0).powi(2).backward().unwrap();
        let w_grad = w.grad().unwrap();
        // w times an input of this thread's own tape: the product is recorded on w's tape with the new
        // input as a constant, so backward() through it must fail rather than drop its gradient.
        let fresh = Var::new(1.0);
        let mixed = (w * fresh).backward();
        // In value_and_grad the inputs are this thread's: w first puts the output on w's tape (the
        // inputs' gradients lost: an error); w second is a constant to f, as f sees it (fine).
        let left = value_and_grad(|x: &[Var]| w * x[0], &[3.0]);
        let right = value_and_grad(|x: &[Var]| x[0] * w, &[3.0]);
        // The input went through w's tape and came back: d/dx x·(w·x) = 2wx, but w's tape took x as a
        // constant, so only wx would be found. An error, not a wrong gradient.
        let round_trip = value_and_grad(|x: &[Var]| x[0] * (w * x[0]), &[3.0]);
        assert!(matches!(round_trip, Err(Error::NoGrad(_))));
        Handoff((w_grad, mixed, left, right))
    })
    .join()
    .unwrap();
    assert_eq!(w_grad, 2.0);
    let message = mixed.unwrap_err().to_string();
    assert!(
        message.contains("two different tapes") && message.contains("new_like"),
        "{message}"
    );
    assert!(matches!(left, Err(Error::NoGrad(_))));
    assert_eq!(right.unwrap(), (12.0, vec![4.0]));
    // The failed backward added nothing, and the tape stays usable without a reset.
    assert_eq!(w.grad().unwrap(), 2.0);
    (w * w).backward().unwrap();
    assert_eq!(w.grad().unwrap(), 10.0);
    Var::reset_tape();
}

#[test]
fn a_value_kept_from_a_finished_gradient_is_a_constant() {
    let mut kept = None;
    let g = grad(
        |x: &[Var]| {
            let y = x[0] * 2.0;
            kept = Some(y);
            y
        },
        &[3.0],
    )
    .unwrap();
    assert_eq!(g, vec![2.0]);
    // What grad recorded is gone: the kept handle is a plain value now, not an index past the tape.
    let stale = kept.unwrap();
    assert!(matches!(stale.grad(), Err(Error::NoGrad(_))));
    let z = stale.sin() * stale;
    assert!(!z.requires_grad());
    assert!((z.value() - 6f64.sin() * 6.0).abs() < 1e-15);
}

#[test]
fn a_value_kept_from_a_finished_gradient_does_not_alias_a_newer_node() {
    // The kept input's index is reused by the next scoped gradient's nodes: it must stay the constant
    // 3 it was, not become whatever node is recorded there now.
    let mut kept = None;
    grad(
        |x: &[Var]| {
            kept = Some(x[0]);
            x[0] * 2.0
        },
        &[3.0],
    )
    .unwrap();
    let kept = kept.unwrap();
    let cubic = value_and_grad(
        |y: &[Var]| {
            let a = y[0] * y[0] * y[0];
            let b = a * 1.0 + 0.0;
            b + kept * 1.0
        },
        &[2.0],
    );
    assert_eq!(cubic.unwrap(), (11.0, vec![12.0])); // 2³ + 3, d/dy y³ = 3·2²
    assert_eq!(grad(|y: &[Var]| kept * y[0], &[5.0]).unwrap(), vec![3.0]);
    assert!(!kept.requires_grad());
    assert!(matches!(kept.grad(), Err(Error::NoGrad(_))));
    // The same after a reset, and with a value of the current tape beside it.
    Var::reset_tape();
    let w = Var::new(1.0);
    let y = w * kept + w;
    y.backward().unwrap();
    assert_eq!((y.value(), w.grad().unwrap()), (4.0, 4.0));
    Var::reset_tape();
}
