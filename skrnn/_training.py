"""The epoch loop: minibatches, early stopping, divergence, interrupts, verbose.

:func:`run_epochs` trains a fit's state in place, reading only the
estimator's parameters; the estimator copies the state onto itself when
the loop has finished without an error, so that a failed fit changes
nothing.
"""

import threading
import time
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._kernels.optim import ADAM, SGD, Hyper

# An epoch that took longer than this many seconds runs the next one in a
# helper thread, so that Ctrl-C stops it after the current minibatch; shorter
# epochs run in the calling thread and Ctrl-C stops training at their end.
_INTERRUPT_LATENCY = 0.05


class Samples(NamedTuple):
    """Training or validation samples as the kernels read them: X (n, t0 + T,
    D), of which each sequence gives its last T real steps (``spans``: each
    one's first real step and end; None: every step is real), the targets
    ``y`` (n, n_out) as the network learns them and the weights ``sw`` (n,)."""

    X: np.ndarray
    t0: int
    spans: object
    y: np.ndarray
    sw: np.ndarray


def hyper_parameters(est, dtype):
    """The optimizer's settings from the estimator's parameters, in ``dtype``."""
    real = np.dtype(dtype).type
    return Hyper(
        learning_rate=real(est.learning_rate_init), beta_1=real(est.beta_1),
        beta_2=real(est.beta_2), epsilon=real(est.epsilon), momentum=real(est.momentum),
        nesterov=bool(est.nesterovs_momentum), solver=ADAM if est.solver == "adam" else SGD,
        alpha=real(est.alpha), max_grad_norm=real(est.max_grad_norm or 0.0),
    )


def batch_size(est, n):
    """The minibatch size for ``n`` training samples."""
    if est.batch_size == "auto":
        return min(32, n)
    if est.batch_size > n:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. "
            "It is going to be clipped"
        )
    return int(np.clip(est.batch_size, 1, n))


def initial_training_state(est, rng, params):
    """The training part of a fit's state before its first epoch; ``rng``
    drew the initial ``params`` and goes on to shuffle the minibatches."""
    return {
        "_rng": rng,
        "params_": params,
        "_optimizer_state": {"m": np.zeros_like(params), "v": np.zeros_like(params), "step": 0},
        "n_iter_": 0,
        "t_": 0,
        "loss_curve_": [],
        "grad_norm_curve_": [],
        **fresh_stopping_state(est),
    }


def fresh_stopping_state(est):
    """The stopping rule's state, for the estimator's ``early_stopping``."""
    return {
        "best_loss_": None if est.early_stopping else np.inf,
        "validation_scores_": [] if est.early_stopping else None,
        "best_validation_score_": -np.inf if est.early_stopping else None,
        "_no_improvement_count": 0,
    }


def run_epochs(est, state, net, data, scaling, incremental, validation):
    """Train ``state`` in place: one epoch if ``incremental``, else up to
    ``max_iter``. The caller holds ``one_blas_thread`` for the whole fit.

    ``data`` the training :class:`Samples`, ``validation`` those early
    stopping scores, or None; ``scaling`` as the kernels read it.
    """
    # Each epoch is one kernel call over all its minibatches. A copy of the
    # weights and optimizer state at the start of each epoch is the fallback
    # when the epoch diverges (a non-finite loss or gradient).
    X, t0, spans, y, sw = data
    n = X.shape[0]
    batch = batch_size(est, n)
    ws, w_off, s_off = net.training_workspaces(
        X.shape[1] - t0, batch, X.dtype,
        reduce=f"It grows with batch_size (now {batch}), the timesteps each sequence "
        f"gives the network (window, now {X.shape[1] - t0}) and hidden_layer_sizes "
        f"(now {tuple(int(h) for h in net.sizes[1:-1])}): reduce one of them.")
    rng = state["_rng"]
    params = state["params_"]
    opt = state["_optimizer_state"]
    grad = np.empty_like(params)
    hyper = hyper_parameters(est, params.dtype)
    stop = np.zeros(1, dtype=np.int64)  # set to 1 by Ctrl-C, read by the kernels
    bptt_steps = getattr(est, "bptt_steps", None)
    batch_sizes = np.diff(np.r_[np.arange(0, n, batch), n])
    best_params = None

    seconds = np.inf  # of the last epoch; the first one may be long
    stopped_by_user = None  # where Ctrl-C ended training
    try:
        for _ in range(1 if incremental else est.max_iter):
            tic = time.perf_counter()
            order = rng.permutation(n) if est.shuffle else np.arange(n)
            start = (params.copy(), opt["m"].copy(), opt["v"].copy(), opt["step"])
            (losses, norms, done, diverged), interrupted = _run_interruptibly(
                lambda: net.train_epoch(
                    X, t0, scaling, y, sw, order, batch, params, grad, opt, hyper, stop,
                    bptt_steps, ws, w_off, s_off, est.verbose, spans,
                ),
                stop, in_helper_thread=seconds > _INTERRUPT_LATENCY,
            )
            seconds = time.perf_counter() - tic
            if diverged:
                _diverged(state, start, params, opt)
                break
            if validation is not None and not interrupted:
                # Scored before any state changes: a Ctrl-C during this
                # prediction leaves the epoch unrecorded, not half-recorded.
                pred = net.predict(params, validation.X, validation.t0, scaling, est.verbose,
                                   validation.spans)
                score = est._validation_score(validation.y, pred, validation.sw, state)
            state["t_"] += int(batch_sizes[:done].sum())
            if interrupted:
                stopped_by_user = (f"in epoch {state['n_iter_'] + 1}, after {done} of "
                                   f"{len(batch_sizes)} minibatches")
                break
            state["n_iter_"] += 1
            state["loss_"] = float(losses @ batch_sizes) / n
            state["loss_curve_"].append(state["loss_"])
            used = norms[norms >= 0]
            state["grad_norm_curve_"].append(float(used.mean()) if used.size else 0.0)
            if validation is not None:
                if score > state["best_validation_score_"]:
                    best_params = params.copy()
                state["validation_scores_"].append(score)
                stop_now = _no_improvement(est, state, "best_validation_score_", score, +1)
            else:
                stop_now = _no_improvement(est, state, "best_loss_", state["loss_"], -1)
            if est.verbose:
                _print_epoch(state, validation is not None, time.perf_counter() - tic)
            if stop_now and not incremental:
                if est.verbose:
                    what = "Validation score" if validation is not None else "Training loss"
                    print(
                        f"{what} did not improve more than tol={est.tol:f} for "
                        f"{est.n_iter_no_change} consecutive epochs. Stopping."
                    )
                break
        else:
            if not incremental:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                )
    except KeyboardInterrupt:  # outside the kernels, between epochs
        stopped_by_user = f"after {state['n_iter_']} epochs"
    if stopped_by_user:
        best = "" if best_params is None else " (those of the best epoch, with early_stopping)"
        warnings.warn(
            f"Training interrupted by user {stopped_by_user}; the weights so far{best} "
            "are kept."
        )
        state.setdefault("loss_", np.nan)
    if best_params is not None:
        params[:] = best_params


