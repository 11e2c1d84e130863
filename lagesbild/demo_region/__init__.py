"""Demo data for a fictional region modelled on Region Kalmar län (region code "08").

``generate.py`` writes the files in ``data/`` (run ``python -m lagesbild.demo_region.generate``);
``verify.py`` recomputes the region's yearly totals from them; ``measures.py`` describes the
measures the files use; ``texts.py`` holds the Swedish names and analysis texts.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
