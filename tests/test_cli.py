"""Tests for the ``gdanim`` command line: help, bad input, and real renders at low quality.

Bad input must exit with status 2, print exactly one line on stderr (no traceback) and write
nothing at all. The render tests run the commands as a user would, at ``-q l`` with few steps,
and check the files with ffprobe: codec, profile, pixel format, colour tags, the moov atom
before mdat, keyframes, looping GIFs, posters, section clips and their index.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdanim.app import render as rd
from gdanim.app.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "valley_race.toml"


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _probe(path: Path, entries: str = "stream") -> dict[str, object]:
    proc = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", f"-show_{entries}s", "-of", "json",
         str(path)],
        capture_output=True, text=True, check=True,
    )
    data: dict[str, object] = json.loads(proc.stdout)
    return data


def _video_stream(path: Path) -> dict[str, object]:
    streams = _probe(path)["streams"]
    assert isinstance(streams, list) and streams
    stream: dict[str, object] = streams[0]
    return stream


def _top_level_boxes(path: Path) -> list[str]:
    """The types of the top-level boxes (atoms) of an MP4 file, in file order."""
    boxes = []
    data = path.read_bytes()
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif size == 0:
            size = len(data) - pos
        boxes.append(kind.decode("latin-1"))
        pos += size
    return boxes


def _playable(path: Path) -> None:
    """Decode every frame: a truncated or broken file fails here."""
    proc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr


# --------------------------------------------------------------------------------------------
# Help
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ([], ["list", "render", "lecture", "descend", "race", "video"]),
        (["list"], []),
        (["render"], ["--quality", "--format", "--output-dir", "--publish", "--poster",
                      "--sections", "--jobs", "--quiet"]),
        (["lecture"], ["--quality", "--format", "--output", "--publish", "--poster",
                       "--sections", "--jobs", "--quiet"]),
        (["descend"], ["--function", "--start", "--lr", "--steps", "--view", "--3d",
                       "--quality", "--format", "--output", "--publish", "--poster",
                       "--sections", "--title", "--quiet"]),
        (["race"], ["--function", "--start", "--steps", "--optimizer", "--view", "--3d",
                    "--quality", "--format", "--output", "--publish", "--poster", "--sections",
                    "--title", "--quiet"]),
        (["video"], ["--quality", "--format", "--output", "--publish", "--poster", "--sections",
                     "--title", "--jobs", "--quiet"]),
    ],
)
def test_help_documents_every_option_with_an_example(
    command: list[str], options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run([*command, "--help"], capsys)
    assert code == 0 and not err
    assert "Example" in out
    for opt in options:
        assert opt in out, opt
    if command in (["descend"], ["race"]):
        assert "long_valley" in out and "adam" in out  # the catalog and optimizer names


def test_list_prints_one_line_per_scene(capsys: pytest.CaptureFixture[str]) -> None:
    from scenes.catalog import SCENES

    code, out, _ = _run(["list"], capsys)
    assert code == 0
    assert len(out.strip().splitlines()) == len(SCENES)


# --------------------------------------------------------------------------------------------
# Bad input: status 2, one line, nothing written
# --------------------------------------------------------------------------------------------

RACE = ["race", "--function", "x**2/20 + y**2", "--start", "-7,2", "--steps", "10",
        "--optimizer", "sgd:lr=0.95"]


def _replace(args: list[str], flag: str, value: str) -> list[str]:
    out = list(args)
    out[out.index(flag) + 1] = value
    return out


BAD_INPUT = {
    "expression rejected": (_replace(RACE, "--function", "x**2 +* y"), "--function"),
    "unsafe expression": (_replace(RACE, "--function", "__import__('os').system('x')"),
                          "--function"),
    "unknown function": (_replace(RACE, "--function", "long_valey"), "--function"),
    "unknown optimizer": (_replace(RACE, "--optimizer", "adamm:lr=0.1"), "--optimizer"),
    "bad hyperparameter": (_replace(RACE, "--optimizer", "adam:lr=0.1,betas=0.9/1.5"),
                           "--optimizer"),
    "unknown hyperparameter": (_replace(RACE, "--optimizer", "sgd:lr=0.1,momentun=0.9"),
                               "--optimizer"),
    "start of wrong dimension": (_replace(RACE, "--start", "-7"), "--start"),
    "start not a number": (_replace(RACE, "--start", "-7,two"), "--start"),
    "view without the start": ([*RACE, "--view", "-5,5,-5,5"], "--view"),
    "view of wrong size": ([*RACE, "--view", "-10,10"], "--view"),
    "negative steps": (_replace(RACE, "--steps", "-5"), "--steps"),
    "absurd steps": (_replace(RACE, "--steps", "100001"), "--steps"),
    "1D function in a race": (_replace(RACE, "--function", "x**2"), "--function"),
    "negative learning rate": (["descend", "--function", "x**2", "--start", "4", "--lr", "-0.1",
                                "--steps", "10"], "--lr"),
    # one rule for rates in both commands: at lr 0 a video shows nothing moving
    "zero learning rate": (["descend", "--function", "x**2", "--start", "4", "--lr", "0",
                            "--steps", "10"], "--lr"),
    "zero learning rate in a race": (_replace(RACE, "--optimizer", "sgd:lr=0"), "--optimizer"),
    "3d of a 1D function": (["descend", "--function", "wavy", "--start", "4", "--lr", "0.1",
                             "--steps", "10", "--3d"], "--3d"),
    "title too long": ([*RACE, "--title", "t" * 300], "--title"),
    "publish as gif": ([*RACE, "--publish", "--format", "gif", "-o", "out.gif"], "--publish"),
    "suffix and format disagree": ([*RACE, "-o", "out.webm", "--format", "mp4"], "-o/--output"),
    "unknown suffix": ([*RACE, "-o", "out.avi"], "-o/--output"),
    "unknown scene": (["render", "NoSuchScene"], "SCENE"),
    "missing option": (["race", "--function", "saddle"], "Missing option"),
    "unknown option": ([*RACE, "--optimiser", "sgd"], "--optimiser"),
    # a derived view keeps the limits of a typed one; a view has a minimum span
    "start far out (2D)": (_replace(RACE, "--start", "1e150,1e150"), "--start"),
    "start far out (1D)": (["descend", "--function", "x**2", "--start", "1e100", "--lr", "0.1",
                            "--steps", "10"], "--start"),
    "view too narrow": ([*_replace(RACE, "--start", "1,1"), "--view",
                         "1,1.0000000000000002,1,1.0000000000000002"], "--view"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_one_line_status_2_nothing_written(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    args, field = BAD_INPUT[case]
    if "-o" not in args and args[0] != "render":
        args = [*args, "-o", str(tmp_path / "out" / "video.mp4")]
    code, out, err = _run(args, capsys)
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gdanim: error: ") and field in lines[0], lines[0]
    assert "Traceback" not in err and not out
    assert _files(tmp_path) == set()


def test_output_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    code, _, err = _run([*RACE, "-o", "notes.txt/video.mp4"], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "-o/--output" in err and "not a folder" in err
    assert _files(tmp_path) == {"notes.txt"}


TOML_SCENE = """
[[scene]]
type = "race"
function = "long_valley"
start = [-7, 2]
steps = 10
"""

BAD_FILES = {
    "misspelled key": (TOML_SCENE + 'optimisers = ["sgd:lr=0.1"]\n',
                       "unknown key 'optimisers' (did you mean 'optimizers'?)"),
    "missing key": (TOML_SCENE, "missing key 'optimizers'"),
    "bad value": (TOML_SCENE + 'optimizers = ["sgd:lr=fast"]\n', "scene 1: optimizers:"),
    "misspelled output key": (TOML_SCENE + 'optimizers = ["sgd"]\n[output]\npubish = true\n',
                              "did you mean 'publish'"),
    "not TOML": ("[[scene]\n", "not valid TOML"),
    "start outside view": (TOML_SCENE + 'optimizers = ["sgd"]\nview = [0, 1, 0, 1]\n',
                           "scene 1: view:"),
    # the limits of Python's TOML parser and of float64, each named by its field
    "arrays 500 deep": (TOML_SCENE.replace("start = [-7, 2]", "start = " + "[" * 500 + "1"
                                           + "]" * 500) + 'optimizers = ["sgd"]\n',
                        "start: arrays or inline tables nested 17 deep; at most 16"),
    "inline tables 400 deep": (TOML_SCENE + 'optimizers = ["sgd"]\ntitle = '
                               + "{a = " * 400 + "1" + "}" * 400 + "\n", "title: arrays or"),
    "integer too large for a float": (TOML_SCENE.replace("start = [-7, 2]",
                                                         "start = [1" + "0" * 400 + ", 0]")
                                      + 'optimizers = ["sgd"]\n',
                                      "scene 1: start: an integer of 401 digits is too large"),
    "integer of 5000 digits": (TOML_SCENE.replace("start = [-7, 2]",
                                                  "start = [" + "7" * 5000 + ", 0]")
                               + 'optimizers = ["sgd"]\n',
                               "start: a number of 5000 digits; at most 1000 are allowed"),
    # a video of a million scenes (or a huge file) is refused at once
    "too many scenes": ((TOML_SCENE + 'optimizers = ["sgd"]\n') * 250,
                        "scene: 250 scenes given; at most 200"),
    "file too large": ((TOML_SCENE + 'optimizers = ["sgd"]\n') * 20_000,
                       "larger than 1,000,000 bytes"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_toml_one_line_status_2_nothing_written(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    text, words = BAD_FILES[case]
    (tmp_path / "lesson.toml").write_text(text, encoding="utf-8")
    code, out, err = _run(["video", "lesson.toml", "-q", "l", "-o", "out/lesson.mp4"], capsys)
    assert code == 2 and not out
    assert len(err.splitlines()) == 1, err
    assert err.startswith("gdanim: error: lesson.toml: ") and words in err, err
    assert _files(tmp_path) == {"lesson.toml"}


def test_toml_with_a_byte_order_mark_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lesson.toml").write_bytes(
        b"\xef\xbb\xbf" + (TOML_SCENE + 'optimizers = ["sgd"]\nview = [0, 1, 0, 1]\n').encode())
    code, _, err = _run(["video", "lesson.toml", "-o", "out/lesson.mp4"], capsys)
    # read past the mark: the error is about the content, not "Invalid statement" at line 1
    assert code == 2 and "scene 1: view:" in err and "Invalid statement" not in err


def _old_output_set(root: Path, but: str = "") -> dict[str, tuple[bytes, int]]:
    """A previous good output of ``root/out.mp4`` with its sidecars (except ``but``)."""
    files = {"out.mp4": b"old video", "out.png": b"old poster", "out.sections.json": b"[]",
             "out.sections/01-race.mp4": b"old clip",
             "out.srt": b"1\n00:00:00,000 --> 00:00:01,000\nold\n"}
    for name, data in files.items():
        if name != but:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
    return _stamps(root)


def _stamps(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("blocker", "words"),
    [("out.srt", "out.srt is a folder, but the subtitles of out.mp4"),
     ("out.png", "out.png is a folder, but the poster of out.mp4"),
     ("out.sections.json", "out.sections.json is a folder, but the index of the section clips")],
)
def test_every_output_path_is_checked_before_rendering(
    blocker: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / blocker).mkdir()  # where a file of the set goes, a folder of the user's
    (tmp_path / blocker / "keep.txt").write_text("mine")
    before = _old_output_set(tmp_path, but=blocker)
    code, out, err = _run([*RACE, "--poster", "--sections", "-q", "l", "-o", "out.mp4"], capsys)
    assert code == 2 and not out
    assert err.splitlines() == [err.strip()] and words in err, err
    assert err.startswith("gdanim: error: -o/--output: ")
    assert _stamps(tmp_path) == before  # nothing at -o or beside it changed


def test_missing_toml_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(["video", str(tmp_path / "none.toml")], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "no such file" in err


# --------------------------------------------------------------------------------------------
# Real renders (low quality, short)
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_race_from_the_issue_makes_a_playable_mp4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "valley.mp4"
    code, stdout, err = _run(
        ["race", "--function", "x**2/20 + y**2", "--start", "-7,2", "--steps", "100",
         "--optimizer", "sgd:lr=0.95", "--optimizer", "adam:lr=0.3,betas=0.9/0.99",
         "-q", "l", "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    assert stdout.strip() == str(out)
    # the progress display: scene k of n, elapsed, a final summary
    assert "scene 1 of 1" in err and "elapsed" in err
    stream = _video_stream(out)
    assert stream["codec_name"] == "h264" and stream["width"] == 854
    assert rd.probe_duration(out) > 5
    assert _top_level_boxes(out).index("moov") < _top_level_boxes(out).index("mdat")
    _playable(out)
    assert out.with_suffix(".srt").read_text(encoding="utf-8").startswith("1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["valley.mp4", "valley.srt", "valley.vtt"]


@pytest.mark.slow
def test_descend_1d_publish_poster_sections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "slides" / "wavy.mp4"
    code, _, err = _run(
        ["descend", "--function", "x*cos(0.15*pi*x)", "--start", "15", "--lr", "0.1", "--lr",
         "3", "--steps", "10", "-q", "l", "--publish", "--poster", "--sections",
         "--title", "Two learning rates", "--quiet", "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    assert not err  # --quiet silences the progress display and manim's bars
    stream = _video_stream(out)
    assert stream["codec_name"] == "h264"
    assert stream["profile"] == "High"
    assert stream["pix_fmt"] == "yuv420p"
    assert stream["color_space"] == "bt709"
    assert stream["color_transfer"] == "bt709"
    assert stream["color_primaries"] == "bt709"
    boxes = _top_level_boxes(out)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    duration = rd.probe_duration(out)
    # a keyframe at least every 2 seconds
    frames = _probe(out, "frame")["frames"]
    assert isinstance(frames, list)
    keys = [float(f["pts_time"]) for f in frames if f.get("key_frame") == 1]
    assert keys[0] == 0.0
    assert max(np.diff([*keys, duration])) <= 2.0 + 1e-6
    _playable(out)
    # the subtitles and the poster beside the video
    assert out.with_suffix(".srt").exists()
    poster = Image.open(out.with_suffix(".png"))
    assert poster.size == (854, 480)
    assert np.asarray(poster.convert("L")).std() > 10  # a real frame, not a blank one
    # one clip per section and an index of them
    index = json.loads(out.with_name("wavy.sections.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in index] == ["Two learning rates"]
    for entry in index:
        assert set(entry) == {"name", "file", "duration", "start", "scene", "type"}
        clip = out.parent / entry["file"]
        assert clip.exists() and entry["duration"] > 1
        assert _video_stream(clip)["profile"] == "High"
    assert sum(e["duration"] for e in index) == pytest.approx(duration, abs=0.2)
    assert not list(tmp_path.rglob("*.part*"))


@pytest.mark.slow
def test_descend_2d_webm_for_slides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bowl.webm"
    code, _, err = _run(
        ["descend", "--function", "bowl", "--start", "2,2", "--lr", "0.1", "--lr", "0.95",
         "--steps", "12", "-q", "l", "--quiet", "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    assert _video_stream(out)["codec_name"] == "vp9"
    _playable(out)


@pytest.mark.slow
def test_gif_loops_for_ever(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "parabola.gif"
    code, _, err = _run(
        ["descend", "--function", "x**2", "--start", "4", "--lr", "0.9", "--steps", "3",
         "-q", "l", "--quiet", "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    data = out.read_bytes()
    assert data[:6] == b"GIF89a"
    ext = data.index(b"NETSCAPE2.0")
    loops = struct.unpack("<H", data[ext + 13 : ext + 15])[0]
    assert loops == 0  # 0 = loop for ever
    assert Image.open(out).n_frames > 10


@pytest.mark.slow
def test_race_3d_last_frame_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bowl3d.png"
    code, _, err = _run(
        ["race", "--function", "bowl", "--start", "2,2", "--steps", "30", "--3d",
         "--optimizer", "sgd:lr=0.1", "--optimizer", "adam:lr=0.3", "-q", "l", "--quiet",
         "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    image = Image.open(out)
    assert image.size == (854, 480)
    assert np.asarray(image.convert("L")).std() > 10
    assert [p.name for p in tmp_path.iterdir()] == ["bowl3d.png"]


@pytest.mark.slow
def test_video_from_the_example_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lesson.mp4"
    code, stdout, err = _run(["video", str(EXAMPLE), "-q", "l", "-j", "2", "-o", str(out)],
                             capsys)
    assert code == 0, err
    assert stdout.strip() == str(out)
    assert "scene 3 of 3" in err or "scene 3 of 3 done" in err
    _playable(out)
    # title card, race, descent: the example asks for a poster; subtitles come along
    assert rd.probe_duration(out) > 25
    assert out.with_suffix(".png").exists() and out.with_suffix(".srt").exists()
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    assert "A long, narrow valley: steep across, almost flat along" in srt


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _manim_child(proc: subprocess.Popen[str], timeout: float = 60.0) -> int:
    """Wait until gdanim (``proc``) has started its manim child; return the child's pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        kids = _children(proc.pid)
        if kids:
            return kids[0]
        time.sleep(0.1)
    raise AssertionError("gdanim started no manim process")


