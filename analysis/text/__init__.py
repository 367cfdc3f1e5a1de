"""The comment-theme pipeline: normalise → drop non-answers → tokenise (jieba) → vectorise
(TF-IDF on jieba words and character n-grams, LSA) → cluster (number of themes chosen from the data by
stability) → label (class-based TF-IDF) → polarity → recurrence across quarters. No Flask.
"""

from analysis.text.pipeline import Comment, Theme, ThemePipeline, ThemeResult

__all__ = ["Comment", "Theme", "ThemePipeline", "ThemeResult"]
