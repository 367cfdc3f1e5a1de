"""Analysis of survey answers: DataFrames, segmentation, anonymity suppression, text themes.

Pure Python (pandas, numpy, scipy, scikit-learn, jieba, and the pure `surveys` package);
never imports flask or app.
"""
