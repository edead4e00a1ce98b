//! Reverse mode on whole arrays: [`Tensor`], a 2-D `f64` array on a tape, as `torch.Tensor` with
//! `requires_grad`.
//!
//! The scalar [`Var`](crate::Var) records one node per multiplication, which is how backpropagation is
//! easiest to see; a [`Tensor`] records one node per *array* operation (a whole matrix product), which is how
//! it is fast. Each node keeps its op and the arrays its backward rule needs (shared, not copied); the
//! backward sweep is one loop in reverse order of creation with one `match` over the ops, as in candle,
//! and no recursion.
//!
//! Every array is 2-D: a batch of `n` samples with `k` features is `n × k`, a bias is a `1 × k` row that
//! broadcasts over the rows, and a loss is `1 × 1`.
//!
//! ```
//! use calc_dl::prelude::*;
//! use calc_dl::tensor::Tensor;
//!
//! let x = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]); // data: no gradient
//! let w = Tensor::new(array![[0.5], [-1.0]]); // a parameter
//! let b = Tensor::new(array![[0.1]]);
//! let loss = x.matmul(&w)?.add(&b)?.relu().mean();
//! loss.backward()?;
//! assert_eq!(w.grad()?, array![[0.0], [0.0]]); // both pre-activations are negative: relu stops the gradient
//! # Ok::<(), calc_dl::Error>(())
//! ```

mod backward;
pub mod loss;
mod ops;

pub use loss::{bce_with_logits, hinge, mse, softmax_cross_entropy};

use crate::error::{Error, Result};
use crate::ops::Unary;
use ndarray::{ArcArray2, Array1, Array2};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// The id of a value that is not on the tape.
const CONSTANT: u32 = u32::MAX;

/// An argument of an op: its tape id ([`CONSTANT`] when it does not track gradients) and its value.
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
    /// Gradients accumulated on leaves by [`Tensor::backward`], as PyTorch's `.grad`.
    leaf_grads: BTreeMap<u32, Array2<f64>>,
    epoch: u32,
}

thread_local! {
    static TAPE: RefCell<Tape> = const {
        RefCell::new(Tape { nodes: Vec::new(), leaf_grads: BTreeMap::new(), epoch: 0 })
    };
}

fn with_tape<R>(f: impl FnOnce(&mut Tape) -> R) -> R {
    TAPE.with(|t| f(&mut t.borrow_mut()))
}

/// A 2-D array of `f64` that may track gradients: a cheap-to-clone handle to a value and its place on this
/// thread's tensor tape.
///
/// A tensor belongs to the thread that made it (as [`Var`](crate::Var)), so it is neither `Send` nor
/// `Sync`; send its [`value`](Tensor::value) instead.
///
/// Ops whose shapes can disagree ([`matmul`](Tensor::matmul), [`add`](Tensor::add), …) return
/// [`Result`]; elementwise functions cannot fail. Gradients accumulate over repeated
/// [`backward`](Tensor::backward) calls until [`zero_grad`](Tensor::zero_grad), as in PyTorch.
#[derive(Clone)]
pub struct Tensor {
    id: u32,
    epoch: u32,
    value: ArcArray2<f64>,
    /// A tensor's id refers to its own thread's tape, so it must not move to another thread.
    _thread_local: PhantomData<*const ()>,
}

impl Tensor {
    /// A parameter that tracks gradients (PyTorch's `requires_grad=True`).
    pub fn new(value: impl Into<ArcArray2<f64>>) -> Tensor {
        let value = value.into();
        with_tape(|t| Tensor::push_on(t, Op::Leaf, value))
    }

    /// Data that does not track gradients: nothing is recorded for it.
    pub fn constant(value: impl Into<ArcArray2<f64>>) -> Tensor {
        Tensor {
            id: CONSTANT,
            epoch: 0,
            value: value.into(),
            _thread_local: PhantomData,
        }
    }

    /// A `1 × n` row from a vector (a parameter when `requires_grad`).
    pub fn row(v: Array1<f64>, requires_grad: bool) -> Tensor {
        let n = v.len();
        let a = v
            .into_shape_with_order((1, n))
            .expect("n elements fit 1 × n");
        Tensor::make(a, requires_grad)
    }

