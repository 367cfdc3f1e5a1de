"""Large batches of per-text work run in worker processes and give what one process gives."""

from analysis.text.parallel import PARALLEL_THRESHOLD
from analysis.text.polarity import polarities_many, polarity
from analysis.text.tokenise import Tokeniser, tokens_many


def texts(count):
    phrases = ["审批太慢了", "打卡定位老是不准", "培训很有帮助", "能不能少开会", "还行"]
    return [f"{phrases[i % len(phrases)]}{i}" for i in range(count)]


def test_polarities_of_a_large_batch_in_two_processes_match_one_by_one():
    batch = texts(PARALLEL_THRESHOLD + 7)
    assert polarities_many(batch, workers=2) == [polarity(text) for text in batch]


def test_tokens_of_a_large_batch_in_two_processes_match_one_by_one():
    tokeniser = Tokeniser(["定位"])
    batch = texts(PARALLEL_THRESHOLD + 7)
    assert tokens_many(tokeniser, batch, workers=2) == [tokeniser.tokens(text) for text in batch]


def test_a_small_batch_runs_here():
    assert polarities_many(["审批太慢了"], workers=2) == [polarity("审批太慢了")]
