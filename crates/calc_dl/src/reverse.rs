//! Reverse mode: a tape that records every operation on [`Var`]s, and a backward sweep over it.
//!
//! The tape lives in a thread-local arena, so a [`Var`] is a small `Copy` handle (an index and a value) that
//! can be stored in a notebook variable and used in any function generic over [`Scalar`]. Each node stores
//! the local partial derivatives of its op, computed when it is recorded; `backward` is then one loop over
//! the nodes in reverse order of creation, which is a topological order, with no recursion: a chain of a
//! million nodes is as easy as a chain of three.
//!
//! ```
//! use calc_dl::prelude::*;
//!
//! let w = Var::new(4.0).named("w");
//! let loss = (w - 3.0).powi(2); // L(w) = (w - 3)²
//! loss.backward()?;
//! assert_eq!(w.grad()?, 2.0); // dL/dw = 2(w - 3) = 2
//!
//! let frozen = Var::constant(4.0); // PyTorch's requires_grad=False
//! assert!((frozen - 3.0).powi(2).backward().is_err());
//! # Ok::<(), calc_dl::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::ops::{Binary, Unary};
use crate::scalar::{impl_scalar_ops, Scalar};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// The index of a constant, which is never recorded.
const CONSTANT: u32 = u32::MAX;

/// What produced a node: the one `match` the graph drawing reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// The slot every missing argument points at, so the backward loop needs no branch.
    Sink,
    /// An input created with [`Var::new`].
    Leaf,
    Unary(Unary),
    Binary(Binary),
    /// `c op x`: a binary op whose left argument was a constant.
    ConstLeft(Binary, f64),
    /// `x op c`: a binary op whose right argument was a constant.
    ConstRight(Binary, f64),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub(crate) args: [u32; 2],
    pub(crate) partials: [f64; 2],
    pub(crate) value: f64,
    pub(crate) op: Op,
}

const SINK: Node = Node {
    args: [0, 0],
    partials: [0.0, 0.0],
    value: 0.0,
    op: Op::Sink,
};

pub(crate) struct Tape {
    pub(crate) nodes: Vec<Node>,
    /// Gradients accumulated by [`Var::backward`], one per node (shorter until the first backward).
    pub(crate) grads: Vec<f64>,
    /// Adjoints of the sweep in progress.
    scratch: Vec<f64>,
    pub(crate) names: BTreeMap<u32, String>,
    /// Bumped by [`Var::reset_tape`], so that handles from before a reset are recognised.
    epoch: u32,
}

thread_local! {
    static TAPE: RefCell<Tape> = const {
        RefCell::new(Tape { nodes: Vec::new(), grads: Vec::new(), scratch: Vec::new(), names: BTreeMap::new(), epoch: 0 })
    };
}

pub(crate) fn with_tape<R>(f: impl FnOnce(&mut Tape) -> R) -> R {
    TAPE.with(|t| f(&mut t.borrow_mut()))
}

impl Tape {
    #[inline]
    fn push(&mut self, node: Node) -> u32 {
        if self.nodes.is_empty() {
            self.nodes.push(SINK);
        }
        let idx = self.nodes.len() as u32;
        self.nodes.push(node);
        idx
    }

    /// Fills `scratch[start..=from]` with d(node `from`)/d(node i). Arguments below `start` (the sink, or
    /// nodes of an enclosing computation) receive contributions that nobody reads.
    fn sweep(&mut self, from: usize, start: usize) {
        if self.scratch.len() <= from {
            self.scratch.resize(from + 1, 0.0);
        }
        let adj = &mut self.scratch;
        adj[start..=from].fill(0.0);
        adj[from] = 1.0;
        for (i, node) in self.nodes[start..=from].iter().enumerate().rev() {
            let a = adj[start + i];
            adj[node.args[0] as usize] += node.partials[0] * a;
            adj[node.args[1] as usize] += node.partials[1] * a;
        }
    }

    /// Truncates the tape back to `len` nodes (what a scoped computation recorded is dropped).
    fn truncate(&mut self, len: usize) {
        self.nodes.truncate(len.max(1));
        self.grads.truncate(len);
        self.names.split_off(&(len as u32));
    }
}