    /// An `n × 1` column from a vector, e.g. the targets of a regression.
    pub fn column(v: Array1<f64>, requires_grad: bool) -> Tensor {
        let n = v.len();
        let a = v
            .into_shape_with_order((n, 1))
            .expect("n elements fit n × 1");
        Tensor::make(a, requires_grad)
    }

    /// A `1 × 1` tensor.
    pub fn scalar(x: f64, requires_grad: bool) -> Tensor {
        Tensor::make(Array2::from_elem((1, 1), x), requires_grad)
    }

    fn make(a: Array2<f64>, requires_grad: bool) -> Tensor {
        if requires_grad {
            Tensor::new(a)
        } else {
            Tensor::constant(a)
        }
    }

    /// The value (shared with the tape: cloning it is cheap).
    pub fn value(&self) -> &ArcArray2<f64> {
        &self.value
    }

    /// `(rows, columns)`.
    pub fn shape(&self) -> (usize, usize) {
        self.value.dim()
    }

    /// The number of a `1 × 1` tensor, such as a loss.
    pub fn item(&self) -> Result<f64> {
        if self.shape() != (1, 1) {
            return Err(Error::shape(
                "Tensor::item",
                "a 1 × 1 tensor",
                shape_str(self.shape()),
            ));
        }
        Ok(self.value[[0, 0]])
    }

    /// Whether gradients flow to this value.
    pub fn requires_grad(&self) -> bool {
        self.id != CONSTANT
    }

    /// Back-propagates from this `1 × 1` value, adding d(self)/d(leaf) to the gradient of every leaf it
    /// depends on.
    pub fn backward(&self) -> Result<()> {
        let from = self.checked_id("call backward()")?;
        if self.shape() != (1, 1) {
            return Err(Error::shape(
                "backward",
                "a 1 × 1 output such as a loss (reduce with sum() or mean() first)",
                shape_str(self.shape()),
            ));
        }
        with_tape(|t| {
            let grads = backward::sweep(&t.nodes, from, 0);
            for (id, g) in grads.into_iter().enumerate() {
                if let (Some(g), Op::Leaf) = (g, &t.nodes[id].op) {
                    match t.leaf_grads.get_mut(&(id as u32)) {
                        Some(acc) => *acc += &g,
                        None => {
                            t.leaf_grads.insert(id as u32, g);
                        }
                    }
                }
            }
        });
        Ok(())
    }

    /// The gradient accumulated by `backward` so far (zeros before the first one reaches this value).
    pub fn grad(&self) -> Result<Array2<f64>> {
        let id = self.checked_id("read grad")?;
        Ok(with_tape(|t| t.leaf_grads.get(&(id as u32)).cloned())
            .unwrap_or_else(|| Array2::zeros(self.shape())))
    }

    /// Sets this value's accumulated gradient back to zero.
    pub fn zero_grad(&self) {
        if self.is_live() {
            with_tape(|t| t.leaf_grads.remove(&self.id));
        }
    }

    /// Empties this thread's tensor tape. Tensors made before become stale: using them in ops treats
    /// them as constants, and `backward`/`grad` on them return an error.
    pub fn reset_tape() {
        with_tape(|t| {
            t.nodes.clear();
            t.leaf_grads.clear();
            t.epoch = t.epoch.wrapping_add(1);
        });
    }

    /// How many nodes this thread's tensor tape holds.
    pub fn tape_len() -> usize {
        with_tape(|t| t.nodes.len())
    }

    /// Bytes the tape holds: the node records plus every array they keep alive (each shared array
    /// counted once per reference, so this is an upper bound).
    pub fn tape_bytes() -> usize {
        with_tape(|t| t.nodes.iter().map(backward::node_bytes).sum())
    }

    fn is_live(&self) -> bool {
        self.id != CONSTANT
            && with_tape(|t| t.epoch == self.epoch && (self.id as usize) < t.nodes.len())
    }

