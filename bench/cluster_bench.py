"""The lecture rendered on a Dask cluster against the same lecture rendered here, in one run.

Starts a real ``dask scheduler`` and N ``dask worker`` processes (one thread each) on
127.0.0.1, each worker with an empty gdanim cache folder of its own, then renders the lecture
twice, each time the way ``gdanim lecture`` does (render every scene, then join the clips with
:func:`gdanim.app.render.assemble`):

a. here, N scenes at once (``gdanim lecture -j N``), from an empty build folder;
b. on the cluster (``gdanim lecture --cluster ADDRESS``): one task per scene, the clips back as
   bytes.

For every scene it prints the render seconds each way and whether the two clips have the same
frames (a SHA-256 of every decoded frame's pixels), then the wall time of each whole lecture
side by side. The machine's load average is printed before and after (other work on the
machine slows both). It asserts nothing. Run::

    .venv/bin/python bench/cluster_bench.py              # 480p15, 2 workers (~10 min)
    .venv/bin/python bench/cluster_bench.py -q m -n 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import av  # noqa: E402

from gdanim.app import render as rd  # noqa: E402
from gdanim.app.render import cluster as rc  # noqa: E402
from scenes import catalog  # noqa: E402

DASK = Path(sys.executable).parent / "dask"


def frame_hashes(path: Path) -> list[str]:
    """A SHA-256 of every decoded frame's pixels (RGB), in order."""
    with av.open(str(path)) as box:
        return [hashlib.sha256(frame.to_ndarray(format="rgb24").tobytes()).hexdigest()
                for frame in box.decode(video=0)]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min) on {os.cpu_count()} cores"


def start_cluster(root: Path, workers: int) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A scheduler and ``workers`` workers on 127.0.0.1; its address and the processes."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, argv: list[str], env: dict[str, str]) -> None:
        log = (root / f"{name}.log").open("wb")
        procs.append(subprocess.Popen([str(DASK), *argv], cwd=root, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      start_new_session=True))

    info = root / "scheduler.json"
    start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                        "--scheduler-file", str(info)], dict(os.environ))
    deadline = time.monotonic() + 60
    while not info.exists() or not info.read_text():
        if time.monotonic() > deadline:
            raise SystemExit("the scheduler did not start")
        time.sleep(0.2)
    address = str(json.loads(info.read_text())["address"])
    for i in range(1, workers + 1):
        env = dict(os.environ, GDANIM_CACHE_DIR=str(root / f"worker{i}-cache"))
        start(f"worker{i}", ["worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                             "--no-dashboard", "--name", f"worker{i}"], env)
    return address, procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def lecture(out: Path, quality: str, workers: int, address: str | None,
            build: Path) -> tuple[float, list[rd.RenderResult], rd.Assembled]:
    """Render and join the lecture as ``gdanim lecture`` does; wall seconds, the scenes, the
    joined video (made before the clips' folder goes)."""
    jobs = [rd.RenderJob.of(catalog.find(name)) for name in catalog.LECTURE]
    req = rd.OutputRequest(path=out, quality=quality)
    start = time.monotonic()
    with rd.run_folder(build) as work:
        if address is None:
            results = rd.render_many(jobs, workers=workers, quality=quality, media_dir=build,
                                     quiet=True, workdir=work)
        else:
            client = rc.connect(address)
            try:
                results = rc.render_many(client, jobs, workdir=work, quality=quality)
            finally:
                client.close()
        done = rd.assemble(results, req)
        wall = time.monotonic() - start
        # keep each scene's clip for the frame comparison
        kept = []
        for res in results:
            clip = out.parent / f"{out.stem}-{res.job.scene}.mp4"
            clip.write_bytes(res.video.read_bytes())
            kept.append(rd.RenderResult(res.job, clip, None, None, res.seconds))
    return wall, kept, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quality", default="l", choices=list(rd.QUALITIES))
    parser.add_argument("-n", "--workers", type=int, default=2)
    args = parser.parse_args()
    q, n = args.quality, args.workers
    print(f"gdanim cluster benchmark: the lecture at {rd.QUALITIES[q][0]}, -j {n} here "
          f"against --cluster with {n} local workers (one thread each)")
    print(f"load average before: {load()}")
    with tempfile.TemporaryDirectory(prefix="gdanim-cluster-bench-") as tmp:
        root = Path(tmp)
        (root / "dask").mkdir()
        address, procs = start_cluster(root / "dask", n)
        try:
            os.environ["GDANIM_CACHE_DIR"] = str(root / "client-cache")  # no shared cache
            local_wall, local, local_done = lecture(root / "local.mp4", q, n, None,
                                                    root / "local-build")
            print(f"load average after the local render: {load()}", flush=True)
            cl_wall, remote, cl_done = lecture(root / "cluster.mp4", q, n, address,
                                               root / "client-build")
        finally:
            stop(procs)
        print(f"load average after the cluster render: {load()}")
        print()
        print(f"{'scene':<22}{'frames':>8}{'-j ' + str(n) + ' s':>10}{'cluster s':>11}"
              "  same frames")
        same_all = True
        frames = 0
        for a, b in zip(local, remote, strict=True):
            ha, hb = frame_hashes(a.video), frame_hashes(b.video)
            same = ha == hb
            same_all &= same
            frames += len(ha)
            print(f"{a.job.scene:<22}{len(ha):>8}{a.seconds:>10.1f}{b.seconds:>11.1f}"
                  f"  {'yes' if same else 'NO'}")
        whole = frame_hashes(local_done.video) == frame_hashes(cl_done.video)
        print(f"{'all scenes':<22}{frames:>8}{sum(r.seconds for r in local):>10.1f}"
              f"{sum(r.seconds for r in remote):>11.1f}  {'yes' if same_all else 'NO'}")
        print()
        video = local_done.duration
        print(f"the lecture end to end (render every scene, then join), {video:.1f} s of video:")
        print(f"  -j {n} here             {local_wall:7.1f} s wall  "
              f"({local_wall / video:.2f}x the video's length)")
        print(f"  --cluster, {n} workers   {cl_wall:7.1f} s wall  "
              f"({cl_wall / video:.2f}x the video's length)")
        print(f"  joined lectures have the same frames: {'yes' if whole else 'NO'}")


if __name__ == "__main__":
    main()
