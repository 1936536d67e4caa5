"""`rasa ...` without the warnings this project expects (make train, run, shell).

* Deprecation warnings of Rasa's dependencies (click, pkg_resources, pyparsing,
  SQLAlchemy, TensorFlow...): dozens at every start, nothing a user can act on.
  PYTHONWARNINGS cannot silence them: importing Sanic switches
  DeprecationWarning back on ("once"), and Rasa's command line puts UserWarning
  on "once" in front (pyparsing's deprecations are both). Only
  DeprecationWarning and PendingDeprecationWarning go: Rasa flags its own
  deprecations as FutureWarning, and every other warning and error still shows.
* Rasa's warning at training that the configuration has no ResponseSelector
  although the data has retrieval intents: LinearClassifier
  (components/linear_classifier.py) is this assistant's response selector, and
  Rasa's check knows only its own class.

Both go on Rasa's own list of expected warnings (rasa.utils.common.EXPECTED_WARNINGS),
which Rasa applies unless --debug is given: `--debug` still shows everything.

    python scripts/quiet_rasa.py train --fixed-model-name valtrex-assistant
"""

import sys
import warnings

DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)
EXPECTED = [
    *((category, "") for category in DEPRECATIONS),
    (
        UserWarning,
        "You have defined training data with examples for training a response selector, "
        "but your NLU configuration does not include a response selector component",
    ),
]


def quiet() -> None:
    """Silence the expected warnings; call before Rasa parses its command line."""
    import sanic  # noqa: F401 - its import turns DeprecationWarning on
    from rasa.utils.common import EXPECTED_WARNINGS

    for category in DEPRECATIONS:  # until Rasa applies its list
        warnings.filterwarnings("ignore", category=category)
    EXPECTED_WARNINGS.extend(EXPECTED)


if __name__ == "__main__":
    for category in DEPRECATIONS:  # the imports below warn too
        warnings.filterwarnings("ignore", category=category)
    quiet()
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    sys.exit(main())
