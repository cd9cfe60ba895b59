"""Scale-out: a grid search on a real dask cluster equals the local one."""

import time
import warnings

import numpy as np
import pytest
from _helpers import compiled_in_this_process, name
from distributed import Client, LocalCluster, get_task_stream
from joblib import parallel_backend
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, TimeSeriesSplit

from skrnn import GRURegressor, LSTMClassifier, LSTMRegressor, make_windows
from skrnn.datasets import load_airline, load_gunpoint


@pytest.fixture(scope="module")
def client():
    # Two worker processes on loopback, as a remote cluster would be reached
    # through its scheduler address; the workers inherit NUMBA_CACHE_DIR.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield client


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor, LSTMClassifier], ids=name)
def test_grid_search_on_a_dask_cluster_equals_the_local_run(client, Estimator):
    if Estimator is LSTMClassifier:  # stratified folds of a bundled UCR set
        X, y = load_gunpoint("train")
        cv = StratifiedKFold(n_splits=3)
        grid = {"hidden_layer_sizes": [(8,), (16,)], "window": [75, 150]}
    else:
        series = np.log(load_airline().to_numpy())
        X, y = make_windows(np.diff(series) * 10, window=12)
        cv = TimeSeriesSplit(n_splits=3)
        grid = {"hidden_layer_sizes": [(4,), (8,)], "window": [6, 12]}
    search = GridSearchCV(Estimator(max_iter=15, random_state=0), grid, cv=cv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = GridSearchCV(**search.get_params(deep=False)).fit(X, y)
        tic = time.perf_counter()
        # X and y on every worker (joblib's dask backend otherwise sends
        # them to one, and data locality then draws most fits there).
        with parallel_backend("dask", scatter=[X, y]), get_task_stream(client) as tasks:
            search.fit(X, y)
        print(f"grid search on the cluster: {time.perf_counter() - tic:.1f} s")
    # The fits ran on the cluster's worker processes (dask places them: with
    # fits of a few milliseconds one worker may take them all) ...
    workers = {task["worker"] for task in tasks.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])
    # ... which loaded every kernel from the Numba cache the local run
    # filled, compiling nothing.
    for worker, compiled in client.run(compiled_in_this_process).items():
        assert compiled == [], (worker, compiled)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])
    assert search.best_params_ == local.best_params_
    np.testing.assert_array_equal(search.best_estimator_.params_, local.best_estimator_.params_)
