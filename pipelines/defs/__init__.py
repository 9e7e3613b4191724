"""The Dagster side: thin assets over the core and the store, checks, sensor, schedule."""

import warnings

import dagster as dg

# The three partitioned assets use the single-run backfill policy (a thousand files are one
# run); Dagster flags that parameter as beta once per asset in every process that loads
# the code (CLI, code server, daemon), dozens of lines nobody can act on.
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` of function", category=dg.BetaWarning)
