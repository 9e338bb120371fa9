"""The study regenerates results/ byte for byte; its command line behaves."""

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mediaframes import config
from mediaframes.study import STAGES, StudyConfig, expand_stages, run_study


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_study_reproduces_committed_results_byte_for_byte(embedded_store, tmp_path):
    out = tmp_path / "results"
    # without the second coding (read in place, never copied) the study keeps the reliability table
    # it finds; seed the folder with the committed one, as results/ itself would hold it
    if not Path(StudyConfig().second_coding).is_file() and (config.TABLES_DIR / "reliability.csv").is_file():
        (out / "tables").mkdir(parents=True)
        shutil.copyfile(config.TABLES_DIR / "reliability.csv", out / "tables" / "reliability.csv")
    ctx = run_study(embedded_store, out, cfg=StudyConfig())
    committed = _files(config.RESULTS_DIR)
    produced = _files(out)
    assert not committed - produced, f"committed but no longer produced: {sorted(committed - produced)}"
    assert produced <= committed, f"produced but not committed (run mediaframes study): {sorted(produced - committed)}"
    different = [name for name in sorted(produced) if not filecmp.cmp(out / name, config.RESULTS_DIR / name, shallow=False)]
    assert not different, f"results/ drifted from the code; run `mediaframes study` and commit: {different}"
    assert len(ctx.written) == len(produced) - (not Path(StudyConfig().second_coding).is_file())


def test_only_runs_the_named_stages(embedded_store, tmp_path):
    ctx = run_study(embedded_store, tmp_path, only=["corpus"], cfg=StudyConfig(n_boot=100))
    names = sorted(p.name for p in ctx.written)
    assert "corpus_summary.csv" in names and "attention_over_time.png" in names and "REPORT.md" in names
    assert not (tmp_path / "tables" / "naming.csv").exists()


def test_unknown_stage_is_refused(embedded_store, tmp_path):
    with pytest.raises(ValueError, match="unknown stage"):
        run_study(embedded_store, tmp_path, only=["nope"])


def test_cli_rejects_an_unknown_stage_with_usage_exit_code(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mediaframes.cli", "study", "--only", "naming,bogus",
                             "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown stage(s) bogus" in result.stderr


def test_a_prefix_selects_every_stage_it_begins():
    assert expand_stages(["classify"]) == ["classify_country", "classify_frame"]
    assert expand_stages(["keyness", "corpus"]) == ["corpus", "keyness"]  # run order, not the order given
    assert expand_stages(None) == list(STAGES)
