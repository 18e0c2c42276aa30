"""MultiWorkerMirroredStrategy: two worker processes on localhost, each with
its own TF_CONFIG, fit a plain VAE, Agg-VAE (its cross-replica step) and
BN-VAE (batch statistics over the global batch) with `fit`, and reach the
weights of one process on the same global batches."""

import json
import os
import socket
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run(out, tf_config=None):
    env = dict(ENV, TF_CONFIG=json.dumps(tf_config)) if tf_config else ENV
    return subprocess.Popen(
        [sys.executable, os.path.join(HERE, "multi_worker_fit.py"), out],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_reach_the_weights_of_one_process(tmp_path):
    workers = [f"localhost:{p}" for p in free_ports(2)]
    procs = [
        run(
            str(tmp_path / f"worker{i}.npz"),
            {"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}},
        )
        for i in range(2)
    ]
    single = run(str(tmp_path / "single.npz"))
    for p in [*procs, single]:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
    one = np.load(tmp_path / "single.npz")
    assert int(one["replicas"]) == 1
    for i in range(2):
        many = np.load(tmp_path / f"worker{i}.npz")
        assert int(many["replicas"]) == 2
        for key in one.files:
            if key != "replicas":
                np.testing.assert_allclose(
                    many[key], one[key], rtol=1e-4, atol=1e-5, err_msg=key
                )
    # The models trained: the loss moved in every kind.
    for kind in ("vae", "agg-vae", "bn-vae"):
        loss = one[f"{kind}/loss"]
        assert loss[-1] != loss[0]
