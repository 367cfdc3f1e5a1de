"""Large batches of per-text work run in worker processes and give what one process gives."""

import os
import random

from analysis.text import Comment, ThemePipeline
from analysis.text.cluster import StableKMeans
from analysis.text.normalise import Normaliser
from analysis.text.parallel import PARALLEL_THRESHOLD, lower_priority, start_in_workers
from analysis.text.polarity import polarity, start_polarities
from analysis.text.tokenise import Tokeniser, tokens_many
from analysis.text.vectorise import CommentVectoriser
from app.demo_comments import demo_comment
from config import Config

K_TEXT = Config.ANONYMITY_MIN_GROUP_TEXT  # the text threshold a run gets by default


def texts(count):
    phrases = ["审批太慢了", "打卡定位老是不准", "培训很有帮助", "能不能少开会", "还行"]
    return [f"{phrases[i % len(phrases)]}{i}" for i in range(count)]


def test_polarities_of_a_large_batch_in_two_processes_match_one_by_one():
    batch = texts(PARALLEL_THRESHOLD + 7)
    assert start_polarities(batch, workers=2).result() == [polarity(text) for text in batch]


def test_tokens_of_a_large_batch_in_two_processes_match_one_by_one():
    tokeniser = Tokeniser(["定位"])
    batch = texts(PARALLEL_THRESHOLD + 7)
    assert tokens_many(tokeniser, batch, workers=2) == [tokeniser.tokens(text) for text in batch]


def test_a_small_batch_runs_here():
    assert start_polarities(["审批太慢了"], workers=2).result() == [polarity("审批太慢了")]


def demo_comments(count, seed=3):
    """`count` demo comments, a tenth with tokens from the cache, some non-answers."""
    rng = random.Random(seed)
    tokeniser, normaliser = Tokeniser(), Normaliser()
    comments = []
    for i in range(count):
        text = demo_comment(rng, negativity=0.8)
        cached = tokeniser.tokens(normaliser.normalise(text)) if i % 10 == 0 else None
        comments.append(Comment(str(i), f"r{i}", text, tokens=cached))
    return comments


def run_of(comments, workers, vectoriser=None):
    return ThemePipeline(random_state=0, k_text=K_TEXT, workers=workers, vectoriser=vectoriser).fit(comments).result_


def test_a_large_run_normalised_part_by_part_while_workers_tokenise_gives_what_one_process_gives():
    # normalising part by part while two processes tokenise the parts, and the lexicon in the background
    comments = demo_comments(PARALLEL_THRESHOLD + 200)
    parallel, alone = run_of(comments, 2), run_of(comments, 1)
    assert parallel.non_answers and parallel.non_answers == alone.non_answers
    assert parallel.newly_tokenised == alone.newly_tokenised
    assert len(parallel.newly_tokenised) < 0.95 * len(comments)  # the cached tenth was not tokenised again
    assert parallel.tokens == alone.tokens
    assert parallel.polarities == alone.polarities
    assert [(t.label, t.members) for t in parallel.themes] == [(t.label, t.members) for t in alone.themes]


def test_a_run_that_fits_its_vectoriser_on_a_sample_chooses_k_on_that_sample_meanwhile():
    # the vectoriser fits on 300 of the kept comments; k is chosen on those 300 vectors, as a sample of all
    comments = demo_comments(900)
    result = run_of(comments, 1, vectoriser=CommentVectoriser(fit_sample=300))
    kept = [i for i in range(len(comments)) if i not in set(result.non_answers)]
    texts = Normaliser().normalise_many([comments[i].text for i in kept])
    vectoriser = CommentVectoriser(fit_sample=300)
    positions = vectoriser.fit_positions(len(kept))
    assert positions is not None and len(positions) == 300
    sample_tokens = [result.tokens[kept[p]] for p in positions]
    sample = vectoriser.fit_transform([texts[p] for p in positions], sample_tokens)
    # judged as the themes are shown: each fit refined on the sample's word counts
    chooser = StableKMeans(min_counted_size=K_TEXT, random_state=0)
    k, scores = chooser.choose_k(sample, len(kept), vectoriser.counts(sample_tokens))
    assert result.k == k and result.stability == scores
    assert scores != chooser.choose_k(sample, len(kept))[1]  # the unrefined fits score otherwise
    assert CommentVectoriser(fit_sample=300).fit_positions(300) is None  # no sample: k is chosen on all of them


def niceness(items):
    return [os.nice(0) for _ in items]


def test_workers_started_at_a_lower_priority_run_below_the_caller():
    # the lexicon's workers yield the cores to the run that chooses k meanwhile
    started = start_in_workers(niceness, list(range(PARALLEL_THRESHOLD)), 2, initializer=lower_priority, initarg=5)
    assert set(started.result()) == {min(os.nice(0) + 5, 19)}


def test_a_run_without_a_fitting_sample_chooses_k_on_refined_fits_of_all_its_comments():
    # fewer comments than the vectoriser's fitting sample: k is chosen inside fit, on every kept comment's counts
    comments = demo_comments(400)
    result = run_of(comments, 1)
    kept = [i for i in range(len(comments)) if i not in set(result.non_answers)]
    texts = Normaliser().normalise_many([comments[i].text for i in kept])
    vectoriser = CommentVectoriser()
    assert vectoriser.fit_positions(len(kept)) is None
    tokens = [result.tokens[i] for i in kept]
    vectors = vectoriser.fit_transform(texts, tokens)
    chooser = StableKMeans(min_counted_size=K_TEXT, random_state=0)
    k, scores = chooser.choose_k(vectors, counts=vectoriser.counts(tokens))
    assert result.k == k and result.stability == scores
    assert scores != chooser.choose_k(vectors)[1]  # unrefined fits score otherwise
