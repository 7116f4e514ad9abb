"""Rendering on a real Dask cluster, and ``gdanim course``.

A module fixture starts a real ``dask scheduler`` and two ``dask worker`` processes (one thread
each) on 127.0.0.1, each worker with a gdanim cache folder of its own, so that the workers
share no folder with the test (the client): clips, subtitles and sections come back as bytes.
The clips a worker renders are compared frame by frame (a hash of every decoded frame's
pixels) with the same scenes rendered here without the cluster.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av
import psutil
import pytest

from gdanim.app import render as rd
from gdanim.app.cli import main
from gdanim.app.cli.course import plan_course, shared_tasks
from gdanim.app.config import ConfigError, CourseSpec
from gdanim.app.render import cluster as rc
from scenes.catalog import SCENES_DIR
from scenes.params import TitleParams

DASK = Path(sys.executable).parent / "dask"
#: The scenes rendered here and on the cluster (short ones, at 480p15).
SCENES = ("TitleCard", "IntoTwoDimensions", "LearningFromData")


def gdanim(*argv: str, cwd: Path, timeout: float = 600,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``gdanim`` command in a process of its own (as a user would)."""
    return subprocess.run([sys.executable, "-m", "gdanim.app", *argv], cwd=cwd, text=True,
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env=env)


def frame_hashes(path: Path) -> list[str]:
    """A SHA-256 of every decoded frame's pixels (RGB), in order."""
    with av.open(str(path)) as box:
        return [hashlib.sha256(frame.to_ndarray(format="rgb24").tobytes()).hexdigest()
                for frame in box.decode(video=0)]


# --------------------------------------------------------------------------------------------
# The cluster: a scheduler and two workers, real processes
# --------------------------------------------------------------------------------------------


@dataclass
class LocalCluster:
    """A ``dask scheduler`` and its ``dask worker`` processes, each in a session of its own."""

    root: Path
    address: str = ""
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def _start(self, name: str, argv: Sequence[str], env: dict[str, str]) -> None:
        log = (self.root / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [str(DASK), *argv], cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)

    def start(self, workers: int = 2) -> None:
        info = self.root / "scheduler.json"
        self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(info)],
                    dict(os.environ))
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text():
            assert time.monotonic() < deadline, "the scheduler did not start"
            assert self.procs["scheduler"].poll() is None, self.log("scheduler")
            time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]
        for i in range(1, workers + 1):
            self.start_worker(f"worker{i}")
        self.wait_for(workers)

    def start_worker(self, name: str) -> None:
        env = dict(os.environ, GDANIM_CACHE_DIR=str(self.root / f"{name}-cache"))
        self._start(name, ["worker", self.address, "--nthreads", "1", "--nworkers", "1",
                           "--host", "127.0.0.1", "--no-dashboard", "--name", name], env)

    def wait_for(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(n, timeout=120)

    def log(self, name: str, tail: int = 3000) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-tail:]

    def kill(self, name: str) -> None:
        """SIGKILL to the worker's whole process group (its nanny and its worker process)."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def rendering(self, name: str) -> bool:
        """Whether the worker runs a manim process now."""
        try:
            children = psutil.Process(self.procs[name].pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return False
        for child in children:
            try:
                if "gdanim.app.manim_child" in " ".join(child.cmdline()):
                    return True
            except psutil.Error:
                pass
        return False

    def stop(self) -> None:
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    c = LocalCluster(tmp_path_factory.mktemp("dask"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The frame hashes of :data:`SCENES` rendered here, without the cluster, from an empty
    cache folder as the workers' (not from manim's cache of the session's earlier renders)."""
    root = tmp_path_factory.mktemp("local")
    env = dict(os.environ, GDANIM_CACHE_DIR=str(root / "cache"))
    done = gdanim("render", *SCENES, "-q", "l", "-j", "2", "--quiet", "-o", str(root / "out"),
                  cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    return {name: frame_hashes(root / "out" / f"{name}.mp4") for name in SCENES}


# --------------------------------------------------------------------------------------------
# Without rendering
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["http://127.0.0.1:8786", "tcp://", "tcp://host:99999",
                                     "two words"])