def _long_race(out: Path, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        # 20000 steps: a long race animation, never complete (so never cached) when interrupted
        [sys.executable, "-m", "gdanim.app", *_replace(RACE, "--steps", "20000"), "-q", "l",
         "--quiet", "-o", str(out)],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP], ids=["SIGINT", "SIGHUP"])
def test_interrupt_leaves_no_output(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out" / "valley.mp4"
    out.parent.mkdir()
    out.write_bytes(b"the previous video")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = _long_race(out, tmp_path, env)
    child = _manim_child(proc)
    time.sleep(1.0)  # manim running
    proc.send_signal(sig)  # Ctrl-C, or the terminal closed
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["gdanim: interrupted; no output was written"]
    assert out.read_bytes() == b"the previous video"
    assert sorted(p.name for p in out.parent.iterdir()) == ["valley.mp4"]
    assert not list(tmp_path.rglob("*.part*"))
    assert not _running(child)


@pytest.mark.slow
def test_killed_gdanim_takes_manim_along_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    tmp, outdir = tmp_path / "tmp", tmp_path / "out"
    tmp.mkdir()
    outdir.mkdir()
    (outdir / "valley.mp4").write_bytes(b"the previous video")
    env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp))
    proc = _long_race(outdir / "valley.mp4", tmp_path, env)
    child = _manim_child(proc)
    proc.kill()  # SIGKILL: gdanim cannot clean anything up itself
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 15
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(child), "the manim process outlived gdanim"
    # what the killed run left: its scene parameters, and (had it been assembling) a hidden
    # part file beside -o; a live process's part file must be left alone
    assert [p.name for p in tmp.iterdir() if p.name.startswith(f"gdanim-params-{proc.pid}-")]
    (outdir / f".valley.mp4.{proc.pid}-abcd1234.part.mp4").write_bytes(b"half a video")
    alive = outdir / f".other.mp4.{os.getpid()}-abcd1234.part.mp4"
    alive.write_bytes(b"being written")
    assert (outdir / "valley.mp4").read_bytes() == b"the previous video"
    # the next run into that folder removes them
    done = subprocess.run(
        [sys.executable, "-m", "gdanim.app", "descend", "-f", "x**2", "--start", "1", "--lr",
         "0.5", "--steps", "1", "-q", "l", "--quiet", "-o", str(outdir / "next.png")],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in outdir.iterdir()) == sorted(["valley.mp4", "next.png",
                                                               alive.name])
    assert not [p for p in tmp.iterdir() if p.name.startswith(f"gdanim-params-{proc.pid}-")]