    fn checked_id(&self, action: &str) -> Result<usize> {
        if self.id == CONSTANT {
            return Err(Error::NoGrad(format!(
                "cannot {action}: this tensor does not require grad (it was made with Tensor::constant or \
                 computed only from constants); make parameters with Tensor::new"
            )));
        }
        if !self.is_live() {
            return Err(Error::NoGrad(format!(
                "cannot {action}: this tensor was recorded before Tensor::reset_tape() or inside a finished \
                 tensor::value_and_grad; compute it again"
            )));
        }
        Ok(self.id as usize)
    }

    /// This tensor as an op argument on tape `t` (a constant when it is not live there).
    fn input_on(&self, t: &Tape) -> Input {
        let live =
            self.id != CONSTANT && t.epoch == self.epoch && (self.id as usize) < t.nodes.len();
        Input {
            id: if live { self.id } else { CONSTANT },
            value: self.value.clone(),
        }
    }

    fn push_on(t: &mut Tape, op: Op, value: ArcArray2<f64>) -> Tensor {
        let id = t.nodes.len() as u32;
        t.nodes.push(Node {
            op,
            value: value.clone(),
        });
        Tensor {
            id,
            epoch: t.epoch,
            value,
            _thread_local: PhantomData,
        }
    }

    /// Records the result of an op on its arguments: a constant when no argument tracks gradients.
    pub(crate) fn record(
        args: &[&Tensor],
        value: Array2<f64>,
        op: impl FnOnce(Vec<Input>) -> Op,
    ) -> Tensor {
        let value = value.into_shared();
        with_tape(|t| {
            let inputs: Vec<Input> = args.iter().map(|a| a.input_on(t)).collect();
            if inputs.iter().all(|i| i.id == CONSTANT) {
                return Tensor::constant(value);
            }
            Tensor::push_on(t, op(inputs), value)
        })
    }
}

/// `(f(x), ∇f(x))` for a function of several array parameters, by reverse mode. What `f` records is
/// dropped from the tape afterwards, so this can run in a training loop forever.
///
/// ```
/// use calc_dl::prelude::*;
/// use calc_dl::tensor::{self, Tensor};
///
/// let x = Tensor::constant(array![[1.0], [2.0]]);
/// let y = Tensor::constant(array![[3.0], [5.0]]);
/// let (loss, g) = tensor::value_and_grad(&[array![[0.0]], array![[0.0]]], |p| {
///     tensor::mse(&x.matmul(&p[0])?.add(&p[1])?, &y)
/// })?;
/// assert_eq!(loss, 17.0); // (9 + 25) / 2
/// assert_eq!((g[0][[0, 0]], g[1][[0, 0]]), (-13.0, -8.0)); // -(3·1 + 5·2), -(3 + 5)
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn value_and_grad<F>(params: &[Array2<f64>], f: F) -> Result<(f64, Vec<Array2<f64>>)>
where
    F: FnOnce(&[Tensor]) -> Result<Tensor>,
{
    let start = with_tape(|t| t.nodes.len());
    let leaves: Vec<Tensor> = params.iter().map(|p| Tensor::new(p.clone())).collect();
    let out = f(&leaves);
    let result = out.and_then(|y| {
        if y.shape() != (1, 1) {
            return Err(Error::shape(
                "tensor::value_and_grad: output of f",
                "a 1 × 1 loss",
                shape_str(y.shape()),
            ));
        }
        let value = y.value[[0, 0]];
        let grads = with_tape(|t| match y.input_on(t).id {
            id if id != CONSTANT && id as usize >= start => {
                let mut g = backward::sweep(&t.nodes, id as usize, start);
                leaves
                    .iter()
                    .map(|l| {
                        g[l.id as usize - start]
                            .take()
                            .unwrap_or_else(|| Array2::zeros(l.shape()))
                    })
                    .collect()
            }
            _ => leaves.iter().map(|l| Array2::zeros(l.shape())).collect(),
        });
        Ok((value, grads))
    });
    with_tape(|t| {
        t.nodes.truncate(start);
        t.leaf_grads.split_off(&(start as u32));
    });
    result
}

pub(crate) fn shape_str((r, c): (usize, usize)) -> String {
    format!("{r} × {c}")
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = if self.id == CONSTANT {
            "constant".to_string()
        } else {
            format!("#{}", self.id)
        };
        write!(f, "Tensor({tag}, {:?})", self.value)
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}
