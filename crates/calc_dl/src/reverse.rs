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
use std::cell::{Cell, UnsafeCell};
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

/// A node as recorded: its arguments with the local partial derivatives, its value and its op.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub(crate) args: [u32; 2],
    pub(crate) partials: [f64; 2],
    pub(crate) value: f64,
    pub(crate) op: Op,
}

/// What the backward sweep reads of a node (24 bytes, so the sweep streams through little memory).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Link {
    pub(crate) args: [u32; 2],
    pub(crate) partials: [f64; 2],
}

/// What only a drawing reads of a node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Info {
    pub(crate) value: f64,
    pub(crate) op: Op,
}

const SINK: Node = Node {
    args: [0, 0],
    partials: [0.0, 0.0],
    value: 0.0,
    op: Op::Sink,
};

/// The recorded nodes, split by who reads them.
pub(crate) struct Tape {
    pub(crate) links: Vec<Link>,
    pub(crate) info: Vec<Info>,
    /// Gradients accumulated by [`Var::backward`], one per node (shorter until the first backward).
    pub(crate) grads: Vec<f64>,
    /// Adjoints of the sweep in progress.
    scratch: Vec<f64>,
    pub(crate) names: BTreeMap<u32, String>,
}

thread_local! {
    static TAPE: UnsafeCell<Tape> = const {
        UnsafeCell::new(Tape {
            links: Vec::new(),
            info: Vec::new(),
            grads: Vec::new(),
            scratch: Vec::new(),
            names: BTreeMap::new(),
        })
    };
    /// Bumped by [`Var::reset_tape`], so that handles from before a reset are recognised. Kept apart from
    /// the tape because every operation reads it.
    static EPOCH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` with this thread's tape.
#[inline(always)]
pub(crate) fn with_tape<R>(f: impl FnOnce(&mut Tape) -> R) -> R {
    // SAFETY: the tape is thread-local, and every caller (all in this crate) passes a closure that only
    // touches the tape: it never runs user code nor calls `with_tape` again, so no other reference to the
    // tape exists while `f` runs. (A `RefCell`'s run-time check costs a noticeable share of one record.)
    TAPE.with(|t| f(unsafe { &mut *t.get() }))
}

#[inline(always)]
fn epoch() -> u32 {
    EPOCH.with(Cell::get)
}

impl Tape {
    /// Records a node. The sink is in place: an op records only when an argument is live, and a live
    /// value exists only after [`Tape::push_leaf`] put the sink there.
    #[inline(always)]
    fn push(&mut self, node: Node) -> u32 {
        debug_assert!(!self.links.is_empty());
        let idx = self.links.len() as u32;
        self.links.push(Link {
            args: node.args,
            partials: node.partials,
        });
        self.info.push(Info {
            value: node.value,
            op: node.op,
        });
        idx
    }

    /// The tape indices node `i` was computed from (none for an input, one when the other was a constant).
    pub(crate) fn arguments(&self, i: usize) -> &[u32] {
        let arity = match self.info[i].op {
            Op::Sink | Op::Leaf => 0,
            Op::Binary(_) => 2,
            Op::Unary(_) | Op::ConstLeft(..) | Op::ConstRight(..) => 1,
        };
        &self.links[i].args[..arity]
    }

    /// How many nodes are recorded, the sink included.
    pub(crate) fn len(&self) -> usize {
        self.links.len()
    }

    fn push_leaf(&mut self, value: f64) -> Var {
        if self.links.is_empty() {
            self.links.push(Link {
                args: SINK.args,
                partials: SINK.partials,
            });
            self.info.push(Info {
                value: SINK.value,
                op: SINK.op,
            });
        }
        Var::handle(
            self.push(Node {
                op: Op::Leaf,
                value,
                ..SINK
            }),
            value,
        )
    }

    /// Fills `scratch[start..=from]` with d(node `from`)/d(node i). Arguments below `start` (the sink, or
    /// nodes of an enclosing computation) receive contributions that nobody reads.
    fn sweep(&mut self, from: usize, start: usize) {
        if self.scratch.len() <= from {
            self.scratch.resize(from + 1, 0.0);
        }
        let adj = &mut self.scratch[..=from];
        adj[start..].fill(0.0);
        adj[from] = 1.0;
        for (i, node) in self.links[start..=from].iter().enumerate().rev() {
            let [p, q] = node.args.map(|a| a as usize);
            // Every argument was recorded before its node, so p, q < start + i <= from < adj.len().
            debug_assert!(p < start + i && q < start + i);
            // SAFETY: the indices are in bounds, as above; this loop is the whole cost of backward.
            unsafe {
                let a = *adj.get_unchecked(start + i);
                *adj.get_unchecked_mut(p) += node.partials[0] * a;
                *adj.get_unchecked_mut(q) += node.partials[1] * a;
            }
        }
    }

    /// Truncates the tape back to `len` nodes (what a scoped computation recorded is dropped).
    fn truncate(&mut self, len: usize) {
        self.links.truncate(len.max(1));
        self.info.truncate(len.max(1));
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
        with_tape(|t| t.push_leaf(value))
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

    #[inline(always)]
    fn handle(idx: u32, value: f64) -> Self {
        Var {
            idx,
            epoch: epoch(),
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

    /// Recorded on the current tape (not a constant, not from before a reset).
    #[inline(always)]
    fn is_live(&self) -> bool {
        self.idx != CONSTANT && self.epoch == epoch()
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
        (self.is_live() && with_tape(|t| (self.idx as usize) < t.len()))
            .then_some(self.idx as usize)
    }

    fn checked_index(&self, action: &str) -> Result<usize> {
        if self.idx == CONSTANT {
            return Err(Error::NoGrad(format!(
                "cannot {action}: this value does not require grad and has no grad_fn (it was made with \
                 Var::constant, PyTorch's requires_grad=False); make the input with Var::new to track gradients"
            )));
        }
        self.live_index().ok_or_else(|| {
            Error::NoGrad(format!("cannot {action}: this value was recorded before Var::reset_tape(); compute it again"))
        })
    }

    /// Back-propagates from this value: adds d(self)/d(node) to the gradient of every node it depends on.
    pub fn backward(&self) -> Result<()> {
        let from = self.checked_index("call backward()")?;
        with_tape(|t| {
            t.sweep(from, 1);
            if t.grads.len() < t.len() {
                t.grads.resize(t.len(), 0.0);
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
            t.links.clear();
            t.info.clear();
        });
        EPOCH.with(|e| e.set(e.get().wrapping_add(1)));
    }

    /// How many nodes this thread's tape holds.
    pub fn tape_len() -> usize {
        with_tape(|t| t.len().saturating_sub(1))
    }

    #[inline(always)]
    fn record(node: Node) -> Var {
        Var::handle(with_tape(|t| t.push(node)), node.value)
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

    #[inline(always)]
    fn unary(self, op: Unary) -> Self {
        if !self.is_live() {
            return Var::constant(op.value(self.value));
        }
        let (value, d1, _) = op.derivs(self.value);
        Var::record(Node {
            args: [self.idx, 0],
            partials: [d1, 0.0],
            value,
            op: Op::Unary(op),
        })
    }

    #[inline(always)]
    fn binary(self, rhs: Self, op: Binary) -> Self {
        let (a, b) = (self.is_live(), rhs.is_live());
        if !a && !b {
            return Var::constant(op.value(self.value, rhs.value));
        }
        let d = op.derivs(self.value, rhs.value);
        let node = if a && b {
            Node {
                args: [self.idx, rhs.idx],
                partials: d.d1,
                value: d.value,
                op: Op::Binary(op),
            }
        } else if a {
            Node {
                args: [self.idx, 0],
                partials: [d.d1[0], 0.0],
                value: d.value,
                op: Op::ConstRight(op, rhs.value),
            }
        } else {
            Node {
                args: [rhs.idx, 0],
                partials: [d.d1[1], 0.0],
                value: d.value,
                op: Op::ConstLeft(op, self.value),
            }
        };
        Var::record(node)
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
    let (start, inputs) = with_tape(|t| {
        let inputs: Vec<Var> = x.iter().map(|&value| t.push_leaf(value)).collect();
        (inputs[0].idx as usize, inputs)
    });
    let y = f(&inputs);
    let from = y.is_live().then_some(y.idx as usize);
    with_tape(|t| {
        let n = x.len();
        let grads = match from {
            Some(from) if from >= start => {
                // The output may be one of the inputs, recorded before the others: clear them all.
                let last = from.max(start + n - 1);
                if t.scratch.len() <= last {
                    t.scratch.resize(last + 1, 0.0);
                }
                t.scratch[from..=last].fill(0.0);
                t.sweep(from, start);
                t.scratch[start..start + n].to_vec()
            }
            // The output does not depend on the inputs.
            _ => vec![0.0; n],
        };
        t.truncate(start);
        (y.value, grads)
    })
}