# --------------------------------------------------------------------------------------------
# Renders that used to crash, a cache that stayed broken, jobs that collided
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_surface_with_a_hole_renders_and_a_damaged_cache_heals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("GDANIM_CACHE_DIR", str(cache))
    out = tmp_path / "hole.png"
    args = ["race", "--3d", "-f", "log(x)+y**2", "--start", "1,1", "--optimizer",
            "sgd:lr=0.1", "--steps", "20", "-q", "l", "--quiet", "-o", str(out)]
    code, _, err = _run(args, capsys)
    assert code == 0 and not err, err
    first = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    assert first.shape == (480, 854, 3) and first.std() > 10
    # damage every cached run and contour map: one cut in half, the other emptied
    entries = sorted(cache.glob("*/*/*.npz"))
    assert sorted(e.parts[-3] for e in entries) == ["contours", "runs"]
    for entry, keep in zip(entries, (0.5, 0.0), strict=True):
        data = entry.read_bytes()
        entry.write_bytes(data[: int(len(data) * keep)])
    code, _, err = _run(args, capsys)
    assert code == 0, err
    lines = err.splitlines()
    assert len(lines) == 2 and all(
        ln.startswith("gdanim: warning: damaged cache entry ") for ln in lines), err
    again = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    assert np.abs(again - first).mean() < 0.5  # the same picture from recomputed numbers
    assert all(np.load(e) is not None for e in entries)  # written back whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "hole.png"]


