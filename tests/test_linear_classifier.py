"""LinearClassifier: intent and sub-topic rankings from TF-IDF features and linear SVMs."""
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.linear_classifier import LinearClassifier, TfidfFeatures

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


def trained(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = LinearClassifier.get_default_config()
    resource = Resource("linear")
    LinearClassifier.create(config, storage, resource, context).train(training_data())
    return LinearClassifier.load(config, storage, resource, context)


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
        "ask_side_effects", "ask_uses"]
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


def test_fast_features_equal_sklearns_tf_idf():
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [text for text, _, _ in EXAMPLES]
    vectorizers = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)]
    for vectorizer in vectorizers:
        vectorizer.fit(texts)
    features = TfidfFeatures(vectorizers)
    for text in ["does valtrex cure herpes herpes", "hi hi", "valtrax for what", "zzz"]:
        expected = hstack([v.transform([text]) for v in vectorizers]).toarray()[0]
        columns, values = features(text)
        actual = np.zeros_like(expected)
        actual[columns] = values
        assert actual == pytest.approx(expected, abs=1e-12)
