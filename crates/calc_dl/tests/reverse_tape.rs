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
