//! The tape: one node per operation, holding the local derivatives of its op with respect to its
//! arguments (recorded with the op), and one sweep over the nodes in reverse order of creation that
//! multiplies them along every path (the chain rule). The nodes' order of creation is a topological
//! order, so the sweep is a plain loop: a chain of a million nodes is as easy as a chain of three.

use crate::error::Result;
use crate::liveness::{self, no_grad, Kind, Liveness, Why};
use crate::ops::{Binary, Unary};
use std::cell::UnsafeCell;
use std::collections::BTreeMap;

/// What produced a node: the one `match` the graph drawing reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// The slot every missing argument points at, so the backward loop needs no branch.
    Sink,
    /// An input created with [`Var::new`](super::Var::new).
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

/// An input: no arguments (both point at the sink, with derivative 0).
pub(crate) const LEAF: Node = Node {
    args: [0, 0],
    partials: [0.0, 0.0],
    value: 0.0,
    op: Op::Leaf,
};

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

/// The recorded nodes, split by who reads them; node 0 is the sink.
pub(crate) struct Tape {
    pub(crate) links: Vec<Link>,
    pub(crate) info: Vec<Info>,
    /// Gradients accumulated by [`Tape::backward`], one per node (shorter until the first backward).
    pub(crate) grads: Vec<f64>,
    /// Adjoints of the sweep in progress.
    pub(crate) scratch: Vec<f64>,
    pub(crate) names: BTreeMap<u32, String>,
    /// Which handles still name their node, and which nodes met another tape: see [`crate::liveness`].
    pub(crate) liveness: Liveness,
}

/// A tape, shared by every handle that points at it.
pub(crate) type TapeCell = UnsafeCell<Tape>;

thread_local! {
    /// This thread's tape for new inputs. Leaked, so that handles can point at it for as long as they
    /// live (one tape per thread and per copy of the crate, emptied by `Var::reset_tape`).
    static CURRENT: &'static TapeCell = Box::leak(Box::new(UnsafeCell::new(Tape {
        links: vec![Link { args: [0, 0], partials: [0.0, 0.0] }],
        info: vec![Info { value: 0.0, op: Op::Sink }],
        grads: Vec::new(),
        scratch: Vec::new(),
        names: BTreeMap::new(),
        liveness: Liveness::new(),
    })));
}

/// This thread's tape.
pub(crate) fn current() -> &'static TapeCell {
    CURRENT.with(|t| *t)
}

/// Runs `f` with the tape.
#[inline(always)]
pub(crate) fn with_tape<R>(tape: &'static TapeCell, f: impl FnOnce(&mut Tape) -> R) -> R {
    // SAFETY: a tape is only reached from the thread that made it (`Var` is neither Send nor Sync), and
    // every caller (all in this crate, `liveness::Tape` included) passes a closure that only touches the
    // tape: it never runs user code nor reaches a tape again, so no other reference to the tape exists
    // while `f` runs. (A `RefCell` here makes the `Var` tape about 1.4x slower: Rosenbrock's gradient
    // 109 against 80 us in `calc-dl-bench`, 104 against 73 us in `benches/core.rs`, and the scalar MLP
    // step 1.1x, medians of 9 runs alternating with this build: its check costs a noticeable share of
    // recording one operation. The sweep's checked indexing, by contrast, costs nothing measurable.)
    f(unsafe { &mut *tape.get() })
}

impl liveness::Tape for TapeCell {
    #[inline(always)]
    fn liveness<R>(&'static self, f: impl FnOnce(&mut Liveness, usize) -> R) -> R {
        with_tape(self, |t| {
            let len = t.len();
            f(&mut t.liveness, len)
        })
    }
}

impl Tape {
    /// Records a node and returns its index.
    #[inline(always)]
    pub(crate) fn push(&mut self, node: Node) -> u32 {
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

    /// How many nodes are recorded, the sink included.
    pub(crate) fn len(&self) -> usize {
        self.links.len()
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

    /// Fills `scratch[start..=from]` with d(node `from`)/d(node i): each node, latest first, passes its
    /// adjoint times its local derivatives on to its arguments. Arguments below `start` (the sink, or
    /// nodes of an enclosing computation) receive contributions that nobody reads.
    pub(crate) fn sweep(&mut self, from: usize, start: usize) {
        if self.scratch.len() <= from {
            self.scratch.resize(from + 1, 0.0);
        }
        let adj = &mut self.scratch[..=from];
        adj[start..].fill(0.0);
        adj[from] = 1.0;
        for (i, node) in self.links[start..=from].iter().enumerate().rev() {
            let a = adj[start + i];
            let [p, q] = node.args;
            adj[p as usize] += node.partials[0] * a;
            adj[q as usize] += node.partials[1] * a;
        }
    }

    /// Whether the last sweep from `from` reached a node that took an operand from another tape as a
    /// constant (that operand's share of the gradient was not recorded).
    fn lost_gradient(&self, start: usize, from: usize) -> bool {
        let mixed = self.liveness.mixed().iter().map(|&m| m as usize);
        mixed
            .filter(|m| (start..=from).contains(m))
            .any(|m| self.scratch[m] != 0.0)
    }

    /// Adds d(node `from`)/d(node) to the gradient of every node, as `loss.backward()` in PyTorch.
    pub(crate) fn backward(&mut self, from: usize) -> Result<()> {
        self.sweep(from, 1);
        if self.lost_gradient(1, from) {
            return Err(no_grad(Kind::Var, "call backward()", Why::Mixed));
        }
        if self.grads.len() < self.len() {
            self.grads.resize(self.len(), 0.0);
        }
        for (g, a) in self.grads[1..=from].iter_mut().zip(&self.scratch[1..=from]) {
            *g += a;
        }
        Ok(())
    }

    /// Truncates the tape back to `len` nodes (what a scoped computation recorded is dropped); the
    /// handles of the dropped nodes are dead from now on, even once new nodes take their indices.
    pub(crate) fn truncate(&mut self, len: usize) {
        let len = len.max(1); // the sink stays
        self.liveness.truncate(len);
        self.links.truncate(len);
        self.info.truncate(len);
        self.grads.truncate(len);
        self.names.split_off(&(len as u32));
    }
}