@pytest.mark.slow
def test_identical_runs_into_undefined_f_render_together_outside_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One render for three cases: a 1D run that steps to where f is undefined (it crashed);
    two identical scenes rendered at once (they shared one build folder and collided); and
    where the files go (the build files went into the repository's media/build)."""
    monkeypatch.chdir(tmp_path)
    cache = Path(os.environ["GDANIM_CACHE_DIR"])
    repo_top = sorted(p.name for p in REPO.iterdir())
    repo_media = _files(REPO / "media")
    # log(x) from 1 at lr 10: the first step lands at x = -9, where log is undefined
    scene = ('[[scene]]\ntype = "descend"\nfunction = "log(x)"\nstart = 1\nlr = 10\n'
             "steps = 2\n")
    (tmp_path / "twins.toml").write_text(scene + "\n" + scene, encoding="utf-8")
    code, stdout, err = _run(["video", "twins.toml", "-q", "l", "-j", "2"], capsys)
    assert code == 0, err
    # the second job waited for the first, then took its finished render
    assert "waiting for an identical render to finish" in err
    out = tmp_path / "media" / "custom" / "twins_480p15.mp4"  # by default under ./media
    assert stdout.strip() == str(out)
    _playable(out)
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    assert srt.count("After 2 steps: learning rate 10.000: diverged at step 1.") == 2
    assert sorted(p.name for p in out.parent.iterdir()) == [
        out.name, out.with_suffix(".srt").name, out.with_suffix(".vtt").name]
    # nothing written into the repository; manim's build files are under the cache folder
    assert sorted(p.name for p in REPO.iterdir()) == repo_top
    assert _files(REPO / "media") == repo_media
    build = cache / "build" / "custom"
    assert list(build.glob("*/videos/descend/480p15/partial_movie_files/CustomDescent1D/*"))
