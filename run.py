#!/usr/bin/env python3
"""Newswatch's entry point: ``python run.py --help``.

The command line is the ``cli`` package (one module per command group); the parts it runs
are built in ``app`` (the composition root) and, for ``run``, scheduled by ``daemon``.
"""

from __future__ import annotations

import sys

from cli import main

if __name__ == "__main__":
    sys.exit(main())
