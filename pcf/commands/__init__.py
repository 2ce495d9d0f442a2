"""The subcommands of ``pcf``, one module per command (group); :mod:`pcf.cli` is only the
group that loads them on demand. Shared helpers: :mod:`pcf.commands._common`. Each command is a
thin adapter: parse the options, make one service call (:mod:`pcf.service`), render.
"""
