"""The catalogue example in docs/architecture.md is a catalogue the importer accepts."""

import re
from pathlib import Path

from lagesbild.catalogue import io

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_documented_catalogue_example_parses():
    blocks = re.findall(r"```yaml\n(.*?)```", section("Measure catalogue (YAML)"), re.S)
    assert len(blocks) == 1
    specs = io.parse_yaml(blocks[0], "architecture.md")
    assert [s.key for s in specs] == [("riskbedomning-70-24h", 1), ("sakerhetskultur-enkat", 1),
                                      ("riskbedomning-70-24h", 2)]
    assert specs[1].foundation == 2 and specs[2].comparable_with == (1,)
    # Written back and read again, it is the same catalogue.
    assert io.parse_yaml(io.dump_yaml(specs), "rundtur.yaml") == specs