/// A reverse-mode variable: a value plus its place on the thread's tape.
///
/// Make inputs with [`Var::new`], compute with them as with `f64`, call [`backward`](Var::backward) on
/// the scalar result and read each input's [`grad`](Var::grad). Gradients accumulate over repeated
/// `backward` calls until [`zero_grad`](Var::zero_grad), as in PyTorch.
///
/// A `Var` belongs to the thread that made it, so it is neither `Send` nor `Sync`.
#[derive(Clone, Copy)]
pub struct Var {
    idx: u32,
    epoch: u32,
    value: f64,
    _thread_local: PhantomData<*const ()>,
}

impl Var {
    /// A new input that tracks gradients (PyTorch's `requires_grad=True`).
    pub fn new(value: f64) -> Self {
        with_tape(|t| {
            Var::push_on(
                t,
                Node {
                    op: Op::Leaf,
                    value,
                    ..SINK
                },
            )
        })
    }

    /// A value that does not track gradients (PyTorch's `requires_grad=False`): nothing is recorded for it.
    pub fn constant(value: f64) -> Self {
        Var {
            idx: CONSTANT,
            epoch: 0,
            value,
            _thread_local: PhantomData,
        }
    }

    /// The value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Whether gradients flow to this value.
    pub fn requires_grad(&self) -> bool {
        self.idx != CONSTANT
    }

    /// Gives the value a name, shown in drawings of the computation graph.
    pub fn named(self, name: &str) -> Self {
        if let Some(i) = self.live_index() {
            with_tape(|t| t.names.insert(i as u32, name.to_string()));
        }
        self
    }

    /// The tape index of a value recorded on the current tape, `None` for a constant or a stale handle.
    pub(crate) fn live_index(&self) -> Option<usize> {
        if self.idx == CONSTANT {
            return None;
        }
        with_tape(|t| {
            (t.epoch == self.epoch && (self.idx as usize) < t.nodes.len())
                .then_some(self.idx as usize)
        })
    }

    fn checked_index(&self, action: &str) -> Result<usize> {
        if self.idx == CONSTANT {
            return Err(Error::NoGrad(format!(
                "cannot {action}: this value does not require grad and has no grad_fn (it was made with \
                 Var::constant, PyTorch's requires_grad=False); make the input with Var::new to track gradients"
            )));
        }
        self.live_index().ok_or_else(|| {
            Error::NoGrad(format!(
                "cannot {action}: this value was recorded before Var::reset_tape(); compute it again"
            ))
        })
    }

    /// Back-propagates from this value: adds d(self)/d(node) to the gradient of every node it depends on.
    pub fn backward(&self) -> Result<()> {
        let from = self.checked_index("call backward()")?;
        with_tape(|t| {
            t.sweep(from, 1);
            if t.grads.len() < t.nodes.len() {
                t.grads.resize(t.nodes.len(), 0.0);
            }
            for (g, a) in t.grads[1..=from].iter_mut().zip(&t.scratch[1..=from]) {
                *g += a;
            }
        });
        Ok(())
    }

    /// The gradient accumulated by `backward` calls so far (0 before the first one reaches this value).
    pub fn grad(&self) -> Result<f64> {
        let i = self.checked_index("read grad")?;
        Ok(with_tape(|t| t.grads.get(i).copied().unwrap_or(0.0)))
    }

    /// Sets this value's accumulated gradient back to 0.
    pub fn zero_grad(&self) {
        if let Some(i) = self.live_index() {
            with_tape(|t| {
                if let Some(g) = t.grads.get_mut(i) {
                    *g = 0.0;
                }
            });
        }
    }

    /// Empties this thread's tape. Handles made before are stale afterwards: using them in arithmetic
    /// treats them as constants, and `backward`/`grad` on them return an error.
    pub fn reset_tape() {
        with_tape(|t| {
            t.truncate(0);
            t.nodes.clear();
            t.epoch = t.epoch.wrapping_add(1);
        });
    }