def test_a_malformed_address_is_one_line_exit_2(
        address: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["render", "TitleCard", "-q", "l", "-o", str(tmp_path), "--cluster", address])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "--cluster" in err and "tcp://HOST:PORT" in err
    assert list(tmp_path.iterdir()) == []


def test_no_scheduler_at_the_address_is_one_line_exit_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = gdanim("lecture", "-q", "l", "-o", str(tmp_path / "l.mp4"),
                  "--cluster", f"tcp://127.0.0.1:{port}", cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("gdanim: error: --cluster: no Dask scheduler answers at")
    assert list(tmp_path.iterdir()) == []


def test_a_job_names_its_scene_module_relative_to_the_package() -> None:
    job = rd.RenderJob.of(__import__("scenes.catalog").catalog.find("TitleCard"))
    task = rc.SceneTask.of(job, quality="l")
    assert SCENES_DIR.joinpath(*task.scene_file.split("/")) == Path(job.file).resolve()
    with pytest.raises(rd.RenderError, match="not a module of the scenes package"):
        rc.SceneTask.of(rd.RenderJob(Path("/tmp/elsewhere.py"), "Mine"))


def test_files_travel_as_bytes_with_the_speech_a_narration_names(tmp_path: Path) -> None:
    """What a worker packs (clip, captions, sections, narration and its WAVs) is written back
    whole on the client, the narration pointing at the client's copies of the speech."""
    from scenes.params import NarrationLog, SpokenLine

    src = tmp_path / "worker"
    (src / "sections").mkdir(parents=True)
    (src / "speech").mkdir()
    video = src / "Demo.mp4"
    video.write_bytes(b"clip" * 100)
    srt = src / "Demo.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nHi\n", encoding="utf-8")
    index = src / "sections" / "Demo.json"
    index.write_text(json.dumps([{"name": "a", "video": "Demo_0000_a.mp4"},
                                 {"name": "b", "video": "Demo_0001_b.mp4"}]), encoding="utf-8")
    for name in ("Demo_0000_a.mp4", "Demo_0001_b.mp4"):
        (src / "sections" / name).write_bytes(name.encode() * 10)
    wavs = [src / "speech" / "one.wav", src / "speech" / "two.wav"]
    for i, wav in enumerate(wavs):
        wav.write_bytes(bytes([i]) * 64)
    lines = tuple(SpokenLine(f"l{i}", "Demo", i, f"Line {i}", f"line {i}", float(i), 1.0,
                             wav, "piper") for i, wav in enumerate([*wavs, None]))
    log = NarrationLog("Demo", {"voice": "piper"}, lines).to_file(src / "Demo.narration.json")
    job = rd.RenderJob(SCENES_DIR / "tangent.py", "Demo")
    packed = rc._pack(rd.RenderResult(job, video, srt, index, 3.5, log, {"render": 3.5}))
    # nothing on the client refers to the worker's folder
    import shutil

    shutil.rmtree(src)
    out = tmp_path / "client"
    out.mkdir()
    res = rc._unpack(packed, job, out)
    assert res.video.read_bytes() == b"clip" * 100 and res.video.parent.parent == out
    assert res.srt is not None and res.srt.read_text(encoding="utf-8").endswith("Hi\n")
    assert res.sections is not None and res.sections.name == "Demo.json"
    assert sorted(p.name for p in res.sections.parent.iterdir()) == [
        "Demo.json", "Demo_0000_a.mp4", "Demo_0001_b.mp4"]
    assert res.narration is not None
    back = NarrationLog.from_file(res.narration)
    assert [line.wav is None for line in back.lines] == [False, False, True]
    for i, line in enumerate(back.lines[:2]):
        assert line.wav is not None and line.wav.is_relative_to(out)
        assert line.wav.read_bytes() == bytes([i]) * 64
    assert res.seconds == 3.5 and dict(res.timings) == {"render": 3.5}


