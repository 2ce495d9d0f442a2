"""``pcf compare --plot`` and ``pcf sweep --plot``: PNG or SVG charts (matplotlib); any other
extension is an error before any work; ``pcf --help`` does not import matplotlib."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from pcf.cli import main


def _run(*args):
    return CliRunner().invoke(main, list(args))


def test_compare_writes_png_and_svg(built_home, tmp_path):
    png, svg = tmp_path / "cmp.png", tmp_path / "sub" / "cmp.svg"
    result = _run("compare", "ndfeb-magnet", "--case", "virgin:virgin",
                  "--case", "recycled:recycled", "--plot", str(png))
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "virgin" in result.output and "recycled" in result.output   # the table is printed
    result = _run("compare", "ndfeb-magnet", "--format", "json", "--plot", str(svg))
    assert result.exit_code == 0, result.output
    text = svg.read_text()
    assert "<svg" in text and "ndfeb-magnet: footprint by stage" in text
    for stage in ("rare-earth-supply", "magnet-production"):
        assert stage in text


def test_sweep_writes_a_line_chart(built_home, tmp_path):
    out = tmp_path / "sweep.svg"
    result = _run("sweep", "aluminium-coil", "renewable_electricity_share", "0", "0.5", "1",
                  "--variant", "recycled", "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert "sweep of renewable_electricity_share" in out.read_text()


@pytest.mark.parametrize("name", ["chart.pdf", "chart", "chart.jpeg"])
def test_unknown_plot_extension_is_an_error(built_home, tmp_path, name):
    result = _run("compare", "aluminium-coil", "--plot", str(tmp_path / name))
    assert result.exit_code == 2
    assert "unknown extension" in result.output and ".png, .svg" in result.output
    assert not (tmp_path / name).exists()


def test_help_does_not_import_matplotlib():
    code = ("import sys; from click.testing import CliRunner; from pcf.cli import main; "
            "r = CliRunner().invoke(main, ['compare', '--help']); assert r.exit_code == 0; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
