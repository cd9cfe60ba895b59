"""The README's Python examples run as written."""

import re
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    # Run in order in one namespace, as a reader would in one session.
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2
    namespace = {}
    for block in blocks:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            exec(compile(block, str(README), "exec"), namespace)
    assert namespace["forecast"].shape == (24,)
    assert namespace["next_6"].shape == (6,) and namespace["y6"].shape == (115, 6)
