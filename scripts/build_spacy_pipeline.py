"""Build the blank English spaCy pipeline that Rasa's SpacyNLP loads from disk.

No pretrained spaCy model can be downloaded here, and the assistant does not need
word vectors: it needs spaCy's tokenizer and lemmas. Lemmas come from the lookup
tables of `spacy-lookups-data`, saved inside the pipeline so nothing is fetched
at run time.

Usage: python scripts/build_spacy_pipeline.py OUTPUT_DIR
"""

import sys
from pathlib import Path

import spacy


def build(output_dir: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "en_blank_lookup"
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]))