    /// How many nodes this thread's tape holds.
    pub fn tape_len() -> usize {
        with_tape(|t| t.nodes.len().saturating_sub(1))
    }

    /// The index to record as an argument, or `None` when this value is a constant on tape `t`.
    #[inline]
    fn arg_on(&self, t: &Tape) -> Option<u32> {
        (self.idx != CONSTANT && t.epoch == self.epoch).then_some(self.idx)
    }

    #[inline]
    fn push_on(t: &mut Tape, node: Node) -> Var {
        let idx = t.push(node);
        Var {
            idx,
            epoch: t.epoch,
            value: node.value,
            _thread_local: PhantomData,
        }
    }
}

impl Scalar for Var {
    #[inline]
    fn constant(c: f64) -> Self {
        Var::constant(c)
    }

    #[inline]
    fn value(&self) -> f64 {
        self.value
    }

    #[inline]
    fn unary(self, op: Unary) -> Self {
        if self.idx == CONSTANT {
            return Var::constant(op.value(self.value));
        }
        with_tape(|t| match self.arg_on(t) {
            None => Var::constant(op.value(self.value)),
            Some(a) => {
                let (value, d1, _) = op.derivs(self.value);
                Var::push_on(
                    t,
                    Node {
                        args: [a, 0],
                        partials: [d1, 0.0],
                        value,
                        op: Op::Unary(op),
                    },
                )
            }
        })
    }

    #[inline]
    fn binary(self, rhs: Self, op: Binary) -> Self {
        if self.idx == CONSTANT && rhs.idx == CONSTANT {
            return Var::constant(op.value(self.value, rhs.value));
        }
        with_tape(|t| {
            let d = op.derivs(self.value, rhs.value);
            let node = match (self.arg_on(t), rhs.arg_on(t)) {
                (Some(a), Some(b)) => Node {
                    args: [a, b],
                    partials: d.d1,
                    value: d.value,
                    op: Op::Binary(op),
                },
                (Some(a), None) => Node {
                    args: [a, 0],
                    partials: [d.d1[0], 0.0],
                    value: d.value,
                    op: Op::ConstRight(op, rhs.value),
                },
                (None, Some(b)) => Node {
                    args: [b, 0],
                    partials: [d.d1[1], 0.0],
                    value: d.value,
                    op: Op::ConstLeft(op, self.value),
                },
                (None, None) => return Var::constant(d.value),
            };
            Var::push_on(t, node)
        })
    }
}
impl_scalar_ops!(Var);

impl PartialEq for Var {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl PartialOrd for Var {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.idx == CONSTANT {
            write!(f, "Var({}, constant)", self.value)
        } else {
            write!(f, "Var({}, #{})", self.value, self.idx)
        }
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

/// Runs `f` on fresh variables for `x` and returns the value and the gradient, dropping what `f` recorded.
pub(crate) fn value_and_grad_scoped<F>(f: F, x: &[f64]) -> (f64, Vec<f64>)
where
    F: FnOnce(&[Var]) -> Var,
{
    let start = with_tape(|t| {
        if t.nodes.is_empty() {
            t.nodes.push(SINK);
        }
        t.nodes.len()
    });
    let inputs: Vec<Var> = with_tape(|t| {
        x.iter()
            .map(|&value| {
                Var::push_on(
                    t,
                    Node {
                        op: Op::Leaf,
                        value,
                        ..SINK
                    },
                )
            })
            .collect()
    });
    let y = f(&inputs);
    with_tape(|t| {
        let n = x.len();
        let grads = match y.arg_on(t) {
            Some(from) if from as usize >= start => {
                // The output may be one of the inputs, recorded before the others: clear them all.
                let last = (from as usize).max(start + n - 1);
                if t.scratch.len() <= last {
                    t.scratch.resize(last + 1, 0.0);
                }
                t.scratch[start..=last].fill(0.0);
                t.sweep(from as usize, start);
                t.scratch[start..start + n].to_vec()
            }
            // The output does not depend on the inputs.
            _ => vec![0.0; n],
        };
        t.truncate(start);
        (y.value, grads)
    })
}
