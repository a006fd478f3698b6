"""Every code block of the README runs as written, so the README cannot drift from the code.

Python blocks are executed in one namespace, in a temporary folder; each command of a bash block
runs through the command line (in-process).  ``pip install`` lines are what set up this very
environment and ``python -m pytest`` is this suite, so those two are the only commands skipped;
any other command a README block adds must be one this test knows how to run.

``console`` blocks are shown, not run: commands that start a server or read files a new user
does not have (``../shared/data``, their own labelled texts).  Each of their commands must still
be one the command line accepts: the subcommand exists and its options parse.
"""

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from wordspace.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall(README.read_text()) if lang == language]


def commands(script: str) -> list[list[str]]:
    found = []
    for line in script.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            found += [shlex.split(part, comments=True) for part in line.split("&&")]
    return found


def test_the_readme_has_the_blocks_we_run():
    assert len(blocks("python")) >= 1 and len(blocks("bash")) >= 3
    assert {lang for lang, _ in BLOCK.findall(README.read_text())} <= {"python", "bash", "console"}


def test_every_console_command_parses():
    checked = 0
    for script in blocks("console"):
        for argv in commands(script):
            if argv[0] == "python":
                assert (README.parent / argv[1]).is_file(), argv
                continue
            assert argv[0] == "wordspace", f"the README shows {argv[0]!r}; teach this test"
            command = cli.get_command(None, argv[1])
            assert command is not None, f"no command {argv[1]!r}: {argv}"
            command.make_context(argv[1], argv[2:], resilient_parsing=False)
            checked += 1
    assert checked >= 1


def test_every_bash_block_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = 0
    for script in blocks("bash"):
        for argv in commands(script):
            if argv[:2] == ["pip", "install"]:
                assert argv[2:] in (["-e", "."], ["-e", ".[test]"]), argv
                continue
            if argv[:3] == ["python", "-m", "pytest"]:
                continue
            assert argv[0] == "wordspace", f"the README runs {argv[0]!r}; teach this test"
            result = CliRunner().invoke(cli, argv[1:])
            assert result.exit_code == 0, (argv, result.output)
            ran += 1
            if argv[1] == "neighbors" and len(argv) > 4:  # several words: a list for each
                heads = [line for line in result.stdout.splitlines() if line.endswith(":")]
                assert heads == [word + ":" for word in argv[3:]], result.stdout
    assert ran >= 5
    assert (tmp_path / "brown.ws").is_file() and (tmp_path / "lsa.ws").is_file()


def test_the_python_tour_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for code in blocks("python"):
        exec(compile(code, str(README), "exec"), namespace)  # noqa: S102
    assert {"vectors.bin", "w2v.ws", "map.png"} <= {p.name for p in tmp_path.iterdir()}
    assert namespace["codes"].shape == (1, 100)
    assert len(namespace["w2v"].wv.most_similar("king", topn=5)) == 5
    assert namespace["lsa"].wv is namespace["lsa"].wv