def _diverged(state, start, params, opt):
    """Roll back to the weights of the last finite epoch, or fail."""
    epoch = state["n_iter_"] + 1
    if not state["loss_curve_"]:
        raise ValueError(
            "Training diverged in the first epoch: the loss or its gradient became "
            "infinite or NaN. Lower learning_rate_init, scale X and y (StandardScaler), "
            "or set max_grad_norm."
        )
    params[:], opt["m"][:], opt["v"][:], opt["step"] = start
    warnings.warn(
        f"Training diverged in epoch {epoch}: the loss or its gradient became infinite "
        f"or NaN. Training stopped and the weights of epoch {epoch - 1} were kept. "
        "Lower learning_rate_init, scale X and y, or set max_grad_norm.",
        ConvergenceWarning,
    )


def _no_improvement(est, state, best_key, value, sign):
    """sklearn's stopping rule; ``sign`` is +1 for scores, -1 for losses."""
    best = state[best_key]
    if sign * value < sign * best + est.tol:
        state["_no_improvement_count"] += 1
    else:
        state["_no_improvement_count"] = 0
    if sign * value > sign * best:
        state[best_key] = value
    return state["_no_improvement_count"] > est.n_iter_no_change


def _print_epoch(state, validated, seconds):
    line = f"Iteration {state['n_iter_']}, loss = {state['loss_']:.8f}"
    if validated:
        line += f", validation score = {state['validation_scores_'][-1]:.6f}"
    line += f", grad norm = {state['grad_norm_curve_'][-1]:.4g}, {seconds:.3f}s"
    print(line)


def _run_interruptibly(run, stop, in_helper_thread):
    """Call ``run()``; returns its result and whether Ctrl-C interrupted it.

    Python delivers Ctrl-C to the main thread, and only between bytecodes:
    never inside a compiled kernel. So the kernel runs in a helper thread
    while the main thread waits, and a KeyboardInterrupt there sets
    ``stop[0]``, which the kernel checks before each minibatch.
    """
    if not in_helper_thread or threading.current_thread() is not threading.main_thread():
        return run(), False
    outcome = {}
    finished = threading.Event()

    def target():
        try:
            outcome["result"] = run()
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc
        finally:
            finished.set()

    # Waits on an Event, not Thread.join: an interrupted join can mark a
    # running thread as stopped (CPython 3.11's bpo-45274 handling).
    threading.Thread(target=target, name="skrnn-epoch", daemon=True).start()
    interrupted = False
    while True:
        try:
            # Wake up often: a SIGINT that the OS handed to another thread
            # raises here only when this thread runs Python code again.
            while not finished.wait(0.05):
                pass
            break
        except KeyboardInterrupt:
            stop[0] = 1
            interrupted = True
    stop[0] = 0
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"], interrupted
