//! The backward half: one loop over the tape in reverse order of creation (a topological order), one
//! `match` over the ops. No recursion, so depth costs nothing but memory.

use super::ops::{matmul, unbroadcast};
use super::tape::{Input, Node, Op, Tape, CONSTANT};
use crate::error::Result;
use crate::liveness::{no_grad, Kind, Why};
use crate::ops::{sigmoid, Unary};
use ndarray::{Array2, Zip};

impl Tape {
    /// Adds d(node `from`)/d(leaf) to the gradient of every leaf, as `loss.backward()` in PyTorch.
    pub(crate) fn backward(&mut self, from: usize) -> Result<()> {
        let (grads, lost) = sweep(&self.nodes, from, 0, self.liveness.mixed());
        if lost {
            return Err(no_grad(Kind::Tensor, "call backward()", Why::Mixed));
        }
        for (id, g) in grads.into_iter().enumerate() {
            if let (Some(g), Op::Leaf) = (g, &self.nodes[id].op) {
                match self.leaf_grads.get_mut(&(id as u32)) {
                    Some(acc) => *acc += &g,
                    None => {
                        self.leaf_grads.insert(id as u32, g);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Gradients of node `from` with respect to every node `start..=from`, at index `id - start` (`None`
/// where nothing flows). Nodes before `start` belong to an enclosing computation and receive nothing.
/// Also says whether a nonzero gradient reached one of the `watched` nodes (sorted ids).
pub(crate) fn sweep(
    nodes: &[Node],
    from: usize,
    start: usize,
    watched: &[u32],
) -> (Vec<Option<Array2<f64>>>, bool) {
    let mut grads: Vec<Option<Array2<f64>>> = vec![None; from + 1 - start];
    grads[from - start] = Some(Array2::ones(nodes[from].value.dim()));
    let mut reached = false;
    for id in (start..=from).rev() {
        let Some(g) = grads[id - start].take() else {
            continue;
        };
        if !reached && watched.binary_search(&(id as u32)).is_ok() {
            reached = g.iter().any(|&v| v != 0.0);
        }
        let node = &nodes[id];
        if let Op::Leaf = node.op {
            grads[id - start] = Some(g); // leaves keep their gradient for the caller
            continue;
        }
        let mut send = |input: &Input, contribution: Array2<f64>| {
            let to = input.id;
            if to == CONSTANT || (to as usize) < start {
                return;
            }
            match &mut grads[to as usize - start] {
                Some(acc) => *acc += &contribution,
                slot => *slot = Some(contribution),
            }
        };
        match &node.op {
            Op::Leaf => unreachable!("handled above"),
            Op::MatMul(a, b) => {
                if wants(a, start) {
                    send(a, matmul(g.view(), b.value.t()));
                }
                if wants(b, start) {
                    send(b, matmul(a.value.t(), g.view()));
                }
            }
            Op::Add(a, b) => {
                if wants(b, start) {
                    send(b, unbroadcast(g.clone(), b.value.dim()));
                }
                send(a, unbroadcast(g, a.value.dim()));
            }
            Op::Sub(a, b) => {
                if wants(b, start) {
                    send(b, unbroadcast(-&g, b.value.dim()));
                }
                send(a, unbroadcast(g, a.value.dim()));
            }
            Op::Mul(a, b) => {
                if wants(a, start) {
                    send(a, unbroadcast(&g * &b.value, a.value.dim()));
                }
                if wants(b, start) {
                    send(b, unbroadcast(&g * &a.value, b.value.dim()));
                }
            }
            Op::Div(a, b) => {
                if wants(a, start) {
                    send(a, unbroadcast(&g / &b.value, a.value.dim()));
                }
                if wants(b, start) {
                    let q = &node.value / &b.value; // a / b²
                    send(b, unbroadcast(-(&g * &q), b.value.dim()));
                }
            }
            Op::Scale(a, c) => send(a, g * *c),
            Op::AddScalar(a) => send(a, g),
            Op::Unary(a, op) => send(a, unary_backward(*op, g, &a.value, &node.value)),
            Op::Sum(a) => send(a, Array2::from_elem(a.value.dim(), g[[0, 0]])),
            Op::Mean(a) => {
                let n = a.value.len() as f64;
                send(a, Array2::from_elem(a.value.dim(), g[[0, 0]] / n));
            }
            Op::Transpose(a) => send(a, g.t().to_owned()),
            Op::Slice(a, r0, c0) => {
                let mut d = Array2::zeros(a.value.dim());
                let (r, c) = g.dim();
                d.slice_mut(ndarray::s![*r0..r0 + r, *c0..c0 + c])
                    .assign(&g);
                send(a, d);
            }
            Op::Mse(a, b) => {
                let k = 2.0 * g[[0, 0]] / a.value.len() as f64;
                let d = (&a.value - &b.value) * k;
                if wants(b, start) {
                    send(b, -&d);
                }
                send(a, d);
            }
            Op::BceWithLogits(a, y) => {
                let k = g[[0, 0]] / a.value.len() as f64;
                let mut d = a.value.to_owned();
                Zip::from(&mut d)
                    .and(y)
                    .for_each(|z, &y| *z = k * (sigmoid(*z) - y));
                send(a, d);
            }
            Op::SoftmaxCe(a, probs, labels) => {
                let k = g[[0, 0]] / labels.len() as f64;
                let mut d = probs.clone();
                for (r, &l) in labels.iter().enumerate() {
                    d[[r, l]] -= 1.0;
                }
                send(a, d * k);
            }
        }
    }
    (grads, reached)
}

/// Whether an input is on the part of the tape being swept (so computing its gradient is worth it).
fn wants(input: &Input, start: usize) -> bool {
    input.id != CONSTANT && input.id as usize >= start
}

/// `g · f'(x)` elementwise, reusing `g`'s buffer; exp reads `f'` off the output. Sigmoid and tanh take
/// the slope from the input (`Unary::derivs`): from the output, `s(1 - s)` and `1 - t²` cancel to 0 where
/// they saturate, and notebook 04's vanishing gradients measure exactly those tiny slopes.
fn unary_backward(
    op: Unary,
    mut g: Array2<f64>,
    x: &ndarray::ArcArray2<f64>,
    y: &ndarray::ArcArray2<f64>,
) -> Array2<f64> {
    match op {
        Unary::Relu => Zip::from(&mut g).and(x).for_each(|g, &x| {
            if x.is_nan() {
                *g = x;
            } else if x <= 0.0 {
                *g = 0.0;
            }
        }),
        Unary::Exp => Zip::from(&mut g).and(y).for_each(|g, &e| *g *= e),
        Unary::Neg => g.mapv_inplace(|g| -g),
        Unary::Powi(2) => Zip::from(&mut g).and(x).for_each(|g, &x| *g *= 2.0 * x),
        _ => Zip::from(&mut g)
            .and(x)
            .for_each(|g, &x| *g *= op.derivs(x).1),
    }
    g
}

/// Bytes one node holds: its record and the arrays it keeps alive.
pub(crate) fn node_bytes(node: &Node) -> usize {
    let f = std::mem::size_of::<f64>();
    let arrays = match &node.op {
        Op::Leaf => 0,
        Op::MatMul(a, b)
        | Op::Add(a, b)
        | Op::Sub(a, b)
        | Op::Mul(a, b)
        | Op::Div(a, b)
        | Op::Mse(a, b) => a.value.len() + b.value.len(),
        Op::Scale(a, _)
        | Op::AddScalar(a)
        | Op::Unary(a, _)
        | Op::Sum(a)
        | Op::Mean(a)
        | Op::Transpose(a)
        | Op::Slice(a, _, _) => a.value.len(),
        Op::BceWithLogits(a, y) => a.value.len() + y.len(),
        Op::SoftmaxCe(a, p, l) => a.value.len() + p.len() + l.len(),
    };
    std::mem::size_of::<Node>() + (node.value.len() + arrays) * f
}
