"""LinearClassifier: intent and sub-topic rankings from TF-IDF features and linear SVMs."""

import pickle
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.training.fingerprinting import calculate_fingerprint_key
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack

import components.linear_classifier as module
from components.linear_classifier import InvalidModel, LinearClassifier, lemmas

EXAMPLES = [
    ("what is valtrex for", "ask_uses", "ask_uses/what_for"),
    ("what does valacyclovir treat", "ask_uses", "ask_uses/what_for"),
    ("does valtrex cure herpes", "ask_uses", "ask_uses/cure"),
    ("can valacyclovir cure herpes for good", "ask_uses", "ask_uses/cure"),
    ("does valtrex give you headaches", "ask_side_effects", "ask_side_effects/common"),
    ("common side effects of valtrex", "ask_side_effects", "ask_side_effects/common"),
    ("can valtrex hurt my kidneys", "ask_side_effects", "ask_side_effects/serious"),
    ("serious side effects kidney damage", "ask_side_effects", "ask_side_effects/serious"),
    ("hello there", "greet", None),
    ("hi", "greet", None),
    ("good morning", "greet", None),
]


def tokenized(text):
    message = Message(data={"text": text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def training_data():
    messages = []
    for text, intent, key in EXAMPLES:
        message = tokenized(text)
        message.set("intent", intent)
        if key:
            message.set("intent_response_key", key)
        messages.append(message)
    return TrainingData(messages)


CONTEXT = ExecutionContext(GraphSchema({}), "test")
CONFIG = LinearClassifier.get_default_config()
RESOURCE = Resource("linear")


def train(path):
    storage = LocalModelStorage(path)
    LinearClassifier.create(CONFIG, storage, RESOURCE, CONTEXT).train(training_data())
    return storage


def load(storage):
    return LinearClassifier.load(CONFIG, storage, RESOURCE, CONTEXT)


def trained(tmp_path):
    return load(train(tmp_path))


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    return trained(tmp_path_factory.mktemp("linear"))


def test_a_question_gets_its_intent_and_the_best_sub_topic_of_each_intent(classifier):
    [message] = classifier.process([tokenized("is there a cure for herpes")])
    assert message.get("intent")["name"] == "ask_uses"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking][:1] == ["ask_uses"]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    selector = message.get("response_selector")["default"]
    assert [r["intent_response_key"] for r in selector["ranking"]][0] == "ask_uses/cure"
    # One entry per retrieval intent, for the router: the best of its sub-topics.
    assert sorted(r["intent_response_key"].split("/")[0] for r in selector["ranking"]) == [
        "ask_side_effects",
        "ask_uses",
    ]
    assert selector["response"]["utter_action"] == "utter_ask_uses/cure"


@pytest.mark.parametrize("text", ["", "😀😀", "*** ???"])
def test_a_message_with_nothing_known_gets_no_confidence(classifier, text):
    [message] = classifier.process([tokenized(text)])
    assert message.get("intent")["confidence"] == 0.0  # the FallbackClassifier answers it


def test_training_is_reproducible(classifier, tmp_path):
    again = trained(tmp_path)
    texts = ["cure herpes?", "valtrex treat what", "hey"]
    first = [m.get("intent_ranking") for m in classifier.process([tokenized(t) for t in texts])]
    second = [m.get("intent_ranking") for m in again.process([tokenized(t) for t in texts])]
    assert first == second


def test_the_loaded_model_scores_as_the_sklearn_objects_train_fitted(tmp_path, monkeypatch):
    """The fast path (features without sklearn, plain-array SVM scores, read back
    from disk) gives the numbers of the vectorizers and SVMs that train() fitted."""
    vectorizers, svms = [], []
    make_vectorizer = module.make_vectorizer
    monkeypatch.setattr(
        module, "make_vectorizer", lambda spec: vectorizers.append(make_vectorizer(spec)) or vectorizers[-1]
    )

    class RecordedSVC(module.LinearSVC):
        def fit(self, *args, **kwargs):
            svms.append(self)
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(module, "LinearSVC", RecordedSVC)
    storage = train(tmp_path)
    # The fitted ones (the model also makes unfitted ones, for their analyzers).
    fitted = [v for v in vectorizers if hasattr(v, "vocabulary_")]
    assert len(fitted) == 2
    classifier = load(storage)
    intent_svm = next(svm for svm in svms if "greet" in svm.classes_)
    scale = CONFIG["score_scale"]
    for text in ["does valtrex cure herpes herpes", "hi hi", "valtrax for what", "side effect kidney"]:
        message = tokenized(text)
        expected = hstack([v.transform([lemmas(message)]) for v in fitted]).toarray()[0]
        columns, values = classifier._model.features(lemmas(message))
        actual = np.zeros_like(expected)
        actual[columns] = values
        assert actual == pytest.approx(expected, abs=1e-12)
        scores = intent_svm.decision_function(expected[None, :])[0]
        softmax = np.exp(scale * (scores - scores.max()))
        expected_ranking = dict(zip(intent_svm.classes_, softmax / softmax.sum()))
        [processed] = classifier.process([message])
        for entry in processed.get("intent_ranking"):
            assert entry["confidence"] == pytest.approx(expected_ranking[entry["name"]], abs=1e-9)


class RunsCode:
    """A pickle that creates a file when it is loaded: what a crafted model file does."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def model_files(storage):
    with storage.read_from(RESOURCE) as directory:
        return sorted(path for path in Path(directory).iterdir() if path.is_file())


def test_model_files_hold_no_pickle(tmp_path):
    files = model_files(train(tmp_path))
    assert {path.suffix for path in files} == {".json", ".npz"}
    for path in files:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as arrays:
                assert all(arrays[name].dtype == np.float64 for name in arrays.files)


def test_a_model_file_that_would_run_code_is_refused(tmp_path):
    """Loading a model never unpickles: a crafted file in place of any of the
    classifier's files is refused and its code never runs."""
    (tmp_path / "model").mkdir()
    storage = train(tmp_path / "model")
    marker = tmp_path / "code-ran"
    for path in model_files(storage):
        original = path.read_bytes()
        path.write_bytes(pickle.dumps(RunsCode(marker)))
        with pytest.raises(InvalidModel):
            load(storage)
        assert not marker.exists(), f"loading a crafted {path.name} ran code"
        path.write_bytes(original)
    assert load(storage)._model is not None


def test_arrays_of_objects_or_wrong_shapes_are_refused(tmp_path):
    storage = train(tmp_path)
    [arrays_file] = [path for path in model_files(storage) if path.suffix == ".npz"]
    with np.load(arrays_file) as stored:
        arrays = {name: stored[name] for name in stored.files}
    for name, bad in [
        ("idf_0", np.array([{"a": 1}], dtype=object)),
        ("idf_0", arrays["idf_0"][:-1]),
        ("weights_0", arrays["weights_0"].astype(np.int64)),
    ]:
        np.savez(arrays_file, **{**arrays, name: bad})
        with pytest.raises(InvalidModel):
            load(storage)


def test_editing_a_helper_of_the_module_retrains(tmp_path, monkeypatch):
    """Rasa's training cache keys a component by its class source; the module's
    helpers (lemmas, TfidfFeatures, Scorer) shape the model too."""

    def key():
        return calculate_fingerprint_key(LinearClassifier, CONFIG, {})

    before = key()
    edited = tmp_path / "linear_classifier.py"
    edited.write_text(
        module.MODULE_FILE.read_text().replace("(token.lemma or token.text).lower()", "token.text.lower()")
    )
    monkeypatch.setattr(module, "MODULE_FILE", edited)
    assert key() != before


def test_required_packages_are_importable_and_versioned():
    import importlib

    for package in LinearClassifier.required_packages():
        importlib.import_module(package)
    assert "sklearn" in LinearClassifier.required_packages()
