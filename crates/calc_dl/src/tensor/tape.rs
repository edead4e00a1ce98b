//! The tensor tape: one node per array operation, with the arrays its backward rule needs (shared, not
//! copied). The backward sweep over it is in `backward.rs`.

use crate::liveness::{self, Liveness};
use crate::ops::Unary;
use ndarray::{ArcArray2, Array2};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The id of an argument that is not on the tape (a constant, or a tensor of another tape).
pub(crate) const CONSTANT: u32 = u32::MAX;

/// An argument of an op: its tape id ([`CONSTANT`] when it does not track gradients here) and its value.
#[derive(Clone)]
pub(crate) struct Input {
    pub(crate) id: u32,
    pub(crate) value: ArcArray2<f64>,
}

/// What produced a node, with what its backward rule needs.
#[derive(Clone)]
pub(crate) enum Op {
    Leaf,
    MatMul(Input, Input),
    /// Elementwise with broadcasting of rows (`1 × k`), columns (`n × 1`) and scalars (`1 × 1`).
    Add(Input, Input),
    Sub(Input, Input),
    Mul(Input, Input),
    Div(Input, Input),
    Scale(Input, f64),
    AddScalar(Input),
    Unary(Input, Unary),
    Sum(Input),
    Mean(Input),
    Transpose(Input),
    /// A block of rows and columns, starting at `(row, col)`.
    Slice(Input, usize, usize),
    /// `mean((a - b)²)`.
    Mse(Input, Input),
    /// Binary cross-entropy from logits; keeps the targets.
    BceWithLogits(Input, ArcArray2<f64>),
    /// Softmax cross-entropy; keeps the softmax and the labels.
    SoftmaxCe(Input, Array2<f64>, Vec<usize>),
}

pub(crate) struct Node {
    pub(crate) op: Op,
    pub(crate) value: ArcArray2<f64>,
}

pub(crate) struct Tape {
    pub(crate) nodes: Vec<Node>,
    /// Gradients accumulated on leaves by `Tensor::backward`, as PyTorch's `.grad`.
    pub(crate) leaf_grads: BTreeMap<u32, Array2<f64>>,
    /// Which tensors still name their node, and which nodes met another tape: see [`crate::liveness`].
    pub(crate) liveness: Liveness,
}

impl Tape {
    /// Records a node and returns its id.
    pub(crate) fn push(&mut self, op: Op, value: ArcArray2<f64>) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node { op, value });
        id
    }

    /// Drops the nodes from `len` on, with everything that refers to them; the tensors of the dropped
    /// nodes are constants from now on, even once new nodes take their ids.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.liveness.truncate(len);
        self.nodes.truncate(len);
        self.leaf_grads.split_off(&(len as u32));
    }
}

/// A tape, shared by every tensor recorded on it.
pub(crate) type TapeCell = RefCell<Tape>;

thread_local! {
    /// This thread's tape for new parameters. Leaked, so that tensors can point at it for as long as
    /// they live (one per thread and per copy of the crate, emptied by `Tensor::reset_tape`).
    static CURRENT: &'static TapeCell = Box::leak(Box::new(RefCell::new(Tape {
        nodes: Vec::new(),
        leaf_grads: BTreeMap::new(),
        liveness: Liveness::new(),
    })));
}

/// This thread's tape.
pub(crate) fn current() -> &'static TapeCell {
    CURRENT.with(|t| *t)
}

pub(crate) fn with_tape<R>(tape: &'static TapeCell, f: impl FnOnce(&mut Tape) -> R) -> R {
    f(&mut tape.borrow_mut())
}

impl liveness::Tape for TapeCell {
    fn liveness<R>(&'static self, f: impl FnOnce(&mut Liveness, usize) -> R) -> R {
        with_tape(self, |t| {
            let len = t.nodes.len();
            f(&mut t.liveness, len)
        })
    }
}
