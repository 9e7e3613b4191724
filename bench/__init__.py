"""`make bench`: speed and memory of extraction and the pipeline, against JioNLP and dateparser.

Run `python -m bench.run` (see bench/run.py); results go to bench/RESULTS.md.
"""
