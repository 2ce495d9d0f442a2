"""Import Brightway with pcf's settings: ``BRIGHTWAY2_DIR=$PCF_HOME/brightway``, quiet logs.

bw2data reads ``BRIGHTWAY2_DIR`` once, at import; call :func:`bw2data` (never ``import
bw2data`` at module level) so the directory is set first. Brightway's log lines go to stderr at
WARNING and above, so ``--format json`` output on stdout stays clean.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings

from pcf.config import brightway_dir

_configured = False


def _configure() -> None:
    global _configured
    if _configured:
        return
    os.environ["BRIGHTWAY2_DIR"] = str(brightway_dir())
    os.environ.setdefault("TQDM_DISABLE", "1")
    # bw2data creates its feedback logger on import, bound to the sys.stdout of that moment:
    # import it while stdout points at the null device so its chatter ("Using environment
    # variable ...", optional-importer warnings) never reaches JSON on stdout.
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc  # noqa: F401
        import bw2data  # noqa: F401
        import bw2io  # noqa: F401
    logging.getLogger("bw2calc").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="bw2calc")
    warnings.filterwarnings("ignore", message=".*pypardiso.*")
    warnings.filterwarnings("ignore", message=".*UMFPACK.*")
    _configured = True


def bw2data():
    """Return the ``bw2data`` module, configured for ``$PCF_HOME/brightway``."""
    _configure()
    import bw2data as bd

    return bd


def bw2calc():
    """Return the ``bw2calc`` module (after :func:`bw2data` configuration)."""
    _configure()
    import bw2calc as bc

    return bc


def bw2io():
    """Return the ``bw2io`` module (after :func:`bw2data` configuration)."""
    _configure()
    import bw2io as bi

    return bi