def _course(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_course_shares_a_scene_only_at_the_same_settings(tmp_path: Path) -> None:
    spec = CourseSpec.from_file(_course(tmp_path, """
[[item]]
scenes = ["TitleCard", "LearningFromData"]
file = "a.mp4"
quality = "l"
[[item]]
scenes = ["learningfromdata"]
file = "b.mp4"
quality = "l"
[[item]]
scenes = ["TitleCard"]
file = "c.mp4"
quality = "m"
[[item]]
scenes = ["TitleCard"]
file = "d.webm"
quality = "l"
"""))
    videos = plan_course(spec)
    assert [v.request.path for v in videos] == [tmp_path / n for n in
                                                 ("a.mp4", "b.mp4", "c.mp4", "d.webm")]
    jobs, settings, uses = shared_tasks(videos)
    # b's scene is a's second; c (another quality) and d (a lossless master for WebM) are not
    assert uses == [[0, 1], [1], [2], [3]]
    assert [j.scene for j in jobs] == ["TitleCard", "LearningFromData", "TitleCard",
                                       "TitleCard"]
    assert [s["quality"] for s in settings] == ["l", "l", "m", "l"]
    assert settings[3]["lossless"] is True and settings[0]["lossless"] is False


@pytest.mark.parametrize(("text", "message"), [
    ('[[item]]\nscenes = ["TitleCard"]\nqualty = "l"\n',
     "item 1: unknown key 'qualty' (did you mean 'quality'?)"),
    ('[[item]]\nscenes = ["Nope"]\n', "item 1: scenes: unknown scene 'Nope'"),
    ('[[item]]\nlecture = true\nscenes = ["TitleCard"]\n', "give exactly one of lecture"),
    ('[[item]]\nlecture = true\nquality = "x"\n', "item 1: quality: 'x' is not allowed"),
    ('[[item]]\nlecture = true\nposter = "yes"\n', "item 1: poster: must be true or false"),
    ('[[item]]\nvideo = "missing.toml"\n', "missing.toml: no such file"),
    ('[[item]]\nlecture = true\nfile = "x.mp4"\n[[item]]\nscenes = ["TitleCard"]\n'
     'file = "x.mp4"\n', "item 2 (TitleCard): writes"),
    ('[[items]]\nlecture = true\n', "unknown key 'items' (did you mean 'item'?)"),
    ("item = 3\n", "give one [[item]] table per video"),
    ("[[item]\n", "not valid TOML"),
])
def test_a_bad_course_file_is_one_line_exit_2(
        text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _course(tmp_path, text)
    code = main(["course", str(path)])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert err.count("\n") == 1 and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.toml"]


def test_the_example_course_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    videos = plan_course(CourseSpec.from_file(root / "examples" / "course.toml"))
    jobs, _, uses = shared_tasks(videos)
    assert [v.request.quality for v in videos] == ["l", "l", "m"]
    # the opening's two scenes are the lecture's, rendered once for both
    assert set(uses[1]) <= set(uses[0]) and len(jobs) == len(uses[0]) + len(uses[2])
    with pytest.raises(ConfigError, match="item 1"):
        CourseSpec.from_dict({"item": [{"lecture": True, "sections": 1}]})


# --------------------------------------------------------------------------------------------
# On the cluster
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_cluster_renders_the_same_frames_as_a_local_render(
        cluster: LocalCluster, local: dict[str, list[str]], tmp_path: Path) -> None:
    done = gdanim("render", "TitleCard", "IntoTwoDimensions", "-q", "l", "-o", str(tmp_path),
                  "--cluster", cluster.address, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "TitleCard.mp4"),
                                   str(tmp_path / "IntoTwoDimensions.mp4")]
    for name in ("TitleCard", "IntoTwoDimensions"):
        hashes = frame_hashes(tmp_path / f"{name}.mp4")
        assert len(hashes) > 15
        assert hashes == local[name], name
    # the captions came back too
    assert (tmp_path / "TitleCard.srt").read_text(encoding="utf-8").startswith("1\n")


@pytest.mark.slow
def test_a_course_on_the_cluster_renders_a_shared_scene_once(
        cluster: LocalCluster, local: dict[str, list[str]], tmp_path: Path) -> None:
    path = _course(tmp_path, """
[[item]]
scenes = ["TitleCard", "LearningFromData"]
file = "out/opening.mp4"
quality = "l"
sections = true
[[item]]
scenes = ["LearningFromData"]
file = "out/data.mp4"
quality = "l"
sections = true
""")
    done = gdanim("course", str(path), "--cluster", cluster.address, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "rendering 2 scenes for 2 videos (1 shared by more than one video)" in done.stderr
    assert done.stderr.count(" done (") == 2  # two manim runs for three scenes of the videos
    opening, data = tmp_path / "out" / "opening.mp4", tmp_path / "out" / "data.mp4"
    assert done.stdout.split() == [str(opening), str(data)]
    assert frame_hashes(data) == local["LearningFromData"]
    assert frame_hashes(opening) == local["TitleCard"] + local["LearningFromData"]
    # the section clips and their index came back from the workers as well
    index = json.loads((tmp_path / "out" / "opening.sections.json").read_text())
    assert len(index) >= 2
    assert all((tmp_path / "out" / e["file"]).is_file() for e in index)


@pytest.mark.slow
def test_a_scene_that_fails_twice_fails_in_one_line(cluster: LocalCluster,
                                                    tmp_path: Path) -> None:
    """A scene whose render raises is tried once more, then fails the render in one line."""
    client = rc.connect(cluster.address)
    try:
        # parameters that the scene refuses (a title must be text): manim fails every time
        job = rd.RenderJob(SCENES_DIR / "custom" / "title.py", "CustomTitle",
                           TitleParams(title=123))  # type: ignore[arg-type]
        with pytest.raises(rc.ClusterError) as info:
            rc.render_many(client, [job], workdir=tmp_path, quality="l")
    finally:
        client.close()
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("CustomTitle failed twice on the cluster: rendering CustomTitle "
                           "failed (manim exit")
    assert "title: expected text, got 123" in text
    assert list(tmp_path.iterdir()) == []
    # each worker logs each failed attempt: two in all
    logs = cluster.log("worker1", 10**6) + cluster.log("worker2", 10**6)
    assert logs.count("Key:       gdanim-CustomTitle-") == 2, logs[-2000:]


@pytest.mark.slow
def test_a_worker_killed_mid_scene_is_replaced_and_the_video_is_whole(
        cluster: LocalCluster, local: dict[str, list[str]], tmp_path: Path) -> None:
    """Runs last: one worker is killed (SIGKILL) while it renders; the scheduler gives its
    scene to the other worker, and the videos are whole and frame for frame the same."""
    # the workers render these scenes afresh, as the local reference was: earlier tests left
    # LearningFromData in their partial-movie caches, rendered with section clips, and a
    # render from that cache has been seen to differ from a fresh one by two frames
    for name in ("worker1", "worker2"):
        shutil.rmtree(cluster.root / f"{name}-cache" / "build", ignore_errors=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdanim.app", "render", "LearningFromData", "IntoTwoDimensions",
         "-q", "l", "-o", str(tmp_path), "--cluster", cluster.address],
        cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not cluster.rendering("worker1"):
            assert time.monotonic() < deadline and proc.poll() is None, "worker1 never rendered"
            time.sleep(0.1)
        time.sleep(1.0)  # well into the scene
        assert proc.poll() is None
        cluster.kill("worker1")
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.split() == [str(tmp_path / "LearningFromData.mp4"),
                           str(tmp_path / "IntoTwoDimensions.mp4")]
    for name in ("LearningFromData", "IntoTwoDimensions"):
        assert frame_hashes(tmp_path / f"{name}.mp4") == local[name], name
