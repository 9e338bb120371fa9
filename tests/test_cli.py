"""The command line shell: where the store comes from, exit codes, a quick --help."""

import subprocess
import sys

from click.testing import CliRunner

from mediaframes.cli import cli


def test_store_option_wins_over_the_environment(embedded_store, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIAFRAMES_STORE", str(tmp_path / "from-env.sqlite"))
    for args in (["--store", embedded_store.path, "corpus", "stats"], ["corpus", "stats", "--store", embedded_store.path]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"464 articles in {embedded_store.path}")
    assert not (tmp_path / "from-env.sqlite").exists()


def test_environment_names_the_store_when_no_option_does(embedded_store, monkeypatch):
    monkeypatch.setenv("MEDIAFRAMES_STORE", embedded_store.path)
    result = CliRunner().invoke(cli, ["corpus", "stats"])
    assert result.exit_code == 0 and result.output.startswith(f"464 articles in {embedded_store.path}")


def test_usage_error_exits_2_and_help_exits_0():
    bad = subprocess.run([sys.executable, "-m", "mediaframes.cli", "corpus", "stats", "--bogus"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "No such option" in bad.stderr and "Traceback" not in bad.stderr
    ok = subprocess.run([sys.executable, "-m", "mediaframes.cli", "--help"], capture_output=True, text=True)
    assert ok.returncode == 0 and "study" in ok.stdout and "predict" in ok.stdout
